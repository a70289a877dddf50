# Monitoring events, rules, suggestions, automation hooks and webhooks (issue 13).
history-event_opened = Opened by a monitoring alert ({ $severity }, fingerprint { $fingerprint })
history-event_repeated = The monitoring alert fired again (fingerprint { $fingerprint })
history-event_refired = The monitoring alert is firing again after it resolved (fingerprint { $fingerprint })
history-event_resolved = The monitoring alert resolved (fingerprint { $fingerprint })
history-rule_fired = Rule “{ $rule }” applied: { $actions }
notice-rule_notify = Rule “{ $rule }” on { $number }: { $subject }

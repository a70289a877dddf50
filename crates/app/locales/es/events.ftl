# Eventos de monitorización, reglas, sugerencias, automatizaciones y webhooks (issue 13).
history-event_opened = Abierto por una alerta de monitorización ({ $severity }, huella { $fingerprint })
history-event_repeated = La alerta de monitorización se ha repetido (huella { $fingerprint })
history-event_refired = La alerta de monitorización vuelve a saltar tras resolverse (huella { $fingerprint })
history-event_resolved = La alerta de monitorización se ha resuelto (huella { $fingerprint })
history-rule_fired = Regla «{ $rule }» aplicada: { $actions }
notice-rule_notify = Regla «{ $rule }» en { $number }: { $subject }

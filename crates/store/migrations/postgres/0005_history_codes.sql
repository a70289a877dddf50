-- Timeline entries and notifications keep codes and parameters, never sentences (SPEC C16):
-- the words are rendered in the reader's language when read. `ticket_events.data` (unused
-- until now) holds an entry's parameters as a JSON object; `notifications.params` likewise.
-- Entries written before this version carried English sentences in `body` (and
-- notifications in `title`); they are turned into codes here, keeping only what a person
-- wrote (a summary, a reason) in `body`. Same steps as the SQLite file, in PostgreSQL's
-- spelling (strpos for instr, json_build_object for json_object).
ALTER TABLE ticket_events ADD COLUMN code TEXT;
ALTER TABLE notifications ADD COLUMN params TEXT;

UPDATE ticket_events SET code = 'created', data = json_build_object('channel', body)::text, body = NULL
 WHERE kind = 'created' AND code IS NULL AND body IS NOT NULL;

UPDATE ticket_events SET code = 'escalated_to_tier', data = json_build_object('tier', substr(body, 14))::text, body = NULL
 WHERE kind = 'escalation' AND code IS NULL AND body LIKE 'escalated to %';

UPDATE ticket_events SET code = 'handover',
       data = json_build_object('group', substr(body, 13, strpos(substr(body, 13), ': ') - 1))::text,
       body = NULLIF(substr(body, 13 + strpos(substr(body, 13), ': ') + 1), '')
 WHERE kind = 'escalation' AND code IS NULL AND body LIKE 'handover to %: %';

UPDATE ticket_events SET code = 'hierarchical_escalation', body = NULLIF(substr(body, 26), '')
 WHERE kind = 'escalation' AND code IS NULL AND body LIKE 'hierarchical escalation: %';

UPDATE ticket_events SET code = 'sla_escalation',
       data = json_build_object(
         'group', substr(body, 25, strpos(body, ': SLA ') - 25),
         'crossing', CASE WHEN body LIKE '%: SLA warning of the %' THEN 'warning' ELSE 'breach' END,
         'target', CASE WHEN body LIKE '%first_response target' THEN 'first_response' ELSE 'resolution' END)::text,
       body = NULL
 WHERE kind = 'escalation' AND code IS NULL AND body LIKE 'automatic escalation to %: SLA %';

UPDATE ticket_events SET
       code = CASE WHEN body LIKE 'SLA warning:%' THEN 'sla_warning' ELSE 'sla_breach' END,
       data = json_build_object(
         'target', CASE WHEN body LIKE '%first_response target%' THEN 'first_response' ELSE 'resolution' END,
         'at', substr(body, strpos(body, '(') + 1, length(body) - strpos(body, '(') - 1))::text,
       body = NULL
 WHERE kind = 'sla' AND code IS NULL AND body LIKE 'SLA %: % target (%)';

UPDATE ticket_events SET code = 'no_solution',
       data = json_build_object('count', substr(body, strpos(body, 'reopened (') + 10,
                          strpos(substr(body, strpos(body, 'reopened (') + 10), ')') - 1))::text,
       body = CASE WHEN strpos(body, chr(10)) > 0 THEN NULLIF(substr(body, strpos(body, chr(10)) + 1), '') END
 WHERE kind = 'transition' AND code IS NULL AND body LIKE '%no solution: reopened (%)%';

UPDATE ticket_events SET code = 'steps',
       data = json_build_object('steps', replace(replace(replace(
                CASE WHEN strpos(body, ' ') > 0 THEN substr(body, 1, strpos(body, ' ') - 1) ELSE body END,
                '[', ''), ']', ''), '→', ','))::text,
       body = CASE WHEN strpos(body, ' ') > 0 THEN NULLIF(trim(substr(body, strpos(body, ' ') + 1)), '') END
 WHERE kind = 'transition' AND code IS NULL AND body LIKE '[%]%';

UPDATE ticket_events SET code = 'resolved_with_parent',
       data = json_build_object('parent', substr(body, 22, strpos(substr(body, 22), ':') - 1))::text,
       body = NULLIF(trim(substr(body, 22 + strpos(substr(body, 22), ':'))), '')
 WHERE kind = 'transition' AND code IS NULL AND body LIKE 'Resolved with parent %:%';

UPDATE ticket_events SET code = 'closed_with_parent',
       data = json_build_object('parent', substr(body, 20, strpos(substr(body, 20), ':') - 1))::text,
       body = NULLIF(trim(substr(body, 20 + strpos(substr(body, 20), ':'))), '')
 WHERE kind = 'transition' AND code IS NULL AND body LIKE 'Closed with parent %:%';

UPDATE ticket_events SET code = 'linked_under', data = json_build_object('parent', substr(body, 14))::text, body = NULL
 WHERE kind = 'link' AND code IS NULL AND body LIKE 'linked under %';

UPDATE ticket_events SET code = 'child_linked',
       data = json_build_object('child', substr(body, 1, length(body) - 18))::text, body = NULL
 WHERE kind = 'link' AND code IS NULL AND body LIKE '% linked as a child';

UPDATE ticket_events SET code = 'unlinked_from', data = json_build_object('parent', substr(body, 15))::text, body = NULL
 WHERE kind = 'link' AND code IS NULL AND body LIKE 'unlinked from %';

UPDATE ticket_events SET code = 'priority_override', body = NULLIF(substr(body, 11), '')
 WHERE kind = 'change' AND field = 'priority' AND code IS NULL AND body LIKE 'override: %';

UPDATE notifications SET params = (
    SELECT json_build_object('number', t.number, 'subject', t.subject)::text FROM tickets t WHERE t.id = notifications.ticket_id)
 WHERE params IS NULL AND ticket_id IS NOT NULL;

UPDATE notifications SET params = (COALESCE(params, '{}')::jsonb
       || jsonb_build_object('group', substr(title, strpos(title, ' escalated to ') + 14)))::text
 WHERE kind = 'ticket.escalated' AND strpos(title, ' escalated to ') > 0;

UPDATE notifications SET params = (COALESCE(params, '{}')::jsonb
       || jsonb_build_object('target', CASE WHEN body LIKE 'first_response%' THEN 'first_response' ELSE 'resolution' END))::text,
       body = NULL
 WHERE kind IN ('sla.warning', 'sla.breach') AND body LIKE '% target';

UPDATE notifications SET title = '';

-- A group's shift calendar (issue 17): outside its open hours the group's members are off
-- shift for routing, whatever availability they set, so nothing is auto-assigned to them.
ALTER TABLE group_routing ADD COLUMN shift_calendar_id INTEGER REFERENCES calendars (id);

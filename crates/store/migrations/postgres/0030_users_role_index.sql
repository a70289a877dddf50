-- Pages that name the desk's staff (the console's queue and ticket pages: `web::kit::staff`)
-- list the users of each staff role. Without an index by role each list read every user in
-- id order, joined to roles, to keep the few hundred agents among ten thousand requesters
-- (three lists, 1.7 ms of SQLite per page at the benchmark's 10,000 users). Keyed by role,
-- each list reads only that role's users, already in id order.
CREATE INDEX users_role_idx ON users (role_id, id);

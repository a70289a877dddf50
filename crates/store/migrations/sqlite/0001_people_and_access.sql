-- People and access (SPEC C15): organisations, departments, roles, users, support groups,
-- sessions, API tokens, login throttling and the audit log. Instants are UTC microseconds.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    code        TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));
CREATE UNIQUE INDEX organisations_code_key ON organisations (code) WHERE code IS NOT NULL;

CREATE TABLE departments (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    name             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX departments_org_name_key ON departments (organisation_id, lower(name));

CREATE TABLE roles (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    permissions  TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('own', 'organisation', 'group', 'all')),
    builtin      INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    email                 TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL,
    phone                 TEXT,
    organisation_id       INTEGER REFERENCES organisations (id),
    department_id         INTEGER REFERENCES departments (id),
    language              TEXT    NOT NULL CHECK (language IN ('es', 'en')),
    time_zone             TEXT    NOT NULL,
    role_id               INTEGER NOT NULL REFERENCES roles (id),
    organisation_manager  INTEGER NOT NULL DEFAULT 0 CHECK (organisation_manager IN (0, 1)),
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    password_hash         TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX users_organisation_idx ON users (organisation_id, id);
CREATE INDEX users_department_idx ON users (department_id);

CREATE TABLE support_groups (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    tier         TEXT    NOT NULL CHECK (tier IN ('L1', 'L2', 'L3')),
    description  TEXT,
    email        TEXT,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX support_groups_name_key ON support_groups (lower(name));

CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES support_groups (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    supervisor  INTEGER NOT NULL DEFAULT 0 CHECK (supervisor IN (0, 1)),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE sessions (
    id_hash       TEXT    PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    csrf_token    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    prefix        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    expires_at    INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE login_failures (
    key           TEXT    PRIMARY KEY,
    failures      INTEGER NOT NULL,
    first_at      INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    locked_until  INTEGER
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    action       TEXT    NOT NULL,
    target_type  TEXT,
    target_id    INTEGER,
    ip           TEXT,
    detail       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- Identity (issue 19): the audit log's before/after and its append-only guard, session
-- stages (second factor pending, enrolment required) and re-authentication, TOTP secrets
-- and recovery codes, and users' external identities (LDAP DN, OpenID subject).

ALTER TABLE audit_log ADD COLUMN before_state TEXT;
ALTER TABLE audit_log ADD COLUMN after_state TEXT;
CREATE INDEX audit_log_at_idx ON audit_log (at, id);

-- The application only ever inserts audit entries; the database refuses anything else.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- 'full': signed in; 'second_factor': password right, TOTP code pending; 'enrol': the role
-- requires two-factor and the user must enrol before anything else.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'second_factor', 'enrol'));
-- When the user last proved who they are in this session (sign-in or re-authentication).
ALTER TABLE sessions ADD COLUMN auth_at INTEGER;
-- 'password', 'ldap' or 'oidc'.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';

CREATE TABLE user_totp (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    secret        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    confirmed_at  INTEGER,
    -- The highest time step accepted: a code is never accepted twice.
    last_step     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    code_hash  TEXT    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE users ADD COLUMN external_source TEXT;
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external_key ON users (external_source, external_id)
    WHERE external_id IS NOT NULL;

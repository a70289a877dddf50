-- Identity (issue 19): the audit log's before/after and its append-only guard, session
-- stages (second factor pending, enrolment required) and re-authentication, TOTP secrets
-- and recovery codes, and users' external identities (LDAP DN, OpenID subject).

ALTER TABLE audit_log ADD COLUMN before_state TEXT;
ALTER TABLE audit_log ADD COLUMN after_state TEXT;
CREATE INDEX audit_log_at_idx ON audit_log (at, id);

-- The application only ever inserts audit entries; the database refuses anything else.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- 'full': signed in; 'second_factor': password right, TOTP code pending; 'enrol': the role
-- requires two-factor and the user must enrol before anything else.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'second_factor', 'enrol'));
-- When the user last proved who they are in this session (sign-in or re-authentication).
ALTER TABLE sessions ADD COLUMN auth_at BIGINT;
-- 'password', 'ldap' or 'oidc'.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';

CREATE TABLE user_totp (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id),
    secret        TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    -- The highest time step accepted: a code is never accepted twice.
    last_step     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    code_hash  TEXT   NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE users ADD COLUMN external_source TEXT;
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external_key ON users (external_source, external_id)
    WHERE external_id IS NOT NULL;

-- One-time keys of web forms (a double click posts a form twice): the first post claims the
-- key and applies the form; a repeat waits for it and is sent to the page it led to.
-- `location` stays NULL while the first post is being applied.
CREATE TABLE form_keys (
    user_id     BIGINT NOT NULL REFERENCES users (id),
    key         TEXT   NOT NULL,
    location    TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX form_keys_created_idx ON form_keys (created_at);

-- Knowledge base and full-text search (SPEC C7, issue #12): articles with every revision,
-- helpful votes, deflections (a requester solved it with an article, no ticket), the article
-- that solved a ticket, and the search indexes. The index terms are computed by the
-- application (folded, stemmed in Spanish and English: domain::search) and stored here
-- verbatim, so SQLite and PostgreSQL match the same documents.

CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    kind              TEXT    NOT NULL CHECK (kind IN ('faq', 'sop', 'known_error')),
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    language          TEXT    NOT NULL CHECK (language IN ('es', 'en')),
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    -- Known errors: symptom, cause, workaround; SOPs: ordered steps (a JSON array of text).
    symptom           TEXT,
    cause             TEXT,
    workaround        TEXT,
    steps             TEXT    NOT NULL DEFAULT '[]',
    problem_ref       TEXT,
    category_id       INTEGER REFERENCES categories (id),
    -- JSON arrays of text: tags, and related configuration items or services (free
    -- references until the CMDB exists).
    tags              TEXT    NOT NULL DEFAULT '[]',
    related           TEXT    NOT NULL DEFAULT '[]',
    source_ticket_id  INTEGER REFERENCES tickets (id),
    author_id         INTEGER NOT NULL REFERENCES users (id),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    published_at      INTEGER
);
CREATE INDEX articles_status_idx ON articles (status, kind, id);
CREATE INDEX articles_author_idx ON articles (author_id);

-- Every version of an article as it was saved, with who saved it and when.
CREATE TABLE article_revisions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    version     INTEGER NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    at          INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    UNIQUE (article_id, version)
);
CREATE INDEX article_revisions_author_idx ON article_revisions (author_id);

-- "Was this helpful?": one vote per person and article (a second vote replaces the first).
CREATE TABLE article_votes (
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    helpful     INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    comment     TEXT,
    at          INTEGER NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

-- A requester marked an article as the solution instead of opening a ticket.
CREATE TABLE deflections (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    query       TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX deflections_article_idx ON deflections (article_id);
CREATE INDEX deflections_at_idx ON deflections (at);

-- The article an agent linked as the one that solved a ticket ("resolved with KB-…").
CREATE TABLE ticket_articles (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    linked_by   INTEGER NOT NULL REFERENCES users (id),
    at          INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, article_id)
);
CREATE INDEX ticket_articles_article_idx ON ticket_articles (article_id);
CREATE INDEX ticket_articles_user_idx ON ticket_articles (linked_by);

-- Search (SQLite side): contentless FTS5 tables whose rowid is the ticket's or article's id.
-- The terms are already folded and stemmed, so the tokenizer only splits at spaces (no
-- diacritic removal of its own: PostgreSQL stores the same terms untouched). Positions are
-- not kept (detail=column): queries are terms and prefixes, never phrases.
-- Tickets: subject (weighted in ranking), public text (description, public replies,
-- resolution, number, requester's address), internal notes (agents only).
CREATE VIRTUAL TABLE ticket_fts USING fts5 (
    subj, pub, priv,
    content = '', contentless_delete = 1, detail = column,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE article_fts USING fts5 (
    title, body,
    content = '', contentless_delete = 1, detail = column, prefix = '3',
    tokenize = 'unicode61 remove_diacritics 0'
);

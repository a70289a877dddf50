-- The search index's vocabulary: how many tickets hold each term (fts5vocab, 'row' kind:
-- term, doc, cnt). A ticket page's "similar resolved tickets" search looks only for the
-- ticket's rarest words (`store::search::terms`); with every word OR-ed, a common one made
-- that search walk thousands of matches (up to 22 ms at 1 M tickets). A vocabulary table is
-- a view over the index: it stores nothing and costs writes nothing.
CREATE VIRTUAL TABLE ticket_fts_vocab USING fts5vocab (ticket_fts, row);

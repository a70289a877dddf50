//! The search contract on SQLite and PostgreSQL: the same terms, the same matches — accent
//! and case folding, Spanish and English stems, exact numbers and addresses — access inside
//! the query (also in counts), the index kept in step by every write, and the rebuild.

#![allow(clippy::unwrap_used)]

use jiff::Timestamp;
use ventanilla_domain::access::{AGENT, REQUESTER};
use ventanilla_domain::kb::{ArticleFields, ArticleKind, ArticleStatus};
use ventanilla_domain::search::{Query, QueryMode};
use ventanilla_domain::ticket::{EventKind, Priority, Status, TicketKind};
use ventanilla_domain::{Language, Text, TicketId, UserId};
use ventanilla_store::Store;
use ventanilla_store::articles::ArticleDraft;
use ventanilla_store::search::{ArticleSearch, TicketSearch};
use ventanilla_store::tickets::{Effects, ModifyError, NewEvent, TicketFilter, TicketScope};
use ventanilla_testdb::TestDb;
use ventanilla_testdb::fixtures::{self, new_ticket};

fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

async fn user(s: &Store, email: &str, role: &str) -> UserId {
    fixtures::user(s, email, role, now()).await.id
}

async fn ticket(s: &Store, requester: UserId, subject: &str, description: &str) -> TicketId {
    let mut new = new_ticket(requester, TicketKind::Incident, Priority::Medium);
    new.subject = Text::parse("subject", subject, 200).unwrap();
    new.description = Text::parse("description", description, 2000).unwrap();
    s.tickets()
        .create(&new, Some(requester), now(), None, &[])
        .await
        .unwrap()
        .0
        .id
}

async fn add(s: &Store, id: TicketId, e: NewEvent) {
    s.tickets()
        .modify(id, None, None, now(), |_| {
            Ok::<_, ()>(Effects::default().event(e.clone()))
        })
        .await
        .map_err(|e: ModifyError<()>| e.to_string())
        .unwrap();
}

async fn find(s: &Store, q: &str, scope: &TicketScope, internal: bool) -> Vec<TicketId> {
    let query = Query::parse(q, QueryMode::All);
    let filter = TicketFilter::default();
    let hits = s
        .search()
        .tickets(&TicketSearch {
            query: &query,
            scope,
            internal,
            filter: &filter,
            limit: 50,
        })
        .await
        .unwrap();
    hits.into_iter().map(|h| TicketId(h.id)).collect()
}

async fn count(s: &Store, q: &str, scope: &TicketScope, internal: bool) -> i64 {
    let query = Query::parse(q, QueryMode::All);
    let filter = TicketFilter::default();
    s.search()
        .count_tickets(
            &TicketSearch {
                query: &query,
                scope,
                internal,
                filter: &filter,
                limit: 50,
            },
            1000,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn spanish_and_english_matching_with_accents_and_case_folded() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = user(&s, "ana@example.com", REQUESTER).await;
    let printer = ticket(&s, r, "La impresora de recepción", "No sale nada").await;
    let config = ticket(&s, r, "Error de configuración", "El correo no sincroniza").await;
    let power = ticket(
        &s,
        r,
        "CORTE DE LUZ EN ALMACÉN NORTE",
        "Sin luz desde las 8",
    )
    .await;
    let english = ticket(&s, r, "Printers on the second floor", "Jammed paper").await;
    let all = TicketScope::All;
    assert_eq!(
        find(&s, "impresoras recepcion", &all, true).await,
        vec![printer]
    );
    assert_eq!(find(&s, "configuracion", &all, true).await, vec![config]);
    assert_eq!(find(&s, "CONFIGURACIÓN", &all, true).await, vec![config]);
    for q in ["almacén", "ALMACÉN", "almacen", "Almacen norte"] {
        assert_eq!(find(&s, q, &all, true).await, vec![power], "{q}");
    }
    assert_eq!(find(&s, "printer jam", &all, true).await, vec![english]);
    assert_eq!(
        find(&s, "printing", &all, true).await,
        Vec::<TicketId>::new()
    );
    assert!(find(&s, "impresoras almacen", &all, true).await.is_empty());
    // Only common words: nothing to search, nothing found (not everything).
    assert!(find(&s, "la de", &all, true).await.is_empty());
    // Search syntax of either database is plain text here.
    assert!(
        find(&s, "\"almacen* OR -x NEAR(y) :z & | ! 'q'", &all, true)
            .await
            .is_empty()
    );
    assert_eq!(find(&s, "almacen:norte", &all, true).await, vec![power]);
}

#[tokio::test]
async fn numbers_and_addresses_match_exactly() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let ana = user(&s, "ana.perez@example.com", REQUESTER).await;
    let bob = user(&s, "bob@example.com", REQUESTER).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let who = if i % 2 == 0 { ana } else { bob };
        ids.push(ticket(&s, who, &format!("Incidencia {i}"), "Texto").await);
    }
    let all = TicketScope::All;
    let t11 = s.tickets().get(ids[10]).await.unwrap();
    assert_eq!(t11.number, "INC-000011");
    assert_eq!(find(&s, "INC-000011", &all, true).await, vec![ids[10]]);
    assert_eq!(find(&s, "inc-11", &all, true).await, vec![ids[10]]);
    assert!(find(&s, "INC-000013", &all, true).await.is_empty());
    let mut anas = find(&s, "ana.perez@example.com", &all, true).await;
    anas.sort();
    assert_eq!(anas, ids.iter().step_by(2).copied().collect::<Vec<_>>());
    // `example` is in every address, but an address is one term.
    assert_eq!(count(&s, "bob@example.com", &all, true).await, 6);
}

#[tokio::test]
async fn a_requester_never_finds_another_requesters_ticket_or_a_note() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let ana = user(&s, "ana@example.com", REQUESTER).await;
    let bob = user(&s, "bob@example.com", REQUESTER).await;
    let _agent = user(&s, "agent@example.com", AGENT).await;
    let mine = ticket(&s, ana, "Impresora atascada", "Bandeja 2").await;
    let theirs = ticket(&s, bob, "Impresora sin tóner", "Planta 3").await;
    add(
        &s,
        mine,
        NewEvent::new(EventKind::Note, false).body("contraseña del router: zorro"),
    )
    .await;
    add(
        &s,
        mine,
        NewEvent::new(EventKind::Reply, true).body("Cambiamos el rodillo"),
    )
    .await;
    let me = TicketScope::Own(ana);
    assert_eq!(find(&s, "impresora", &me, false).await, vec![mine]);
    assert_eq!(count(&s, "impresora", &me, false).await, 1);
    assert_eq!(count(&s, "impresora", &TicketScope::All, true).await, 2);
    assert!(find(&s, "zorro", &me, false).await.is_empty());
    assert_eq!(count(&s, "zorro", &me, false).await, 0);
    assert!(find(&s, "toner", &me, false).await.is_empty());
    assert_eq!(count(&s, "toner planta", &me, false).await, 0);
    // The public reply is the requester's to find; the note is staff's.
    assert_eq!(find(&s, "rodillo", &me, false).await, vec![mine]);
    assert_eq!(find(&s, "zorro", &TicketScope::All, true).await, vec![mine]);
    assert_eq!(
        find(&s, "toner", &TicketScope::All, true).await,
        vec![theirs]
    );
    // The same rule in the list's text filter.
    let f = TicketFilter {
        text: Some("zorro".into()),
        ..Default::default()
    };
    let page = s
        .tickets()
        .list(&me, &f, Default::default(), None, 50)
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(s.tickets().count_capped(&me, &f, 1000).await.unwrap(), 0);
    let staff = TicketFilter {
        text_internal: true,
        ..f
    };
    let page = s
        .tickets()
        .list(&TicketScope::All, &staff, Default::default(), None, 50)
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![mine]
    );
}

/// A requester with a long history (their tickets are read first on SQLite, each looked up
/// in the index) still finds only their own tickets, newest first, never a note, and
/// counts them the same.
#[tokio::test]
async fn a_requester_with_a_long_history_finds_only_their_own() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let ana = user(&s, "ana@example.com", REQUESTER).await;
    let bob = user(&s, "bob@example.com", REQUESTER).await;
    let first = ticket(&s, ana, "Impresora atascada", "Bandeja 2").await;
    for i in 0..300 {
        ticket(&s, ana, &format!("Consulta {i}"), "Sin más").await;
    }
    let theirs = ticket(&s, bob, "Impresora sin tóner", "Planta 3").await;
    let last = ticket(&s, ana, "Impresora otra vez", "Planta 1").await;
    add(
        &s,
        first,
        NewEvent::new(EventKind::Note, false).body("contraseña del router: zorro"),
    )
    .await;
    let me = TicketScope::Own(ana);
    assert_eq!(find(&s, "impresora", &me, false).await, vec![last, first]);
    assert_eq!(count(&s, "impresora", &me, false).await, 2);
    assert!(find(&s, "zorro", &me, false).await.is_empty());
    assert_eq!(count(&s, "zorro", &me, false).await, 0);
    assert_eq!(
        find(&s, "impresora", &TicketScope::Own(bob), false).await,
        vec![theirs]
    );
}

#[tokio::test]
async fn every_write_keeps_the_index_in_step_and_a_rebuild_restores_it() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let ana = user(&s, "ana@example.com", REQUESTER).await;
    let id = ticket(&s, ana, "Pantalla negra", "El portátil no enciende").await;
    let all = TicketScope::All;
    assert_eq!(find(&s, "pantalla", &all, true).await, vec![id]);
    s.tickets()
        .modify(id, None, None, now(), |t| {
            t.subject = "Teclado roto".into();
            t.resolution = Some("Sustituido el teclado por uno nuevo".into());
            t.status = Status::Solution;
            Ok::<_, ()>(Effects::default())
        })
        .await
        .map_err(|e: ModifyError<()>| e.to_string())
        .unwrap();
    assert!(find(&s, "pantalla", &all, true).await.is_empty());
    assert_eq!(find(&s, "teclados sustituidos", &all, true).await, vec![id]);
    // A rebuild from scratch gives the same answers.
    let mut after = 0;
    while let Some(last) = s.search().reindex_tickets_after(after, 2).await.unwrap() {
        after = last;
    }
    s.search().optimize().await.unwrap();
    assert_eq!(find(&s, "teclados sustituidos", &all, true).await, vec![id]);
    assert!(find(&s, "pantalla", &all, true).await.is_empty());
}

fn faq(title: &str, body: &str, status: ArticleStatus, kind: ArticleKind) -> ArticleDraft {
    ArticleDraft {
        kind,
        status,
        language: Language::Es,
        fields: ArticleFields {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        },
        source_ticket_id: None,
    }
}

#[tokio::test]
async fn articles_are_found_by_stem_and_filtered_by_visibility() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let agent = user(&s, "agent@example.com", AGENT).await;
    let a = s
        .articles()
        .create(
            &faq(
                "No puedo imprimir",
                "Compruebe que la **impresora** está encendida.",
                ArticleStatus::Published,
                ArticleKind::Faq,
            ),
            agent,
            now(),
        )
        .await
        .unwrap();
    let sop = s
        .articles()
        .create(
            &faq(
                "Reinicio de la cola de impresión",
                "Pasos internos",
                ArticleStatus::Published,
                ArticleKind::Sop,
            ),
            agent,
            now(),
        )
        .await
        .unwrap();
    let draft = s
        .articles()
        .create(
            &faq(
                "Impresoras nuevas",
                "Borrador",
                ArticleStatus::Draft,
                ArticleKind::Faq,
            ),
            agent,
            now(),
        )
        .await
        .unwrap();
    let typing = Query::parse("no puedo imprim", QueryMode::Any);
    let public = ArticleSearch {
        query: Some(&typing),
        public_only: true,
        limit: 10,
        ..Default::default()
    };
    let hits = s.search().articles(&public).await.unwrap();
    assert_eq!(
        hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![a.id.get()]
    );
    assert_eq!(s.search().count_articles(&public, 100).await.unwrap(), 1);
    let typing = Query::parse("impres", QueryMode::Any);
    let staff = ArticleSearch {
        query: Some(&typing),
        limit: 10,
        ..Default::default()
    };
    let mut ids: Vec<i64> = s
        .search()
        .articles(&staff)
        .await
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    assert_eq!(ids, vec![a.id.get(), sop.id.get(), draft.id.get()]);
    // An edit is a new revision and re-indexes the article.
    let mut d = faq(
        "Escáner bloqueado",
        "Nada que ver",
        ArticleStatus::Published,
        ArticleKind::Faq,
    );
    d.fields.tags = vec!["escaner".into()];
    let edited = s
        .articles()
        .update(draft.id, Some(1), &d, agent, now())
        .await
        .unwrap();
    assert_eq!(edited.version, 2);
    assert!(edited.published_at.is_some());
    assert!(
        s.articles()
            .update(draft.id, Some(1), &d, agent, now())
            .await
            .is_err()
    );
    let q = Query::parse("impresoras nuevas", QueryMode::All);
    let staff = ArticleSearch {
        query: Some(&q),
        limit: 10,
        ..Default::default()
    };
    assert!(s.search().articles(&staff).await.unwrap().is_empty());
    let revs = s.articles().revisions(draft.id).await.unwrap();
    assert_eq!(
        revs.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(revs[1].title, "Impresoras nuevas");
    // Votes, deflections, links and contributions.
    s.articles()
        .vote(a.id, agent, true, Some("claro"), now())
        .await
        .unwrap();
    s.articles()
        .vote(a.id, agent, false, None, now())
        .await
        .unwrap();
    s.articles()
        .deflect(a.id, agent, "no puedo imprimir", now())
        .await
        .unwrap();
    let v = s.articles().votes(a.id).await.unwrap();
    assert_eq!((v.helpful, v.not_helpful, v.deflections), (0, 1, 1));
    let c = s.articles().contributions().await.unwrap();
    assert_eq!((c[0].articles, c[0].published, c[0].revisions), (3, 3, 1));
}

/// How many tickets hold a term, up to a cap: exact on SQLite below it, from the planner's
/// statistics on PostgreSQL (after ANALYZE); a term nobody holds is absent (SQLite) or
/// reported as rare (PostgreSQL), and a common term outweighs a rare one on both.
#[tokio::test]
async fn term_counts_tell_common_words_from_rare_ones() {
    let db = TestDb::fresh().await;
    let s = db.store().await;
    let r = user(&s, "ana@example.com", REQUESTER).await;
    for i in 0..30 {
        ticket(&s, r, "Equipo lento", &format!("Reinicio {i}")).await;
    }
    ticket(&s, r, "Lector zebra", "Sin señal").await;
    s.search().optimize().await.unwrap();
    let q = Query::parse("equipo zebra xylofonoinexistente", QueryMode::Any);
    let terms = q.terms();
    let counts = s.search().ticket_term_docs(&terms, 20).await.unwrap();
    let docs = |word: &str| {
        terms
            .iter()
            .filter(|t| t.starts_with(word))
            .map(|t| counts.docs.get(*t).copied().unwrap_or(0))
            .max()
            .unwrap()
    };
    assert!(counts.total >= 31, "{counts:?}");
    assert!(docs("equip") >= 20, "{counts:?}");
    assert!(docs("zebr") <= 2, "{counts:?}");
    assert!(docs("xylofon") <= 2, "{counts:?}");
    if !db.is_postgres() {
        assert_eq!(docs("equip"), 20, "capped: {counts:?}");
        assert_eq!(docs("zebr"), 1, "{counts:?}");
        assert_eq!(docs("xylofon"), 0, "{counts:?}");
    }
    assert!(
        s.search()
            .ticket_term_docs(&[], 20)
            .await
            .unwrap()
            .docs
            .is_empty()
    );
}

//! The console's knowledge-base pages: agents write each kind of article, edit and archive
//! them and read their revisions; a refused form keeps what was typed with the error beside
//! its field; requesters get none of it; every word in Spanish and English. And the ticket
//! page's knowledge forms: a refused link keeps the number typed.

use http::StatusCode;
use ventanilla_domain::ArticleId;
use ventanilla_domain::kb::{Article, ArticleKind, ArticleStatus};
use ventanilla_testkit::TestApp;

use crate::helpers::{Browser, assert_page, desk, location, report};

async fn agent(t: &TestApp) -> Browser {
    t.user("agent@example.com", "agent").await;
    Browser::sign_in(t, "agent@example.com").await
}

/// The id in a `/console/articles/{id}?flash=…` location.
fn article_id(loc: &str) -> i64 {
    loc.split("/console/articles/")
        .nth(1)
        .and_then(|s| s.split(['?', '/']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no article in {loc}"))
}

async fn stored(t: &TestApp, id: i64) -> Article {
    t.app.store.articles().get(ArticleId(id)).await.unwrap()
}

/// Creates an article through the new-article form and returns its id.
async fn create(t: &TestApp, b: &Browser, fields: &[(&str, &str)]) -> i64 {
    let res = b.post(t, "/console/articles", fields).await;
    let loc = location(&res);
    assert!(loc.contains("flash=kb-saved"), "{loc}");
    article_id(&loc)
}

#[tokio::test]
async fn agents_write_each_kind_of_article_from_the_console() {
    let t = desk().await;
    let b = agent(&t).await;
    let category = t.app.store.categories().list().await.unwrap()[0].id;
    let category_s = category.to_string();
    // The navigation leads to the list; the list to a new article of each kind, whose
    // form shows that kind's own fields.
    let queue = b.get(&t, "/console").await;
    assert!(queue.text.contains("href=\"/console/articles\""));
    let list = b.get(&t, "/console/articles").await;
    assert_page(&list, StatusCode::OK);
    for kind in ["faq", "sop", "known_error"] {
        assert!(
            list.text
                .contains(&format!("/console/articles/new?kind={kind}"))
        );
    }
    let new_sop = b.get(&t, "/console/articles/new?kind=sop").await;
    assert_page(&new_sop, StatusCode::OK);
    assert!(new_sop.text.contains("id=\"f-steps\""));
    assert!(!new_sop.text.contains("id=\"f-symptom\""));
    let new_ke = b.get(&t, "/console/articles/new?kind=known_error").await;
    assert!(new_ke.text.contains("id=\"f-symptom\""));
    assert!(!new_ke.text.contains("id=\"f-steps\""));

    let faq = create(
        &t,
        &b,
        &[
            ("kind", "faq"),
            ("title", "No puedo imprimir"),
            ("body", "Compruebe que la **impresora** está encendida."),
            ("language", "es"),
            ("status", "published"),
            ("category_id", &category_s),
            ("tags", "impresoras, recepción"),
            ("related", "PRN-02\nServicio de impresión"),
        ],
    )
    .await;
    let a = stored(&t, faq).await;
    assert_eq!(
        (a.kind, a.status, a.language.code()),
        (ArticleKind::Faq, ArticleStatus::Published, "es")
    );
    assert_eq!(a.fields.category_id, Some(category));
    assert_eq!(a.fields.tags, vec!["impresoras", "recepción"]);
    assert_eq!(a.fields.related, vec!["PRN-02", "Servicio de impresión"]);

    let sop = create(
        &t,
        &b,
        &[
            ("kind", "sop"),
            ("title", "Reset the print queue"),
            ("body", "For agents."),
            ("language", "en"),
            ("status", "draft"),
            (
                "steps",
                "Stop the spooler\n\n  Empty the queue  \nStart the spooler",
            ),
        ],
    )
    .await;
    let a = stored(&t, sop).await;
    assert_eq!((a.kind, a.status), (ArticleKind::Sop, ArticleStatus::Draft));
    assert_eq!(
        a.fields.steps,
        vec!["Stop the spooler", "Empty the queue", "Start the spooler"]
    );

    let ke = create(
        &t,
        &b,
        &[
            ("kind", "known_error"),
            ("title", "VPN drops every hour"),
            ("body", "Known error of the VPN client."),
            ("language", "en"),
            ("status", "published"),
            ("symptom", "The tunnel closes at :00"),
            ("cause", "Key renegotiation bug"),
            ("workaround", "Reconnect, or pin client 4.2"),
            ("problem_ref", "PRB-7"),
        ],
    )
    .await;
    let a = stored(&t, ke).await;
    assert_eq!(a.kind, ArticleKind::KnownError);
    assert_eq!(
        (
            a.fields.symptom.as_deref(),
            a.fields.cause.as_deref(),
            a.fields.workaround.as_deref(),
            a.fields.problem_ref.as_deref()
        ),
        (
            Some("The tunnel closes at :00"),
            Some("Key renegotiation bug"),
            Some("Reconnect, or pin client 4.2"),
            Some("PRB-7")
        )
    );
    // The edit page shows each kind's fields filled in.
    let page = b.get(&t, &format!("/console/articles/{ke}")).await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("Key renegotiation bug"));
    assert!(page.text.contains("value=\"PRB-7\""));
    let page = b.get(&t, &format!("/console/articles/{sop}")).await;
    assert!(
        page.text
            .contains("Stop the spooler\nEmpty the queue\nStart the spooler")
    );

    // The list and its filters.
    let row = |id: i64| format!("id=\"article-{id}\"");
    let all = b.get(&t, "/console/articles").await.text;
    for id in [faq, sop, ke] {
        assert!(all.contains(&row(id)), "{id} listed");
    }
    let cases: [(&str, &[i64]); 5] = [
        ("kind=sop", &[sop]),
        ("status=draft", &[sop]),
        ("language=en", &[sop, ke]),
        (&format!("category_id={category}"), &[faq]),
        ("kind=known_error&language=es", &[]),
    ];
    for (q, expected) in cases {
        let page = b.get(&t, &format!("/console/articles?{q}")).await;
        assert_page(&page, StatusCode::OK);
        for id in [faq, sop, ke] {
            assert_eq!(
                page.text.contains(&row(id)),
                expected.contains(&id),
                "{q}: article {id}"
            );
        }
    }
}

#[tokio::test]
async fn a_refused_article_form_keeps_what_was_typed() {
    let t = desk().await;
    let b = agent(&t).await;
    // No title: the form comes back with the body typed and the error beside the title.
    let res = b
        .post(
            &t,
            "/console/articles",
            &[
                ("kind", "sop"),
                ("title", "  "),
                ("body", "Texto que no se pierde"),
                ("language", "es"),
                ("steps", "Primer paso\nSegundo paso"),
                ("tags", "red, vpn"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-title-error\""), "{}", res.text);
    assert!(res.text.contains("Texto que no se pierde"));
    assert!(res.text.contains("Primer paso\nSegundo paso"));
    assert!(res.text.contains("value=\"red, vpn\""));
    assert!(t.app.store.articles().get(ArticleId(1)).await.is_err());
    // A language the desk does not speak is refused beside the language.
    let res = b
        .post(
            &t,
            "/console/articles",
            &[
                ("kind", "faq"),
                ("title", "Bonjour"),
                ("body", "Texte"),
                ("language", "fr"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-language-error\""));
    assert!(res.text.contains("value=\"Bonjour\""));

    // An edit over a newer version keeps the typed title, with the stale note above.
    let id = create(
        &t,
        &b,
        &[
            ("kind", "faq"),
            ("title", "Original"),
            ("body", "Cuerpo"),
            ("language", "es"),
        ],
    )
    .await;
    let path = format!("/console/articles/{id}");
    let ok = b
        .post(
            &t,
            &path,
            &[
                ("kind", "faq"),
                ("title", "Segunda"),
                ("body", "Cuerpo"),
                ("language", "es"),
                ("version", "1"),
            ],
        )
        .await;
    assert!(location(&ok).contains("flash=kb-saved"));
    let stale = b
        .post(
            &t,
            &path,
            &[
                ("kind", "faq"),
                ("title", "Mi cambio tardío"),
                ("body", "Cuerpo"),
                ("language", "es"),
                ("version", "1"),
            ],
        )
        .await;
    assert_page(&stale, StatusCode::CONFLICT);
    assert!(stale.text.contains("value=\"Mi cambio tardío\""));
    assert!(stale.text.contains("Alguien guardó este artículo"));
    assert_eq!(stored(&t, id).await.fields.title, "Segunda");
}

#[tokio::test]
async fn agents_edit_and_archive_articles_and_read_their_revisions() {
    let t = desk().await;
    let b = agent(&t).await;
    t.user("otra@example.com", "agent").await;
    let other = Browser::sign_in(&t, "otra@example.com").await;
    let id = create(
        &t,
        &b,
        &[
            ("kind", "faq"),
            ("title", "Cambiar la contraseña"),
            ("body", "Use el portal."),
            ("language", "es"),
            ("status", "published"),
        ],
    )
    .await;
    let path = format!("/console/articles/{id}");
    let res = other
        .post(
            &t,
            &path,
            &[
                ("kind", "faq"),
                ("title", "Cambiar la contraseña (v2)"),
                ("body", "Use el portal de cuentas."),
                ("language", "es"),
                ("status", "published"),
                ("version", "1"),
            ],
        )
        .await;
    assert!(location(&res).contains("flash=kb-saved"));
    let a = stored(&t, id).await;
    assert_eq!(
        (a.version, a.fields.title.as_str()),
        (2, "Cambiar la contraseña (v2)")
    );
    // Both versions are listed, newest first, with who saved each.
    let page = b.get(&t, &path).await;
    assert_page(&page, StatusCode::OK);
    let revisions = page.text.split("id=\"revisions\"").nth(1).unwrap();
    assert_eq!(revisions.matches("class=\"revision\"").count(), 2);
    let (newest, oldest) = (
        revisions.find(">otra<").unwrap(),
        revisions.find(">agent<").unwrap(),
    );
    assert!(newest < oldest, "newest first");
    assert!(page.text.contains("id=\"archive-article\""));
    // Agents reading the article as requesters do find their way back to the form.
    let read = b.get(&t, &format!("/portal/kb/{id}")).await;
    assert!(read.text.contains(&format!("href=\"{path}\"")));

    // Archive: the next version, content unchanged, no longer offered to requesters.
    let res = b
        .post(&t, &format!("{path}/archive"), &[("version", "2")])
        .await;
    assert!(location(&res).contains("flash=kb-archived"));
    let a = stored(&t, id).await;
    assert_eq!(
        (a.status, a.version, a.fields.title.as_str()),
        (ArticleStatus::Archived, 3, "Cambiar la contraseña (v2)")
    );
    let page = b.get(&t, &format!("{path}?flash=kb-archived")).await;
    assert!(page.text.contains("Artículo archivado."));
    assert!(!page.text.contains("id=\"archive-article\""));
    let revisions = page.text.split("id=\"revisions\"").nth(1).unwrap();
    assert_eq!(revisions.matches("class=\"revision\"").count(), 3);
    assert!(revisions.contains("Archivado"));
    let archived = b.get(&t, "/console/articles?status=archived").await.text;
    assert!(archived.contains(&format!("id=\"article-{id}\"")));
    // Archiving over a newer version is refused as stale, shown on the article's page.
    let res = b
        .post(&t, &format!("{path}/archive"), &[("version", "1")])
        .await;
    assert_page(&res, StatusCode::CONFLICT);
}

#[tokio::test]
async fn requesters_cannot_use_the_article_pages() {
    let t = desk().await;
    let b = agent(&t).await;
    let id = create(
        &t,
        &b,
        &[
            ("kind", "faq"),
            ("title", "Pública"),
            ("body", "Para todos"),
            ("language", "es"),
            ("status", "published"),
        ],
    )
    .await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let portal = ana.get(&t, "/portal").await;
    assert!(!portal.text.contains("href=\"/console/articles\""));
    for path in [
        "/console/articles".to_owned(),
        "/console/articles/new?kind=faq".to_owned(),
        format!("/console/articles/{id}"),
    ] {
        assert_page(&ana.get(&t, &path).await, StatusCode::FORBIDDEN);
        assert_eq!(b.get(&t, &path).await.status, StatusCode::OK, "{path}");
    }
    let fields = [
        ("kind", "faq"),
        ("title", "Intruso"),
        ("body", "x"),
        ("language", "es"),
        ("version", "1"),
    ];
    for path in [
        "/console/articles".to_owned(),
        format!("/console/articles/{id}"),
        format!("/console/articles/{id}/archive"),
    ] {
        assert_page(&ana.post(&t, &path, &fields).await, StatusCode::FORBIDDEN);
    }
    let a = stored(&t, id).await;
    assert_eq!((a.version, a.status), (1, ArticleStatus::Published));
    assert!(t.app.store.articles().get(ArticleId(id + 1)).await.is_err());
    // An article that does not exist is the not-found page for agents.
    assert_page(
        &b.get(&t, "/console/articles/999999").await,
        StatusCode::NOT_FOUND,
    );
}

#[tokio::test]
async fn the_article_pages_speak_spanish_and_english() {
    let t = desk().await;
    let b = agent(&t).await;
    let id = create(
        &t,
        &b,
        &[
            ("kind", "known_error"),
            ("title", "Error"),
            ("body", "Texto"),
            ("language", "es"),
        ],
    )
    .await;
    let spanish: &[&str] = &[
        "Base de conocimientos",
        "Nuevo procedimiento",
        "Error conocido",
        "Borrador",
    ];
    let english: &[&str] = &["Knowledge base", "New procedure", "Known error", "Draft"];
    let page = b.get(&t, "/console/articles").await.text;
    for w in spanish {
        assert!(page.contains(w), "es list: {w}");
    }
    let edit = b.get(&t, &format!("/console/articles/{id}")).await.text;
    for w in [
        "Síntoma",
        "Solución temporal",
        "Historial de revisiones",
        "Archivar",
    ] {
        assert!(edit.contains(w), "es edit: {w}");
    }
    let res = b
        .post(
            &t,
            "/language",
            &[("language", "en"), ("back", "/console/articles")],
        )
        .await;
    assert!(res.status.is_redirection());
    let page = b.get(&t, "/console/articles").await.text;
    for w in english {
        assert!(page.contains(w), "en list: {w}");
    }
    let edit = b.get(&t, &format!("/console/articles/{id}")).await.text;
    for w in ["Symptom", "Workaround", "Revision history", "Archive"] {
        assert!(edit.contains(w), "en edit: {w}");
    }
    assert!(!edit.contains("Síntoma"));
}

#[tokio::test]
async fn a_refused_kb_link_keeps_the_number_typed_on_the_ticket_page() {
    let t = desk().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let b = agent(&t).await;
    let ticket = report(&t, &ana, "Impresora sin tóner").await;
    let res = b
        .post(
            &t,
            &format!("/console/tickets/{ticket}/kb-link"),
            &[("article", "KB-999999")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    // The ticket page again, the number kept in its field, the error beside it and in
    // the summary at the top.
    assert!(res.text.contains("Impresora sin tóner"));
    assert!(res.text.contains("value=\"KB-999999\""), "{}", res.text);
    assert!(res.text.contains("id=\"kb-link-article-error\""));
    assert!(res.text.contains("href=\"#kb-link-article\""));
    // No resolution yet: turning it into a draft is refused on the same page.
    let res = b
        .post(&t, &format!("/console/tickets/{ticket}/kb-draft"), &[])
        .await;
    assert_page(&res, StatusCode::CONFLICT);
    assert!(res.text.contains("aún no tiene una resolución"));
    // A linked article that exists is saved and opens from the panel in the console.
    let id = create(
        &t,
        &b,
        &[
            ("kind", "faq"),
            ("title", "Cambiar el tóner"),
            ("body", "Abra la tapa."),
            ("language", "es"),
            ("status", "published"),
        ],
    )
    .await;
    let res = b
        .post(
            &t,
            &format!("/console/tickets/{ticket}/kb-link"),
            &[("article", &format!("KB-{id}"))],
        )
        .await;
    assert!(location(&res).contains("flash=kb-linked"));
    let page = b.get(&t, &format!("/console/tickets/{ticket}")).await;
    assert!(
        page.text
            .contains(&format!("href=\"/console/articles/{id}\""))
    );

    // Once resolved, the resolution becomes a draft that opens in the article form.
    let user = t
        .app
        .store
        .users()
        .by_email(&ventanilla_domain::Email::parse("agent@example.com").unwrap())
        .await
        .unwrap();
    let token = ventanilla_app::api::issue_token(&t.state(), user.id, "t", None)
        .await
        .unwrap();
    let api = ventanilla_testkit::Caller::Bearer(token.token);
    for body in [
        serde_json::json!({ "to": "analysis" }),
        serde_json::json!({ "to": "solution" }),
        serde_json::json!({ "to": "validation", "resolution_code": "fixed", "resolution": "Cambiado el tóner" }),
    ] {
        let res = t
            .post(&format!("/api/v1/tickets/{ticket}/transitions"), body, &api)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let res = b
        .post(&t, &format!("/console/tickets/{ticket}/kb-draft"), &[])
        .await;
    let loc = location(&res);
    assert!(loc.contains("flash=kb-drafted"), "{loc}");
    let draft = b.get(&t, &loc).await;
    assert_page(&draft, StatusCode::OK);
    assert!(draft.text.contains("Cambiado el tóner"));
    assert!(draft.text.contains("Borrador de artículo creado"));
    assert!(
        draft
            .text
            .contains(&format!("href=\"/console/tickets/{ticket}\""))
    );
    let a = stored(&t, article_id(&loc)).await;
    assert_eq!(a.status, ArticleStatus::Draft);
}

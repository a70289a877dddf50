//! The knowledge base and search through the API: articles with their visibility, the one
//! search with access rules (also in counts) and exact numbers first, suggestions and
//! deflections, the article that solved a ticket, a resolution turned into a draft.

use serde_json::{Value, json};
use ventanilla_testkit::{Desk, desk};

fn ids(v: &Value, kind: &str) -> Vec<i64> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == kind)
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn articles_search_suggestions_and_deflections() {
    let d = desk().build().await;
    let faq = d
        .post(
            "/api/v1/articles",
            json!({"kind": "faq", "title": "No puedo imprimir", "body": "Compruebe que la **impresora** de recepción está encendida.", "language": "es", "status": "published", "tags": ["impresoras"]}),
            &d.agent,
        )
        .await;
    assert_eq!(faq.status, 201, "{}", faq.body);
    assert_eq!(
        faq.body["number"],
        format!("KB-{:06}", faq.body["id"].as_i64().unwrap())
    );
    assert!(
        faq.body["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>impresora</strong>")
    );
    let faq_id = faq.body["id"].as_i64().unwrap();
    let sop = d
        .post(
            "/api/v1/articles",
            json!({"kind": "sop", "title": "Reiniciar la cola de impresión", "body": "Interno", "language": "es", "status": "published", "steps": ["Parar el servicio", "Vaciar la cola"]}),
            &d.agent,
        )
        .await;
    let sop_id = sop.body["id"].as_i64().unwrap();
    // Bad input is a 422 naming the field; a requester may not write.
    let bad = d
        .post(
            "/api/v1/articles",
            json!({"kind": "wiki", "title": "x", "body": "y", "language": "es"}),
            &d.agent,
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["error"]["field"].as_str()),
        (422, Some("kind"))
    );
    let bad = d
        .post(
            "/api/v1/articles",
            json!({"kind": "faq", "title": "x", "body": "y", "language": "fr"}),
            &d.agent,
        )
        .await;
    assert_eq!(bad.status, 422);
    let denied = d
        .post(
            "/api/v1/articles",
            json!({"kind": "faq", "title": "x", "body": "y", "language": "es"}),
            &d.requester,
        )
        .await;
    assert_eq!(denied.status, 403);
    // Requesters read published FAQs only.
    assert_eq!(
        d.get(&format!("/api/v1/articles/{faq_id}"), &d.requester)
            .await
            .status,
        200
    );
    assert_eq!(
        d.get(&format!("/api/v1/articles/{sop_id}"), &d.requester)
            .await
            .status,
        404
    );
    assert_eq!(
        d.get(&format!("/api/v1/articles/{sop_id}"), &d.agent)
            .await
            .status,
        200
    );
    let listed = d.get("/api/v1/articles", &d.requester).await.body;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Tickets of two requesters; a note only staff may find.
    let other = d.t.user("otro@x.test", "requester").await;
    let other = {
        let token = ventanilla_app::api::issue_token(&d.state(), other.id, "t", None)
            .await
            .unwrap();
        ventanilla_testkit::Caller::Bearer(token.token)
    };
    let mine = d
        .ticket()
        .by(&d.requester)
        .subject("CORTE DE LUZ EN ALMACÉN NORTE")
        .create()
        .await;
    let theirs = d
        .post(
            "/api/v1/tickets",
            json!({"kind": "incident", "subject": "Almacén sur sin luz", "description": "Desde las 8", "impact": "medium", "urgency": "medium"}),
            &other,
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let note = d
        .post(
            &format!("/api/v1/tickets/{}/actions", mine.id),
            json!({"kind": "note", "body": "El cuadro eléctrico del almacén tiene la clave 4411"}),
            &d.agent,
        )
        .await;
    assert!(note.status.is_success(), "{}", note.body);
    for q in ["almacén", "ALMACÉN", "almacen"] {
        let r = d
            .get(&format!("/api/v1/search?q={}", urlencode(q)), &d.requester)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(ids(&r.body, "ticket"), vec![mine.id.get()], "{q}");
        assert_eq!(r.body["counts"]["tickets"], 1);
        let staff = d
            .get(&format!("/api/v1/search?q={}", urlencode(q)), &d.agent)
            .await
            .body;
        assert_eq!(staff["counts"]["tickets"], 2, "{q}");
    }
    // A full page counts beyond it (the count query); a short page is its own count.
    let r = d
        .get("/api/v1/search?q=almacen&limit=1", &d.agent)
        .await
        .body;
    assert_eq!(r["results"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["counts"]["tickets"], 2, "{r}");
    let r = d
        .get("/api/v1/search?q=almacen&limit=1", &d.requester)
        .await
        .body;
    assert_eq!(r["counts"]["tickets"], 1, "{r}");
    let r = d.get("/api/v1/search?q=clave", &d.requester).await.body;
    assert_eq!(
        (
            r["results"].as_array().unwrap().len(),
            r["counts"]["tickets"].as_i64()
        ),
        (0, Some(0))
    );
    let r = d.get("/api/v1/search?q=clave", &d.agent).await.body;
    assert_eq!(ids(&r, "ticket"), vec![mine.id.get()]);
    assert!(r["results"][0]["snippet"].is_string());
    // An exact number comes first and carries its number.
    let r = d
        .get(&format!("/api/v1/search?q={}", mine.number), &d.agent)
        .await
        .body;
    assert_eq!(r["results"][0]["number"], mine.number.as_str());
    assert_eq!(r["results"][0]["type"], "ticket");
    // Articles in the same search, with filters and highlighting.
    let r = d
        .get("/api/v1/search?q=impresoras%20recepcion", &d.requester)
        .await
        .body;
    assert_eq!(ids(&r, "article"), vec![faq_id]);
    assert!(
        r["results"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>impresora</mark>")
    );
    let r = d
        .get("/api/v1/search?q=impresion&kind=sop", &d.agent)
        .await
        .body;
    assert_eq!(ids(&r, "article"), vec![sop_id]);
    assert_eq!(
        d.get("/api/v1/search?q=impresion&kind=sop", &d.requester)
            .await
            .body["results"],
        json!([])
    );
    assert_eq!(d.get("/api/v1/search?q=", &d.agent).await.status, 422);
    assert_eq!(
        d.get("/api/v1/search?q=x&kind=nope", &d.agent).await.status,
        422
    );
    assert_eq!(
        d.get("/api/v1/search?q=x&limit=0", &d.agent).await.status,
        422
    );
    // The list's text filter is the same index.
    let l = d.get("/api/v1/tickets?q=almacen", &d.requester).await.body;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1), "{l}");

    // Suggestions while typing, and "this solved my problem".
    let s = d
        .get(
            "/api/v1/articles/suggest?q=no%20puedo%20imprim",
            &d.requester,
        )
        .await;
    assert_eq!(s.status, 200);
    assert_eq!(s.body[0]["id"], faq_id);
    let v = d
        .post(
            &format!("/api/v1/articles/{faq_id}/deflections"),
            json!({"query": "no puedo imprimir"}),
            &d.requester,
        )
        .await;
    assert_eq!(v.status, 201);
    assert_eq!(v.body["deflections"], 1);
    assert_eq!(
        d.post(
            &format!("/api/v1/articles/{sop_id}/deflections"),
            json!({}),
            &d.requester
        )
        .await
        .status,
        404
    );
    let v = d
        .post(
            &format!("/api/v1/articles/{faq_id}/votes"),
            json!({"helpful": true, "comment": "¡Gracias!"}),
            &d.requester,
        )
        .await;
    assert_eq!(
        (
            v.body["helpful"].as_i64(),
            v.body["comments"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0))
    );

    // The agent links the article that solved a ticket, and turns a resolution into a draft.
    let link = d
        .post(
            &format!("/api/v1/tickets/{}/articles", mine.id),
            json!({"article": format!("kb-{faq_id}")}),
            &d.agent,
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    assert_eq!(link.body[0]["id"], faq_id);
    let bad = d
        .post(
            &format!("/api/v1/tickets/{}/articles", mine.id),
            json!({"article": "KB-999999"}),
            &d.agent,
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["error"]["field"].as_str()),
        (422, Some("article"))
    );
    let none = d
        .post(
            &format!("/api/v1/tickets/{}/article-draft", mine.id),
            json!({}),
            &d.agent,
        )
        .await;
    assert_eq!(
        (none.status.as_u16(), none.body["error"]["code"].as_str()),
        (409, Some("no_resolution"))
    );
    let sugg = d
        .get(
            &format!("/api/v1/tickets/{}/suggestions", mine.id),
            &d.agent,
        )
        .await;
    assert_eq!(sugg.status, 200, "{}", sugg.body);
    assert_eq!(
        d.get(
            &format!("/api/v1/tickets/{}/suggestions", mine.id),
            &d.requester
        )
        .await
        .status,
        403
    );
    let c = d.get("/api/v1/articles/contributions", &d.agent).await.body;
    assert_eq!(c[0]["articles"], 2);
    assert_eq!(c[0]["links"], 1);
    // Every save is a revision.
    let put = d
        .t
        .request(
            http::Method::PUT,
            &format!("/api/v1/articles/{faq_id}"),
            Some(json!({"kind": "faq", "title": "No puedo imprimir (v2)", "body": "Nuevo", "language": "es", "status": "published", "version": 1})),
            &d.agent,
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let stale =
        d.t.request(
            http::Method::PUT,
            &format!("/api/v1/articles/{faq_id}"),
            Some(json!({"kind": "faq", "title": "x", "body": "y", "language": "es", "version": 1})),
            &d.agent,
        )
        .await;
    assert_eq!(stale.status, 412);
    let revs = d
        .get(&format!("/api/v1/articles/{faq_id}/revisions"), &d.agent)
        .await
        .body;
    assert_eq!(revs.as_array().map(Vec::len), Some(2));
}

/// Creates an article as `who` and returns its id.
async fn article(d: &Desk, body: Value) -> i64 {
    let res = d.post("/api/v1/articles", body, &d.agent).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// The article ids of a search, sorted.
async fn found(d: &Desk, query: &str, who: &ventanilla_testkit::Caller) -> Vec<i64> {
    let r = d.get(&format!("/api/v1/search?{query}"), who).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let mut v = ids(&r.body, "article");
    v.sort_unstable();
    v
}

/// A registered incident in the service desk's group, assigned to the agent.
async fn incident(d: &Desk, subject: &str, description: &str) -> i64 {
    d.ticket()
        .by(&d.requester)
        .in_group(d.l1)
        .assigned_to(&d.agent)
        .subject(subject)
        .description(description)
        .create()
        .await
        .id
        .get()
}

/// Takes a ticket to validation with `resolution`.
async fn resolve(d: &Desk, id: i64, resolution: &str) {
    for body in [
        json!({ "to": "analysis" }),
        json!({ "to": "solution" }),
        json!({ "to": "validation", "resolution_code": "fixed", "resolution": resolution }),
    ] {
        let res = d
            .post(&format!("/api/v1/tickets/{id}/transitions"), body, &d.agent)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
}

#[tokio::test]
async fn search_filters_articles_by_status_category_and_language() {
    let d = desk().build().await;
    let cat = d.t.app.store.categories().list().await.unwrap()[0].id.get();
    let a = article(&d, json!({"kind": "faq", "title": "Kerberos en la oficina", "body": "Ticket de kerberos", "language": "es", "status": "published", "category_id": cat})).await;
    let b = article(&d, json!({"kind": "faq", "title": "Kerberos at home", "body": "A kerberos ticket", "language": "en", "status": "published"})).await;
    let c = article(&d, json!({"kind": "sop", "title": "Renovar kerberos", "body": "Interno", "language": "es", "status": "draft", "category_id": cat})).await;
    let e = article(&d, json!({"kind": "known_error", "title": "Kerberos clock skew", "body": "Old", "language": "en", "status": "archived"})).await;
    let agent = &d.agent.caller;
    let cases: [(String, Vec<i64>); 8] = [
        ("q=kerberos".into(), vec![a, b, c, e]),
        ("q=kerberos&status=draft".into(), vec![c]),
        ("q=kerberos&status=archived".into(), vec![e]),
        ("q=kerberos&status=published".into(), vec![a, b]),
        (format!("q=kerberos&category_id={cat}"), vec![a, c]),
        ("q=kerberos&language=en".into(), vec![b, e]),
        ("q=kerberos&language=es&status=published".into(), vec![a]),
        (
            format!("q=kerberos&language=es&category_id={cat}&kind=sop"),
            vec![c],
        ),
    ];
    for (q, expected) in &cases {
        assert_eq!(&found(&d, q, agent).await, expected, "{q}");
    }
    // A language or article status asks for articles only; the counts agree.
    let r = d
        .get("/api/v1/search?q=kerberos&language=en", agent)
        .await
        .body;
    assert_eq!(
        (
            r["counts"]["articles"].as_i64(),
            r["counts"]["tickets"].as_i64()
        ),
        (Some(2), Some(0))
    );
    // Requesters: published FAQs only, whatever the filter asks.
    let req = &d.requester.caller;
    assert_eq!(found(&d, "q=kerberos", req).await, vec![a, b]);
    assert_eq!(
        found(&d, "q=kerberos&status=draft", req).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        found(&d, "q=kerberos&status=archived", req).await,
        Vec::<i64>::new()
    );
    let r = d
        .get("/api/v1/search?q=kerberos&status=draft", req)
        .await
        .body;
    assert_eq!(r["counts"]["articles"], 0);
    for bad in ["language=fr", "status=lost"] {
        let r = d
            .get(&format!("/api/v1/search?q=kerberos&{bad}"), agent)
            .await;
        assert_eq!(r.status, 422, "{bad}");
    }
    // The article list takes the same filters.
    let l = d
        .get(
            &format!("/api/v1/articles?category_id={cat}&status=draft"),
            agent,
        )
        .await
        .body;
    let listed: Vec<i64> = l
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![c]);
}

#[tokio::test]
async fn known_error_and_sop_fields_round_trip_with_category_tags_and_related() {
    let d = desk().build().await;
    let cat = d.t.app.store.categories().list().await.unwrap()[0].id.get();
    let res = d
        .post(
            "/api/v1/articles",
            json!({"kind": "known_error", "title": "La VPN se corta cada hora", "body": "Cliente VPN 4.1", "language": "es",
                "symptom": "El túnel se cierra a en punto", "cause": "Fallo al renegociar la clave",
                "workaround": "Reconectar o fijar el cliente 4.2", "problem_ref": "PRB-7",
                "category_id": cat, "tags": ["vpn", "red", "vpn"], "related": ["SRV-VPN-01", "Servicio de acceso remoto"]}),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    let got = d
        .get(&format!("/api/v1/articles/{id}"), &d.agent)
        .await
        .body;
    assert_eq!(got["kind"], "known_error");
    assert_eq!(got["status"], "draft");
    assert_eq!(got["symptom"], "El túnel se cierra a en punto");
    assert_eq!(got["cause"], "Fallo al renegociar la clave");
    assert_eq!(got["workaround"], "Reconectar o fijar el cliente 4.2");
    assert_eq!(got["problem_ref"], "PRB-7");
    assert_eq!(got["category_id"], cat);
    assert_eq!(got["tags"], json!(["vpn", "red"]), "repeated tags once");
    assert_eq!(
        got["related"],
        json!(["SRV-VPN-01", "Servicio de acceso remoto"])
    );
    assert_eq!(got["steps"], json!([]));
    // The known error's own words are searchable (its workaround, its related service).
    assert_eq!(found(&d, "q=renegociar", &d.agent.caller).await, vec![id]);
    assert_eq!(found(&d, "q=SRV-VPN-01", &d.agent.caller).await, vec![id]);
    // Turned into a procedure: the steps keep their order; the category can be removed.
    let put = d
        .put(
            &format!("/api/v1/articles/{id}"),
            json!({"kind": "sop", "title": "Reconectar la VPN", "body": "Pasos", "language": "es", "status": "published",
                "steps": ["Cerrar el cliente", "Borrar la caché", "Abrir el cliente"], "tags": ["vpn"], "version": 1}),
            &d.agent,
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let got = d
        .get(&format!("/api/v1/articles/{id}"), &d.agent)
        .await
        .body;
    assert_eq!(
        (
            got["kind"].as_str(),
            got["version"].as_i64(),
            got["status"].as_str()
        ),
        (Some("sop"), Some(2), Some("published"))
    );
    assert_eq!(
        got["steps"],
        json!(["Cerrar el cliente", "Borrar la caché", "Abrir el cliente"])
    );
    assert_eq!(got["category_id"], Value::Null);
    assert_eq!(got["symptom"], Value::Null);
    assert_eq!(got["related"], json!([]));
    assert!(got["published_at"].is_string());
    // A category that does not exist, or a blank step, is a 422 naming the field.
    for (body, field) in [
        (
            json!({"kind": "faq", "title": "x", "body": "y", "language": "es", "category_id": 999_999}),
            "category_id",
        ),
        (
            json!({"kind": "sop", "title": "x", "body": "y", "language": "es", "steps": ["uno", " "]}),
            "steps",
        ),
    ] {
        let r = d.post("/api/v1/articles", body, &d.agent).await;
        assert_eq!(
            (r.status.as_u16(), r.body["error"]["field"].as_str()),
            (422, Some(field)),
            "{}",
            r.body
        );
    }
}

/// The article ids suggested for "wifi invita" (a requester typing).
async fn suggested(d: &Desk, who: &ventanilla_testkit::Caller) -> Vec<i64> {
    let r = d.get("/api/v1/articles/suggest?q=wifi%20invita", who).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn archived_articles_are_not_suggested() {
    let d = desk().build().await;
    let id = article(&d, json!({"kind": "faq", "title": "Wifi de invitados", "body": "La clave del wifi de invitados está en recepción.", "language": "es", "status": "published"})).await;
    assert_eq!(suggested(&d, &d.requester.caller).await, vec![id]);
    assert_eq!(suggested(&d, &d.agent.caller).await, vec![id]);
    let put = d
        .put(
            &format!("/api/v1/articles/{id}"),
            json!({"kind": "faq", "title": "Wifi de invitados", "body": "La clave del wifi de invitados está en recepción.", "language": "es", "status": "archived", "version": 1}),
            &d.agent,
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(suggested(&d, &d.requester.caller).await, Vec::<i64>::new());
    assert_eq!(suggested(&d, &d.agent.caller).await, Vec::<i64>::new());
    // Nor offered on a ticket page, nor readable by requesters; agents still find it.
    let t = incident(&d, "Sin wifi de invitados", "No tengo la clave del wifi").await;
    let s = d
        .get(&format!("/api/v1/tickets/{t}/suggestions"), &d.agent)
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(s.body["articles"], json!([]));
    assert_eq!(
        d.get(&format!("/api/v1/articles/{id}"), &d.requester)
            .await
            .status,
        404
    );
    assert_eq!(
        found(&d, "q=wifi", &d.requester.caller).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        found(&d, "q=wifi&status=archived", &d.agent.caller).await,
        vec![id]
    );
}

#[tokio::test]
async fn a_resolution_becomes_a_draft_article() {
    let d = desk().build().await;
    let t = incident(
        &d,
        "La impresora de recepción no imprime",
        "Sale la hoja en blanco",
    )
    .await;
    resolve(&d, t, "Cambiado el cartucho de tóner").await;
    let res = d
        .post(
            &format!("/api/v1/tickets/{t}/article-draft"),
            json!({}),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let a = &res.body;
    let id = a["id"].as_i64().unwrap();
    assert_eq!(
        (
            a["kind"].as_str(),
            a["status"].as_str(),
            a["language"].as_str()
        ),
        (Some("faq"), Some("draft"), Some("es"))
    );
    assert_eq!(a["title"], "La impresora de recepción no imprime");
    assert_eq!(a["source_ticket_id"], t);
    assert_eq!(a["author_id"], d.agent.id().get());
    let body = a["body"].as_str().unwrap();
    assert!(
        body.contains("## Problema") && body.contains("## Solución"),
        "{body}"
    );
    assert!(body.contains("Sale la hoja en blanco"), "{body}");
    assert!(body.contains("Cambiado el cartucho de tóner"), "{body}");
    assert!(
        a["body_html"]
            .as_str()
            .unwrap()
            .contains("<h2>Solución</h2>")
    );
    // A draft: staff read it, requesters do not; it counts as the agent's contribution.
    assert_eq!(
        d.get(&format!("/api/v1/articles/{id}"), &d.requester)
            .await
            .status,
        404
    );
    let c = d.get("/api/v1/articles/contributions", &d.agent).await.body;
    let mine = c
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["user_id"] == d.agent.id().get())
        .unwrap();
    assert_eq!(
        (mine["articles"].as_i64(), mine["published"].as_i64()),
        (Some(1), Some(0))
    );
    // Requesters may not draft from their own ticket.
    let denied = d
        .post(
            &format!("/api/v1/tickets/{t}/article-draft"),
            json!({}),
            &d.requester,
        )
        .await;
    assert_eq!(denied.status, 403);
    // An English-speaking agent's draft is written in English.
    let res =
        d.t.patch(
            &format!("/api/v1/users/{}", d.agent.id()),
            json!({"language": "en"}),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let en = d
        .post(
            &format!("/api/v1/tickets/{t}/article-draft"),
            json!({}),
            &d.agent,
        )
        .await;
    assert_eq!(en.status, 201, "{}", en.body);
    assert_eq!(en.body["language"], "en");
    assert!(en.body["body"].as_str().unwrap().contains("## Problem\n"));
}

#[tokio::test]
async fn ticket_suggestions_show_similar_resolved_tickets_with_their_resolutions() {
    let d = desk().build().await;
    let solved = incident(
        &d,
        "Impresora de recepción sin tóner",
        "La impresora imprime en blanco",
    )
    .await;
    resolve(&d, solved, "Cambiado el cartucho de tóner de la impresora").await;
    let unrelated = incident(&d, "Correo lento", "Outlook tarda en abrir").await;
    resolve(&d, unrelated, "Reparado el perfil de correo").await;
    let open_alike = incident(&d, "Impresora del almacén sin tóner", "No imprime").await;
    let faq = article(&d, json!({"kind": "faq", "title": "Cambiar el tóner de la impresora", "body": "Abra la tapa frontal.", "language": "es", "status": "published"})).await;
    let now = incident(
        &d,
        "La impresora de recepción no imprime",
        "Sale en blanco, creo que falta tóner",
    )
    .await;
    let s = d
        .get(&format!("/api/v1/tickets/{now}/suggestions"), &d.agent)
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    let similar = s.body["similar"].as_array().unwrap();
    let ids: Vec<i64> = similar.iter().map(|x| x["id"].as_i64().unwrap()).collect();
    // Not the unresolved look-alike, not the resolved but unrelated one, not itself.
    assert_eq!(ids, vec![solved], "resolved and alike only: {}", s.body);
    assert!(!ids.contains(&open_alike) && !ids.contains(&unrelated) && !ids.contains(&now));
    let first = &similar[0];
    assert_eq!(first["type"], "ticket");
    assert_eq!(first["number"], format!("INC-{solved:06}"));
    assert_eq!(first["title"], "Impresora de recepción sin tóner");
    assert_eq!(first["status"], "validation");
    let snippet = first["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("cartucho"),
        "the resolution is the snippet: {snippet}"
    );
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(
        !snippet.contains("imprime en blanco"),
        "not the description: {snippet}"
    );
    let articles: Vec<i64> = s.body["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(articles, vec![faq]);
}

/// A word most tickets hold says nothing of a ticket: similar tickets are found by the words
/// that tell it apart, even when newer resolved tickets share its common words.
#[tokio::test]
async fn similar_tickets_are_found_by_their_telling_words_not_common_ones() {
    let d = desk().build().await;
    let alike = incident(&d, "Lector zebra sin señal", "El lector no lee").await;
    resolve(&d, alike, "Reemplazado el cable del lector zebra").await;
    for _ in 0..40 {
        incident(&d, "Equipo lento", "El equipo va lento").await;
    }
    let common = incident(&d, "Equipo lento", "El equipo va lento").await;
    resolve(&d, common, "Ampliada la memoria del equipo").await;
    let now = incident(&d, "Equipo lento con zebra", "El equipo va lento").await;
    // PostgreSQL reads term counts from the planner's statistics.
    d.t.app.store.search().optimize().await.unwrap();
    let s = d
        .get(&format!("/api/v1/tickets/{now}/suggestions"), &d.agent)
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    let ids: Vec<i64> = s.body["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    // Every word OR-ed, newest first, would list the newer slow computer before it.
    assert_eq!(ids, vec![alike], "{}", s.body);
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_owned()
}

//! The knowledge base and search through the API: articles with their visibility, the one
//! search with access rules (also in counts) and exact numbers first, suggestions and
//! deflections, the article that solved a ticket, a resolution turned into a draft.

use serde_json::{Value, json};
use ventanilla_testkit::desk;

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

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_owned()
}

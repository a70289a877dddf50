//! A ticket's assignee is always a member of its group (issue 15, case 2; SPEC C5): an
//! assignment to a non-member is refused naming `assignee_id`, a group change unassigns a
//! non-member with an entry saying why, and removing an agent from a group gives back their
//! open tickets in it — whichever operation changes group, assignee or membership.

use http::StatusCode;
use serde_json::json;
use ventanilla_testkit::Desk;

async fn desk() -> Desk {
    ventanilla_testkit::desk().with_l2("Redes").build().await
}

async fn ticket(d: &Desk) -> i64 {
    d.ticket()
        .by(&d.requester)
        .in_group(d.l1)
        .assigned_to(&d.agent)
        .create()
        .await
        .id
        .get()
}

#[tokio::test]
async fn a_direct_assignment_to_a_non_member_is_refused() {
    let d = desk().await;
    let id = ticket(&d).await;
    let l2 = d.l2_agent.as_ref().unwrap();
    let res =
        d.t.patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "assignee_id": l2.id().get() }),
            &d.supervisor,
        )
        .await;
    assert_eq!(
        (
            res.status,
            res.body["error"]["code"].as_str(),
            res.body["error"]["field"].as_str()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("validation_failed"),
            Some("assignee_id")
        ),
        "{}",
        res.text
    );
    // Registering with a non-member of the given group is refused the same way.
    let refused = d
        .ticket()
        .by(&d.requester)
        .registered_by(&d.admin)
        .in_group(d.l2.unwrap())
        .assigned_to(&d.agent)
        .try_create()
        .await;
    assert!(refused.is_err(), "registration with a non-member");
}

#[tokio::test]
async fn a_group_change_unassigns_a_non_member() {
    let d = desk().await;
    let id = ticket(&d).await;
    let res =
        d.t.patch(
            &format!("/api/v1/tickets/{id}"),
            json!({ "group_id": d.l2.unwrap().get() }),
            &d.supervisor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.body["group_id"].as_i64(),
            res.body["assignee_id"].is_null(),
            res.body["tier"].as_str()
        ),
        (Some(d.l2.unwrap().get()), true, Some("L2"))
    );
    let timeline =
        d.t.get(&format!("/api/v1/tickets/{id}/actions"), &d.supervisor)
            .await;
    assert!(
        timeline
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "assignee_not_member"),
        "{}",
        timeline.text
    );
    // The ticket is in L2's unassigned queue.
    let l2 = d.l2_agent.as_ref().unwrap();
    let queue =
        d.t.get("/api/v1/tickets?assignee=none&status=open", l2)
            .await;
    assert!(
        queue.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id),
        "{}",
        queue.text
    );
}

#[tokio::test]
async fn leaving_a_group_gives_back_its_open_tickets() {
    let d = desk().await;
    let open = ticket(&d).await;
    let res =
        d.t.request(
            http::Method::DELETE,
            &format!(
                "/api/v1/groups/{}/members/{}",
                d.l1.get(),
                d.agent.id().get()
            ),
            None,
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    let t =
        d.t.get(&format!("/api/v1/tickets/{open}"), &d.supervisor)
            .await;
    assert!(t.body["assignee_id"].is_null(), "{}", t.text);
}

/// Issue 18, item 1: everything a requester sends is limited to what a requester may
/// choose. Another organisation, another requester, a group, an assignee or a priority are
/// refused (403) and nothing is stored; their own organisation is accepted.
#[tokio::test]
async fn a_requester_may_only_choose_what_concerns_their_own_request() {
    let d = desk().await;
    let other =
        d.t.post(
            "/api/v1/organisations",
            json!({ "name": "Otra SA" }),
            &d.admin,
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    let other_org = other.body["id"].as_i64().unwrap();
    let base = json!({ "kind": "incident", "subject": "Sin red", "description": "d",
        "impact": "low", "urgency": "low" });
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (field, body) in [
        ("organisation_id", with("organisation_id", json!(other_org))),
        (
            "requester_id",
            with("requester_id", json!(d.agent.id().get())),
        ),
        (
            "requester",
            with("requester", json!({ "name": "X", "email": "x@x.test" })),
        ),
        ("group_id", with("group_id", json!(d.l1.get()))),
        (
            "assignee_id",
            with("assignee_id", json!(d.agent.id().get())),
        ),
        ("priority", with("priority", json!("critical"))),
    ] {
        let res = d.t.post("/api/v1/tickets", body, &d.requester).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{field}: {}", res.text);
    }
    let mine = d.t.get("/api/v1/tickets", &d.requester).await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
    let res = d.t.post("/api/v1/tickets", base, &d.requester).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

//! The console's queue tabs show how many tickets each holds, counted in the viewer's scope:
//! an agent's counts never include tickets outside their groups, and the review tab is a
//! supervisor's.

use http::StatusCode;
use ventanilla_domain::directory::NewGroup;
use ventanilla_domain::ticket::{NewTicket, Priority, Status, TicketKind};
use ventanilla_domain::{GroupId, Text, Tier, UserId};
use ventanilla_store::audit::NewAudit;
use ventanilla_store::tickets::Effects;
use ventanilla_testkit::{TestApp, fixtures};

use crate::helpers::{Browser, assert_page};

async fn group(t: &TestApp, name: &str, members: &[UserId]) -> GroupId {
    group_at(t, name, Tier::L1, members).await
}

async fn group_at(t: &TestApp, name: &str, tier: Tier, members: &[UserId]) -> GroupId {
    let entry = NewAudit::new(t.app.now(), None, "test", None);
    let g = t
        .app
        .store
        .groups()
        .create(
            &NewGroup {
                name: Text::parse("name", name, 200).unwrap(),
                tier,
                description: None,
                email: None,
            },
            &entry,
        )
        .await
        .unwrap();
    for m in members {
        t.app
            .store
            .groups()
            .put_member(g.id, *m, false, &entry)
            .await
            .unwrap();
    }
    g.id
}

async fn ticket(
    t: &TestApp,
    requester: UserId,
    group: Option<GroupId>,
    assignee: Option<UserId>,
    status: Status,
) -> i64 {
    let new = NewTicket {
        subject: Text::parse("subject", "Counted", 200).unwrap(),
        description: Text::parse("description", "counted", 200).unwrap(),
        group_id: group,
        assignee_id: assignee,
        ..fixtures::new_ticket(requester, TicketKind::Incident, Priority::Medium)
    };
    let (tk, _) = t
        .app
        .store
        .tickets()
        .create(&new, Some(requester), t.app.now(), None, &[])
        .await
        .unwrap();
    if status != Status::New {
        t.app
            .store
            .tickets()
            .modify(tk.id, None, None, t.app.now(), |x| {
                x.status = status;
                Ok::<_, ()>(Effects::default())
            })
            .await
            .unwrap();
    }
    tk.id.get()
}

/// The count shown on a tab, or `None` when the page has no such tab.
fn tab(html: &str, view: &str) -> Option<String> {
    let marker = format!("id=\"count-{view}\">");
    let rest = html.split(&marker).nth(1)?;
    rest.split('<').next().map(str::to_owned)
}

#[tokio::test]
async fn each_queue_tab_counts_its_tickets_in_the_viewers_scope() {
    // Agents see their groups' tickets only (no `agents_see_all`).
    let t = TestApp::new().await;
    let ana = t.user("ana@example.com", "requester").await.id;
    let a = t.user("a@example.com", "agent").await.id;
    let b = t.user("b@example.com", "agent").await.id;
    t.user("sup@example.com", "supervisor").await;
    let g1 = group(&t, "Mesa", &[a]).await;
    let g2 = group(&t, "Redes", &[b]).await;
    ticket(&t, ana, Some(g1), Some(a), Status::New).await;
    ticket(&t, ana, Some(g1), None, Status::New).await;
    let analysed = ticket(&t, ana, Some(g1), None, Status::Analysis).await;
    ticket(&t, ana, Some(g2), None, Status::New).await;
    ticket(&t, ana, Some(g2), Some(b), Status::New).await;
    ticket(&t, ana, Some(g1), Some(a), Status::Pending).await;
    ticket(&t, ana, Some(g1), None, Status::Review).await;
    ticket(&t, ana, Some(g1), Some(a), Status::Closed).await;
    ticket(&t, ana, None, None, Status::New).await;

    let agent = Browser::sign_in(&t, "a@example.com").await;
    let page = agent.get(&t, "/console?view=open").await;
    assert_page(&page, StatusCode::OK);
    let counts: Vec<Option<String>> = ["mine", "groups", "unassigned", "open", "pending", "review"]
        .iter()
        .map(|v| tab(&page.text, v))
        .collect();
    let want = |v: &[&str]| v.iter().map(|s| Some((*s).to_owned())).collect::<Vec<_>>();
    let mut expected = want(&["2", "5", "3", "5", "1"]);
    expected.push(None);
    assert_eq!(
        counts, expected,
        "agent a: mine, groups, unassigned, open, pending, review"
    );
    // The filtered queue's own count agrees with its tab.
    assert!(page.text.contains("id=\"queue-count\""));
    assert!(page.text.contains(">5 "), "{}", page.text);

    let other = Browser::sign_in(&t, "b@example.com").await;
    let page = other.get(&t, "/console").await;
    assert_eq!(tab(&page.text, "mine").as_deref(), Some("1"));
    assert_eq!(tab(&page.text, "unassigned").as_deref(), Some("1"));
    assert_eq!(tab(&page.text, "open").as_deref(), Some("2"));

    // A supervisor sees everything, has the review tab, and no groups of their own.
    let sup = Browser::sign_in(&t, "sup@example.com").await;
    let page = sup.get(&t, "/console").await;
    let counts: Vec<Option<String>> = ["mine", "groups", "unassigned", "open", "pending", "review"]
        .iter()
        .map(|v| tab(&page.text, v))
        .collect();
    assert_eq!(counts, want(&["0", "0", "5", "8", "1", "1"]));

    let network = group_at(&t, "Red", Tier::L2, &[]).await;
    // Agent a escalates the ticket in analysis to second level: it leaves a's group work
    // and is counted under "following" (read by id, as the list reads it), still open and
    // unassigned in a's scope.
    let caller = ventanilla_testkit::Caller::Session {
        cookie: agent.cookie.clone(),
        csrf: agent.csrf.clone(),
    };
    let res = t
        .post(
            &format!("/api/v1/tickets/{analysed}/escalations"),
            serde_json::json!({ "type": "functional", "summary": "Para redes", "group_id": network.get() }),
            &caller,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let page = agent.get(&t, "/console?view=following").await;
    assert_page(&page, StatusCode::OK);
    let counts: Vec<Option<String>> = ["mine", "groups", "following", "unassigned", "open"]
        .iter()
        .map(|v| tab(&page.text, v))
        .collect();
    assert_eq!(
        counts,
        want(&["2", "4", "1", "3", "5"]),
        "agent a after escalating: mine, groups, following, unassigned, open"
    );
    assert!(
        page.text.contains(">1 "),
        "the following queue's own count: {}",
        page.text
    );
}

//! Everything the desk records is read in the reader's language (SPEC C16): timeline
//! entries and notifications are stored as codes and rendered at read time, so a Spanish
//! and an English reader of the same ticket each read their own language — on the console,
//! the portal, the notifications page and the API.

use http::StatusCode;
use serde_json::json;
use ventanilla_testkit::{Desk, Person};

use crate::helpers::Browser;

async fn speak(d: &Desk, who: &Person, language: &str) {
    let res =
        d.t.patch(
            &format!("/api/v1/users/{}", who.id()),
            json!({ "language": language }),
            &d.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

/// A reader, their language, a page, what they must read there and what they must not.
type Case<'a> = (&'a Person, &'a str, String, &'a [&'a str], &'a [&'a str]);

#[tokio::test]
async fn system_entries_and_notifications_are_read_in_the_readers_language() {
    let d = ventanilla_testkit::desk().with_l2("Redes").build().await;
    let l2 = d.l2_agent.as_ref().unwrap();
    let t = d.ticket().by(&d.requester).in_group(d.l1).create().await;
    let id = t.id.get();
    let res =
        d.t.post(
            &format!("/api/v1/tickets/{id}/escalations"),
            json!({ "type": "functional", "summary": "sospecha de placa" }),
            &d.agent,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // (reader, language, page, what they must read, what they must not)
    let cases: [Case; 6] = [
        (
            &d.supervisor,
            "es",
            format!("/console/tickets/{id}"),
            &[
                "Registrado por",
                "Escalado a L2",
                "Traspasado a Redes",
                "sospecha de placa",
            ],
            &["Escalated to", "Handed over"],
        ),
        (
            &d.supervisor,
            "en",
            format!("/console/tickets/{id}"),
            &[
                "Registered through",
                "Escalated to L2",
                "Handed over to Redes",
                "sospecha de placa",
            ],
            &["Escalado a", "Traspasado"],
        ),
        (
            &d.requester,
            "es",
            format!("/portal/tickets/{id}"),
            &["Escalado a L2"],
            &["Traspasado", "sospecha de placa", "Escalated to"],
        ),
        (
            &d.requester,
            "en",
            format!("/portal/tickets/{id}"),
            &["Escalated to L2"],
            &["Handed over", "sospecha de placa", "Escalado a"],
        ),
        (
            l2,
            "es",
            "/console/notifications".to_owned(),
            &[&format!("{} escalado a Redes", t.number)],
            &["escalated to"],
        ),
        (
            l2,
            "en",
            "/console/notifications".to_owned(),
            &[&format!("{} escalated to Redes", t.number)],
            &["escalado a"],
        ),
    ];
    for (who, lang, page, must, must_not) in cases {
        speak(&d, who, lang).await;
        let b = Browser::sign_in(&d.t, &who.user.email.to_string()).await;
        let res = b.get(&d.t, &page).await;
        assert_eq!(res.status, StatusCode::OK, "{lang} {page}");
        for m in must {
            assert!(
                res.text.contains(m),
                "{lang} {page}: missing {m:?} in {}",
                res.text.split("<main").nth(1).unwrap_or("")
            );
        }
        for m in must_not {
            assert!(!res.text.contains(m), "{lang} {page}: shows {m:?}");
        }
    }
    // The API renders notification titles in the caller's language too.
    for (lang, want) in [("es", "escalado a Redes"), ("en", "escalated to Redes")] {
        speak(&d, l2, lang).await;
        let inbox = d.t.get("/api/v1/notifications", l2).await;
        let title = inbox.body["items"][0]["title"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(title.contains(want), "{lang}: {title}");
    }
}

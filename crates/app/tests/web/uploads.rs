//! Files through plain multipart forms (no JavaScript): the portal's new-ticket form, the
//! portal's reply and the console's attachment form, all stored by the API's attachments
//! service (its checks, its content sniffing, its rule of who may attach). Files over the
//! limit give the form again with a readable error and nothing stored; a body far past every
//! limit is a readable 413 page.

use http::StatusCode;
use ventanilla_domain::TicketId;
use ventanilla_store::tickets::TicketScope;
use ventanilla_testkit::TestApp;

use crate::helpers::{Browser, assert_page, location, report, ticket_id};

/// The first bytes of a PNG image: enough for the content to be sniffed.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// A desk whose files may be at most 1 KiB.
async fn small_desk() -> TestApp {
    TestApp::with_config(|c| {
        c.tickets.agents_see_all = true;
        c.tickets.attachment_max_bytes = 1024;
    })
    .await
}

async fn files_of(
    t: &TestApp,
    id: i64,
) -> Vec<ventanilla_store::tickets::attachments::AttachmentMeta> {
    t.app
        .store
        .tickets()
        .attachments(TicketId(id), false)
        .await
        .unwrap()
}

async fn ticket_count(t: &TestApp) -> usize {
    t.app
        .store
        .tickets()
        .list(
            &TicketScope::All,
            &Default::default(),
            Default::default(),
            None,
            50,
        )
        .await
        .unwrap()
        .items
        .len()
}

const NEW_TICKET: [(&str, &str); 5] = [
    ("kind", "incident"),
    ("subject", "Screen flickers"),
    ("description", "See the photo"),
    ("impact", "low"),
    ("urgency", "medium"),
];

#[tokio::test]
async fn the_new_ticket_form_takes_files() {
    let t = small_desk().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let form = ana.get(&t, "/portal/new?kind=incident").await;
    assert!(form.text.contains("enctype=\"multipart/form-data\""));
    assert!(
        form.text
            .contains("type=\"file\" id=\"files\" name=\"files\" multiple")
    );
    let res = ana
        .post_files(
            &t,
            "/portal/new",
            &NEW_TICKET,
            &[("screen.png", PNG), ("notes.txt", b"it flickers at 3pm")],
        )
        .await;
    let id = ticket_id(&location(&res));
    let files = files_of(&t, id).await;
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].filename, "screen.png");
    assert_eq!(files[0].content_type, "image/png", "typed by its content");
    assert!(
        files.iter().all(|f| f.public),
        "requesters' files are public"
    );
    let page = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(page.text.contains("screen.png") && page.text.contains("notes.txt"));
    // No file chosen: the browser's empty part is not an attachment.
    let res = ana
        .post_files(&t, "/portal/new", &NEW_TICKET, &[("", b"")])
        .await;
    assert!(files_of(&t, ticket_id(&location(&res))).await.is_empty());
}

#[tokio::test]
async fn a_file_too_large_is_a_readable_form_error_and_nothing_is_registered() {
    let t = small_desk().await;
    t.user("ana@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let big = vec![b'x'; 2048];
    let res = ana
        .post_files(&t, "/portal/new", &NEW_TICKET, &[("huge.log", &big)])
        .await;
    assert_page(&res, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text.contains("id=\"files-error\""), "{}", res.text);
    assert!(res.text.contains("huge.log"));
    assert!(
        res.text.contains("value=\"Screen flickers\""),
        "typed input kept"
    );
    assert_eq!(ticket_count(&t).await, 0);
    // An empty file is refused the same way.
    let res = ana
        .post_files(&t, "/portal/new", &NEW_TICKET, &[("empty.txt", b"")])
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"files-error\""));
    assert_eq!(ticket_count(&t).await, 0);
    // A body far past every limit is refused whole, as a page, not a failure.
    let enormous = vec![b'x'; 3 * 1024 * 1024];
    let res = ana
        .post_files(
            &t,
            "/portal/new",
            &NEW_TICKET,
            &[("enormous.bin", &enormous)],
        )
        .await;
    assert_page(&res, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text.contains("demasiado grande"), "{}", res.text);
    assert_eq!(ticket_count(&t).await, 0);
    // A forged CSRF token is refused.
    let forged = Browser {
        cookie: ana.cookie.clone(),
        csrf: "forged".into(),
    };
    let res = forged
        .post_files(&t, "/portal/new", &NEW_TICKET, &[("a.png", PNG)])
        .await;
    assert_page(&res, StatusCode::FORBIDDEN);
    assert_eq!(ticket_count(&t).await, 0);
}

#[tokio::test]
async fn requesters_reply_with_files_on_their_own_tickets_only() {
    let t = small_desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("bob@example.com", "requester").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let bob = Browser::sign_in(&t, "bob@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let path = format!("/portal/tickets/{id}/reply");
    let page = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    // A reply with a file.
    let res = ana
        .post_files(
            &t,
            &path,
            &[("body", "Here is the error")],
            &[("error.png", PNG)],
        )
        .await;
    assert!(location(&res).contains("flash=reply-sent"));
    // A file alone.
    let res = ana
        .post_files(&t, &path, &[("body", "")], &[("more.txt", b"more")])
        .await;
    assert!(location(&res).contains("flash=attached"));
    assert_eq!(files_of(&t, id).await.len(), 2);
    let page = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(page.text.contains("Here is the error") && page.text.contains("more.txt"));
    // Nothing at all: the error beside the message.
    let res = ana.post_files(&t, &path, &[("body", "  ")], &[]).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"reply-body-error\""));
    // Too large: the error beside the files, the message kept, nothing stored or sent.
    let big = vec![b'x'; 4096];
    let res = ana
        .post_files(
            &t,
            &path,
            &[("body", "Typed reply stays")],
            &[("big.bin", &big)],
        )
        .await;
    assert_page(&res, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text.contains("id=\"reply-files-error\""));
    assert!(res.text.contains(">Typed reply stays</textarea>"));
    assert_eq!(files_of(&t, id).await.len(), 2);
    let events = t
        .app
        .store
        .tickets()
        .events(TicketId(id), false)
        .await
        .unwrap();
    assert!(
        !events
            .iter()
            .any(|e| e.body.as_deref() == Some("Typed reply stays"))
    );
    // Another requester cannot attach to Ana's ticket, nor use the console's form.
    let res = bob
        .post_files(&t, &path, &[("body", "")], &[("evil.txt", b"x")])
        .await;
    assert_page(&res, StatusCode::NOT_FOUND);
    let res = ana
        .post_files(
            &t,
            &format!("/console/tickets/{id}/attachments"),
            &[],
            &[("x.txt", b"x")],
        )
        .await;
    assert_page(&res, StatusCode::FORBIDDEN);
    assert_eq!(files_of(&t, id).await.len(), 2);
}

#[tokio::test]
async fn agents_attach_public_or_internal_files_from_the_console() {
    let t = small_desk().await;
    t.user("ana@example.com", "requester").await;
    t.user("agent@example.com", "agent").await;
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let agent = Browser::sign_in(&t, "agent@example.com").await;
    let id = report(&t, &ana, "Printer down").await;
    let path = format!("/console/tickets/{id}/attachments");
    let page = agent.get(&t, &format!("/console/tickets/{id}")).await;
    // The form posts to the attachments route with its one-time key, as multipart.
    let form = page
        .text
        .split(&format!("action=\"{path}?once="))
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_default();
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    let res = agent
        .post_files(&t, &path, &[("public", "on")], &[("manual.txt", b"steps")])
        .await;
    assert!(location(&res).contains("flash=attached"));
    let res = agent
        .post_files(&t, &path, &[], &[("internal-log.txt", b"stack trace")])
        .await;
    assert!(location(&res).contains("flash=attached"));
    let files = files_of(&t, id).await;
    assert_eq!(
        files
            .iter()
            .map(|f| (f.filename.as_str(), f.public))
            .collect::<Vec<_>>(),
        vec![("manual.txt", true), ("internal-log.txt", false)]
    );
    let portal = ana.get(&t, &format!("/portal/tickets/{id}")).await;
    assert!(portal.text.contains("manual.txt") && !portal.text.contains("internal-log.txt"));
    // Refusals come back beside the field.
    let res = agent.post_files(&t, &path, &[], &[]).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"upload-files-error\""));
    let big = vec![b'x'; 2048];
    let res = agent.post_files(&t, &path, &[], &[("big.bin", &big)]).await;
    assert_page(&res, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text.contains("id=\"upload-files-error\"") && res.text.contains("big.bin"));
    assert_eq!(files_of(&t, id).await.len(), 2);
    // The phone form takes files too.
    let mut fields = NEW_TICKET.to_vec();
    fields.push(("caller_name", "Carla"));
    fields.push(("caller_email", "carla@example.com"));
    let res = agent
        .post_files(&t, "/console/phone", &fields, &[("photo.png", PNG)])
        .await;
    let phone_id = ticket_id(&location(&res));
    assert_eq!(files_of(&t, phone_id).await.len(), 1);
}

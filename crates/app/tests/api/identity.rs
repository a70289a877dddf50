//! Identity (issue 19) through the API: two-factor enrolment, sign-in with a code under the
//! test clock (the drift window, a replayed code refused, a recovery code used once, wrong
//! codes throttled), enforcement per role, sessions listed and ended, re-authentication for
//! sensitive actions, and the audit log's contract (filters, before/after, CSV, append-only).

use http::StatusCode;
use jiff::SignedDuration;
use serde_json::json;
use ventanilla_app::identity::totp;
use ventanilla_testkit::{Caller, PASSWORD, TestApp, session_cookie};

/// Signs in with the password; returns the session and the stage the answer names.
async fn sign_in(t: &TestApp, email: &str) -> (Caller, String) {
    let res = t
        .post(
            "/api/v1/auth/login",
            json!({ "email": email, "password": PASSWORD }),
            &Caller::Anonymous,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let caller = Caller::Session {
        cookie: session_cookie(&res.headers).unwrap(),
        csrf: res.body["csrf_token"].as_str().unwrap().into(),
    };
    (caller, res.body["stage"].as_str().unwrap().to_owned())
}

/// Enrols `who` and returns (secret, recovery codes). The enrolment's code uses this step.
async fn enrol(t: &TestApp, who: &Caller) -> (String, Vec<String>) {
    let res = t.post("/api/v1/users/me/totp", json!({}), who).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let secret = res.body["secret"].as_str().unwrap().to_owned();
    assert!(
        res.body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/"),
        "{}",
        res.text
    );
    let wrong = t
        .post(
            "/api/v1/users/me/totp/confirm",
            json!({ "code": "000000" }),
            who,
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text
    );
    assert_eq!(wrong.error_code(), "totp_code_invalid");
    let code = totp::code_at(&secret, t.app.now()).unwrap();
    let res = t
        .post(
            "/api/v1/users/me/totp/confirm",
            json!({ "code": code }),
            who,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let codes: Vec<String> = res.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn verify(t: &TestApp, who: &Caller, code: &str) -> ventanilla_testkit::TestResponse {
    t.post("/api/v1/users/me/totp/verify", json!({ "code": code }), who)
        .await
}

#[tokio::test]
async fn totp_sign_in_window_replay_and_recovery_codes() {
    let t = TestApp::new().await;
    t.user("ana@x.test", "agent").await;
    let (s, stage) = sign_in(&t, "ana@x.test").await;
    assert_eq!(stage, "full");
    let status = t.get("/api/v1/users/me/totp", &s).await;
    assert_eq!(status.body["enabled"], false, "{}", status.text);
    let (secret, codes) = enrol(&t, &s).await;
    let status = t.get("/api/v1/users/me/totp", &s).await;
    assert_eq!(status.body["enabled"], true);
    assert_eq!(status.body["recovery_codes_left"], 10);

    // Sign-in now stops at the second factor: nothing else answers.
    let (p, stage) = sign_in(&t, "ana@x.test").await;
    assert_eq!(stage, "second_factor");
    let me = t.get("/api/v1/me", &p).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.error_code(), "second_factor_required");
    assert_eq!(
        t.get("/api/v1/tickets", &p).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The code of the enrolment's step was used: replaying it is refused.
    let replay = verify(&t, &p, &totp::code_at(&secret, t.app.now()).unwrap()).await;
    assert_eq!(
        replay.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        replay.text
    );
    // The next step's code is accepted, once.
    t.clock.advance(SignedDuration::from_secs(30));
    let code = totp::code_at(&secret, t.app.now()).unwrap();
    let ok = verify(&t, &p, &code).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["method"], "code");
    assert_eq!(t.get("/api/v1/me", &p).await.status, StatusCode::OK);
    let (p2, _) = sign_in(&t, "ana@x.test").await;
    let again = verify(&t, &p2, &code).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code works once"
    );

    // The window: the previous step's code still works, one from two steps back does not.
    t.clock.advance(SignedDuration::from_mins(5));
    let old = t.app.now() - SignedDuration::from_secs(60);
    let too_old = verify(&t, &p2, &totp::code_at(&secret, old).unwrap()).await;
    assert_eq!(too_old.status, StatusCode::UNPROCESSABLE_ENTITY);
    let prev = t.app.now() - SignedDuration::from_secs(30);
    let drift = verify(&t, &p2, &totp::code_at(&secret, prev).unwrap()).await;
    assert_eq!(
        drift.status,
        StatusCode::OK,
        "one step of drift: {}",
        drift.text
    );

    // A recovery code signs in once; the second time it is refused.
    let (p3, _) = sign_in(&t, "ana@x.test").await;
    let rec = verify(&t, &p3, &codes[3].to_uppercase()).await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.text);
    assert_eq!(rec.body["method"], "recovery_code");
    assert_eq!(rec.body["recovery_codes_left"], 9);
    let (p4, _) = sign_in(&t, "ana@x.test").await;
    let reused = verify(&t, &p4, &codes[3]).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Wrong codes are throttled per user (five by default), whatever the session.
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = verify(&t, &p4, "123456").await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Even the right code waits for the lock to pass.
    t.clock.advance(SignedDuration::from_secs(30));
    let locked = verify(&t, &p4, &totp::code_at(&secret, t.app.now()).unwrap()).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);

    // All of it is in the audit log.
    let (_, admin) = t.token_for("root@x.test", "admin").await;
    for kind in [
        "totp.enrol",
        "totp.verified",
        "totp.failed",
        "totp.recovery_used",
    ] {
        let res = t.get(&format!("/api/v1/audit?kind={kind}"), &admin).await;
        assert!(
            !res.body["items"].as_array().unwrap().is_empty(),
            "{kind}: {}",
            res.text
        );
    }
}

#[tokio::test]
async fn two_factor_secrets_are_sealed_at_rest_and_clear_ones_are_sealed_at_start() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let (s, _) = sign_in(&t, "ana@x.test").await;
    let (secret, _) = enrol(&t, &s).await;
    let identity = t.app.store.identity();
    let stored = identity.totp(ana.id).await.unwrap().unwrap().secret;
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(
        !stored.contains(&secret),
        "the database holds the secret sealed"
    );

    // A sealed secret copied onto another user's row does not open for them.
    let bea = t.user("bea@x.test", "agent").await;
    let (b, _) = sign_in(&t, "bea@x.test").await;
    enrol(&t, &b).await;
    let bea_stored = identity.totp(bea.id).await.unwrap().unwrap().secret;
    assert!(
        identity
            .reseal_totp(bea.id, &bea_stored, &stored)
            .await
            .unwrap()
    );
    t.clock.advance(SignedDuration::from_secs(30));
    let (b2, _) = sign_in(&t, "bea@x.test").await;
    let swapped = verify(&t, &b2, &totp::code_at(&secret, t.app.now()).unwrap()).await;
    assert_eq!(
        swapped.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        swapped.text
    );
    assert_eq!(swapped.error_code(), "two_factor_unavailable");

    // A secret stored in clear by an older version still signs in, and is sealed at start.
    assert!(
        identity
            .reseal_totp(ana.id, &stored, &secret)
            .await
            .unwrap()
    );
    let (p, _) = sign_in(&t, "ana@x.test").await;
    let ok = verify(&t, &p, &totp::code_at(&secret, t.app.now()).unwrap()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(
        ventanilla_app::identity::sealing::seal_stored(&t.app)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        ventanilla_app::identity::sealing::seal_stored(&t.app)
            .await
            .unwrap(),
        0,
        "once"
    );
    let resealed = identity.totp(ana.id).await.unwrap().unwrap().secret;
    assert!(resealed.starts_with("v1:") && !resealed.contains(&secret));
    t.clock.advance(SignedDuration::from_secs(30));
    let (p, _) = sign_in(&t, "ana@x.test").await;
    let ok = verify(&t, &p, &totp::code_at(&secret, t.app.now()).unwrap()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

#[tokio::test]
async fn without_a_sealing_key_secrets_are_kept_in_clear_until_a_key_is_given() {
    let t = TestApp::with_config(|c| c.identity.sealing_key = None).await;
    let ana = t.user("ana@x.test", "agent").await;
    let (s, _) = sign_in(&t, "ana@x.test").await;
    let (secret, _) = enrol(&t, &s).await;
    let identity = t.app.store.identity();
    assert_eq!(identity.totp(ana.id).await.unwrap().unwrap().secret, secret);
    assert_eq!(
        ventanilla_app::identity::sealing::seal_stored(&t.app)
            .await
            .unwrap(),
        0
    );
    // A sealed secret on a server without the key: a clear refusal, and a recovery code
    // still signs in.
    let key = ventanilla_app::identity::sealing::Sealer::new_key_base64().unwrap();
    let sealer = ventanilla_app::identity::sealing::Sealer::from_base64(&key).unwrap();
    let sealed = sealer
        .seal(&format!("user_totp:{}", ana.id), &secret)
        .unwrap();
    assert!(
        identity
            .reseal_totp(ana.id, &secret, &sealed)
            .await
            .unwrap()
    );
    t.clock.advance(SignedDuration::from_secs(30));
    let (p, _) = sign_in(&t, "ana@x.test").await;
    let res = verify(&t, &p, &totp::code_at(&secret, t.app.now()).unwrap()).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text);
    assert_eq!(res.error_code(), "two_factor_unavailable");
}

#[tokio::test]
async fn a_role_that_requires_two_factor_enrols_before_anything_else() {
    let t = TestApp::with_config(|c| c.identity.totp_required_roles = vec!["admin".into()]).await;
    t.user("root@x.test", "admin").await;
    t.user("ana@x.test", "agent").await;
    let (_, stage) = sign_in(&t, "ana@x.test").await;
    assert_eq!(stage, "full", "agents are not required to");
    let (s, stage) = sign_in(&t, "root@x.test").await;
    assert_eq!(stage, "enrol");
    let users = t.get("/api/v1/users", &s).await;
    assert_eq!(users.status, StatusCode::FORBIDDEN);
    assert_eq!(users.error_code(), "totp_enrolment_required");
    let me = t.get("/api/v1/me", &s).await;
    assert_eq!(me.body["stage"], "enrol", "{}", me.text);
    let (secret, _) = enrol(&t, &s).await;
    assert_eq!(t.get("/api/v1/users", &s).await.status, StatusCode::OK);
    // Required: it cannot be turned off.
    t.clock.advance(SignedDuration::from_secs(30));
    let off = t
        .post(
            "/api/v1/users/me/totp/disable",
            json!({ "code": totp::code_at(&secret, t.app.now()).unwrap() }),
            &s,
        )
        .await;
    assert_eq!(off.status, StatusCode::CONFLICT);
    assert_eq!(off.error_code(), "totp_required");
}

#[tokio::test]
async fn sessions_are_listed_and_ended_and_sensitive_actions_need_a_recent_sign_in() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    t.user("root@x.test", "admin").await;
    let (laptop, _) = sign_in(&t, "ana@x.test").await;
    let (phone, _) = sign_in(&t, "ana@x.test").await;
    let list = t.get("/api/v1/users/me/sessions", &laptop).await;
    let items = list.body.as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", list.text);
    let other = items.iter().find(|s| s["current"] == false).unwrap();
    let id = other["id"].as_str().unwrap();
    let end = t
        .request(
            http::Method::DELETE,
            &format!("/api/v1/users/me/sessions/{id}"),
            None,
            &laptop,
        )
        .await;
    assert_eq!(end.status, StatusCode::NO_CONTENT, "{}", end.text);
    assert_eq!(
        t.get("/api/v1/me", &phone).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.get("/api/v1/me", &laptop).await.status, StatusCode::OK);
    let none = t
        .request(
            http::Method::DELETE,
            "/api/v1/users/me/sessions/0123456789abcdef",
            None,
            &laptop,
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    // An administrator ends all of Ana's sessions, after confirming the password again.
    let (admin, _) = sign_in(&t, "root@x.test").await;
    t.clock.advance(SignedDuration::from_mins(20));
    let path = format!("/api/v1/users/{}/sessions", ana.id);
    let stale = t.request(http::Method::DELETE, &path, None, &admin).await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert_eq!(stale.error_code(), "reauthentication_required");
    let wrong = t
        .post(
            "/api/v1/auth/reauth",
            json!({ "password": "not the password" }),
            &admin,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let re = t
        .post(
            "/api/v1/auth/reauth",
            json!({ "password": PASSWORD }),
            &admin,
        )
        .await;
    assert_eq!(re.status, StatusCode::NO_CONTENT, "{}", re.text);
    // An API token has no session to confirm: refused (403), not a malformed request.
    let (_, token) = t.token_for("tok@x.test", "admin").await;
    let res = t
        .post(
            "/api/v1/auth/reauth",
            json!({ "password": PASSWORD }),
            &token,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    assert_eq!(res.error_code(), "session_required");
    let listed = t.get(&path, &admin).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let ended = t.request(http::Method::DELETE, &path, None, &admin).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert_eq!(ended.body["ended"], 1);
    assert_eq!(
        t.get("/api/v1/me", &laptop).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An agent may not.
    let (_, agent) = t.token_for("bob@x.test", "agent").await;
    assert_eq!(
        t.request(http::Method::DELETE, &path, None, &agent)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A role change through a stale session also asks for re-authentication.
    t.clock.advance(SignedDuration::from_mins(20));
    let role = t
        .patch(
            &format!("/api/v1/users/{}", ana.id),
            json!({ "role": "supervisor" }),
            &admin,
        )
        .await;
    assert_eq!(
        role.error_code(),
        "reauthentication_required",
        "{}",
        role.text
    );
}

#[tokio::test]
async fn admin_resets_two_factor_of_a_user_who_lost_the_phone() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let (s, _) = sign_in(&t, "ana@x.test").await;
    enrol(&t, &s).await;
    let (_, admin) = t.token_for("root@x.test", "admin").await;
    let path = format!("/api/v1/users/{}/totp", ana.id);
    let res = t.request(http::Method::DELETE, &path, None, &admin).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_eq!(
        t.get("/api/v1/me", &s).await.status,
        StatusCode::UNAUTHORIZED,
        "signed out"
    );
    let (_, stage) = sign_in(&t, "ana@x.test").await;
    assert_eq!(stage, "full");
    let again = t.request(http::Method::DELETE, &path, None, &admin).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let audit = t.get("/api/v1/audit?kind=totp.reset", &admin).await;
    let e = &audit.body["items"][0];
    assert_eq!(e["target"], format!("user:{}", ana.id));
    assert_eq!(e["before"]["totp"], true);
    assert_eq!(e["after"]["totp"], false);
}

#[tokio::test]
async fn the_audit_log_keeps_its_contract_and_before_after() {
    let t = TestApp::new().await;
    let ana = t.user("ana@x.test", "agent").await;
    let (root, admin) = t.token_for("root@x.test", "admin").await;
    let _ = t
        .post(
            "/api/v1/auth/login",
            json!({ "email": "ana@x.test", "password": "wrong password!" }),
            &Caller::Anonymous,
        )
        .await;
    sign_in(&t, "ana@x.test").await;
    let res = t
        .patch(
            &format!("/api/v1/users/{}", ana.id),
            json!({ "name": "Ana María", "phone": "+34 600 000 000" }),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let page = t
        .get("/api/v1/audit?kind=user.update&limit=5", &admin)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let e = &page.body["items"][0];
    for field in [
        "id", "at", "actor_id", "kind", "target", "before", "after", "ip",
    ] {
        assert!(e.get(field).is_some(), "{field} in {e}");
    }
    // The older fields stay.
    for field in ["action", "target_type", "target_id", "detail"] {
        assert!(e.get(field).is_some(), "{field} in {e}");
    }
    assert_eq!(e["kind"], "user.update");
    assert_eq!(e["actor_id"], root.id.get());
    assert_eq!(e["target"], format!("user:{}", ana.id));
    assert_eq!(e["before"], json!({ "name": "ana", "phone": null }));
    assert_eq!(
        e["after"],
        json!({ "name": "Ana María", "phone": "+34 600 000 000" })
    );

    // Filters: actor, kind, dates, keyset.
    let by_actor = t
        .get(&format!("/api/v1/audit?actor_id={}", ana.id), &admin)
        .await;
    assert!(
        by_actor.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_id"] == ana.id.get())
    );
    let failed = t.get("/api/v1/audit?kind=login.failed", &admin).await;
    assert_eq!(failed.body["items"].as_array().unwrap().len(), 1);
    let future = t
        .get("/api/v1/audit?from=2030-01-01T00:00:00Z", &admin)
        .await;
    assert!(future.body["items"].as_array().unwrap().is_empty());
    let past = t.get("/api/v1/audit?to=2026-01-01", &admin).await;
    assert!(past.body["items"].as_array().unwrap().is_empty());
    let today = t
        .get(
            "/api/v1/audit?from=2026-03-02&to=2026-03-03&limit=1",
            &admin,
        )
        .await;
    assert_eq!(today.body["items"].as_array().unwrap().len(), 1);
    let next = today.body["next"].as_i64().unwrap();
    let more = t
        .get(
            &format!("/api/v1/audit?from=2026-03-02&after={next}&limit=1"),
            &admin,
        )
        .await;
    assert!(more.body["items"][0]["id"].as_i64().unwrap() < next);
    let bad = t.get("/api/v1/audit?from=yesterday", &admin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, agent) = t.token_for("bob@x.test", "agent").await;
    assert_eq!(
        t.get("/api/v1/audit", &agent).await.status,
        StatusCode::FORBIDDEN
    );

    // CSV export of the same filter.
    let csv = t.get("/api/v1/audit/export?kind=user.update", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,at,actor_id,kind,target,ip,before,after,detail"
    );
    assert!(csv.text.contains("Ana María"), "{}", csv.text);
    assert_eq!(
        t.get("/api/v1/audit/export", &agent).await.status,
        StatusCode::FORBIDDEN
    );

    // Token use is audited (at most once an hour per token).
    let used = t.get("/api/v1/audit?kind=token.use", &admin).await;
    assert!(
        !used.body["items"].as_array().unwrap().is_empty(),
        "{}",
        used.text
    );

    // Append-only: the database itself refuses to change or remove an entry.
    assert_append_only(&t).await;
}

async fn assert_append_only(t: &TestApp) {
    use sqlx::Connection as _;
    if t.db.is_postgres() {
        let mut c = sqlx::PgConnection::connect(&t.db.url).await.unwrap();
        let upd = sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(&mut c)
            .await;
        assert!(upd.is_err(), "update refused");
        let del = sqlx::query("DELETE FROM audit_log").execute(&mut c).await;
        assert!(del.is_err(), "delete refused");
    } else {
        let mut c = sqlx::SqliteConnection::connect(&t.db.url).await.unwrap();
        let upd = sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(&mut c)
            .await;
        assert!(upd.is_err(), "update refused");
        let del = sqlx::query("DELETE FROM audit_log").execute(&mut c).await;
        assert!(del.is_err(), "delete refused");
    }
}

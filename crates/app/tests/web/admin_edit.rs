//! Editing existing records from the administration pages: users, organisations and
//! departments, support groups and members, categories. Each save goes through the API's
//! validation and audit; a refusal re-shows the form with what was typed and the error
//! beside its field.

use http::StatusCode;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::{CategoryId, Email, Language, UserId};
use ventanilla_store::audit::AuditFilter;
use ventanilla_testkit::TestApp;

use crate::helpers::{Browser, assert_page, desk, location};

async fn admin(t: &TestApp) -> Browser {
    t.user("admin@example.com", "admin").await;
    Browser::sign_in(t, "admin@example.com").await
}

/// The id at the end of a `/admin/{kind}/{id}?flash=saved` location.
fn saved_id(loc: &str) -> i64 {
    assert!(loc.contains("flash=saved"), "not saved: {loc}");
    loc.split('?')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {loc}"))
}

async fn new_org(t: &TestApp, admin: &Browser, name: &str, code: &str) -> i64 {
    let res = admin
        .post(t, "/admin/organisations", &[("name", name), ("code", code)])
        .await;
    saved_id(&location(&res))
}

async fn new_department(t: &TestApp, admin: &Browser, org: i64, name: &str) -> i64 {
    let org_s = org.to_string();
    let res = admin
        .post(
            t,
            "/admin/departments",
            &[("organisation_id", &org_s), ("name", name)],
        )
        .await;
    assert!(location(&res).contains("flash=saved"), "{}", res.text);
    t.app
        .store
        .departments()
        .list(
            Some(ventanilla_domain::OrganisationId(org)),
            PageRequest::new(None, None).unwrap(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.name == name)
        .unwrap()
        .id
        .get()
}

#[tokio::test]
async fn administrators_change_every_field_of_a_user() {
    let t = desk().await;
    let admin = admin(&t).await;
    let org = new_org(&t, &admin, "Andina", "AND").await;
    let dept = new_department(&t, &admin, org, "Finanzas").await;
    let res = admin
        .post(
            &t,
            "/admin/users",
            &[
                ("name", "Nina Nueva"),
                ("email", "nina@example.com"),
                ("role", "requester"),
                ("language", "es"),
                ("time_zone", "Europe/Madrid"),
            ],
        )
        .await;
    let id = saved_id(&location(&res));
    let page = admin.get(&t, &format!("/admin/users/{id}")).await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("value=\"Nina Nueva\""));
    let (org_s, dept_s) = (org.to_string(), dept.to_string());
    let res = admin
        .post(
            &t,
            &format!("/admin/users/{id}"),
            &[
                ("name", "Nina Cambiada"),
                ("email", "nina.c@example.com"),
                ("phone", "+34 600 000 000"),
                ("role", "agent"),
                ("organisation_id", &org_s),
                ("department_id", &dept_s),
                ("language", "en"),
                ("time_zone", "America/Bogota"),
                ("organisation_manager", "on"),
                // `active` unticked: the user is deactivated.
            ],
        )
        .await;
    assert_eq!(saved_id(&location(&res)), id);
    let u = t.app.store.users().get(UserId(id)).await.unwrap();
    assert_eq!(u.name, "Nina Cambiada");
    assert_eq!(u.email.as_str(), "nina.c@example.com");
    assert_eq!(u.phone.as_deref(), Some("+34 600 000 000"));
    assert_eq!(u.role, "agent");
    assert_eq!(u.organisation_id.map(|o| o.get()), Some(org));
    assert_eq!(u.department_id.map(|d| d.get()), Some(dept));
    assert_eq!(u.language, Language::En);
    assert_eq!(u.time_zone.as_str(), "America/Bogota");
    assert!(u.organisation_manager);
    assert!(!u.active);
    // The API's audit entry, recording what changed.
    let audit = t
        .app
        .store
        .audit()
        .list(
            &AuditFilter {
                action: Some("user.update".into()),
                ..AuditFilter::default()
            },
            PageRequest::new(None, None).unwrap(),
        )
        .await
        .unwrap()
        .items;
    let entry = audit.iter().find(|a| a.target_id == Some(id)).unwrap();
    assert_eq!(entry.detail["name"], "Nina Cambiada");
    assert_eq!(entry.detail["role"], "agent");
    // Saving the page unchanged changes nothing and records nothing new.
    let form = [
        ("name", "Nina Cambiada"),
        ("email", "nina.c@example.com"),
        ("phone", "+34 600 000 000"),
        ("role", "agent"),
        ("organisation_id", org_s.as_str()),
        ("department_id", dept_s.as_str()),
        ("language", "en"),
        ("time_zone", "America/Bogota"),
        ("organisation_manager", "on"),
    ];
    admin.post(&t, &format!("/admin/users/{id}"), &form).await;
    let after = t
        .app
        .store
        .audit()
        .list(
            &AuditFilter {
                action: Some("user.update".into()),
                ..AuditFilter::default()
            },
            PageRequest::new(None, None).unwrap(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(after.len(), audit.len());
}

#[tokio::test]
async fn a_refused_user_form_keeps_what_was_typed_and_shows_the_error_beside_the_field() {
    let t = desk().await;
    let admin = admin(&t).await;
    t.user("taken@example.com", "requester").await;
    let nina = t.user("nina@example.com", "requester").await;
    let path = format!("/admin/users/{}", nina.id);
    let typed = |email: &'static str, zone: &'static str| {
        vec![
            ("name", "Typed <Name>"),
            ("email", email),
            ("role", "requester"),
            ("language", "es"),
            ("time_zone", zone),
            ("active", "on"),
        ]
    };
    let res = admin
        .post(&t, &path, &typed("not-an-email", "Europe/Madrid"))
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-email-error\""), "{}", res.text);
    assert!(res.text.contains("value=\"not-an-email\""));
    assert!(res.text.contains("Typed &#60;Name&#62;") || res.text.contains("Typed &lt;Name&gt;"));
    let res = admin
        .post(&t, &path, &typed("taken@example.com", "Europe/Madrid"))
        .await;
    assert_page(&res, StatusCode::CONFLICT);
    assert!(res.text.contains("id=\"f-email-error\""));
    let res = admin
        .post(&t, &path, &typed("nina@example.com", "Mars/Olympus"))
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-time_zone-error\""));
    assert!(res.text.contains("value=\"Mars/Olympus\""));
    // Nothing was saved.
    let u = t.app.store.users().get(nina.id).await.unwrap();
    assert_eq!(u.name, "nina");
    // A department must belong to the user's organisation.
    let a = new_org(&t, &admin, "Andina", "AND").await;
    let b = new_org(&t, &admin, "Boreal", "BOR").await;
    let dept_b = new_department(&t, &admin, b, "Ventas").await;
    let (a_s, d_s) = (a.to_string(), dept_b.to_string());
    let mut fields = typed("nina@example.com", "Europe/Madrid");
    fields.push(("organisation_id", &a_s));
    fields.push(("department_id", &d_s));
    let res = admin.post(&t, &path, &fields).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-department_id-error\""));
    // A new user with a bad email: the new-user page again, as typed.
    let res = admin
        .post(
            &t,
            "/admin/users",
            &[("name", "Otro"), ("email", "nope"), ("role", "agent")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-email-error\"") && res.text.contains("value=\"Otro\""));
}

#[tokio::test]
async fn administrators_cannot_lock_themselves_out_and_set_passwords() {
    let t = desk().await;
    let admin = admin(&t).await;
    let me = t
        .app
        .store
        .users()
        .by_email(&Email::parse("admin@example.com").unwrap())
        .await
        .unwrap();
    let res = admin
        .post(
            &t,
            &format!("/admin/users/{}", me.id),
            &[
                ("name", "admin"),
                ("email", "admin@example.com"),
                ("role", "admin"),
                ("language", "es"),
                ("time_zone", "Europe/Madrid"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::CONFLICT);
    assert!(res.text.contains("id=\"form-error\""));
    assert!(t.app.store.users().get(me.id).await.unwrap().active);
    let nina = t.user("nina@example.com", "agent").await;
    // One's own password is changed with the current one, not from the admin page.
    let own = admin.get(&t, &format!("/admin/users/{}", me.id)).await;
    assert!(!own.text.contains("id=\"pw-new\""));
    let other = admin.get(&t, &format!("/admin/users/{}", nina.id)).await;
    assert!(other.text.contains("id=\"pw-new\""));
    let path = format!("/admin/users/{}/password", nina.id);
    let res = admin.post(&t, &path, &[("password", "short")]).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"pw-error\""));
    let res = admin
        .post(&t, &path, &[("password", "a brand new secret")])
        .await;
    assert!(location(&res).contains("flash=saved"));
    t.login("nina@example.com", "a brand new secret").await;
}

#[tokio::test]
async fn the_users_page_searches_and_pages() {
    let t = desk().await;
    let admin = admin(&t).await;
    t.user("zoe@example.com", "requester").await;
    t.user("yago@example.com", "agent").await;
    let page = admin.get(&t, "/admin/users?q=zoe").await;
    assert_page(&page, StatusCode::OK);
    assert!(page.text.contains("zoe@example.com"));
    assert!(!page.text.contains("yago@example.com"));
    let page = admin.get(&t, "/admin/users?role=agent").await;
    assert!(page.text.contains("yago@example.com") && !page.text.contains("zoe@example.com"));
    for i in 0..55 {
        t.user(&format!("bulk{i}@example.com"), "requester").await;
    }
    let page = admin.get(&t, "/admin/users").await;
    assert!(page.text.contains("rel=\"next\""));
}

#[tokio::test]
async fn administrators_edit_organisations_and_departments() {
    let t = desk().await;
    let admin = admin(&t).await;
    let org = new_org(&t, &admin, "Andina", "AND").await;
    new_org(&t, &admin, "Boreal", "BOR").await;
    let path = format!("/admin/organisations/{org}");
    let res = admin
        .post(
            &t,
            &path,
            &[("name", "Andina SA"), ("code", "BOR"), ("active", "on")],
        )
        .await;
    assert_page(&res, StatusCode::CONFLICT);
    assert!(res.text.contains("value=\"Andina SA\""));
    assert!(res.text.contains("id=\"form-error\"") || res.text.contains("id=\"f-code-error\""));
    let res = admin
        .post(&t, &path, &[("name", "Andina SA"), ("code", "ANS")])
        .await;
    assert!(location(&res).contains("flash=saved"));
    let o = t
        .app
        .store
        .organisations()
        .get(ventanilla_domain::OrganisationId(org))
        .await
        .unwrap();
    assert_eq!(
        (o.name.as_str(), o.code.as_deref(), o.active),
        ("Andina SA", Some("ANS"), false)
    );
    // Departments: a blank name is refused beside the field on the organisation's page.
    let org_s = org.to_string();
    let res = admin
        .post(
            &t,
            "/admin/departments",
            &[("organisation_id", &org_s), ("name", " ")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"nd-name-error\""));
    let dept = new_department(&t, &admin, org, "Finanzas").await;
    let page = admin.get(&t, &path).await;
    assert!(page.text.contains(&format!("/admin/departments/{dept}")));
    let dpath = format!("/admin/departments/{dept}");
    assert_page(&admin.get(&t, &dpath).await, StatusCode::OK);
    let res = admin.post(&t, &dpath, &[("name", "")]).await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-name-error\""));
    let res = admin.post(&t, &dpath, &[("name", "Tesorería")]).await;
    assert!(location(&res).contains("flash=saved"));
    let d = t
        .app
        .store
        .departments()
        .get(ventanilla_domain::DepartmentId(dept))
        .await
        .unwrap();
    assert_eq!(d.name, "Tesorería");
}

#[tokio::test]
async fn administrators_edit_groups_and_their_members() {
    let t = desk().await;
    let admin = admin(&t).await;
    let agent = t.user("agent@example.com", "agent").await;
    let ana = t.user("ana@example.com", "requester").await;
    let res = admin
        .post(&t, "/admin/groups", &[("name", "Redes"), ("tier", "L2")])
        .await;
    let gid = saved_id(&location(&res));
    let path = format!("/admin/groups/{gid}");
    let res = admin
        .post(
            &t,
            &path,
            &[
                ("name", "Redes y comunicaciones"),
                ("tier", "L3"),
                ("email", "not mail"),
                ("active", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-email-error\""));
    assert!(res.text.contains("value=\"Redes y comunicaciones\""));
    let res = admin
        .post(
            &t,
            &path,
            &[
                ("name", "Redes y comunicaciones"),
                ("tier", "L3"),
                ("description", "Routers and the WAN"),
                ("email", "redes@example.com"),
            ],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    let g = t
        .app
        .store
        .groups()
        .get(ventanilla_domain::GroupId(gid))
        .await
        .unwrap();
    assert_eq!(g.name, "Redes y comunicaciones");
    assert_eq!(g.tier.code(), "L3");
    assert_eq!(g.description.as_deref(), Some("Routers and the WAN"));
    assert_eq!(g.email.as_deref(), Some("redes@example.com"));
    assert!(!g.active);
    // Members: add, make supervisor, remove; a requester cannot join.
    let gid_s = gid.to_string();
    let (agent_s, ana_s) = (agent.id.to_string(), ana.id.to_string());
    let res = admin
        .post(
            &t,
            "/admin/members",
            &[("group_id", &gid_s), ("user_id", &ana_s), ("back", "group")],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"am-user-error\""));
    let res = admin
        .post(
            &t,
            "/admin/members",
            &[
                ("group_id", &gid_s),
                ("user_id", &agent_s),
                ("back", "group"),
            ],
        )
        .await;
    assert!(location(&res).starts_with(&format!("/admin/groups/{gid}?flash=saved")));
    let page = admin.get(&t, &path).await;
    assert!(page.text.contains(&format!("id=\"member-{}\"", agent.id)));
    admin
        .post(
            &t,
            "/admin/members",
            &[
                ("group_id", &gid_s),
                ("user_id", &agent_s),
                ("supervisor", "on"),
                ("back", "group"),
            ],
        )
        .await;
    let members = t.app.store.groups().members(g.id).await.unwrap();
    assert!(
        members
            .iter()
            .any(|m| m.user_id == agent.id && m.supervisor)
    );
    let res = admin
        .post(
            &t,
            &format!("/admin/groups/{gid}/members/{}/remove", agent.id),
            &[],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    assert!(t.app.store.groups().members(g.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn administrators_edit_the_category_tree() {
    let t = desk().await;
    let admin = admin(&t).await;
    t.user("ana@example.com", "requester").await;
    let all = t.app.store.categories().list().await.unwrap();
    let hardware = all.iter().find(|c| c.code == "hardware").unwrap().id;
    let network = all.iter().find(|c| c.code == "network").unwrap().id;
    let hw_s = hardware.to_string();
    // A bad code: the page again, names kept, the error beside the code.
    let res = admin
        .post(
            &t,
            "/admin/categories",
            &[
                ("code", "Bad Code"),
                ("parent_id", &hw_s),
                ("name_es", "Escáner"),
                ("name_en", "Scanner"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text.contains("id=\"f-code-error\""));
    assert!(res.text.contains("value=\"Escáner\""));
    let res = admin
        .post(
            &t,
            "/admin/categories",
            &[
                ("code", "hardware.scanner"),
                ("parent_id", &hw_s),
                ("name_es", "Escáner"),
                ("name_en", "Scanner"),
            ],
        )
        .await;
    let id = saved_id(&location(&res));
    let c = t.app.store.categories().get(CategoryId(id)).await.unwrap();
    assert_eq!(c.parent_id, Some(hardware));
    // Rename, move under another parent, retire.
    let net_s = network.to_string();
    let res = admin
        .post(
            &t,
            &format!("/admin/categories/{id}"),
            &[
                ("parent_id", &net_s),
                ("name_es", "Escáner de red"),
                ("name_en", "Network scanner"),
            ],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    let c = t.app.store.categories().get(CategoryId(id)).await.unwrap();
    assert_eq!(
        (c.name_es.as_str(), c.name_en.as_str()),
        ("Escáner de red", "Network scanner")
    );
    assert_eq!(c.parent_id, Some(network));
    assert!(!c.active);
    // A retired category is not offered on new tickets, but is still listed for the admin.
    let ana = Browser::sign_in(&t, "ana@example.com").await;
    let form = ana.get(&t, "/portal/new?kind=incident").await;
    assert!(!form.text.contains("Escáner de red"));
    assert!(
        admin
            .get(&t, "/admin")
            .await
            .text
            .contains("Escáner de red")
    );
    // A parent that would make a cycle is refused beside the field.
    let id_s = id.to_string();
    let res = admin
        .post(
            &t,
            &format!("/admin/categories/{network}"),
            &[
                ("parent_id", &id_s),
                ("name_es", "Red"),
                ("name_en", "Network"),
                ("active", "on"),
            ],
        )
        .await;
    assert_page(&res, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"f-parent_id-error\""),
        "{}",
        res.text
    );
    // The edit page does not offer the category itself or its descendants as parents.
    let page = admin.get(&t, &format!("/admin/categories/{network}")).await;
    assert!(!page.text.contains(&format!("<option value=\"{id}\"")));
    assert!(!page.text.contains(&format!("<option value=\"{network}\"")));
    // Saving a category unchanged writes nothing to the audit log.
    let updates = || async {
        t.app
            .store
            .audit()
            .list(
                &AuditFilter {
                    action: Some("category.update".into()),
                    ..AuditFilter::default()
                },
                PageRequest::new(None, None).unwrap(),
            )
            .await
            .unwrap()
            .items
            .len()
    };
    let before = updates().await;
    let res = admin
        .post(
            &t,
            &format!("/admin/categories/{id}"),
            &[
                ("parent_id", &net_s),
                ("name_es", "Escáner de red"),
                ("name_en", "Network scanner"),
            ],
        )
        .await;
    assert!(location(&res).contains("flash=saved"));
    assert_eq!(updates().await, before);
}

//! Demo data for `ventanilla demo`: two organisations with departments, L1/L2/L3 support
//! groups, agents, requesters, a supervisor and an administrator, in Spanish and English.

use ventanilla_domain::access::{ADMIN, AGENT, REQUESTER, SUPERVISOR};
use ventanilla_domain::directory::{NewDepartment, NewGroup, NewOrganisation, NewUser};
use ventanilla_domain::{DepartmentId, Email, Language, OrganisationId, Text, Tier, TimeZoneName};
use ventanilla_store::audit::NewAudit;

use crate::App;

/// Every demo account shares this password (it is printed by `ventanilla demo`).
pub const DEMO_PASSWORD: &str = "ventanilla-demo";

/// A sign-in printed for the person trying the demo.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
    pub name: &'static str,
}

struct Person {
    email: &'static str,
    name: &'static str,
    role: &'static str,
    org: usize,
    dept: Option<usize>,
    lang: Language,
    tz: &'static str,
    manager: bool,
    groups: &'static [(usize, bool)],
}

const ORGS: [(&str, &str, &[&str]); 2] = [
    (
        "Ventanilla Demo S.A.",
        "VDEMO",
        &["Tecnología", "Finanzas", "Recursos Humanos", "Operaciones"],
    ),
    ("Cliente Andino Ltda.", "ANDINO", &["Ventas", "Logística"]),
];

const GROUPS: [(&str, Tier, &str); 4] = [
    (
        "Mesa de Servicio",
        Tier::L1,
        "Primer nivel: registro, diagnóstico inicial y resolución en el primer contacto.",
    ),
    (
        "Soporte de Aplicaciones",
        Tier::L2,
        "Segundo nivel: aplicaciones de negocio, correo y ofimática.",
    ),
    (
        "Infraestructura y Redes",
        Tier::L3,
        "Tercer nivel: servidores, redes, seguridad y bases de datos.",
    ),
    (
        "Proveedor de Impresión",
        Tier::L3,
        "Proveedor externo: mantenimiento de impresoras y escáneres.",
    ),
];

const PEOPLE: &[Person] = &[
    Person {
        email: "admin@ventanilla.test",
        name: "Alicia Administradora",
        role: ADMIN,
        org: 0,
        dept: Some(0),
        lang: Language::Es,
        tz: "Europe/Madrid",
        manager: false,
        groups: &[],
    },
    Person {
        email: "supervisora@ventanilla.test",
        name: "Sofía Supervisora",
        role: SUPERVISOR,
        org: 0,
        dept: Some(0),
        lang: Language::Es,
        tz: "Europe/Madrid",
        manager: false,
        groups: &[(0, true), (1, true), (2, true)],
    },
    Person {
        email: "agente1@ventanilla.test",
        name: "Andrés Agente",
        role: AGENT,
        org: 0,
        dept: Some(0),
        lang: Language::Es,
        tz: "Europe/Madrid",
        manager: false,
        groups: &[(0, false)],
    },
    Person {
        email: "agent2@ventanilla.test",
        name: "Amy Agent",
        role: AGENT,
        org: 0,
        dept: Some(0),
        lang: Language::En,
        tz: "America/New_York",
        manager: false,
        groups: &[(0, false)],
    },
    Person {
        email: "aplicaciones@ventanilla.test",
        name: "Beatriz Especialista",
        role: AGENT,
        org: 0,
        dept: Some(0),
        lang: Language::Es,
        tz: "Europe/Madrid",
        manager: false,
        groups: &[(1, false)],
    },
    Person {
        email: "redes@ventanilla.test",
        name: "Carlos Redes",
        role: AGENT,
        org: 0,
        dept: Some(0),
        lang: Language::Es,
        tz: "America/Bogota",
        manager: false,
        groups: &[(2, false)],
    },
    Person {
        email: "tecnico@impresion.test",
        name: "Pedro Proveedor",
        role: AGENT,
        org: 0,
        dept: None,
        lang: Language::Es,
        tz: "America/Mexico_City",
        manager: false,
        groups: &[(3, false)],
    },
    Person {
        email: "usuario@ventanilla.test",
        name: "Ulises Usuario",
        role: REQUESTER,
        org: 0,
        dept: Some(1),
        lang: Language::Es,
        tz: "Europe/Madrid",
        manager: false,
        groups: &[],
    },
    Person {
        email: "rrhh@ventanilla.test",
        name: "Rosa Recursos",
        role: REQUESTER,
        org: 0,
        dept: Some(2),
        lang: Language::Es,
        tz: "Europe/Madrid",
        manager: false,
        groups: &[],
    },
    Person {
        email: "ops@ventanilla.test",
        name: "Oliver Operations",
        role: REQUESTER,
        org: 0,
        dept: Some(3),
        lang: Language::En,
        tz: "Europe/London",
        manager: false,
        groups: &[],
    },
    Person {
        email: "gerente@andino.test",
        name: "Gabriela Gerente",
        role: REQUESTER,
        org: 1,
        dept: Some(0),
        lang: Language::Es,
        tz: "America/Bogota",
        manager: true,
        groups: &[],
    },
    Person {
        email: "ventas@andino.test",
        name: "Valentina Ventas",
        role: REQUESTER,
        org: 1,
        dept: Some(0),
        lang: Language::Es,
        tz: "America/Bogota",
        manager: false,
        groups: &[],
    },
    Person {
        email: "logistics@andino.test",
        name: "Liam Logistics",
        role: REQUESTER,
        org: 1,
        dept: Some(1),
        lang: Language::En,
        tz: "America/Bogota",
        manager: false,
        groups: &[],
    },
];

/// Fills an empty database with the demo directory. Returns the sign-ins to print.
pub async fn seed(app: &App) -> anyhow::Result<Vec<DemoLogin>> {
    let now = app.now();
    let audit = |action: &str| NewAudit::new(now, None, action, Some("demo".into()));
    let mut orgs: Vec<(OrganisationId, Vec<DepartmentId>)> = Vec::new();
    for (name, code, depts) in ORGS {
        let org = app
            .store
            .organisations()
            .create(
                &NewOrganisation::parse(name, Some(code))?,
                &audit("organisation.create"),
            )
            .await?;
        let mut ids = Vec::new();
        for d in depts {
            let new = NewDepartment {
                organisation_id: org.id,
                name: Text::parse("name", d, 200)?,
            };
            ids.push(
                app.store
                    .departments()
                    .create(&new, &audit("department.create"))
                    .await?
                    .id,
            );
        }
        orgs.push((org.id, ids));
    }
    let mut groups = Vec::new();
    for (name, tier, description) in GROUPS {
        let new = NewGroup {
            name: Text::parse("name", name, 200)?,
            tier,
            description: Some(Text::parse("description", description, 2000)?),
            email: None,
        };
        groups.push(
            app.store
                .groups()
                .create(&new, &audit("group.create"))
                .await?
                .id,
        );
    }
    // One hash for every demo account: hashing a dozen times would only slow the start.
    let hash = app.passwords.hash(DEMO_PASSWORD.to_owned()).await?;
    let mut logins = Vec::new();
    for p in PEOPLE {
        let role = app.store.roles().by_name(p.role).await?;
        let (org, depts) = &orgs[p.org];
        let new = NewUser {
            email: Email::parse(p.email)?,
            name: Text::parse("name", p.name, 200)?,
            phone: None,
            organisation_id: Some(*org),
            department_id: p.dept.map(|d| depts[d]),
            language: p.lang,
            time_zone: TimeZoneName::parse(p.tz)?,
            role_id: role.id,
            organisation_manager: p.manager,
            password_hash: Some(hash.clone()),
        };
        let user = app
            .store
            .users()
            .create(&new, &audit("user.create"))
            .await?;
        for (g, supervisor) in p.groups {
            app.store
                .groups()
                .put_member(groups[*g], user.id, *supervisor, &audit("group.member.put"))
                .await?;
        }
        logins.push(DemoLogin {
            role: p.role,
            email: p.email,
            name: p.name,
        });
    }
    Ok(logins)
}

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

/// A Madrid office calendar (Spanish national holidays), a 24×7 one, and an SLA policy per
/// priority, so demo tickets run their clocks.
async fn seed_sla(app: &App) -> anyhow::Result<()> {
    use ventanilla_domain::sla::{CalendarSpec, SlaActions, SlaPolicy, SlaPolicySpec};
    let audit = NewAudit::new(app.now(), None, "calendar.create", Some("demo".into()));
    let holidays: Vec<serde_json::Value> = [
        "01-01", "01-06", "05-01", "08-15", "10-12", "11-01", "12-06", "12-08", "12-25",
    ]
    .iter()
    .map(|d| serde_json::json!({ "date": format!("2026-{d}"), "yearly": true }))
    .collect();
    let office: CalendarSpec = serde_json::from_value(serde_json::json!({
        "time_zone": "Europe/Madrid",
        "weekly": { "mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
                    "thu": [["09:00", "18:00"]], "fri": [["09:00", "15:00"]] },
        "holidays": holidays
    }))?;
    let office = app
        .store
        .sla()
        .put_calendar(None, "Oficina Madrid", &office, &audit)
        .await?;
    let day = serde_json::json!([["00:00", "24:00"]]);
    let always: CalendarSpec =
        serde_json::from_value(serde_json::json!({ "time_zone": "UTC", "weekly": {
        "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day } }))?;
    let always = app
        .store
        .sla()
        .put_calendar(None, "24x7", &always, &audit)
        .await?;
    for (priority, cal, response, resolution) in [
        ("critical", always.id, "PT15M", "PT4H"),
        ("high", office.id, "PT1H", "PT8H"),
        ("medium", office.id, "PT4H", "PT24H"),
        ("low", office.id, "PT8H", "PT40H"),
        ("informational", office.id, "PT24H", "PT80H"),
    ] {
        let spec: SlaPolicySpec = serde_json::from_value(serde_json::json!({
            "name": format!("SLA {priority}"), "priority": priority, "calendar_id": cal,
            "targets": { "first_response": response, "resolution": resolution } }))?;
        let entry = NewAudit::new(app.now(), None, "sla_policy.create", Some("demo".into()));
        app.store
            .sla()
            .put_policy(
                None,
                &SlaPolicy::new(spec)?,
                &SlaActions::standard(),
                true,
                &entry,
            )
            .await?;
    }
    Ok(())
}

/// A few demo tickets in several states of the service model, so the desk is not empty.
pub async fn seed_tickets(app: &App) -> anyhow::Result<usize> {
    seed_sla(app).await?;
    use ventanilla_domain::ticket::{
        ActorKind, Channel, Impact, KeyFacts, NewTicket, Status, TicketKind, TransitionFields,
        TransitionRequest, Urgency,
    };
    let store = &app.store;
    let m = crate::desk::tickets::matrix::load(store).await?;
    let user = |email: &str| {
        let email = Email::parse(email);
        async move { Ok::<_, anyhow::Error>(store.users().by_email(&email?).await?) }
    };
    let agent = user("agente1@ventanilla.test").await?;
    let l1 = store
        .groups()
        .list(
            &Default::default(),
            ventanilla_domain::directory::PageRequest::new(None, Some(10))?,
        )
        .await?;
    let group_of = |tier: Tier| {
        l1.items
            .iter()
            .find(|(g, _)| g.tier == tier)
            .map(|(g, _)| (g.id, g.tier))
    };
    let categories = store.categories().list().await?;
    let cat = |code: &str| categories.iter().find(|c| c.code == code).map(|c| c.id);
    // (requester, kind, subject, description, impact, urgency, category, steps to walk)
    // (requester, kind, subject, description, impact, urgency, category, steps to walk)
    type Plan<'a> = (
        &'a str,
        TicketKind,
        &'a str,
        &'a str,
        Impact,
        Urgency,
        &'a str,
        &'a [Status],
    );
    let plan: [Plan; 6] = [
        (
            "usuario@ventanilla.test",
            TicketKind::Incident,
            "No puedo imprimir en la 2ª planta",
            "La impresora HP de la segunda planta no responde desde esta mañana.",
            Impact::Medium,
            Urgency::High,
            "hardware",
            &[],
        ),
        (
            "rrhh@ventanilla.test",
            TicketKind::ServiceRequest,
            "Alta de nueva empleada en nóminas",
            "Incorporación el lunes: cuenta, correo y acceso a la aplicación de nóminas.",
            Impact::Low,
            Urgency::Medium,
            "service_request",
            &[Status::Analysis],
        ),
        (
            "ops@ventanilla.test",
            TicketKind::Incident,
            "VPN drops every few minutes",
            "Since the update the VPN client disconnects every 5 minutes.",
            Impact::Medium,
            Urgency::Medium,
            "network",
            &[Status::Analysis, Status::Solution],
        ),
        (
            "ventas@andino.test",
            TicketKind::Incident,
            "El CRM va muy lento",
            "Las búsquedas de clientes tardan más de un minuto.",
            Impact::High,
            Urgency::Medium,
            "performance",
            &[Status::Analysis, Status::Pending],
        ),
        (
            "gerente@andino.test",
            TicketKind::Incident,
            "Correo rebotado a clientes",
            "Los correos a dominios externos vuelven con error 550.",
            Impact::High,
            Urgency::High,
            "software",
            &[Status::Analysis, Status::Solution, Status::Validation],
        ),
        (
            "logistics@andino.test",
            TicketKind::ServiceRequest,
            "New laptop for the warehouse",
            "The warehouse needs a laptop for the new scanner.",
            Impact::Low,
            Urgency::Low,
            "hardware",
            &[
                Status::Analysis,
                Status::Solution,
                Status::Validation,
                Status::Survey,
                Status::Review,
            ],
        ),
    ];
    let now = app.now();
    let sla_ctx = crate::desk::tickets::sla::SlaContext::load(store).await?;
    let mut count = 0;
    for (email, kind, subject, description, impact, urgency, category, steps) in plan {
        let requester = user(email).await?;
        let (group_id, tier) = group_of(Tier::L1).map_or((None, None), |(g, t)| (Some(g), Some(t)));
        let new = NewTicket {
            kind,
            subject: Text::parse("subject", subject, 250)?,
            description: Text::parse("description", description, 100_000)?,
            requester_id: requester.id,
            organisation_id: requester.organisation_id,
            channel: Channel::Portal,
            ci_ref: None,
            category_id: cat(category),
            impact,
            urgency,
            priority: m.get(impact, urgency),
            priority_override_reason: None,
            group_id,
            assignee_id: (!steps.is_empty()).then_some(agent.id),
            tier,
            facts: KeyFacts::default(),
            sla: Default::default(),
        };
        let mut new = new;
        new.sla = crate::desk::tickets::sla::initial(&new, &sla_ctx, now);
        let (ticket, _) = store
            .tickets()
            .create(&new, Some(requester.id), now, None, &[])
            .await?;
        for to in steps {
            let fields = TransitionFields {
                reason: (*to == Status::Pending)
                    .then(|| {
                        Text::parse("reason", "Esperando respuesta del proveedor del CRM", 200)
                    })
                    .transpose()?,
                resolution_code: (*to == Status::Validation)
                    .then(|| Text::parse("resolution_code", "config_fixed", 100))
                    .transpose()?,
                resolution: (*to == Status::Validation)
                    .then(|| Text::parse("resolution", "Corregida la configuración.", 1000))
                    .transpose()?,
                summary: None,
            };
            let (by, actor, request) = match to {
                Status::Survey => (
                    ActorKind::Requester,
                    requester.id,
                    TransitionRequest::Confirm {
                        solved: true,
                        reason: None,
                    },
                ),
                Status::Review => (
                    ActorKind::Requester,
                    requester.id,
                    TransitionRequest::SurveySubmitted,
                ),
                _ => (
                    ActorKind::Agent,
                    agent.id,
                    TransitionRequest::MoveTo { to: *to, fields },
                ),
            };
            crate::desk::tickets::lifecycle::apply(
                app,
                ticket.id,
                None,
                Some(actor),
                by,
                &request,
                |_| Vec::new(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo ticket {}: {e}", ticket.number))?;
        }
        count += 1;
    }
    Ok(count)
}

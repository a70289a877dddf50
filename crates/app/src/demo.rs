//! Demo data for `ventanilla demo`: two organisations with departments, L1/L2/L3 support
//! groups, agents, requesters, a supervisor and an administrator, in Spanish and English.

use ventanilla_domain::access::{ADMIN, AGENT, REQUESTER, SUPERVISOR};
use ventanilla_domain::directory::{NewDepartment, NewGroup, NewOrganisation, NewUser};
use ventanilla_domain::ticket::{
    ActorKind, Channel, Impact, KeyFacts, NewTicket, Status, TicketKind, TransitionFields,
    TransitionRequest, Urgency,
};
use ventanilla_domain::{
    DepartmentId, Email, Language, OrganisationId, Text, Tier, TimeZoneName, UserId,
};
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
    /// Where the account works: "L1 Mesa de Servicio", "supplier Proveedor de Impresión",
    /// "supervisor L1 L2 L3"; empty for requesters and the administrator.
    pub desk: String,
}

/// The index in `GROUPS` of the external supplier (an L3 group run by another company).
const SUPPLIER_GROUP: usize = 3;

/// What the sign-in listing says about a person's groups: the level (or "supplier") and
/// the group's name, so whoever tries the demo knows whom to sign in as for each tier.
fn desk_of(p: &Person) -> String {
    if p.groups.iter().any(|(_, supervisor)| *supervisor) {
        let tiers: Vec<&str> = p.groups.iter().map(|(g, _)| GROUPS[*g].1.code()).collect();
        return format!("supervisor {}", tiers.join(" "));
    }
    p.groups
        .iter()
        .map(|(g, _)| {
            let (name, tier, _) = GROUPS[*g];
            let level = if *g == SUPPLIER_GROUP {
                "supplier"
            } else {
                tier.code()
            };
            format!("{level} {name}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

struct Person {
    email: &'static str,
    name: &'static str,
    role: &'static str,
    org: usize,
    dept: Option<usize>,
    lang: Language,
    /// `None`: the desk's default time zone (`defaults.time_zone`).
    tz: Option<&'static str>,
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
        tz: None,
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
        tz: None,
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
        tz: None,
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
        tz: Some("America/New_York"),
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
        tz: None,
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
        tz: Some("America/Bogota"),
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
        tz: Some("America/Mexico_City"),
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
        tz: None,
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
        tz: None,
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
        tz: Some("Europe/London"),
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
        tz: Some("America/Bogota"),
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
        tz: Some("America/Bogota"),
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
        tz: Some("America/Bogota"),
        manager: false,
        groups: &[],
    },
];

/// The demo's audit entries: at `now`, from "demo".
fn demo_audit(now: jiff::Timestamp, action: &str) -> NewAudit {
    NewAudit::new(now, None, action, Some("demo".into()))
}

/// Fills an empty database with the demo directory. Returns the sign-ins to print.
pub async fn seed(app: &App) -> anyhow::Result<Vec<DemoLogin>> {
    let now = app.now();
    let orgs = seed_organisations(app, now).await?;
    let groups = seed_groups(app, now).await?;
    let audit = |action: &str| demo_audit(now, action);
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
            time_zone: match p.tz {
                Some(z) => TimeZoneName::parse(z)?,
                None => app.config.defaults.time_zone()?,
            },
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
            desk: desk_of(p),
        });
    }
    Ok(logins)
}

/// The demo organisations and their departments' ids, in `ORGS` order.
async fn seed_organisations(
    app: &App,
    now: jiff::Timestamp,
) -> anyhow::Result<Vec<(OrganisationId, Vec<DepartmentId>)>> {
    let audit = |action: &str| demo_audit(now, action);
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
    Ok(orgs)
}

/// The demo support groups' ids, in `GROUPS` order.
async fn seed_groups(
    app: &App,
    now: jiff::Timestamp,
) -> anyhow::Result<Vec<ventanilla_domain::GroupId>> {
    let audit = |action: &str| demo_audit(now, action);
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
    Ok(groups)
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
    // The office keeps the desk's default time zone, as its people do.
    let office: CalendarSpec = serde_json::from_value(serde_json::json!({
        "time_zone": app.config.defaults.time_zone,
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

/// A demo ticket and the steps of the service model it is walked through.
struct DemoTicket {
    requester: &'static str,
    kind: TicketKind,
    subject: &'static str,
    description: &'static str,
    impact: Impact,
    urgency: Urgency,
    category: &'static str,
    steps: &'static [Status],
}

const DEMO_TICKETS: [DemoTicket; 6] = [
    DemoTicket {
        requester: "usuario@ventanilla.test",
        kind: TicketKind::Incident,
        subject: "No puedo imprimir en la 2ª planta",
        description: "La impresora HP de la segunda planta no responde desde esta mañana.",
        impact: Impact::Medium,
        urgency: Urgency::High,
        category: "hardware",
        steps: &[],
    },
    DemoTicket {
        requester: "rrhh@ventanilla.test",
        kind: TicketKind::ServiceRequest,
        subject: "Alta de nueva empleada en nóminas",
        description: "Incorporación el lunes: cuenta, correo y acceso a la aplicación de nóminas.",
        impact: Impact::Low,
        urgency: Urgency::Medium,
        category: "service_request",
        steps: &[Status::Analysis],
    },
    DemoTicket {
        requester: "ops@ventanilla.test",
        kind: TicketKind::Incident,
        subject: "VPN drops every few minutes",
        description: "Since the update the VPN client disconnects every 5 minutes.",
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        category: "network",
        steps: &[Status::Analysis, Status::Solution],
    },
    DemoTicket {
        requester: "ventas@andino.test",
        kind: TicketKind::Incident,
        subject: "El CRM va muy lento",
        description: "Las búsquedas de clientes tardan más de un minuto.",
        impact: Impact::High,
        urgency: Urgency::Medium,
        category: "performance",
        steps: &[Status::Analysis, Status::Pending],
    },
    DemoTicket {
        requester: "gerente@andino.test",
        kind: TicketKind::Incident,
        subject: "Correo rebotado a clientes",
        description: "Los correos a dominios externos vuelven con error 550.",
        impact: Impact::High,
        urgency: Urgency::High,
        category: "software",
        steps: &[Status::Analysis, Status::Solution, Status::Validation],
    },
    DemoTicket {
        requester: "logistics@andino.test",
        kind: TicketKind::ServiceRequest,
        subject: "New laptop for the warehouse",
        description: "The warehouse needs a laptop for the new scanner.",
        impact: Impact::Low,
        urgency: Urgency::Low,
        category: "hardware",
        steps: &[
            Status::Analysis,
            Status::Solution,
            Status::Validation,
            Status::Survey,
            Status::Review,
        ],
    },
];

/// A few demo tickets in several states of the service model, so the desk is not empty.
pub async fn seed_tickets(app: &App) -> anyhow::Result<usize> {
    seed_sla(app).await?;
    let store = &app.store;
    let m = crate::desk::tickets::matrix::load(store).await?;
    let agent = demo_user(app, "agente1@ventanilla.test").await?;
    let groups = store
        .groups()
        .list(
            &Default::default(),
            ventanilla_domain::directory::PageRequest::new(None, Some(10))?,
        )
        .await?;
    let (group_id, tier) = groups
        .items
        .iter()
        .find(|(g, _)| g.tier == Tier::L1)
        .map_or((None, None), |(g, _)| (Some(g.id), Some(g.tier)));
    let categories = store.categories().list().await?;
    let now = app.now();
    let sla_ctx = crate::desk::tickets::sla::SlaContext::load(store).await?;
    let mut count = 0;
    for d in &DEMO_TICKETS {
        let requester = demo_user(app, d.requester).await?;
        let mut new = NewTicket {
            kind: d.kind,
            subject: Text::parse("subject", d.subject, 250)?,
            description: Text::parse("description", d.description, 100_000)?,
            requester_id: requester.id,
            organisation_id: requester.organisation_id,
            channel: Channel::Portal,
            ci_ref: None,
            category_id: categories
                .iter()
                .find(|c| c.code == d.category)
                .map(|c| c.id),
            impact: d.impact,
            urgency: d.urgency,
            priority: m.get(d.impact, d.urgency),
            priority_override_reason: None,
            group_id,
            assignee_id: (!d.steps.is_empty()).then_some(agent.id),
            tier,
            facts: KeyFacts::default(),
            sla: Default::default(),
        };
        new.sla = crate::desk::tickets::sla::initial(&new, &sla_ctx, now);
        let (ticket, _) = store
            .tickets()
            .create(&new, Some(requester.id), now, None, &[])
            .await?;
        for to in d.steps {
            let (by, actor, request) = demo_step(*to, requester.id, agent.id)?;
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

async fn demo_user(app: &App, email: &str) -> anyhow::Result<ventanilla_domain::directory::User> {
    Ok(app.store.users().by_email(&Email::parse(email)?).await?)
}

/// Who takes a demo ticket to `to` and how: the requester confirms and rates, the agent
/// moves it (with the reason or resolution the step needs).
fn demo_step(
    to: Status,
    requester: UserId,
    agent: UserId,
) -> anyhow::Result<(ActorKind, UserId, TransitionRequest)> {
    Ok(match to {
        Status::Survey => (
            ActorKind::Requester,
            requester,
            TransitionRequest::Confirm {
                solved: true,
                reason: None,
            },
        ),
        Status::Review => (
            ActorKind::Requester,
            requester,
            TransitionRequest::SurveySubmitted,
        ),
        _ => {
            let fields = TransitionFields {
                reason: (to == Status::Pending)
                    .then(|| {
                        Text::parse("reason", "Esperando respuesta del proveedor del CRM", 200)
                    })
                    .transpose()?,
                resolution_code: (to == Status::Validation)
                    .then(|| Text::parse("resolution_code", "config_fixed", 100))
                    .transpose()?,
                resolution: (to == Status::Validation)
                    .then(|| Text::parse("resolution", "Corregida la configuración.", 1000))
                    .transpose()?,
                summary: None,
            };
            (
                ActorKind::Agent,
                agent,
                TransitionRequest::MoveTo { to, fields },
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_says_who_works_at_which_level() {
        let desk = |email: &str| {
            PEOPLE
                .iter()
                .find(|p| p.email == email)
                .map(desk_of)
                .unwrap_or_default()
        };
        assert_eq!(desk("agente1@ventanilla.test"), "L1 Mesa de Servicio");
        assert_eq!(
            desk("aplicaciones@ventanilla.test"),
            "L2 Soporte de Aplicaciones"
        );
        assert_eq!(desk("redes@ventanilla.test"), "L3 Infraestructura y Redes");
        assert_eq!(
            desk("tecnico@impresion.test"),
            "supplier Proveedor de Impresión"
        );
        assert_eq!(desk("supervisora@ventanilla.test"), "supervisor L1 L2 L3");
        assert_eq!(desk("usuario@ventanilla.test"), "");
    }
}

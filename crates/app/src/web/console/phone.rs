//! Console extras: the "log a phone call" quick form (a ticket with channel `phone` for a
//! caller found or created by email, in one screen).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ventanilla_domain::Permission;
use ventanilla_domain::directory::PageRequest;
use ventanilla_domain::ticket::{Status, TicketKind};
use ventanilla_store::tickets::{TicketFilter, TicketSort};
use ventanilla_store::users::UserFilter;

use crate::AppState;
use crate::desk::tickets::access;
use crate::web::kit::error::WebResult;
use crate::web::kit::form::FieldErrors;
use crate::web::kit::page::{Viewer, render};
use crate::web::kit::upload::CsrfMultipart;
use crate::web::kit::view::{self, NewTicketForm};
use crate::web::portal::pages::NewPage;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CallerQuery {
    /// The caller's email (or part of a name), as a phone system's screen pop sends it.
    caller: String,
}

/// The quick form; `?caller=` (email or name) fills in a known caller and lists their open
/// tickets, so a phone system can open this page when a call comes in.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CallerQuery>,
) -> WebResult<Response> {
    viewer.auth.require(Permission::TicketsWork)?;
    let mut form = NewTicketForm::for_kind(TicketKind::Incident);
    let mut caller_tickets = Vec::new();
    let wanted = q.caller.trim();
    if !wanted.is_empty() {
        let filter = UserFilter {
            q: Some(wanted.to_owned()),
            ..UserFilter::default()
        };
        let found = state
            .store
            .users()
            .list(
                &viewer.auth.actor,
                &filter,
                PageRequest::new(None, Some(2))?,
            )
            .await?
            .items;
        form.caller_email = wanted.to_owned();
        if let [u] = found.as_slice() {
            form.caller_name = u.name.clone();
            form.caller_email = u.email.as_str().to_owned();
            form.caller_phone = u.phone.clone().unwrap_or_default();
            let filter = TicketFilter {
                requester_id: Some(u.id),
                statuses: Status::ALL
                    .iter()
                    .copied()
                    .filter(|s| !s.is_terminal())
                    .collect(),
                ..TicketFilter::default()
            };
            let scope = access::scope(&state, &viewer.caller());
            caller_tickets = state
                .store
                .tickets()
                .list(&scope, &filter, TicketSort::Newest, None, 20)
                .await?
                .items;
        }
    }
    render(&NewPage {
        c: viewer.ctx("phone-title"),
        form,
        errors: FieldErrors::default(),
        categories: view::categories(&state).await?,
        phone: true,
        caller_tickets,
        max_mb: crate::web::kit::upload::megabytes(
            viewer.lang,
            state.config.tickets.attachment_max_bytes,
        ),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    upload: CsrfMultipart<NewTicketForm>,
) -> WebResult<Response> {
    upload.viewer.auth.require(Permission::TicketsWork)?;
    let file_errors = upload.file_errors();
    let status = upload.trouble.status();
    let CsrfMultipart {
        viewer,
        form,
        files,
        ..
    } = upload;
    match view::register(&state, &viewer, &form, true, (&files, file_errors)).await? {
        Ok(t) => {
            Ok(Redirect::to(&format!("/console/tickets/{}?flash=created", t.id)).into_response())
        }
        Err(errors) => {
            let mut res = render(&NewPage {
                c: viewer.ctx("phone-title"),
                form,
                errors,
                categories: view::categories(&state).await?,
                phone: true,
                caller_tickets: Vec::new(),
                max_mb: crate::web::kit::upload::megabytes(
                    viewer.lang,
                    state.config.tickets.attachment_max_bytes,
                ),
            })?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

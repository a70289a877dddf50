//! `POST /tickets/bulk`: one change applied to many tickets (issue 17), each through its
//! one-ticket use case; every refusal is listed with its ticket and stable code.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use ventanilla_domain::Permission;

use crate::AppState;
use crate::auth::Auth;
pub use crate::desk::tickets::bulk::BulkBody;
use crate::desk::tickets::bulk::{BulkOutcome, bulk_apply};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Json;

/// One ticket that refused the change.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkRefusal {
    pub ticket_id: i64,
    /// The error code one change of that ticket would answer (`validation_locked`,
    /// `not_allowed`, `validation_failed`, `not_found`…).
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// What the bulk action did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// The tickets changed, in the order given.
    pub done: Vec<i64>,
    pub refused: Vec<BulkRefusal>,
}

impl From<BulkOutcome> for BulkResult {
    fn from(o: BulkOutcome) -> Self {
        BulkResult {
            done: o.done.iter().map(|t| t.get()).collect(),
            refused: o
                .refused
                .into_iter()
                .map(|(id, e)| {
                    let field = e.field().map(str::to_owned);
                    let app = AppError::from(e);
                    BulkRefusal {
                        ticket_id: id.get(),
                        code: app.code().to_owned(),
                        message: app.to_string(),
                        field,
                    }
                })
                .collect(),
        }
    }
}

/// Applies one change (assign, group, priority, status or a note) to up to 200 tickets.
/// Each ticket is decided on its own (access, the state machine, group membership); the
/// answer lists the tickets changed and each refusal. Staff only.
#[utoipa::path(post, path = "/tickets/bulk", tag = "tickets", request_body = BulkBody,
    responses((status = 200, body = BulkResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<BulkBody>,
) -> AppResult<Json<BulkResult>> {
    // Access before the body is judged: no refusal of a value to whom may not act.
    auth.require(Permission::TicketsWork)?;
    let (ids, action) = req.command()?;
    let out = bulk_apply(&state, &auth.caller(), &ids, &action).await?;
    Ok(Json(out.into()))
}

//! The ticket page's agent-work panel (issue 17): canned responses to insert into the reply
//! box (filled in for this ticket), macros to apply, and the form that applies one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use ventanilla_domain::ticket::Ticket;
use ventanilla_domain::{Caller, TicketId};
use ventanilla_store::canned::Pick;
use ventanilla_store::collab::{List, Listed};

use super::refuse::{FORM, Refusal, Typed, sort};
use crate::AppState;
use crate::error::AppError;
use crate::web::kit::error::{WebError, WebResult};
use crate::web::kit::form::CsrfForm;
use crate::web::kit::path::Path;

/// What the panel shows for one ticket and one agent.
#[derive(Debug, Default)]
pub struct Work {
    pub canned: Vec<Pick>,
    pub macros: Vec<Pick>,
    pub watchers: Vec<Listed>,
    pub cc: Vec<Listed>,
    /// Whether the viewer watches the ticket.
    pub watching: bool,
    /// The ticket this one was merged into, and those merged into it (id, number).
    pub merged_into: Option<(i64, String)>,
    pub merged_from: Vec<(i64, String)>,
    /// Time spent on the ticket, by agent and by kind of work.
    pub time: crate::desk::time::TicketTime,
}

/// The panel's contents for a ticket the page already loaded with the viewer's access:
/// one statement whatever the ticket.
pub async fn load(state: &AppState, caller: &Caller, t: &Ticket) -> WebResult<Work> {
    let p = state.store.collab().panel(t.id, caller.user_id()).await?;
    Ok(Work {
        canned: p.canned,
        macros: p.macros,
        watching: p.watchers.iter().any(|w| w.user_id == caller.user_id()),
        time: crate::desk::time::totals(p.minutes),
        watchers: p.watchers,
        cc: p.cc,
        merged_into: p.merged_into,
        merged_from: p.merged_from,
    })
}

/// `?canned=<id>` on the ticket page: that response filled in, for the reply box.
pub async fn prefill(
    state: &AppState,
    caller: &Caller,
    id: TicketId,
    canned: i64,
) -> WebResult<Typed> {
    let text = crate::desk::canned::render_canned(state, caller, id, canned).await?;
    Ok(Typed::new("action", &[("kind", "reply"), ("body", &text)]))
}

#[derive(Deserialize)]
pub struct MacroForm {
    macro_id: i64,
}

/// Applies the chosen macro; a refused step shows the page again saying which step and why.
pub async fn apply(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<MacroForm>,
) -> WebResult<Response> {
    let out =
        crate::desk::canned::apply_macro(&state, &viewer.caller(), TicketId(id), form.macro_id)
            .await?;
    match out {
        Ok(t) => Ok(
            Redirect::to(&format!("/console/tickets/{}?flash=macro-applied", t.id)).into_response(),
        ),
        Err(r) => {
            let lang = viewer.lang;
            let step = lang.t(&format!("macro-step-{}", r.step));
            let sorted = sort(lang, WebError::App(AppError::from(r.error)), &[])?;
            let mut refusal = Refusal {
                errors: Default::default(),
                status: sorted.status,
            };
            for (_, m) in sorted.errors.0 {
                refusal.errors.add(
                    FORM,
                    format!("{} {m}", lang.t1("macro-refused", "step", &step)),
                );
            }
            super::ticket::again_with(&state, &viewer, id, Typed::new("macro", &[]), refusal).await
        }
    }
}

#[derive(Deserialize)]
pub struct WatchForm {
    /// `on` to watch, anything else to stop.
    watch: String,
}

/// The viewer starts or stops watching the ticket.
pub async fn watch(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<WatchForm>,
) -> WebResult<Response> {
    let caller = viewer.caller();
    let me = crate::desk::collab::PersonRef {
        user_id: Some(caller.user_id().get()),
        email: None,
    };
    if form.watch == "on" {
        crate::desk::collab::add(&state, &caller, TicketId(id), List::Watchers, &me).await?;
    } else {
        crate::desk::collab::remove(
            &state,
            &caller,
            TicketId(id),
            List::Watchers,
            caller.user_id(),
        )
        .await?;
    }
    Ok(Redirect::to(&format!("/console/tickets/{id}?flash=saved")).into_response())
}

#[derive(Deserialize)]
pub struct CcForm {
    email: String,
}

/// CCs a person by e-mail; a refusal shows the page again with the address kept.
pub async fn cc(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<CcForm>,
) -> WebResult<Response> {
    let who = crate::desk::collab::PersonRef {
        user_id: None,
        email: Some(form.email.clone()),
    };
    let done =
        crate::desk::collab::add(&state, &viewer.caller(), TicketId(id), List::Cc, &who).await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/console/tickets/{id}?flash=saved")).into_response()),
        Err(e) => {
            let refusal = sort(viewer.lang, WebError::from(e), &["email"])?;
            let typed = Typed::new("cc", &[("email", &form.email)]);
            super::ticket::again_with(&state, &viewer, id, typed, refusal).await
        }
    }
}

#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

/// Merges this ticket into the one numbered in the form, then shows that one.
pub async fn merge(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<MergeForm>,
) -> WebResult<Response> {
    let caller = viewer.caller();
    let done: Result<Ticket, crate::desk::DeskError> = async {
        let into = crate::desk::collab::into_of(&state, &caller, None, Some(&form.into), "into")
            .await?
            .ok_or_else(|| ventanilla_domain::ValidationError::new("into", "is required"))?;
        crate::desk::collab::merge_ticket(&state, &caller, TicketId(id), into).await
    }
    .await;
    match done {
        Ok(t) => {
            Ok(Redirect::to(&format!("/console/tickets/{}?flash=merged", t.id)).into_response())
        }
        Err(e) => {
            let refusal = sort(viewer.lang, WebError::from(e), &["into", "into_number"])?;
            let typed = Typed::new("merge", &[("into", &form.into)]);
            super::ticket::again_with(&state, &viewer, id, typed, refusal).await
        }
    }
}

#[cfg(test)]
mod tests {
    use ventanilla_domain::Language;
    use ventanilla_domain::routing::Reason;
    use ventanilla_domain::ticket::Said;

    use crate::web::kit::i18n::Lang;

    /// Every code issue 17 records or notifies reads as words in both languages.
    #[test]
    fn every_routing_and_collaboration_code_has_words() {
        let reasons = [
            Reason::Turn,
            Reason::FewestOpen { open: 1 },
            Reason::Skills {
                matched: 2,
                open: 1,
            },
            Reason::NoSkillMatch { open: 0 },
        ];
        let mut said: Vec<Said> = Vec::new();
        for r in reasons {
            for after in [None, Some(15)] {
                said.push(Said::AutoAssigned {
                    reason: r,
                    after_minutes: after,
                });
            }
        }
        said.push(Said::MergedInto { into: "x".into() });
        said.push(Said::MergedFrom { from: "x".into() });
        let tz = jiff::tz::TimeZone::UTC;
        let mut p = ventanilla_domain::ticket::Params::new();
        for (k, v) in [("number", "INC-1"), ("subject", "s"), ("into", "INC-2")] {
            p.insert(k.into(), v.into());
        }
        for lang in [Lang(Language::Es), Lang(Language::En)] {
            for x in &said {
                let words = crate::web::kit::said::history(lang, &tz, x.code(), &x.params());
                assert!(!words.starts_with("history-"), "{}", x.code());
                assert!(!words.contains('{'), "{words}");
            }
            for kind in [
                "ticket.routed",
                "ticket.merged",
                "ticket.mentioned",
                "ticket.watched",
                "ticket.cc",
            ] {
                let words = crate::web::kit::said::notice(lang, &tz, kind, &p);
                assert!(
                    words.contains("INC-1") && words != "INC-1",
                    "{kind}: {words}"
                );
            }
            for a in super::super::availability::CHOICES {
                assert!(lang.has(&format!("availability-{a}")));
            }
        }
    }
}

//! Suggested classification learned from the desk's own history (issue 13): a naive Bayes
//! model per target (category, group) trained locally on closed tickets, one in five held
//! out to measure top-1 accuracy, then retrained on all of them. Agents see the suggestion
//! with its confidence and accept it in one step (a patch through the usual use case).
//! Retrained by a job (`classifier.train`, daily and on demand).

pub mod model;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use ventanilla_domain::{Caller, Permission, TicketId};
use ventanilla_store::classifier::{ModelInfo, Sample};

pub use model::{Guess, NaiveBayes, features};

use crate::App;
use crate::desk::tickets::access::load;
use crate::desk::tickets::patch::{UpdateTicket, patch_ticket};
use crate::desk::{DeskError, DeskResult, require};

/// The job that retrains the model.
pub const TRAIN_JOB: &str = "classifier.train";
/// Closed tickets read per page while training.
const PAGE: i64 = 5_000;

/// The two models, stored as one document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Models {
    pub category: NaiveBayes,
    pub group: NaiveBayes,
}

/// A suggestion for one ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    pub category: Option<Guess>,
    pub group: Option<Guess>,
    /// The model behind it (accuracy per ten thousand).
    pub model: Option<ModelInfo>,
}

/// The model in force, kept in memory.
pub struct ModelCache {
    ttl: Duration,
    current: RwLock<Option<(Instant, Option<Arc<Models>>)>>,
}

impl std::fmt::Debug for ModelCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ModelCache")
    }
}

impl ModelCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl: ttl.max(Duration::from_secs(60)),
            current: RwLock::new(None),
        }
    }

    pub fn clear(&self) {
        if let Ok(mut c) = self.current.write() {
            *c = None;
        }
    }

    pub async fn get(&self, app: &App) -> DeskResult<Option<Arc<Models>>> {
        if let Ok(c) = self.current.read()
            && let Some((at, m)) = c.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(m.clone());
        }
        let m = match app.store.classifier().latest_model().await? {
            Some((_, json)) => Some(Arc::new(
                serde_json::from_str::<Models>(&json).map_err(DeskError::internal)?,
            )),
            None => None,
        };
        if let Ok(mut c) = self.current.write() {
            *c = Some((Instant::now(), m.clone()));
        }
        Ok(m)
    }
}

/// Texts and labels, featurised once.
pub struct Prepared {
    pub ids: Vec<i64>,
    pub features: Vec<Vec<u32>>,
    pub categories: Vec<Option<i64>>,
    pub groups: Vec<Option<i64>>,
}

pub fn prepare(samples: &[Sample]) -> Prepared {
    Prepared {
        ids: samples.iter().map(|s| s.id).collect(),
        features: samples
            .iter()
            .map(|s| features(&format!("{} {}", s.subject, s.description)))
            .collect(),
        categories: samples.iter().map(|s| s.category_id).collect(),
        groups: samples.iter().map(|s| s.group_id).collect(),
    }
}

fn pairs<'a>(
    p: &'a Prepared,
    labels: &'a [Option<i64>],
    keep: impl Fn(i64) -> bool + 'a,
) -> impl Iterator<Item = (&'a [u32], i64)> + 'a {
    p.ids
        .iter()
        .zip(p.features.iter())
        .zip(labels.iter())
        .filter(move |((id, _), l)| l.is_some() && keep(**id))
        .map(|((_, f), l)| (f.as_slice(), l.unwrap_or_default()))
}

/// Held out: one ticket in five (by id), so the split is stable between runs.
fn held(id: i64) -> bool {
    id % 5 == 0
}

/// Trains both models: measures on the held-out fifth, then learns from everything.
pub fn fit(p: &Prepared) -> (Models, f64, f64, usize) {
    let cat = NaiveBayes::train(pairs(p, &p.categories, |id| !held(id)));
    let grp = NaiveBayes::train(pairs(p, &p.groups, |id| !held(id)));
    let cat_acc = model::accuracy(&cat, pairs(p, &p.categories, held));
    let grp_acc = model::accuracy(&grp, pairs(p, &p.groups, held));
    let n_held = p.ids.iter().filter(|id| held(**id)).count();
    let models = Models {
        category: NaiveBayes::train(pairs(p, &p.categories, |_| true)),
        group: NaiveBayes::train(pairs(p, &p.groups, |_| true)),
    };
    (models, cat_acc, grp_acc, n_held)
}

/// Retrains from every closed ticket and saves the model; returns its record.
pub async fn train(app: &App) -> DeskResult<ModelInfo> {
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut after = 0;
    loop {
        let page = app.store.classifier().samples(after, PAGE).await?;
        let Some(last) = page.last().map(|s| s.id) else {
            break;
        };
        let n = page.len();
        samples.extend(page);
        after = last;
        if n < PAGE as usize {
            break;
        }
    }
    let prepared = tokio::task::spawn_blocking(move || {
        let p = prepare(&samples);
        let fitted = fit(&p);
        let json = serde_json::to_string(&fitted.0);
        (p.ids.len(), fitted, json)
    })
    .await
    .map_err(DeskError::internal)?;
    let (n, (_, cat_acc, grp_acc, n_held), json) = prepared;
    let json = json.map_err(DeskError::internal)?;
    let per_10k = |a: f64| (a * 10_000.0).round() as i64;
    let mut info = ModelInfo {
        id: 0,
        trained_at: app.now(),
        samples: n as i64,
        held_out: n_held as i64,
        category_accuracy: per_10k(cat_acc),
        group_accuracy: per_10k(grp_acc),
        training_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    info.id = app.store.classifier().save(&info, &json).await?;
    app.classifier.clear();
    tracing::info!(
        samples = n,
        category_accuracy = cat_acc,
        group_accuracy = grp_acc,
        ms = info.training_ms,
        "classifier trained"
    );
    Ok(info)
}

/// The model in force, for the admin page (administrators).
pub async fn model_info(app: &App, caller: &Caller) -> DeskResult<Option<ModelInfo>> {
    require(caller, Permission::ConfigManage)?;
    Ok(app.store.classifier().latest_info().await?)
}

/// Queues a retraining now (administrators).
pub async fn request_training(app: &App, caller: &Caller) -> DeskResult<()> {
    require(caller, Permission::ConfigManage)?;
    let now = app.now();
    let job = ventanilla_store::jobs::NewJob::new(TRAIN_JOB, serde_json::json!({}), now)
        .dedupe(format!("{TRAIN_JOB}@{}", now.as_second()));
    app.store.jobs().enqueue(&job, now).await?;
    Ok(())
}

/// The suggestion for a ticket's text (no access check: see [`suggest_for`]).
pub async fn suggest_text(app: &App, text: &str) -> DeskResult<(Option<Guess>, Option<Guess>)> {
    let Some(m) = app.classifier.get(app).await? else {
        return Ok((None, None));
    };
    let f = features(text);
    Ok((m.category.predict(&f), m.group.predict(&f)))
}

/// What the model suggests for a ticket the caller works.
pub async fn suggest_for(app: &App, caller: &Caller, id: TicketId) -> DeskResult<Suggestion> {
    require(caller, Permission::TicketsWork)?;
    let t = load(app, caller, id).await?;
    let (category, group) = suggest_text(app, &format!("{} {}", t.subject, t.description)).await?;
    Ok(Suggestion {
        category,
        group,
        model: app.store.classifier().latest_info().await?,
    })
}

/// Applies the suggestion: one patch of category and group through the usual use case.
pub async fn accept_suggestion(
    app: &App,
    caller: &Caller,
    id: TicketId,
) -> DeskResult<ventanilla_domain::ticket::Ticket> {
    let s = suggest_for(app, caller, id).await?;
    let mut patch = UpdateTicket::default();
    if let Some(c) = s.category {
        patch.category_id = Some(Some(c.label));
    }
    if let Some(g) = s.group {
        patch.group_id = Some(Some(g.label));
    }
    let cmd = patch.command()?;
    patch_ticket(app, caller, id, None, &cmd).await
}

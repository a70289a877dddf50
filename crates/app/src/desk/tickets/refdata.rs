//! Reference data every ticket write reads — the priority matrix, the active SLA policies
//! with their calendars, and the group a ticket without one goes to — kept in memory for
//! `tickets.reference_cache_ms`. Reading them per write cost four queries per registration;
//! they change a few times a year. A change saved through this node clears the copy at once;
//! other nodes (which share only the database) pick it up when their copy expires.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ventanilla_domain::ticket::PriorityMatrix;
use ventanilla_domain::{GroupId, Tier};
use ventanilla_store::Store;

use super::sla::SlaContext;
use crate::desk::DeskResult;

/// Where a ticket registered without a group goes, with that group's tier.
pub type DefaultGroup = (Option<GroupId>, Option<Tier>);

#[derive(Debug)]
pub struct RefData {
    ttl: Duration,
    /// Bumped by every invalidation, so a load that raced a change is not kept.
    generation: AtomicU64,
    matrix: Slot<PriorityMatrix>,
    sla: Slot<SlaContext>,
    default_group: Slot<DefaultGroup>,
}

#[derive(Debug)]
struct Slot<T>(RwLock<Option<(Instant, u64, Arc<T>)>>);

impl<T> Slot<T> {
    fn new() -> Self {
        Self(RwLock::new(None))
    }

    fn fresh(&self, ttl: Duration, generation: u64) -> Option<Arc<T>> {
        let guard = self.0.read().ok()?;
        let (at, g, v) = guard.as_ref()?;
        (*g == generation && at.elapsed() < ttl).then(|| Arc::clone(v))
    }

    fn keep(&self, generation: u64, v: &Arc<T>) {
        if let Ok(mut guard) = self.0.write() {
            *guard = Some((Instant::now(), generation, Arc::clone(v)));
        }
    }
}

impl RefData {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            matrix: Slot::new(),
            sla: Slot::new(),
            default_group: Slot::new(),
        }
    }

    /// Forgets every copy: called after this node saves any of the data.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub async fn matrix(&self, store: &Store) -> DeskResult<Arc<PriorityMatrix>> {
        let g = self.generation.load(Ordering::SeqCst);
        if let Some(m) = self.matrix.fresh(self.ttl, g) {
            return Ok(m);
        }
        let m = Arc::new(super::matrix::load(store).await?);
        self.matrix.keep(g, &m);
        Ok(m)
    }

    pub async fn sla(&self, store: &Store) -> DeskResult<Arc<SlaContext>> {
        let g = self.generation.load(Ordering::SeqCst);
        if let Some(c) = self.sla.fresh(self.ttl, g) {
            return Ok(c);
        }
        let c = Arc::new(SlaContext::load(store).await?);
        self.sla.keep(g, &c);
        Ok(c)
    }

    pub async fn default_group(
        &self,
        store: &Store,
        configured: Option<i64>,
    ) -> DeskResult<DefaultGroup> {
        let g = self.generation.load(Ordering::SeqCst);
        if let Some(d) = self.default_group.fresh(self.ttl, g) {
            return Ok(*d);
        }
        let d = Arc::new(load_default_group(store, configured).await?);
        self.default_group.keep(g, &d);
        Ok(*d)
    }
}

/// `tickets.default_group_id`, or else the first active first-line (L1) group — the service
/// desk, the single point of contact — so every new ticket lands in a queue agents see.
async fn load_default_group(store: &Store, configured: Option<i64>) -> DeskResult<DefaultGroup> {
    if let Some(id) = configured {
        let g = store.groups().get(GroupId(id)).await?;
        return Ok((Some(g.id), Some(g.tier)));
    }
    let f = ventanilla_store::groups::GroupFilter {
        tier: Some(Tier::L1),
        active: Some(true),
        ..Default::default()
    };
    let page = store
        .groups()
        .list(
            &f,
            ventanilla_domain::directory::PageRequest::new(None, Some(1))?,
        )
        .await?;
    Ok(page
        .items
        .into_iter()
        .next()
        .map_or((None, None), |(g, _)| (Some(g.id), Some(g.tier))))
}

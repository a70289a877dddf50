//! Group commit for registrations. Each request validates and prepares its ticket on its own
//! task, then queues it here; one writer task takes whatever has queued meanwhile (up to
//! `MAX_BATCH`) and registers it in one transaction. With one client the queue holds one
//! ticket and nothing waits; with many, a transaction carries many tickets, so the commit
//! and the statements are paid once per burst rather than once per ticket.

use std::sync::Mutex;

use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};
use ventanilla_domain::ticket::Ticket;
use ventanilla_store::tickets::{MAX_BATCH, Registration};
use ventanilla_store::{Store, StoreError};

type Outcome = Result<(Ticket, bool), StoreError>;

struct Pending {
    reg: Registration,
    now: Timestamp,
    reply: oneshot::Sender<Outcome>,
}

/// The queue in front of the writer task, which starts with the first registration (on the
/// runtime that serves it) and ends when the [`Intake`] is dropped.
#[derive(Debug)]
pub struct Intake {
    store: Store,
    tx: mpsc::Sender<Pending>,
    rx: Mutex<Option<mpsc::Receiver<Pending>>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
    }
}

impl Intake {
    pub fn new(store: Store) -> Self {
        // Bounded: under overload, requests wait here rather than piling up in memory.
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        Self {
            store,
            tx,
            rx: Mutex::new(Some(rx)),
        }
    }

    /// Registers one ticket, in a transaction shared with whatever else is queued.
    pub async fn register(&self, reg: Registration, now: Timestamp) -> Outcome {
        self.start();
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { reg, now, reply })
            .await
            .map_err(|_| StoreError::Config("the registration writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Config("the registration writer has stopped".into()))?
    }

    fn start(&self) {
        let rx = match self.rx.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(rx) = rx {
            tokio::spawn(run(self.store.clone(), rx));
        }
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        write(&store, std::mem::take(&mut batch)).await;
    }
}

async fn write(store: &Store, batch: Vec<Pending>) {
    // One instant for the transaction: the latest of the requests' clocks.
    let now = batch
        .iter()
        .map(|p| p.now)
        .max()
        .unwrap_or_else(Timestamp::now);
    let (regs, replies): (Vec<Registration>, Vec<oneshot::Sender<Outcome>>) =
        batch.into_iter().map(|p| (p.reg, p.reply)).unzip();
    match store.tickets().create_many(&regs, now).await {
        Ok(done) => {
            for (reply, d) in replies.into_iter().zip(done) {
                // The requester may have gone away; the ticket stays registered.
                let _ = reply.send(Ok(d));
            }
        }
        Err(e) if regs.len() == 1 => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
        // One refused row (a key raced by another node, say) must not fail its neighbours:
        // each is tried alone and gets its own answer.
        Err(_) => {
            for (reg, reply) in regs.iter().zip(replies) {
                let one = store
                    .tickets()
                    .create_many(std::slice::from_ref(reg), now)
                    .await
                    .and_then(|mut v| {
                        v.pop().ok_or_else(|| {
                            StoreError::Corrupt("registration returned nothing".into())
                        })
                    });
                let _ = reply.send(one);
            }
        }
    }
}

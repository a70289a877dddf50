//! Bulk import from JSON Lines (`docs/IMPORT.md`): organisations, departments, users, support
//! groups with members, and tickets with their timelines, for desks migrating to Ventanilla
//! and for the benchmark's million tickets.
//!
//! A reader thread parses and checks lines while the database writes the previous batch.
//! Each batch is one transaction with multi-row INSERTs: a bad line (malformed, invalid
//! value, unknown reference) is reported with its number and nothing of its batch is kept;
//! batches before it stay imported, and the error says how far the import got.

mod records;
mod write;

use std::collections::HashMap;
use std::io::BufRead;

use jiff::Timestamp;
use ventanilla_domain::ticket::PriorityMatrix;
use ventanilla_domain::{TimeZoneName, textfile};

use records::Checked;
pub use records::Record;

use crate::{Store, StoreError};

/// Tickets per transaction (with their timelines).
pub const TICKETS_PER_BATCH: usize = 5_000;
/// Directory records (organisations, departments, users, groups) per transaction.
pub const RECORDS_PER_BATCH: usize = 2_000;

/// What an import fills in itself: the caller's conventions and clock, not the store's.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The time zone of a user line without one (the app's `defaults.time_zone`).
    pub time_zone: TimeZoneName,
    /// When directory records are created (`created_at` of organisations, users…).
    pub now: Timestamp,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub lines: u64,
    pub organisations: u64,
    pub departments: u64,
    pub users: u64,
    pub groups: u64,
    pub members: u64,
    pub tickets: u64,
    pub events: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A line could not be read as a valid record (malformed JSON, an unknown or invalid
    /// field): where, as an editor counts (column in characters, the byte-order mark not
    /// counted); nothing of its batch was written.
    #[error("line {line}, column {column}: {message}")]
    Input {
        line: u64,
        column: u64,
        message: String,
    },
    /// A line refers to something that does not exist; nothing of its batch was written.
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    /// The database refused a batch (e.g. a duplicate email or ticket number).
    #[error("lines {first}-{last}: {source}")]
    Batch {
        first: u64,
        last: u64,
        source: StoreError,
    },
    #[error("cannot read the import file: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An import that stopped: why, and what the batches before the error committed.
#[derive(Debug, thiserror::Error)]
#[error("{error}; lines before {resume_at} were imported ({} tickets), nothing from it on", committed.tickets)]
pub struct ImportFailed {
    pub error: ImportError,
    pub committed: ImportReport,
    /// The first line not imported: fix the file and import from here on.
    pub resume_at: u64,
}

type Batch = Vec<(u64, Checked)>;

/// The keys of this file's records and the database ids they were given.
#[derive(Default)]
struct Keys {
    organisations: HashMap<String, i64>,
    departments: HashMap<String, i64>,
    /// A user's id and organisation (a ticket without one takes its requester's).
    users: HashMap<String, (i64, Option<i64>)>,
    groups: HashMap<String, i64>,
    roles: HashMap<String, i64>,
    categories: HashMap<String, i64>,
}

impl Store {
    /// Imports every record of `input` (JSON Lines) in batches; see the module docs.
    pub async fn import<R: BufRead + Send + 'static>(
        &self,
        input: R,
        options: &ImportOptions,
    ) -> Result<ImportReport, ImportFailed> {
        let mut report = ImportReport::default();
        let fail = |error: ImportError, committed: &ImportReport, resume_at: u64| ImportFailed {
            error,
            committed: committed.clone(),
            resume_at,
        };
        let setup = async {
            let matrix: PriorityMatrix = self
                .settings()
                .get("priority_matrix")
                .await?
                .unwrap_or_default();
            let keys = write::load_keys(self).await?;
            write::begin_bulk(self).await?;
            Ok::<_, StoreError>((matrix, keys))
        };
        let (matrix, mut keys) = setup
            .await
            .map_err(|e| fail(ImportError::Store(e), &report, 1))?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Batch, ImportError>>(2);
        let zone = options.time_zone.clone();
        let reader = std::thread::spawn(move || read_batches(input, &matrix, &zone, &tx));
        let mut outcome = Ok(());
        // The first line of the next batch: where an import that stops would resume.
        let mut resume_at = 1u64;
        while let Some(batch) = rx.recv().await {
            let step = match batch {
                Ok(b) => {
                    let first = b.first().map_or(resume_at, |(l, _)| *l);
                    let last = b.last().map_or(resume_at, |(l, _)| *l);
                    let done =
                        write::write_batch(self, &mut keys, b, options.now, &mut report).await;
                    match done {
                        Ok(()) => {
                            resume_at = last + 1;
                            Ok(())
                        }
                        Err(e) => {
                            resume_at = first;
                            Err(e)
                        }
                    }
                }
                Err(e) => {
                    if let ImportError::Line { line, .. } | ImportError::Input { line, .. } = &e {
                        resume_at = *line;
                    }
                    Err(e)
                }
            };
            if let Err(e) = step {
                outcome = Err(e);
                break;
            }
        }
        drop(rx);
        let lines = reader.join().unwrap_or(0);
        write::end_bulk(self, report.tickets > 0 || report.users > 0)
            .await
            .map_err(|e| fail(ImportError::Store(e), &report, resume_at))?;
        // Imported tickets bypass the change path: the reports rollup and the agents' open
        // work (routing) are recomputed.
        if report.tickets > 0 {
            self.reports()
                .rebuild()
                .await
                .map_err(|e| fail(ImportError::Store(e), &report, resume_at))?;
            self.routing()
                .recount_load()
                .await
                .map_err(|e| fail(ImportError::Store(e), &report, resume_at))?;
        }
        outcome.map_err(|e| fail(e, &report, resume_at))?;
        report.lines = lines;
        Ok(report)
    }
}

/// Reads, parses and checks lines into batches; returns the number of lines read.
fn read_batches<R: BufRead>(
    mut input: R,
    matrix: &PriorityMatrix,
    zone: &TimeZoneName,
    out: &tokio::sync::mpsc::Sender<Result<Batch, ImportError>>,
) -> u64 {
    let mut line_no = 0u64;
    let mut buf = String::new();
    let mut batch: Batch = Vec::new();
    let mut tickets = 0usize;
    loop {
        buf.clear();
        match input.read_line(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let _ = out.blocking_send(Err(ImportError::Io(e)));
                return line_no;
            }
        }
        line_no += 1;
        // A leading byte-order mark and CRLF ends are how many editors save (textfile).
        let line = textfile::clean_line(line_no, &buf).trim_end();
        if line.trim_start().is_empty() {
            continue;
        }
        let checked = serde_json::from_str::<Record>(line)
            .map_err(|e| {
                (
                    textfile::column(line, byte_in_line(line, &e)),
                    json_message(&e),
                )
            })
            .and_then(|r| {
                r.check(matrix, zone)
                    .map_err(|e| (textfile::column_of_key(line, &e.field), e.to_string()))
            });
        match checked {
            Ok(c) => {
                let is_ticket = matches!(c, Checked::Ticket(_));
                tickets += usize::from(is_ticket);
                batch.push((line_no, c));
                if tickets >= TICKETS_PER_BATCH || (!is_ticket && batch.len() >= RECORDS_PER_BATCH)
                {
                    tickets = 0;
                    if out.blocking_send(Ok(std::mem::take(&mut batch))).is_err() {
                        return line_no;
                    }
                }
            }
            Err((column, message)) => {
                // The batch read so far is written first, so everything before the bad
                // line is imported and the error names exactly where the import stopped.
                if !batch.is_empty() && out.blocking_send(Ok(std::mem::take(&mut batch))).is_err() {
                    return line_no;
                }
                let _ = out.blocking_send(Err(ImportError::Input {
                    line: line_no,
                    column,
                    message,
                }));
                return line_no;
            }
        }
    }
    if !batch.is_empty() {
        let _ = out.blocking_send(Ok(batch));
    }
    line_no
}

/// The byte offset in `line` where serde_json stopped (its column counts bytes from 1 on a
/// one-line input; 0 when it has no position).
fn byte_in_line(line: &str, e: &serde_json::Error) -> usize {
    e.column().saturating_sub(1).min(line.len())
}

/// serde_json's message without its own " at line 1 column N" (the error says where, in the
/// file's terms).
fn json_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rsplit_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => m,
    }
}

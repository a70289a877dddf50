//! The suggestion model learned from closed tickets (issue 13): the texts and labels it is
//! trained on, read in keyset pages, and the trained models with their held-out accuracy.

use jiff::Timestamp;
use serde::Serialize;

use crate::time::{from_db, to_db};
use crate::{Result, Store};

/// A closed ticket as training sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sample {
    pub id: i64,
    pub subject: String,
    pub description: String,
    pub category_id: Option<i64>,
    pub group_id: Option<i64>,
}

/// A trained model's record (without the weights).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelInfo {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub trained_at: Timestamp,
    /// Closed tickets learned from.
    pub samples: i64,
    /// Of which held out to measure accuracy.
    pub held_out: i64,
    /// Top-1 accuracy on the held-out tickets, per ten thousand.
    pub category_accuracy: i64,
    pub group_accuracy: i64,
    pub training_ms: i64,
}

#[derive(sqlx::FromRow)]
struct InfoRow {
    id: i64,
    trained_at: i64,
    samples: i64,
    held_out: i64,
    category_accuracy: i64,
    group_accuracy: i64,
    training_ms: i64,
}

pub struct Classifier<'a>(&'a Store);

impl Store {
    pub fn classifier(&self) -> Classifier<'_> {
        Classifier(self)
    }
}

impl Classifier<'_> {
    /// Closed tickets with a category or a group, after `after` by id.
    ///
    /// Read in id order with the status checked on each ticket (demoted on SQLite,
    /// `dialect::list_demote`): closed tickets are most of a desk, and reading them by the
    /// status index sorted all of them for every batch (530 ms a batch of 5,000 at 1 M
    /// tickets, against 9 ms in id order; training reads them all).
    pub async fn samples(&self, after: i64, limit: i64) -> Result<Vec<Sample>> {
        let sql = format!(
            "SELECT id, subject, description, category_id, group_id FROM tickets
             WHERE {}status = 'closed' AND id > $1 AND (category_id IS NOT NULL OR group_id IS NOT NULL)
             ORDER BY id LIMIT $2",
            crate::dialect::list_demote(self.0.kind())
        );
        Ok(on_reader!(self.0, |db| {
            sqlx::query_as(crate::sql::trusted(&sql))
                .bind(after)
                .bind(limit)
                .fetch_all(db)
                .await?
        }))
    }

    /// Saves a trained model; the newest is the one in force.
    pub async fn save(&self, info: &ModelInfo, model: &str) -> Result<i64> {
        Ok(on_writer!(self.0, |db| {
            sqlx::query_scalar(
                "INSERT INTO classifier_models (trained_at, samples, held_out, category_accuracy, group_accuracy, training_ms, model)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(to_db(info.trained_at))
            .bind(info.samples)
            .bind(info.held_out)
            .bind(info.category_accuracy)
            .bind(info.group_accuracy)
            .bind(info.training_ms)
            .bind(model)
            .fetch_one(db)
            .await?
        }))
    }

    /// The newest model's record.
    pub async fn latest_info(&self) -> Result<Option<ModelInfo>> {
        let row: Option<InfoRow> = on_reader!(self.0, |db| {
            sqlx::query_as(
                "SELECT id, trained_at, samples, held_out, category_accuracy, group_accuracy, training_ms
                 FROM classifier_models ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(db)
            .await?
        });
        row.map(|r| {
            Ok(ModelInfo {
                id: r.id,
                trained_at: from_db(r.trained_at)?,
                samples: r.samples,
                held_out: r.held_out,
                category_accuracy: r.category_accuracy,
                group_accuracy: r.group_accuracy,
                training_ms: r.training_ms,
            })
        })
        .transpose()
    }

    /// The newest model's weights.
    pub async fn latest_model(&self) -> Result<Option<(i64, String)>> {
        Ok(on_reader!(self.0, |db| {
            sqlx::query_as("SELECT id, model FROM classifier_models ORDER BY id DESC LIMIT 1")
                .fetch_optional(db)
                .await?
        }))
    }
}

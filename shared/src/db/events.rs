//! `events`: the append-only log of what happened, followed in `(tx, seq)` order.
//!
//! `seq` alone is not a safe cursor: a transaction that took seq 10 may commit after one that took
//! seq 11, and a follower that already moved past 11 would never see 10. A reader therefore only
//! returns events of transactions below its snapshot's xmin (all of which have ended) and orders
//! them by `(tx, seq)`: any event that becomes visible later belongs to a transaction at or above
//! that xmin, so it sorts after everything already returned.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{DbError, prepare};
use crate::time::Timestamp;

/// A row of `events`.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Uuid,
    pub seq: i64,
    /// The writing transaction's id (`xid8`, as a number).
    pub tx: i64,
    pub org_id: Uuid,
    pub client_id: Option<Uuid>,
    pub kind: String,
    pub subject_id: Option<Uuid>,
    pub data: Value,
    pub occurred_at: Timestamp,
}

const COLUMNS: &str =
    "id, seq, tx::text::bigint, org_id, client_id, type, subject_id, data, occurred_at";

fn from_row(row: &tokio_postgres::Row) -> Event {
    Event {
        id: row.get(0),
        seq: row.get(1),
        tx: row.get(2),
        org_id: row.get(3),
        client_id: row.get(4),
        kind: row.get(5),
        subject_id: row.get(6),
        data: row.get(7),
        occurred_at: row.get(8),
    }
}

/// Appends an event in the caller's transaction.
pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Option<Uuid>,
    kind: &str,
    subject_id: Option<Uuid>,
    data: &Value,
) -> Result<Event, DbError> {
    let sql = format!(
        "INSERT INTO events (org_id, client_id, type, subject_id, data)
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(&st, &[&org_id, &client_id, &kind, &subject_id, data])
        .await?;
    Ok(from_row(&row))
}

/// One event of the org.
pub async fn get(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<Option<Event>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE org_id = $1 AND id = $2");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

/// Filters of `events/list`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only events after this one, in `(tx, seq)` order.
    pub after: Option<(i64, i64)>,
    pub types: Option<Vec<String>>,
    pub client_id: Option<Uuid>,
    /// Company principals see only their client's events (never org-level ones).
    pub only_client: Option<Uuid>,
}

/// Events of the org after the cursor, oldest first, stopping before any transaction that may
/// still be running.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    filter: &EventFilter,
    limit: i64,
) -> Result<Vec<Event>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events
         WHERE org_id = $1
           AND ($2::bigint IS NULL OR (tx, seq) > (($2::bigint)::text::xid8, $3::bigint))
           AND tx < pg_snapshot_xmin(pg_current_snapshot())
           AND ($4::text[] IS NULL OR type = ANY($4))
           AND ($5::uuid IS NULL OR client_id = $5)
           AND ($6::uuid IS NULL OR client_id = $6)
         ORDER BY tx, seq
         LIMIT $7"
    );
    let st = prepare(c, &sql).await?;
    let (tx, seq) = match filter.after {
        Some((t, s)) => (Some(t), Some(s)),
        None => (None, None),
    };
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &tx,
                &seq,
                &filter.types,
                &filter.client_id,
                &filter.only_client,
                &limit,
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

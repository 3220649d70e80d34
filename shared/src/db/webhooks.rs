//! `webhooks` and `webhook_deliveries`: where events are sent, and each event's delivery to each
//! webhook (one row per pair: the unique `(webhook_id, event_id)` is the deduplication).

use deadpool_postgres::GenericClient;
use serde_json::json;
use uuid::Uuid;

use super::page::{Cursor, PageRequest, clause};
use super::{DbError, prepare};
use crate::time::Timestamp;

/// A row of `webhooks` (the secret is derived, never stored; only its hash is).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: Uuid,
    pub org_id: Uuid,
    pub client_id: Option<Uuid>,
    pub url: String,
    /// Event types sent; `None` sends every type.
    pub types: Option<Vec<String>>,
    pub is_active: bool,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, org_id, client_id, url, types, is_active, created_by, created_at";

fn from_row(row: &tokio_postgres::Row) -> Webhook {
    Webhook {
        id: row.get(0),
        org_id: row.get(1),
        client_id: row.get(2),
        url: row.get(3),
        types: row.get(4),
        is_active: row.get(5),
        created_by: row.get(6),
        created_at: row.get(7),
    }
}

/// What a new webhook is; its id is chosen by the caller (the secret is derived from it).
pub struct NewWebhook<'a> {
    pub id: Uuid,
    pub client_id: Option<Uuid>,
    pub url: &'a str,
    pub types: Option<&'a [String]>,
    pub secret_hash: &'a str,
    pub created_by: Option<&'a str>,
}

pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    new: &NewWebhook<'_>,
) -> Result<Webhook, DbError> {
    let sql = format!(
        "INSERT INTO webhooks (id, org_id, client_id, url, types, secret_hash, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[
                &new.id,
                &org_id,
                &new.client_id,
                &new.url,
                &new.types,
                &new.secret_hash,
                &new.created_by,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// Active webhooks of the org, newest first.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<Webhook>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM webhooks WHERE org_id = $1 AND is_active {}",
        clause(2)
    );
    let st = prepare(c, &sql).await?;
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &page.after_created(),
                &page.after_id(),
                &page.fetch_limit(),
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

pub fn cursor(w: &Webhook) -> Cursor {
    Cursor {
        created_at: w.created_at.0,
        id: w.id,
    }
}

/// One active webhook of the org.
pub async fn get_active(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Webhook>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE org_id = $1 AND id = $2 AND is_active");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

/// Deletes a webhook (its pending deliveries go with it); `false` when there was none.
pub async fn delete(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let st = prepare(c, "DELETE FROM webhooks WHERE org_id = $1 AND id = $2").await?;
    Ok(c.execute(&st, &[&org_id, &id]).await? == 1)
}

/// Creates one delivery, and the `webhook.deliver` job that makes it, for every active webhook
/// of the org that wants this event (type and client filters). An event already delivered (or
/// being delivered) to a webhook is skipped. Returns the new jobs' ids, to enqueue after commit.
pub async fn fan_out(
    c: &impl GenericClient,
    org_id: Uuid,
    event_id: Uuid,
    event_type: &str,
    client_id: Option<Uuid>,
    job_kind: &str,
    max_attempts: i32,
) -> Result<Vec<Uuid>, DbError> {
    // Foreign keys are checked at the end of the statement, after both inserts.
    let st = prepare(
        c,
        "WITH targets AS (
             SELECT w.id AS webhook_id, gen_random_uuid() AS job_id FROM webhooks w
             WHERE w.org_id = $1 AND w.is_active
               AND (w.types IS NULL OR $3 = ANY(w.types))
               AND (w.client_id IS NULL OR w.client_id = $4)
         ), deliveries AS (
             INSERT INTO webhook_deliveries (org_id, webhook_id, event_id, job_id)
             SELECT $1, webhook_id, $2, job_id FROM targets
             ON CONFLICT (webhook_id, event_id) DO NOTHING
             RETURNING id, job_id
         )
         INSERT INTO jobs (id, org_id, client_id, kind, payload, max_attempts)
         SELECT job_id, $1, $4, $5, jsonb_build_object('delivery_id', id), $6 FROM deliveries
         RETURNING id",
    )
    .await?;
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &event_id,
                &event_type,
                &client_id,
                &job_kind,
                &max_attempts,
            ],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// A row of `webhook_deliveries`.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub job_id: Option<Uuid>,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
}

/// One delivery of the org.
pub async fn get_delivery(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Delivery>, DbError> {
    let st = prepare(
        c,
        "SELECT id, webhook_id, event_id, job_id, status::text, attempts, last_status_code
         FROM webhook_deliveries WHERE org_id = $1 AND id = $2",
    )
    .await?;
    Ok(c.query_opt(&st, &[&org_id, &id]).await?.map(|r| Delivery {
        id: r.get(0),
        webhook_id: r.get(1),
        event_id: r.get(2),
        job_id: r.get(3),
        status: r.get(4),
        attempts: r.get(5),
        last_status_code: r.get(6),
    }))
}

/// How one attempt to deliver went.
pub enum Attempt<'a> {
    Delivered {
        status_code: i32,
    },
    Refused {
        status_code: Option<i32>,
        error: &'a str,
    },
    GaveUp {
        error: &'a str,
    },
}

/// Records an attempt. A delivery that already succeeded stays succeeded.
pub async fn record_attempt(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    attempt: Attempt<'_>,
) -> Result<(), DbError> {
    let (status, code, error, counts) = match attempt {
        Attempt::Delivered { status_code } => ("succeeded", Some(status_code), None, true),
        Attempt::Refused { status_code, error } => ("pending", status_code, Some(error), true),
        Attempt::GaveUp { error } => ("failed", None, Some(error), false),
    };
    let st = prepare(
        c,
        "UPDATE webhook_deliveries SET
             status = $3::text::delivery_status,
             attempts = attempts + CASE WHEN $6 THEN 1 ELSE 0 END,
             last_status_code = coalesce($4, last_status_code),
             last_error = $5,
             next_attempt_at = now(),
             delivered_at = CASE WHEN $3 = 'succeeded' THEN now() ELSE delivered_at END
         WHERE org_id = $1 AND id = $2 AND status <> 'succeeded'",
    )
    .await?;
    c.execute(&st, &[&org_id, &id, &status, &code, &error, &counts])
        .await?;
    Ok(())
}

/// The delivery body's view of an event: `{id, org_id, client_id, type, subject_id, data,
/// occurred_at}`, the same shape `events/list` answers.
pub fn event_body(e: &super::events::Event) -> serde_json::Value {
    json!({
        "id": e.id,
        "org_id": e.org_id,
        "client_id": e.client_id,
        "type": e.kind,
        "subject_id": e.subject_id,
        "data": e.data,
        "occurred_at": e.occurred_at,
    })
}

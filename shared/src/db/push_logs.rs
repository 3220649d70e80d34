//! `crm_push_logs` and the failure ledger `crm_push_failures` (V005): one log per push (its id is
//! the push job's id, so a re-run finds it), counts on the log, every failed record in the
//! ledger with Salesforce's error.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::page::{self, PageRequest};
use super::{DbError, prepare};
use crate::time::Timestamp;

pub struct Log {
    pub id: Uuid,
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub status: String,
    pub object_type: String,
    pub records_total: i32,
    pub records_succeeded: i32,
    pub records_failed: i32,
    pub result: Option<Value>,
    pub error_message: Option<String>,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, client_id, connection_id, status::text, object_type, records_total, \
                       records_succeeded, records_failed, result, error_message, started_at, \
                       completed_at, created_at";

fn from_row(r: &tokio_postgres::Row) -> Log {
    Log {
        id: r.get(0),
        client_id: r.get(1),
        connection_id: r.get(2),
        status: r.get(3),
        object_type: r.get(4),
        records_total: r.get(5),
        records_succeeded: r.get(6),
        records_failed: r.get(7),
        result: r.get(8),
        error_message: r.get(9),
        started_at: r.get(10),
        completed_at: r.get(11),
        created_at: r.get(12),
    }
}

pub struct NewLog<'a> {
    pub id: Uuid,
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub pushed_by: Option<&'a str>,
    pub object_type: &'a str,
    pub records_total: i32,
    pub payload: Option<&'a Value>,
}

/// Starts a push log (`in_progress`), or returns the one a previous attempt of the same job
/// started.
pub async fn start(c: &impl GenericClient, org_id: Uuid, n: &NewLog<'_>) -> Result<Log, DbError> {
    let st = prepare(
        c,
        "INSERT INTO crm_push_logs (id, org_id, client_id, connection_id, pushed_by, status, \
         object_type, records_total, payload, started_at) \
         VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7, $8, now()) ON CONFLICT (id) DO NOTHING",
    )
    .await?;
    c.execute(
        &st,
        &[
            &n.id,
            &org_id,
            &n.client_id,
            &n.connection_id,
            &n.pushed_by,
            &n.object_type,
            &n.records_total,
            &n.payload,
        ],
    )
    .await?;
    get(c, org_id, n.id)
        .await?
        .ok_or_else(|| DbError::Setup("the push log vanished after its insert".into()))
}

/// The outcome of a push.
pub struct Outcome<'a> {
    pub status: &'a str,
    pub succeeded: i32,
    pub failed: i32,
    pub result: Option<&'a Value>,
    pub error_message: Option<&'a str>,
}

/// Records the outcome and `completed_at`.
pub async fn finish(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    o: &Outcome<'_>,
) -> Result<Option<Log>, DbError> {
    let sql = format!(
        "UPDATE crm_push_logs SET status = $3::text::push_status, records_succeeded = $4, \
         records_failed = $5, result = $6, error_message = $7, completed_at = now() \
         WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(
        &st,
        &[
            &org_id,
            &id,
            &o.status,
            &o.succeeded,
            &o.failed,
            &o.result,
            &o.error_message,
        ],
    )
    .await?
    .as_ref()
    .map(from_row))
}

/// A push log of the org by id.
pub async fn get(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<Option<Log>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM crm_push_logs WHERE org_id = $1 AND id = $2");
    let st = prepare(c, &sql).await?;
    Ok(c.query_opt(&st, &[&org_id, &id])
        .await?
        .as_ref()
        .map(from_row))
}

/// A client's push logs, newest first.
pub async fn history(
    c: &impl GenericClient,
    org_id: Uuid,
    client_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<Log>, DbError> {
    let sql = format!(
        "SELECT {} FROM crm_push_logs WHERE org_id = $1 AND client_id = $2 {}",
        COLUMNS.replace("result", "NULL::jsonb"),
        page::clause(3)
    );
    let st = prepare(c, &sql).await?;
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &client_id,
                &page.after_created(),
                &page.after_id(),
                &page.fetch_limit(),
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// One failed record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    pub record_index: Option<i32>,
    pub external_id: Option<String>,
    pub status_code: String,
    pub message: String,
    pub fields: Vec<String>,
}

/// Forgets the ledger of a push (a re-run of its job writes it again).
pub async fn clear_failures(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<(), DbError> {
    let st = prepare(
        c,
        "DELETE FROM crm_push_failures WHERE org_id = $1 AND push_log_id = $2",
    )
    .await?;
    c.execute(&st, &[&org_id, &id]).await?;
    Ok(())
}

/// Appends failures numbered from `first_seq`, in one statement.
pub async fn add_failures(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    first_seq: i32,
    failures: &[Failure],
) -> Result<(), DbError> {
    if failures.is_empty() {
        return Ok(());
    }
    let st = prepare(
        c,
        "INSERT INTO crm_push_failures (push_log_id, org_id, seq, record_index, external_id, \
         status_code, message, fields) \
         SELECT $2, $1, $3::int + n::int - 1, i, e, s, m, string_to_array(f, ',') \
         FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[]) \
         WITH ORDINALITY AS t(i, e, s, m, f, n)",
    )
    .await?;
    let idx: Vec<Option<i32>> = failures.iter().map(|f| f.record_index).collect();
    let ext: Vec<Option<&str>> = failures.iter().map(|f| f.external_id.as_deref()).collect();
    let codes: Vec<&str> = failures.iter().map(|f| f.status_code.as_str()).collect();
    let msgs: Vec<&str> = failures.iter().map(|f| f.message.as_str()).collect();
    let fields: Vec<String> = failures.iter().map(|f| f.fields.join(",")).collect();
    c.execute(
        &st,
        &[&org_id, &id, &first_seq, &idx, &ext, &codes, &msgs, &fields],
    )
    .await?;
    Ok(())
}

/// The first `limit` failures of a push, in ledger order.
pub async fn failures(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    limit: i64,
) -> Result<Vec<Failure>, DbError> {
    let st = prepare(
        c,
        "SELECT record_index, external_id, status_code, message, fields FROM crm_push_failures \
         WHERE org_id = $1 AND push_log_id = $2 ORDER BY seq LIMIT $3",
    )
    .await?;
    let rows = c.query(&st, &[&org_id, &id, &limit]).await?;
    Ok(rows
        .iter()
        .map(|r| Failure {
            record_index: r.get(0),
            external_id: r.get(1),
            status_code: r.get(2),
            message: r.get(3),
            fields: r.get(4),
        })
        .collect())
}

/// How many failures the ledger holds for a push.
pub async fn failure_count(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<i64, DbError> {
    let st = prepare(
        c,
        "SELECT count(*) FROM crm_push_failures WHERE org_id = $1 AND push_log_id = $2",
    )
    .await?;
    Ok(c.query_one(&st, &[&org_id, &id]).await?.get(0))
}

//! `jobs` and `idempotency_keys`: long operations as rows, and the state machine's SQL.
//!
//! `queued → running → succeeded | failed`, `running → queued` for a retry, `queued | running →
//! canceled`. A claim hands out a fresh lease token; every later write of the run names that token,
//! so a worker whose lease was taken over (or whose job was canceled) writes nothing. The
//! cross-org look-ups the worker and the schedules need are the SECURITY DEFINER functions of
//! `V002__jobs.sql`; everything else is tenant SQL under row-level security.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::page::{Cursor, PageRequest, clause};
use super::{DbError, prepare};
use crate::time::Timestamp;

/// Where a job is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Canceled => "canceled",
        }
    }

    /// Whether the job will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Canceled
        )
    }

    fn parse(s: &str) -> JobStatus {
        match s {
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            "canceled" => JobStatus::Canceled,
            _ => JobStatus::Queued,
        }
    }
}

/// A row of `jobs`.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub org_id: Uuid,
    pub client_id: Option<Uuid>,
    pub kind: String,
    pub status: JobStatus,
    pub payload: Value,
    pub result: Option<Value>,
    /// `{code, message, status, detail}` of the last failure.
    pub error: Option<Value>,
    pub progress_done: i64,
    pub progress_total: Option<i64>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_after: Timestamp,
    /// Set while a worker holds the job; every write of that worker names it.
    pub lease_token: Option<Uuid>,
    pub lease_expires_at: Option<Timestamp>,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, org_id, client_id, kind, status::text, payload, result, error, \
    progress_done, progress_total, attempts, max_attempts, run_after, lease_token, \
    lease_expires_at, created_by, created_at, started_at, finished_at";

fn from_row(row: &tokio_postgres::Row) -> Job {
    Job {
        id: row.get(0),
        org_id: row.get(1),
        client_id: row.get(2),
        kind: row.get(3),
        status: JobStatus::parse(row.get(4)),
        payload: row.get(5),
        result: row.get(6),
        error: row.get(7),
        progress_done: row.get(8),
        progress_total: row.get(9),
        attempts: row.get(10),
        max_attempts: row.get(11),
        run_after: row.get(12),
        lease_token: row.get(13),
        lease_expires_at: row.get(14),
        created_by: row.get(15),
        created_at: row.get(16),
        started_at: row.get(17),
        finished_at: row.get(18),
    }
}

async fn one(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<Job>, DbError> {
    let st = prepare(c, sql).await?;
    Ok(c.query_opt(&st, params).await?.as_ref().map(from_row))
}

/// What a new job is.
#[derive(Debug, Clone)]
pub struct NewJobRow<'a> {
    pub client_id: Option<Uuid>,
    pub kind: &'a str,
    pub payload: &'a Value,
    pub max_attempts: i32,
    pub created_by: Option<&'a str>,
}

/// Inserts a queued job, due now.
pub async fn insert(
    c: &impl GenericClient,
    org_id: Uuid,
    new: &NewJobRow<'_>,
) -> Result<Job, DbError> {
    let sql = format!(
        "INSERT INTO jobs (org_id, client_id, kind, payload, max_attempts, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    let st = prepare(c, &sql).await?;
    let row = c
        .query_one(
            &st,
            &[
                &org_id,
                &new.client_id,
                &new.kind,
                new.payload,
                &new.max_attempts,
                &new.created_by,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// One job of the org.
pub async fn get(c: &impl GenericClient, org_id: Uuid, id: Uuid) -> Result<Option<Job>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE org_id = $1 AND id = $2");
    one(c, &sql, &[&org_id, &id]).await
}

/// Filters of `jobs/list`; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub client_id: Option<Uuid>,
    /// Company principals see only their client's jobs (never org-level ones).
    pub only_client: Option<Uuid>,
    pub kind: Option<String>,
    pub status: Option<JobStatus>,
}

/// The org's jobs, newest first.
pub async fn list(
    c: &impl GenericClient,
    org_id: Uuid,
    filter: &JobFilter,
    page: &PageRequest,
) -> Result<Vec<Job>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE org_id = $1
           AND ($2::uuid IS NULL OR client_id = $2)
           AND ($3::uuid IS NULL OR client_id = $3)
           AND ($4::text IS NULL OR kind = $4)
           AND ($5::text IS NULL OR status = $5::text::job_status) {}",
        clause(6)
    );
    let st = prepare(c, &sql).await?;
    let status = filter.status.map(JobStatus::as_str);
    let rows = c
        .query(
            &st,
            &[
                &org_id,
                &filter.client_id,
                &filter.only_client,
                &filter.kind,
                &status,
                &page.after_created(),
                &page.after_id(),
                &page.fetch_limit(),
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

pub fn cursor(job: &Job) -> Cursor {
    Cursor {
        created_at: job.created_at.0,
        id: job.id,
    }
}

/// Takes the job for a run: when it is queued and due, or running under an expired lease (its
/// worker died). Counts the attempt and hands out a fresh lease. `None` when the job is not
/// there, finished, not yet due, or held under a live lease.
pub async fn claim(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    lease_seconds: f64,
) -> Result<Option<Job>, DbError> {
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1,
             lease_token = gen_random_uuid(),
             lease_expires_at = now() + make_interval(secs => $3),
             started_at = coalesce(started_at, now())
         WHERE org_id = $1 AND id = $2 AND run_after <= now()
           AND (status = 'queued' OR (status = 'running' AND lease_expires_at < now()))
         RETURNING {COLUMNS}"
    );
    one(c, &sql, &[&org_id, &id, &lease_seconds]).await
}

/// Extends the lease of a run; `false` when the lease is no longer this run's.
pub async fn renew(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    token: Uuid,
    lease_seconds: f64,
) -> Result<bool, DbError> {
    let st = prepare(
        c,
        "UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $4)
         WHERE org_id = $1 AND id = $2 AND lease_token = $3 AND status = 'running'",
    )
    .await?;
    Ok(c.execute(&st, &[&org_id, &id, &token, &lease_seconds])
        .await?
        == 1)
}

/// Records progress (and renews the lease); `false` when the lease is no longer this run's.
pub async fn progress(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    token: Uuid,
    done: i64,
    total: Option<i64>,
    lease_seconds: f64,
) -> Result<bool, DbError> {
    let st = prepare(
        c,
        "UPDATE jobs SET progress_done = $4, progress_total = coalesce($5, progress_total),
             lease_expires_at = now() + make_interval(secs => $6)
         WHERE org_id = $1 AND id = $2 AND lease_token = $3 AND status = 'running'",
    )
    .await?;
    Ok(
        c.execute(&st, &[&org_id, &id, &token, &done, &total, &lease_seconds])
            .await?
            == 1,
    )
}

/// Finishes a run with its result; `None` when the lease is no longer this run's.
pub async fn succeed(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    token: Uuid,
    result: &Value,
) -> Result<Option<Job>, DbError> {
    let sql = format!(
        "UPDATE jobs SET status = 'succeeded', result = $4, error = NULL, finished_at = now(),
             progress_done = coalesce(progress_total, progress_done),
             lease_token = NULL, lease_expires_at = NULL
         WHERE org_id = $1 AND id = $2 AND lease_token = $3 AND status = 'running'
         RETURNING {COLUMNS}"
    );
    one(c, &sql, &[&org_id, &id, &token, result]).await
}

/// Puts a failed run back in the queue, due after `delay_seconds`.
pub async fn retry(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    token: Uuid,
    error: &Value,
    delay_seconds: f64,
) -> Result<Option<Job>, DbError> {
    let sql = format!(
        "UPDATE jobs SET status = 'queued', error = $4,
             run_after = now() + make_interval(secs => $5),
             lease_token = NULL, lease_expires_at = NULL
         WHERE org_id = $1 AND id = $2 AND lease_token = $3 AND status = 'running'
         RETURNING {COLUMNS}"
    );
    one(c, &sql, &[&org_id, &id, &token, error, &delay_seconds]).await
}

/// Fails a run for good.
pub async fn fail(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
    token: Uuid,
    error: &Value,
) -> Result<Option<Job>, DbError> {
    let sql = format!(
        "UPDATE jobs SET status = 'failed', error = $4, finished_at = now(),
             lease_token = NULL, lease_expires_at = NULL
         WHERE org_id = $1 AND id = $2 AND lease_token = $3 AND status = 'running'
         RETURNING {COLUMNS}"
    );
    one(c, &sql, &[&org_id, &id, &token, error]).await
}

/// Cancels a job that has not finished; a running worker loses its lease and stops.
pub async fn cancel(
    c: &impl GenericClient,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Job>, DbError> {
    let sql = format!(
        "UPDATE jobs SET status = 'canceled', finished_at = now(),
             lease_token = NULL, lease_expires_at = NULL
         WHERE org_id = $1 AND id = $2 AND status IN ('queued', 'running')
         RETURNING {COLUMNS}"
    );
    one(c, &sql, &[&org_id, &id]).await
}

/// The org of a job (no org transaction needed: a worker holds only the job id).
pub async fn org_of(c: &impl GenericClient, id: Uuid) -> Result<Option<Uuid>, DbError> {
    let st = prepare(c, "SELECT job_org($1)").await?;
    Ok(c.query_one(&st, &[&id]).await?.get(0))
}

/// Jobs due for more than `grace_seconds`, and running jobs whose lease expired, oldest first.
pub async fn due(
    c: &impl GenericClient,
    grace_seconds: f64,
    limit: i32,
) -> Result<Vec<(Uuid, Uuid)>, DbError> {
    let st = prepare(
        c,
        "SELECT job_id, org_id FROM jobs_due(make_interval(secs => $1), $2)",
    )
    .await?;
    let rows = c.query(&st, &[&grace_seconds, &limit]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The job an `Idempotency-Key` of the org names (while the key lives), with the hash of the
/// request that created it.
pub async fn find_idempotent(
    c: &impl GenericClient,
    org_id: Uuid,
    key: &str,
) -> Result<Option<(Uuid, String)>, DbError> {
    let st = prepare(
        c,
        "SELECT job_id, request_hash FROM idempotency_keys
         WHERE org_id = $1 AND key = $2 AND expires_at > now()",
    )
    .await?;
    Ok(c.query_opt(&st, &[&org_id, &key])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// Binds a key to a job; `false` when another request holds the key (this transaction must then
/// roll back). An expired binding of the key is replaced.
pub async fn bind_idempotency_key(
    c: &impl GenericClient,
    org_id: Uuid,
    key: &str,
    job_id: Uuid,
    request_hash: &str,
) -> Result<bool, DbError> {
    let del = prepare(
        c,
        "DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND expires_at <= now()",
    )
    .await?;
    c.execute(&del, &[&org_id, &key]).await?;
    let st = prepare(
        c,
        "INSERT INTO idempotency_keys (org_id, key, job_id, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, key) DO NOTHING",
    )
    .await?;
    Ok(c.execute(&st, &[&org_id, &key, &job_id, &request_hash])
        .await?
        == 1)
}

/// Forgets expired idempotency keys of every org; returns how many.
pub async fn purge_idempotency_keys(c: &impl GenericClient) -> Result<i64, DbError> {
    let st = prepare(c, "SELECT purge_idempotency_keys()").await?;
    Ok(c.query_one(&st, &[]).await?.get(0))
}

/// A connection the scheduled work looks at.
#[derive(Debug, Clone)]
pub struct ScheduledConnection {
    pub org_id: Uuid,
    pub client_id: Uuid,
    pub connection_id: Uuid,
    pub nango_connection_id: Option<String>,
    pub nango_provider_config_key: Option<String>,
}

/// Connected connections of every org, for the hourly health check.
pub async fn connections_to_check(
    c: &impl GenericClient,
) -> Result<Vec<ScheduledConnection>, DbError> {
    let st = prepare(c, "SELECT * FROM connections_to_check()").await?;
    let rows = c.query(&st, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| ScheduledConnection {
            org_id: r.get(0),
            client_id: r.get(1),
            connection_id: r.get(2),
            nango_connection_id: r.get(3),
            nango_provider_config_key: r.get(4),
        })
        .collect())
}

/// Connected connections with `auto_refresh`, for the nightly topology refresh.
pub async fn connections_to_refresh(
    c: &impl GenericClient,
) -> Result<Vec<ScheduledConnection>, DbError> {
    let st = prepare(c, "SELECT * FROM connections_to_refresh()").await?;
    let rows = c.query(&st, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| ScheduledConnection {
            org_id: r.get(0),
            client_id: r.get(1),
            connection_id: r.get(2),
            nango_connection_id: None,
            nango_provider_config_key: None,
        })
        .collect())
}

/// Marks a connection of the org `expired` with the reason; `false` when it was not connected.
pub async fn expire_connection(
    c: &impl GenericClient,
    org_id: Uuid,
    connection_id: Uuid,
    reason: &str,
) -> Result<bool, DbError> {
    let st = prepare(
        c,
        "UPDATE crm_connections SET status = 'expired', error_message = $3
         WHERE org_id = $1 AND id = $2 AND status = 'connected'",
    )
    .await?;
    Ok(c.execute(&st, &[&org_id, &connection_id, &reason]).await? == 1)
}

/// Nulls push payloads older than the retention in every org; returns how many.
pub async fn purge_push_payloads(
    c: &impl GenericClient,
    retention_days: i32,
) -> Result<i64, DbError> {
    let st = prepare(c, "SELECT purge_push_payloads($1)").await?;
    Ok(c.query_one(&st, &[&retention_days]).await?.get(0))
}

//! The handler side of a job: [`JobRequest`] reads `Prefer: respond-async` and `Idempotency-Key`,
//! [`respond`] creates and enqueues the job, then waits up to `SYNC_WAIT_SECONDS` for it.
//!
//! Finished in time: 200 with exactly the job's `result` (a failed job answers its error's status
//! and detail, as the synchronous call would have). Not finished, or asked to answer at once:
//! 202 with [`Accepted`]; the work goes on and `jobs/get` follows it.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{Created, Job, JobError, JobStatus, NewJob, create};
use crate::auth::AuthContext;
use crate::db::{self, DbError};
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// How the caller wants a job-creating call answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobRequest {
    /// `Prefer: respond-async`: answer 202 at once.
    pub respond_async: bool,
    /// `Idempotency-Key`: a repeated key of the org (24 h) returns the same job.
    pub idempotency_key: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for JobRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let respond_async = parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| {
                p.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("respond-async"))
            });
        let idempotency_key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => {
                let key = v.to_str().ok().map(str::trim).unwrap_or_default();
                if key.is_empty()
                    || key.len() > MAX_IDEMPOTENCY_KEY
                    || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                {
                    return Err(ApiError::Validation(vec![FieldError {
                        kind: "string_type".into(),
                        loc: vec!["header".into(), "Idempotency-Key".into()],
                        msg: format!(
                            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters"
                        ),
                        input: Value::from(String::from_utf8_lossy(v.as_bytes()).into_owned()),
                    }]));
                }
                Some(key.to_string())
            }
        };
        Ok(JobRequest {
            respond_async,
            idempotency_key,
        })
    }
}

/// `{done, total}` of a job.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub done: i64,
    pub total: Option<i64>,
}

impl Progress {
    pub fn of(job: &Job) -> Self {
        Progress {
            done: job.progress_done,
            total: job.progress_total,
        }
    }
}

/// The 202 body of a job that has not finished yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub job_id: Uuid,
    pub status: JobStatus,
    pub kind: String,
    pub progress: Progress,
    /// Where to follow the job: `POST` it `{"id": job_id}`.
    pub status_url: String,
}

impl Accepted {
    pub fn of(job: &Job) -> Self {
        Accepted {
            job_id: job.id,
            status: job.status,
            kind: job.kind.clone(),
            progress: Progress::of(job),
            status_url: "/api/jobs/get".into(),
        }
    }
}

/// Creates the job (or finds the one its idempotency key names), then answers as the module says.
pub async fn respond(
    state: &AppState,
    ctx: &AuthContext,
    req: &JobRequest,
    new: NewJob,
) -> Result<Response, ApiError> {
    let created = create(
        state,
        ctx.org_id,
        Some(ctx.actor()),
        req.idempotency_key.as_deref(),
        &new,
    )
    .await?;
    let job = match created {
        Created::New(j) | Created::Existing(j) => j,
    };
    if req.respond_async || job.status.is_finished() {
        return answer(job, req.respond_async);
    }
    let budget = Duration::from_secs(state.config().sync_wait_seconds);
    let last = wait(state, job.org_id, job.id, budget)
        .await?
        .unwrap_or(job);
    answer(last, false)
}

/// The answer for a job as it is now.
fn answer(job: Job, async_asked: bool) -> Result<Response, ApiError> {
    match job.status {
        JobStatus::Succeeded => Ok(axum::Json(job.result.unwrap_or(Value::Null)).into_response()),
        JobStatus::Failed => Err(JobError::api_error(&job.error.unwrap_or(Value::Null))),
        JobStatus::Canceled => Err(ApiError::conflict("Job was canceled")),
        JobStatus::Queued | JobStatus::Running => {
            let mut res = (StatusCode::ACCEPTED, axum::Json(Accepted::of(&job))).into_response();
            if async_asked {
                res.headers_mut().insert(
                    "preference-applied",
                    axum::http::HeaderValue::from_static("respond-async"),
                );
            }
            Ok(res)
        }
    }
}

/// Watches a job until it finishes or `budget` runs out; returns its last state (`None` when it
/// is gone). Woken early when a worker of this process finishes a job; otherwise polls, starting
/// at 20 ms and backing off to 500 ms.
pub async fn wait(
    state: &AppState,
    org_id: Uuid,
    job_id: Uuid,
    budget: Duration,
) -> Result<Option<Job>, DbError> {
    let deadline = tokio::time::Instant::now() + budget;
    let mut interval = Duration::from_millis(20);
    loop {
        let notified = state.jobs().notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let job = {
            let mut conn = db::conn(state.db()).await?;
            let tx = db::begin(&mut conn, org_id).await?;
            let job = db::jobs::get(&tx, org_id, job_id).await?;
            tx.commit().await?;
            job
        };
        let Some(job) = job else { return Ok(None) };
        let now = tokio::time::Instant::now();
        if job.status.is_finished() || now >= deadline {
            return Ok(Some(job));
        }
        let wake = (now + interval).min(deadline);
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(wake) => {}
        }
        interval = (interval * 2).min(Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(headers: &[(&str, &str)]) -> Result<JobRequest, ApiError> {
        let mut req = axum::http::Request::builder();
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (mut parts, ()) = req.body(()).unwrap().into_parts();
        JobRequest::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn prefer_respond_async_is_found_among_other_preferences() {
        assert!(
            read(&[("prefer", "respond-async")])
                .await
                .unwrap()
                .respond_async
        );
        assert!(
            read(&[("Prefer", "return=minimal, Respond-Async; wait=5")])
                .await
                .unwrap()
                .respond_async
        );
        assert!(
            !read(&[("prefer", "return=minimal")])
                .await
                .unwrap()
                .respond_async
        );
        assert_eq!(read(&[]).await.unwrap(), JobRequest::default());
    }

    #[tokio::test]
    async fn an_idempotency_key_is_read_and_a_bad_one_is_a_422() {
        let r = read(&[("idempotency-key", " abc-123 ")]).await.unwrap();
        assert_eq!(r.idempotency_key.as_deref(), Some("abc-123"));
        let long = "k".repeat(MAX_IDEMPOTENCY_KEY + 1);
        for bad in ["", "   ", long.as_str()] {
            match read(&[("idempotency-key", bad)]).await {
                Err(ApiError::Validation(e)) => assert_eq!(e[0].loc[1], "Idempotency-Key"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}

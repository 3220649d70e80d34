//! `POST /api/query/bulk-results`: a page of a Bulk API 2.0 query job's results, by locator.
//! Before the job completes the answer has no records and `done` false: call again.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::auth::AuthContext;
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::salesforce::{JobState, SalesforceError};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::bulk::state_name;
use crate::{chunks, prepare};

/// Rows per page unless `max_records` says otherwise.
pub const DEFAULT_MAX_RECORDS: u32 = 2000;
/// The most rows a page may ask for (a Lambda answer is at most 6 MB).
pub const MAX_RECORDS: u32 = 10_000;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = BulkQueryResults)]
pub struct BulkResults {
    pub client_id: Uuid,
    pub job_id: String,
    /// The `next_locator` of the previous page; omit for the first.
    pub locator: Option<String>,
    /// 1 to 10,000; default 2,000.
    pub max_records: Option<u32>,
}

impl Validate for BulkResults {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if let Some(n) = self.max_records
            && !(1..=MAX_RECORDS).contains(&n)
        {
            let (kind, msg) = if n < 1 {
                (
                    "greater_than_equal",
                    "Input should be greater than or equal to 1",
                )
            } else {
                (
                    "less_than_equal",
                    "Input should be less than or equal to 10000",
                )
            };
            errors.push(FieldError::at(&["max_records"], kind, msg, Value::from(n)));
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = BulkQueryResultsOut)]
pub struct BulkResultsOut {
    pub job_id: String,
    /// The job's state (`JobComplete` once results can be read).
    pub state: String,
    /// True when no more rows will come (last page read, or the job failed or was aborted).
    pub done: bool,
    pub columns: Vec<String>,
    /// One object per CSV row, by column; empty cells are null.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Map<String, Value>>,
    /// Pass as `locator` for the next page; null on the last page.
    pub next_locator: Option<String>,
    pub number_of_records: Option<u64>,
    pub error_message: Option<String>,
}

fn is_locator(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

fn not_found(e: SalesforceError) -> ApiError {
    if e.status() == Some(404) {
        ApiError::not_found("Bulk query job not found")
    } else {
        e.into()
    }
}

#[utoipa::path(
    post, path = "/api/query/bulk-results", tag = "crm",
    request_body = BulkResults,
    responses(
        (status = 200, body = BulkResultsOut),
        (status = 400, description = "`Invalid job_id`, `Invalid locator`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `Bulk query job not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<BulkResults>,
) -> Result<Json<BulkResultsOut>, ApiError> {
    let (sf, ()) = prepare(&state, &ctx, body.client_id, false, |_| {
        if !chunks::is_salesforce_id(&body.job_id) {
            return Err(ApiError::bad_request("Invalid job_id"));
        }
        if body.locator.as_deref().is_some_and(|l| !is_locator(l)) {
            return Err(ApiError::bad_request("Invalid locator"));
        }
        Ok(())
    })
    .await?;
    let mut out = BulkResultsOut {
        job_id: body.job_id.clone(),
        state: "JobComplete".into(),
        done: false,
        columns: Vec::new(),
        records: Vec::new(),
        next_locator: None,
        number_of_records: None,
        error_message: None,
    };
    // A locator comes from a completed job; without one, look at the job first.
    if body.locator.is_none() {
        let job = sf.query_job(&body.job_id).await.map_err(not_found)?;
        out.state = state_name(&job.state).to_string();
        out.error_message = job.error_message;
        if job.state != JobState::JobComplete {
            out.done = job.state.is_terminal();
            return Ok(Json(out));
        }
    }
    let page = sf
        .query_job_results(
            &body.job_id,
            body.locator.as_deref(),
            Some(body.max_records.unwrap_or(DEFAULT_MAX_RECORDS)),
        )
        .await
        .map_err(not_found)?;
    out.records = page
        .rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(k, v)| {
                    let v = if v.is_empty() {
                        Value::Null
                    } else {
                        Value::from(v)
                    };
                    (k, v)
                })
                .collect()
        })
        .collect();
    out.columns = page.columns;
    out.done = page.next_locator.is_none();
    out.next_locator = page.next_locator;
    out.number_of_records = page.number_of_records;
    Ok(Json(out))
}

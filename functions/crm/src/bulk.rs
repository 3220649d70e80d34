//! `POST /api/query/bulk`: starts a Bulk API 2.0 query job for one SELECT statement and answers
//! the job; `query/bulk-results` pages its results.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::salesforce::{JobInfo, JobState};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{prepare, soql};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct BulkQuery {
    pub client_id: Uuid,
    /// A single `SELECT` statement.
    pub soql: String,
    /// Include deleted and archived records (`queryAll`); default false.
    #[serde(default)]
    pub query_all: bool,
}

impl Validate for BulkQuery {}

/// A Bulk API 2.0 query job.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = BulkQueryJob)]
pub struct BulkJob {
    pub job_id: String,
    /// `UploadComplete`, `InProgress`, `JobComplete`, `Failed` or `Aborted`.
    pub state: String,
    /// `query` or `queryAll`.
    pub operation: Option<String>,
    pub object: Option<String>,
    pub created_date: Option<String>,
    pub number_records_processed: Option<u64>,
    pub error_message: Option<String>,
}

pub(crate) fn state_name(s: &JobState) -> &'static str {
    match s {
        JobState::Open => "Open",
        JobState::UploadComplete => "UploadComplete",
        JobState::InProgress => "InProgress",
        JobState::JobComplete => "JobComplete",
        JobState::Failed => "Failed",
        JobState::Aborted => "Aborted",
        JobState::Unknown => "Unknown",
    }
}

impl From<JobInfo> for BulkJob {
    fn from(j: JobInfo) -> Self {
        BulkJob {
            state: state_name(&j.state).to_string(),
            job_id: j.id,
            operation: j.operation,
            object: j.object,
            created_date: j.created_date,
            number_records_processed: j.number_records_processed,
            error_message: j.error_message,
        }
    }
}

#[utoipa::path(
    post, path = "/api/query/bulk", tag = "crm",
    request_body = BulkQuery,
    responses(
        (status = 200, body = BulkJob),
        (status = 400, description = "`SOQL query cannot be empty`, `SOQL query cannot contain semicolons`, `SOQL query must be a single SELECT statement`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<BulkQuery>,
) -> Result<Json<BulkJob>, ApiError> {
    let (sf, ()) = prepare(&state, &ctx, body.client_id, false, |_| {
        soql::check_select(&body.soql)
    })
    .await?;
    let job = sf
        .create_query_job(body.soql.trim(), body.query_all)
        .await?;
    Ok(Json(job.into()))
}

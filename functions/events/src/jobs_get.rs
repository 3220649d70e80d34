//! `POST /api/jobs/get`: one job, with its result once it finished.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::{JobOut, visible};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GetJob {
    pub id: Uuid,
}

impl Validate for GetJob {}

#[utoipa::path(
    post, path = "/api/jobs/get", tag = "jobs",
    request_body = GetJob,
    responses(
        (status = 200, body = JobOut),
        (status = 404, description = "Job not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<GetJob>,
) -> Result<Json<JobOut>, ApiError> {
    ctx.require(Permission::ConnectionsRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let job = db::jobs::get(&tx, ctx.org_id, body.id).await?;
    tx.commit().await?;
    match job {
        Some(job) if visible(&ctx, job.client_id) => Ok(Json(JobOut::from(&job))),
        _ => Err(ApiError::not_found("Job not found")),
    }
}

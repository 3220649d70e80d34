//! `POST /api/conflicts/get`: a stored report of the org by id.

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::ReportOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GetReport {
    pub id: Uuid,
}

impl Validate for GetReport {}

#[utoipa::path(
    post, path = "/api/conflicts/get", tag = "conflicts",
    request_body = GetReport,
    responses(
        (status = 200, body = ReportOut),
        (status = 404, description = "`Conflict report not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<GetReport>,
) -> Result<Json<ReportOut>, ApiError> {
    ctx.require(Permission::DeployWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let report = db::conflict_reports::get(&tx, ctx.org_id, body.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Conflict report not found"))?;
    tx.commit().await?;
    Ok(Json(report.into()))
}

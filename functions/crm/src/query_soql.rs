//! `POST /api/query/soql`: one SELECT statement passed through; the first batch (≤ 2,000).

use axum::extract::State;
use serde::Deserialize;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{QueryResponse, prepare, soql, upstream};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SoqlQuery {
    pub client_id: Uuid,
    /// A single `SELECT` statement (no `;` outside string literals).
    pub soql: String,
}

impl Validate for SoqlQuery {}

#[utoipa::path(
    post, path = "/api/query/soql", tag = "crm",
    request_body = SoqlQuery,
    responses(
        (status = 200, body = QueryResponse),
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
    Json(body): Json<SoqlQuery>,
) -> Result<Json<QueryResponse>, ApiError> {
    let (sf, ()) = prepare(&state, &ctx, body.client_id, false, |_| {
        soql::check_select(&body.soql)
    })
    .await?;
    let page = sf
        .query(body.soql.trim())
        .await
        .map_err(upstream("Salesforce query"))?;
    Ok(Json(page.into()))
}

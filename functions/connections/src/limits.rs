//! `POST /api/connections/limits`: Salesforce's `/limits` for the client's org (daily API
//! requests, Bulk API allocations, ...), as Salesforce returns it.

use axum::extract::State;
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::{ApiError, AppState, crm, db};

use crate::ByClient;

#[utoipa::path(
    post, path = "/api/connections/limits", tag = "connections",
    request_body = ByClient,
    responses(
        (status = 200, description = "Salesforce's /limits resource", body = Object),
        (status = 400, description = "No connected Salesforce connection found", body = ErrorBody),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 502, description = "Salesforce or Nango failed (`{code, message}`)", body = ErrorBody),
        (status = 504, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ByClient>,
) -> Result<Json<Map<String, Value>>, ApiError> {
    ctx.require(Permission::ConnectionsRead)?;
    let connected = crm::connected_for(&state, &ctx, body.client_id).await?;
    // A connection Nango can no longer serve is marked expired by the client itself.
    let result = connected.salesforce(&state).limits_resource().await;
    let limits = result?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    connected.record_usage(&state, &tx, ctx.org_id).await?;
    tx.commit().await?;
    Ok(Json(limits))
}

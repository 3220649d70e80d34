//! `POST /api/connections/get`: one connection, with the API usage Salesforce last reported.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::status::not_found;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GetConnection {
    pub id: Uuid,
}

impl Validate for GetConnection {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiUsageOut {
    pub used: i64,
    pub max: i64,
    pub observed_at: Timestamp,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConnectionDetail {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
    pub instance_url: Option<String>,
    pub sfdc_org_id: Option<String>,
    pub sfdc_user_id: Option<String>,
    pub last_used_at: Option<Timestamp>,
    pub last_refreshed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub nango_provider_config_key: Option<String>,
    pub auto_refresh: bool,
    pub error_message: Option<String>,
    /// From `Sforce-Limit-Info`; null until Salesforce has been called.
    pub api_usage: Option<ApiUsageOut>,
}

#[utoipa::path(
    post, path = "/api/connections/get", tag = "connections",
    request_body = GetConnection,
    responses(
        (status = 200, body = ConnectionDetail),
        (status = 404, description = "`Connection not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<GetConnection>,
) -> Result<Json<ConnectionDetail>, ApiError> {
    ctx.require(Permission::ConnectionsRead)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let row = db::connections::get(&tx, ctx.org_id, body.id)
        .await?
        .ok_or_else(not_found)?;
    ctx.check_client(&tx, row.client_id).await?;
    tx.commit().await?;
    // This process may have seen newer usage than the database holds.
    let live = row
        .nango_connection_id
        .as_deref()
        .and_then(|id| state.limits().latest(id))
        .filter(|u| {
            row.api_usage_observed_at
                .is_none_or(|t| u.observed_at > t.0)
        });
    let api_usage = match (
        live,
        row.api_usage_used,
        row.api_usage_max,
        row.api_usage_observed_at,
    ) {
        (Some(u), ..) => Some(ApiUsageOut {
            used: u.used as i64,
            max: u.max as i64,
            observed_at: Timestamp(u.observed_at),
        }),
        (None, Some(used), Some(max), Some(at)) => Some(ApiUsageOut {
            used,
            max,
            observed_at: at,
        }),
        _ => None,
    };
    Ok(Json(ConnectionDetail {
        id: row.id,
        client_id: row.client_id,
        status: row.status,
        instance_url: row.instance_url,
        sfdc_org_id: row.sfdc_org_id,
        sfdc_user_id: row.sfdc_user_id,
        last_used_at: row.last_used_at,
        last_refreshed_at: row.last_refreshed_at,
        created_at: row.created_at,
        nango_provider_config_key: row.nango_provider_config_key,
        auto_refresh: row.auto_refresh,
        error_message: row.error_message,
        api_usage,
    }))
}

//! `POST /api/connections/update`: settings of a connection (`auto_refresh`).

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::status::{ConnectionItem, not_found};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateConnection {
    pub client_id: Uuid,
    /// Refresh the topology nightly.
    pub auto_refresh: bool,
}

impl Validate for UpdateConnection {}

#[utoipa::path(
    post, path = "/api/connections/update", tag = "connections",
    request_body = UpdateConnection,
    responses(
        (status = 200, body = ConnectionItem),
        (status = 404, description = "`Client not found` or `Connection not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<UpdateConnection>,
) -> Result<Json<ConnectionItem>, ApiError> {
    ctx.require(Permission::ConnectionsWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let row = db::connections::set_auto_refresh(&tx, ctx.org_id, body.client_id, body.auto_refresh)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(Json(ConnectionItem::from(&row)))
}

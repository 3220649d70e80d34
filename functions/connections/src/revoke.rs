//! `POST /api/connections/revoke`: deletes the Nango connection, then marks ours `revoked`.
//! On a Nango error nothing changes here.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::events::Outbox;
use shared::{ApiError, AppState, db};

use crate::ByClient;
use crate::status::{self, not_found};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Revoked {
    pub status: String,
}

#[utoipa::path(
    post, path = "/api/connections/revoke", tag = "connections",
    request_body = ByClient,
    responses(
        (status = 200, body = Revoked),
        (status = 400, description = "No Nango connection found for this client", body = ErrorBody),
        (status = 404, description = "`Client not found` or `Connection not found`", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ByClient>,
) -> Result<Json<Revoked>, ApiError> {
    ctx.require(Permission::ConnectionsWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let (row, nango_id) = status::with_nango_id(&ctx, &mut conn, body.client_id).await?;
    let key = row.nango_provider_config_key.as_deref();
    state.nango().delete_connection(&nango_id, key).await?;
    state.tokens().invalidate(&nango_id, key);
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let (updated, before) = db::connections::set_status(&tx, ctx.org_id, row.id, "revoked", None)
        .await?
        .ok_or_else(not_found)?;
    let mut outbox = Outbox::default();
    status::changed(&tx, &mut outbox, ctx.org_id, &updated, Some(&before)).await?;
    tx.commit().await?;
    outbox.send(&state).await;
    Ok(Json(Revoked {
        status: updated.status,
    }))
}

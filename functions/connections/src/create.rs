//! `POST /api/connections/create`: opens a Nango connect session tagged with the org and client.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::jobs::events::Outbox;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::status;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateConnection {
    pub client_id: Uuid,
    /// The Nango integration; `NANGO_PROVIDER_CONFIG_KEY` when absent.
    pub nango_provider_config_key: Option<String>,
    /// Refresh the topology nightly.
    pub auto_refresh: Option<bool>,
}

impl Validate for CreateConnection {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ConnectSessionOut {
    pub token: String,
    pub expires_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: Uuid,
    pub client_id: Uuid,
    /// `pending`, or `connected` while a working connection is being replaced.
    pub status: String,
    pub connect_session: ConnectSessionOut,
}

#[utoipa::path(
    post, path = "/api/connections/create", tag = "connections",
    request_body = CreateConnection,
    responses(
        (status = 200, body = Created),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 502, description = "Nango failed (`{code, message}`)", body = ErrorBody),
        (status = 504, description = "Nango timed out", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CreateConnection>,
) -> Result<Json<Created>, ApiError> {
    ctx.require(Permission::ConnectionsWrite)?;
    let mut conn = db::conn(state.db()).await?;
    {
        let tx = db::begin(&mut conn, ctx.org_id).await?;
        ctx.check_client(&tx, body.client_id).await?;
        tx.commit().await?;
    }
    let key = body
        .nango_provider_config_key
        .as_deref()
        .filter(|k| !k.trim().is_empty());
    let session = state
        .nango()
        .create_connect_session(ctx.org_id, body.client_id, key)
        .await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let before = db::connections::get_by_client(&tx, ctx.org_id, body.client_id)
        .await?
        .map(|r| r.status);
    let row =
        db::connections::begin_connect(&tx, ctx.org_id, body.client_id, key, body.auto_refresh)
            .await?;
    let mut outbox = Outbox::default();
    status::changed(&tx, &mut outbox, ctx.org_id, &row, before.as_deref()).await?;
    tx.commit().await?;
    outbox.send(&state).await;
    Ok(Json(Created {
        id: row.id,
        client_id: row.client_id,
        status: row.status,
        connect_session: ConnectSessionOut {
            token: session.token,
            expires_at: session.expires_at,
        },
    }))
}

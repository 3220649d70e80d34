//! `POST /api/connections/callback`: binds the Nango connection the front end just completed.
//! The connection's tags must name the caller's org and this client: a connection id learned
//! from elsewhere cannot be bound (404 `Nango connection not found`).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::jobs::events::Outbox;
use shared::nango::Connection as NangoConnection;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::status;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Callback {
    pub client_id: Uuid,
    /// Nango's connection id (from the connect UI); the stored one when absent.
    pub nango_connection_id: Option<String>,
    pub nango_provider_config_key: Option<String>,
}

impl Validate for Callback {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Connected {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
    pub instance_url: Option<String>,
}

/// Whether Nango's tags bind this connection to this org and client.
pub fn tags_match(n: &NangoConnection, org_id: Uuid, client_id: Uuid) -> bool {
    let tag = |k| n.tag(k).and_then(|v| Uuid::parse_str(v).ok());
    tag("org_id") == Some(org_id) && tag("client_id") == Some(client_id)
}

#[utoipa::path(
    post, path = "/api/connections/callback", tag = "connections",
    request_body = Callback,
    responses(
        (status = 200, body = Connected),
        (status = 400, description = "No Nango connection found for this client", body = ErrorBody),
        (status = 404, description = "`Client not found`, `Nango connection not found`, or Nango's 404", body = ErrorBody),
        (status = 424, description = "Nango could not refresh credentials", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<Callback>,
) -> Result<Json<Connected>, ApiError> {
    ctx.require(Permission::ConnectionsWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let existing = status::of_client(&ctx, &mut conn, body.client_id).await?;
    let key = body
        .nango_provider_config_key
        .clone()
        .filter(|k| !k.trim().is_empty())
        .or_else(|| {
            existing
                .as_ref()
                .and_then(|r| r.nango_provider_config_key.clone())
        });
    let nango_id = body
        .nango_connection_id
        .clone()
        .filter(|k| !k.trim().is_empty())
        .or_else(|| {
            existing
                .as_ref()
                .and_then(|r| r.nango_connection_id.clone())
        })
        .ok_or_else(status::no_nango_connection)?;
    let nango = state
        .nango()
        .get_connection(&nango_id, key.as_deref(), false)
        .await?;
    if !tags_match(&nango, ctx.org_id, body.client_id) {
        return Err(ApiError::not_found("Nango connection not found"));
    }
    let row = bind(&state, &mut conn, ctx.org_id, body.client_id, &nango).await?;
    Ok(Json(Connected {
        id: row.id,
        client_id: row.client_id,
        status: row.status,
        instance_url: row.instance_url,
    }))
}

/// Marks the client's connection connected with what Nango knows (also used by the webhook).
pub async fn bind(
    state: &AppState,
    conn: &mut db::Conn,
    org_id: Uuid,
    client_id: Uuid,
    nango: &NangoConnection,
) -> Result<db::connections::Connection, ApiError> {
    let instance_url = nango.instance_url.as_deref().ok_or_else(|| {
        ApiError::upstream(
            axum::http::StatusCode::BAD_GATEWAY,
            "nango_invalid_credentials",
            "Nango connection credentials were incomplete",
        )
    })?;
    let tx = db::begin(conn, org_id).await?;
    let (row, before) = db::connections::mark_connected(
        &tx,
        org_id,
        client_id,
        &db::connections::Connected {
            nango_connection_id: &nango.connection_id,
            provider_config_key: &nango.provider_config_key,
            instance_url,
            sfdc_org_id: nango.identity.org_id.as_deref(),
            sfdc_user_id: nango.identity.user_id.as_deref(),
        },
    )
    .await?;
    let mut outbox = Outbox::default();
    status::changed(&tx, &mut outbox, org_id, &row, before.as_deref()).await?;
    tx.commit().await?;
    outbox.send(state).await;
    state
        .tokens()
        .invalidate(&nango.connection_id, Some(&nango.provider_config_key));
    Ok(row)
}

//! `POST /api/connections/refresh`: asks Nango to refresh the token now (`force_refresh`).
//! Nango's 424 marks the connection `expired` before answering 424.

use axum::extract::State;
use serde::Serialize;
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::events::Outbox;
use shared::nango::NangoError;
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};

use crate::ByClient;
use crate::status::{self, not_found};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Refreshed {
    pub status: String,
    pub last_refreshed_at: Option<Timestamp>,
}

#[utoipa::path(
    post, path = "/api/connections/refresh", tag = "connections",
    request_body = ByClient,
    responses(
        (status = 200, body = Refreshed),
        (status = 400, description = "No Nango connection found for this client", body = ErrorBody),
        (status = 404, description = "`Client not found` or Nango's 404", body = ErrorBody),
        (status = 424, description = "Nango could not refresh credentials: the connection is now expired", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ByClient>,
) -> Result<Json<Refreshed>, ApiError> {
    ctx.require(Permission::ConnectionsWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let (row, nango_id) = status::with_nango_id(&ctx, &mut conn, body.client_id).await?;
    let key = row.nango_provider_config_key.as_deref();
    match state.nango().get_connection(&nango_id, key, true).await {
        Ok(_) => {
            state.tokens().invalidate(&nango_id, key);
            let tx = db::begin(&mut conn, ctx.org_id).await?;
            let updated = db::connections::mark_refreshed(&tx, ctx.org_id, row.id)
                .await?
                .ok_or_else(not_found)?;
            let mut outbox = Outbox::default();
            status::changed(&tx, &mut outbox, ctx.org_id, &updated, Some(&row.status)).await?;
            tx.commit().await?;
            outbox.send(&state).await;
            Ok(Json(Refreshed {
                status: updated.status,
                last_refreshed_at: updated.last_refreshed_at,
            }))
        }
        Err(e @ NangoError::RefreshExhausted { .. }) => {
            expire(
                &state,
                &mut conn,
                ctx.org_id,
                row.id,
                "Nango could not refresh credentials",
            )
            .await?;
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks a connection `expired` with a reason, with its event.
pub async fn expire(
    state: &AppState,
    conn: &mut db::Conn,
    org_id: uuid::Uuid,
    id: uuid::Uuid,
    reason: &str,
) -> Result<(), ApiError> {
    let tx = db::begin(conn, org_id).await?;
    if let Some((row, before)) =
        db::connections::set_status(&tx, org_id, id, "expired", Some(reason)).await?
    {
        let mut outbox = Outbox::default();
        status::changed(&tx, &mut outbox, org_id, &row, Some(&before)).await?;
        tx.commit().await?;
        outbox.send(state).await;
    }
    Ok(())
}

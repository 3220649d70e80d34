//! `POST /api/connections/webhook`: Nango's auth webhooks, verified with `X-Nango-Hmac-Sha256`
//! (no bearer). `creation`/`override` bind the connection its tags name; a failed `refresh`
//! marks it `expired`. Idempotent: a repeated delivery changes nothing and emits no event.

use axum::extract::State;
use axum::http::HeaderMap;
use bytes::Bytes;
use serde::Serialize;
use shared::error::ErrorBody;
use shared::http::Json;
use shared::nango::{AuthOperation, NangoWebhook, SIGNATURE_HEADER};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::callback::{bind, tags_match};
use crate::refresh::expire;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Ack {
    /// `ok` when acted on, `ignored` otherwise.
    pub status: &'static str,
}

#[utoipa::path(
    post, path = "/api/connections/webhook", tag = "connections",
    request_body(content = Object, description = "Nango's webhook body, signed with X-Nango-Hmac-Sha256"),
    responses(
        (status = 200, body = Ack),
        (status = 401, description = "Invalid webhook signature", body = ErrorBody),
        (status = 422, description = "Not a JSON body", body = ErrorBody),
    )
)]
pub async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ack>, ApiError> {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if !state.nango().verify_webhook(&body, signature) {
        return Err(ApiError::Unauthorized("Invalid webhook signature"));
    }
    let hook = NangoWebhook::parse(&body).map_err(|e| {
        ApiError::invalid(
            &[],
            "json_invalid",
            format!("Invalid Nango webhook: {e}"),
            serde_json::Value::Null,
        )
    })?;
    let NangoWebhook::Auth(auth) = hook else {
        return Ok(Json(Ack { status: "ignored" }));
    };
    let tag = |k| auth.tag(k).and_then(|v| Uuid::parse_str(v).ok());
    let (Some(org_id), Some(client_id)) = (tag("org_id"), tag("client_id")) else {
        tracing::info!(operation = ?auth.operation, "Nango webhook without our tags; ignored");
        return Ok(Json(Ack { status: "ignored" }));
    };
    let mut conn = db::conn(state.db()).await?;
    let client_exists = {
        let tx = db::begin(&mut conn, org_id).await?;
        let exists = db::clients::exists_active(&tx, org_id, client_id).await?;
        tx.commit().await?;
        exists
    };
    if !client_exists {
        return Ok(Json(Ack { status: "ignored" }));
    }
    match auth.operation {
        AuthOperation::Creation | AuthOperation::Override if auth.success => {
            let nango = state
                .nango()
                .get_connection(&auth.connection_id, Some(&auth.provider_config_key), false)
                .await?;
            if !tags_match(&nango, org_id, client_id) {
                return Ok(Json(Ack { status: "ignored" }));
            }
            bind(&state, &mut conn, org_id, client_id, &nango).await?;
            Ok(Json(Ack { status: "ok" }))
        }
        AuthOperation::Refresh if !auth.success => {
            let row = {
                let tx = db::begin(&mut conn, org_id).await?;
                let row =
                    db::connections::get_by_nango_id(&tx, org_id, &auth.connection_id).await?;
                tx.commit().await?;
                row
            };
            let Some(row) = row.filter(|r| r.client_id == client_id) else {
                return Ok(Json(Ack { status: "ignored" }));
            };
            let reason = auth
                .error
                .as_ref()
                .and_then(|e| e.description.clone().or_else(|| e.kind.clone()))
                .unwrap_or_else(|| "Nango could not refresh credentials".into());
            expire(&state, &mut conn, org_id, row.id, &reason).await?;
            state
                .tokens()
                .invalidate(&auth.connection_id, Some(&auth.provider_config_key));
            Ok(Json(Ack { status: "ok" }))
        }
        _ => Ok(Json(Ack { status: "ignored" })),
    }
}

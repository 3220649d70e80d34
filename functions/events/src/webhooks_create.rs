//! `POST /api/webhooks/create`: registers a URL for the org's events; answers the signing secret
//! once. The secret is derived from `WEBHOOK_SIGNING_KEY` and the webhook id, so it is never
//! stored (only its hash is).

use axum::extract::State;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::db::webhooks::{NewWebhook, Webhook};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::jobs::webhook;
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

/// At most this many event types per webhook.
const MAX_TYPES: usize = 100;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateWebhook {
    /// `https://` (or `http://` when `ALLOW_HTTP_WEBHOOKS=true`); never a private, loopback or
    /// link-local address.
    pub url: String,
    /// Event types to send; all types when absent.
    pub types: Option<Vec<String>>,
    /// Only events of this client; every client's (and org-level) events when absent.
    pub client_id: Option<Uuid>,
}

impl Validate for CreateWebhook {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if self.url.len() > 2048 {
            errors.push(FieldError::at(
                &["url"],
                "string_too_long",
                "String should have at most 2048 characters",
                Value::from(self.url.as_str()),
            ));
        }
        if let Some(types) = &self.types {
            if types.is_empty() || types.len() > MAX_TYPES {
                errors.push(FieldError::at(
                    &["types"],
                    if types.is_empty() {
                        "too_short"
                    } else {
                        "too_long"
                    },
                    format!("List should have 1 to {MAX_TYPES} items"),
                    serde_json::json!(types),
                ));
            }
            for (i, t) in types.iter().enumerate() {
                let ok = !t.is_empty()
                    && t.len() <= 100
                    && t.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'
                    });
                if !ok {
                    errors.push(FieldError {
                        kind: "value_error".into(),
                        loc: vec!["body".into(), "types".into(), Value::from(i)],
                        msg: "Value error, event types are dotted lowercase names such as job.succeeded".into(),
                        input: Value::from(t.as_str()),
                    });
                }
            }
        }
    }
}

/// A webhook as `webhooks/list` returns it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookOut {
    pub id: Uuid,
    pub url: String,
    pub types: Option<Vec<String>>,
    pub client_id: Option<Uuid>,
    pub is_active: bool,
    pub created_at: Timestamp,
}

impl From<&Webhook> for WebhookOut {
    fn from(w: &Webhook) -> Self {
        WebhookOut {
            id: w.id,
            url: w.url.clone(),
            types: w.types.clone(),
            client_id: w.client_id,
            is_active: w.is_active,
            created_at: w.created_at,
        }
    }
}

/// The new webhook and its signing secret (shown only here).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// `whsec_...`: the HMAC-SHA256 key of the `X-Sfdc-Engine-Signature` header.
    pub secret: String,
}

#[utoipa::path(
    post, path = "/api/webhooks/create", tag = "webhooks",
    request_body = CreateWebhook,
    responses(
        (status = 200, body = CreatedWebhook),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CreateWebhook>,
) -> Result<Json<CreatedWebhook>, ApiError> {
    let url =
        webhook::check_url(body.url.trim(), state.config().allow_http_webhooks).map_err(|msg| {
            ApiError::invalid(
                &["url"],
                "value_error",
                format!("Value error, {msg}"),
                Value::from(body.url.as_str()),
            )
        })?;
    ctx.require(Permission::OrgManage)?;
    let key = state.config().webhook_signing_key.expose_secret();
    if key.is_empty() {
        return Err(ApiError::internal("WEBHOOK_SIGNING_KEY is not set"));
    }
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    if let Some(client_id) = body.client_id {
        ctx.check_client(&tx, client_id).await?;
    }
    let id = Uuid::new_v4();
    let secret = webhook::secret(key, id);
    let new = NewWebhook {
        id,
        client_id: body.client_id,
        url: url.as_str(),
        types: body.types.as_deref(),
        secret_hash: &webhook::secret_hash(&secret),
        created_by: Some(ctx.actor()),
    };
    let created = db::webhooks::insert(&tx, ctx.org_id, &new).await?;
    tx.commit().await?;
    Ok(Json(CreatedWebhook {
        webhook: WebhookOut::from(&created),
        secret,
    }))
}

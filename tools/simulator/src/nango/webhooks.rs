//! Signed Nango auth webhooks: the stable-JSON HMAC signature, the `creation` and `refresh`
//! bodies, and queuing deliveries.

use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Connection;
use crate::http::After;
use crate::state::State;

/// Nango's recursive stable (sorted-key) JSON; serde_json's map is already key-sorted.
fn stable(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// `X-Nango-Hmac-Sha256` for a raw body.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A webhook delivery for `body`, if a webhook URL is configured.
pub fn webhook(st: &State, body: &Value) -> Option<After> {
    let url = st.webhook_url.clone()?;
    let raw = stable(body);
    let signature = sign(&st.nango_webhook_secret, &raw);
    let mut h = Sha256::new();
    h.update(st.nango_webhook_secret.as_bytes());
    h.update(&raw);
    let legacy = hex::encode(h.finalize());
    Some(After::Webhook {
        url,
        body: raw,
        signature,
        legacy,
    })
}

/// The `creation` auth webhook body for a connection.
pub fn creation_body(c: &Connection) -> Value {
    let mut b = json!({
        "from": "nango", "type": "auth", "operation": "creation",
        "connectionId": c.connection_id, "providerConfigKey": c.provider_config_key,
        "authMode": "OAUTH2", "provider": "salesforce", "environment": "prod",
        "success": true, "tags": c.tags,
    });
    if let Some(eu) = &c.end_user {
        b["endUser"] = json!({
            "endUserId": eu.get("id").cloned().unwrap_or(Value::Null),
            "endUserEmail": eu.get("email").cloned().unwrap_or(Value::Null),
            "organizationId": Value::Null,
            "tags": eu.get("tags").cloned().unwrap_or(json!({})),
        });
    }
    b
}

/// The `refresh` failure webhook body for a connection.
pub fn refresh_failure_body(c: &Connection) -> Value {
    json!({
        "from": "nango", "type": "auth", "operation": "refresh",
        "connectionId": c.connection_id, "providerConfigKey": c.provider_config_key,
        "authMode": "OAUTH2", "provider": "salesforce", "environment": "prod",
        "success": false, "tags": c.tags,
        "error": {"type": "refresh_token_external_error",
                  "description": "Failed to refresh the access token: invalid_grant expired access/refresh token"},
    })
}

/// Marks a connection's refresh as failing and queues the `refresh` failure webhook.
pub fn fail_refresh(st: &mut State, id: &str) -> Option<Vec<After>> {
    let c = st.nango.connections.get_mut(id)?;
    c.refresh_fails = true;
    c.updated_at = Utc::now();
    let body = refresh_failure_body(c);
    Some(webhook(st, &body).into_iter().collect())
}

//! Nango's webhooks: signature check and the auth event (SALESFORCE.md §6.4).
//!
//! Nango signs the raw body: `X-Nango-Hmac-Sha256 = hex(HMAC-SHA256(signing key, body))`. The
//! check runs on the bytes as received, before any parsing, and compares in constant time.

use hmac::{KeyInit, Mac};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::Sha256;

/// The header Nango puts the signature in.
pub const SIGNATURE_HEADER: &str = "x-nango-hmac-sha256";

/// Whether `signature` (hex) is the HMAC-SHA256 of `raw_body` under `secret`. An empty secret
/// or a missing or malformed signature is a refusal, never a pass.
pub fn verify_signature(secret: &[u8], raw_body: &[u8], signature: Option<&str>) -> bool {
    let Some(signature) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
        return false;
    };
    if secret.is_empty() {
        return false;
    }
    let Ok(expected) = hex::decode(signature) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(raw_body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected).is_ok()
}

/// A webhook from Nango: the auth events we act on, or another type we ignore.
#[derive(Debug, Clone, PartialEq)]
pub enum NangoWebhook {
    Auth(AuthWebhook),
    /// `sync`, `forward`, `async_action`, ...: acknowledged and ignored.
    Other {
        kind: String,
    },
}

impl NangoWebhook {
    /// Parses a (verified) body.
    pub fn parse(raw_body: &[u8]) -> Result<NangoWebhook, serde_json::Error> {
        let value: Value = serde_json::from_slice(raw_body)?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if kind == "auth" {
            Ok(NangoWebhook::Auth(serde_json::from_value(value)?))
        } else {
            Ok(NangoWebhook::Other { kind })
        }
    }
}

/// What happened to a connection's authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthOperation {
    /// A new connection was authorised.
    Creation,
    /// An existing connection was re-authorised.
    Override,
    /// A token refresh (it is only sent when the refresh failed).
    Refresh,
    #[serde(other)]
    Unknown,
}

/// An auth webhook body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthWebhook {
    pub operation: AuthOperation,
    pub connection_id: String,
    pub provider_config_key: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub tags: Map<String, Value>,
    #[serde(default)]
    pub error: Option<WebhookError>,
}

impl AuthWebhook {
    /// A tag's value, when it is a string.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).and_then(Value::as_str)
    }
}

/// The error of a failed auth operation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WebhookError {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

//! What can go wrong talking to Nango, and how each case answers our callers.
//!
//! The mapping is the contract's (API.md §5.1): Nango 404 → 404 `nango_connection_not_found`,
//! 424 → 424 `nango_refresh_exhausted`, any other error status → 502 `nango_request_failed`; a
//! network failure → 502 `upstream_unreachable`, a timeout → 504 `upstream_timeout`
//! (API-DECISIONS §4), a missing secret key → 500 `nango_not_configured`.

use http::StatusCode;
use serde_json::{Value, json};

use crate::ApiError;

/// A failed Nango call. Bodies are Nango's own error bodies (JSON, else trimmed text, else null);
/// they never carry credentials.
/// The `code` of the 502 that work answers when Nango can no longer give the connection a token
/// (see [`NangoError::work_detail`]); the connection is then `expired`, so retrying is pointless.
pub const CONNECTION_UNAVAILABLE: &str = "nango_connection_unavailable";

#[derive(Debug, thiserror::Error)]
pub enum NangoError {
    /// Nango 404: the connection does not exist (or not under that integration).
    #[error("Nango connection does not exist")]
    NotFound { provider: String, body: Value },
    /// Nango 424: the refresh token is exhausted or in cooldown; the connection needs re-auth.
    #[error("Nango could not refresh credentials")]
    RefreshExhausted { provider: String, body: Value },
    /// Any other error status.
    #[error("Nango API request failed with status {status}")]
    Status {
        status: u16,
        provider: String,
        body: Value,
    },
    /// The request never got an answer (DNS, connect, reset).
    #[error("Nango could not be reached: {0}")]
    Unreachable(String),
    /// No answer within the per-call timeout.
    #[error("Nango did not answer in time")]
    Timeout,
    /// `NANGO_SECRET_KEY` is empty.
    #[error("NANGO_SECRET_KEY is not configured")]
    NotConfigured,
    /// A 2xx answer we could not use (`code`, `message` as they should reach the caller).
    #[error("{message}")]
    InvalidResponse {
        provider: String,
        code: &'static str,
        message: &'static str,
    },
    /// The connection exists but has no access token or no instance URL.
    #[error("Nango connection credentials were incomplete")]
    IncompleteCredentials { provider: String },
}

impl NangoError {
    /// Nango's HTTP status, when Nango answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            NangoError::NotFound { .. } => Some(404),
            NangoError::RefreshExhausted { .. } => Some(424),
            NangoError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the connection is gone or needs re-authorisation (404 or 424).
    pub fn is_connection_unusable(&self) -> bool {
        matches!(
            self,
            NangoError::NotFound { .. } | NangoError::RefreshExhausted { .. }
        )
    }

    /// Nango's `error.code`, when its body had one (`unknown_connection`, `not_found`, ...).
    pub fn nango_code(&self) -> Option<&str> {
        match self {
            NangoError::NotFound { body, .. }
            | NangoError::RefreshExhausted { body, .. }
            | NangoError::Status { body, .. } => body
                .get("error")
                .and_then(|e| e.get("code").or(Some(e)))
                .and_then(Value::as_str),
            _ => None,
        }
    }

    /// The `detail` object the contract gives this error, and its status.
    pub fn detail(&self) -> (StatusCode, Value) {
        match self {
            NangoError::NotFound { provider, body } => (
                StatusCode::NOT_FOUND,
                json!({"code": "nango_connection_not_found", "message": "Nango connection does not exist",
                       "provider": provider, "nango_error": body}),
            ),
            NangoError::RefreshExhausted { provider, body } => (
                StatusCode::FAILED_DEPENDENCY,
                json!({"code": "nango_refresh_exhausted", "message": "Nango could not refresh credentials",
                       "provider": provider, "nango_error": body}),
            ),
            NangoError::Status { provider, body, .. } => (
                StatusCode::BAD_GATEWAY,
                json!({"code": "nango_request_failed", "message": "Nango API request failed",
                       "provider": provider, "nango_error": body}),
            ),
            NangoError::Unreachable(_) => (
                StatusCode::BAD_GATEWAY,
                json!({"code": "upstream_unreachable", "message": "Nango could not be reached", "upstream": "nango"}),
            ),
            NangoError::Timeout => (
                StatusCode::GATEWAY_TIMEOUT,
                json!({"code": "upstream_timeout", "message": "Nango did not answer in time", "upstream": "nango"}),
            ),
            NangoError::NotConfigured => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"code": "nango_not_configured", "message": "NANGO_SECRET_KEY is not configured"}),
            ),
            NangoError::InvalidResponse {
                provider,
                code,
                message,
            } => (
                StatusCode::BAD_GATEWAY,
                json!({"code": code, "message": message, "provider": provider}),
            ),
            NangoError::IncompleteCredentials { provider } => (
                StatusCode::BAD_GATEWAY,
                json!({"code": "nango_invalid_credentials", "message": "Nango connection credentials were incomplete",
                       "provider": provider}),
            ),
        }
    }

    /// The contract's shape when the token was wanted for Salesforce work (API.md §5.1 "get
    /// valid token"): a gone or exhausted connection is a 502 `nango_connection_unavailable`
    /// wrapping the direct-call detail, not a 404/424 of our own.
    pub fn work_detail(&self) -> (StatusCode, Value) {
        let (status, detail) = self.detail();
        match self {
            NangoError::NotFound { provider, .. }
            | NangoError::RefreshExhausted { provider, .. } => (
                StatusCode::BAD_GATEWAY,
                json!({"code": CONNECTION_UNAVAILABLE,
                       "message": "Salesforce connection is unavailable in Nango",
                       "provider": provider, "nango_status_code": status.as_u16(), "nango_error": detail}),
            ),
            _ => (status, detail),
        }
    }
}

impl From<NangoError> for ApiError {
    fn from(e: NangoError) -> Self {
        let (status, detail) = e.detail();
        ApiError::Detail { status, detail }
    }
}

/// Nango's error body: JSON if it parses, else the trimmed text, else null (API.md §5.1).
pub(crate) fn body_value(bytes: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return v;
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        Value::Null
    } else {
        Value::from(text)
    }
}

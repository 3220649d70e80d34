//! Salesforce's error formats parsed into one typed error (SALESFORCE.md §1.8, §3.1), and how
//! each answers our callers: Salesforce errors as 502 `{code, message}`, network failures as 502
//! `upstream_unreachable`, timeouts as 504 `upstream_timeout` (API-DECISIONS §4).

use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ApiError;
use crate::nango::NangoError;

/// One entry of a REST error body: `{"errorCode", "message", "fields"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorItem {
    #[serde(rename = "errorCode")]
    pub error_code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// A failed Salesforce call.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    /// An error status with Salesforce's body (REST, Tooling, Bulk): `code` and `message` are
    /// the first error's, or `salesforce_request_failed` and the body text when it was not JSON.
    #[error("Salesforce answered {status}: {code}")]
    Api {
        status: u16,
        code: String,
        message: String,
        errors: Vec<ApiErrorItem>,
    },
    /// A SOAP fault (Metadata API); `code` is the faultcode without its `sf:` prefix.
    #[error("Salesforce SOAP fault {faultcode}")]
    Fault {
        status: u16,
        faultcode: String,
        code: String,
        message: String,
    },
    /// No answer: DNS, connect, reset. `connect` is true when the request was never sent.
    #[error("Salesforce could not be reached: {cause}")]
    Unreachable { connect: bool, cause: String },
    /// No answer within the per-call timeout.
    #[error("Salesforce did not answer in time")]
    Timeout,
    /// The access token could not be had from Nango.
    #[error("access token: {0}")]
    Token(#[from] NangoError),
    /// A success status with a body we could not use.
    #[error("unexpected Salesforce response: {0}")]
    InvalidResponse(String),
    /// A call our own code should not have made (too many subrequests, a foreign URL).
    #[error("invalid Salesforce request: {0}")]
    InvalidRequest(String),
}

impl SalesforceError {
    /// The Salesforce error code (`INVALID_SESSION_ID`, `MALFORMED_QUERY`, ...), when Salesforce
    /// answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            SalesforceError::Api { code, .. } | SalesforceError::Fault { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status Salesforce answered with.
    pub fn status(&self) -> Option<u16> {
        match self {
            SalesforceError::Api { status, .. } | SalesforceError::Fault { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// An expired or revoked session: worth one forced token refresh.
    pub fn is_invalid_session(&self) -> bool {
        self.code() == Some("INVALID_SESSION_ID")
    }

    /// Whether trying again may succeed. `idempotent` says whether a request that may have been
    /// carried out can safely be sent twice; without it only failures that prove nothing was
    /// done are retried (never sent, 503, a row lock that rolled the call back).
    pub fn is_transient(&self, idempotent: bool) -> bool {
        match self {
            SalesforceError::Api { status, code, .. } => {
                is_transient_code(code) || *status == 503 || (idempotent && *status >= 500)
            }
            SalesforceError::Fault { code, .. } => is_transient_code(code),
            SalesforceError::Unreachable { connect, .. } => *connect || idempotent,
            SalesforceError::Timeout => idempotent,
            _ => false,
        }
    }

    /// The `{code, message}` of this error as our API shows it, and its status.
    pub fn detail(&self) -> (StatusCode, Value) {
        match self {
            SalesforceError::Api { code, message, .. }
            | SalesforceError::Fault { code, message, .. } => (
                StatusCode::BAD_GATEWAY,
                json!({"code": code, "message": message}),
            ),
            SalesforceError::Unreachable { .. } => (
                StatusCode::BAD_GATEWAY,
                json!({"code": "upstream_unreachable", "message": "Salesforce could not be reached",
                       "upstream": "salesforce"}),
            ),
            SalesforceError::Timeout => (
                StatusCode::GATEWAY_TIMEOUT,
                json!({"code": "upstream_timeout", "message": "Salesforce did not answer in time",
                       "upstream": "salesforce"}),
            ),
            SalesforceError::Token(e) => e.work_detail(),
            SalesforceError::InvalidResponse(message) => (
                StatusCode::BAD_GATEWAY,
                json!({"code": "salesforce_invalid_response", "message": message}),
            ),
            SalesforceError::InvalidRequest(message) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"code": "internal_error", "message": message}),
            ),
        }
    }
}

/// Codes that mean "nothing was done, try again shortly".
fn is_transient_code(code: &str) -> bool {
    matches!(code, "UNABLE_TO_LOCK_ROW" | "SERVER_UNAVAILABLE")
}

impl From<SalesforceError> for ApiError {
    fn from(e: SalesforceError) -> Self {
        if let SalesforceError::InvalidRequest(message) = e {
            return ApiError::Internal(message);
        }
        let (status, detail) = e.detail();
        ApiError::Detail { status, detail }
    }
}

/// Parses a REST error body (SALESFORCE.md §1.8 and the existing service's rules, API.md §5.2):
/// a JSON list → its first element's `errorCode` (or `statusCode`) and `message`; a JSON object
/// → `errorCode` or `code` (or OAuth's `error`), and `message` (or `error_description`);
/// anything else → `salesforce_request_failed` with the trimmed text.
pub fn parse_rest_error(status: u16, body: &[u8]) -> SalesforceError {
    let fallback_message = || {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            "Salesforce API request failed".to_string()
        } else {
            // An HTML error page can be long; the start says enough.
            text.chars().take(500).collect()
        }
    };
    let text_of = |v: &Value, keys: &[&str]| {
        keys.iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .map(str::to_string)
    };
    let (code, message, errors) = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => {
            let errors: Vec<ApiErrorItem> = items
                .iter()
                .filter_map(|item| {
                    Some(ApiErrorItem {
                        error_code: text_of(item, &["errorCode", "statusCode"])?,
                        message: text_of(item, &["message"]).unwrap_or_default(),
                        fields: item
                            .get("fields")
                            .and_then(Value::as_array)
                            .map(|f| {
                                f.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                })
                .collect();
            match errors.first() {
                Some(first) => (first.error_code.clone(), first.message.clone(), errors),
                None => (
                    "salesforce_request_failed".to_string(),
                    fallback_message(),
                    errors,
                ),
            }
        }
        Ok(object @ Value::Object(_)) => (
            text_of(&object, &["errorCode", "code", "error"])
                .unwrap_or_else(|| "salesforce_request_failed".to_string()),
            text_of(&object, &["message", "error_description"]).unwrap_or_else(fallback_message),
            Vec::new(),
        ),
        _ => (
            "salesforce_request_failed".to_string(),
            fallback_message(),
            Vec::new(),
        ),
    };
    SalesforceError::Api {
        status,
        code,
        message,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_list_gives_the_first_errors_code_and_message() {
        let e = parse_rest_error(
            400,
            br#"[{"message":"unexpected token: 'FRM'","errorCode":"MALFORMED_QUERY"},{"message":"x","errorCode":"OTHER"}]"#,
        );
        assert_eq!(e.code(), Some("MALFORMED_QUERY"));
        let (status, detail) = e.detail();
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert_eq!(
            detail,
            json!({"code": "MALFORMED_QUERY", "message": "unexpected token: 'FRM'"})
        );
    }

    #[test]
    fn an_object_body_uses_error_code_or_code() {
        let e = parse_rest_error(400, br#"{"code":"BAD","message":"nope"}"#);
        assert_eq!(e.code(), Some("BAD"));
        let e = parse_rest_error(
            400,
            br#"{"error":"invalid_grant","error_description":"expired"}"#,
        );
        assert_eq!(e.detail().1["message"], "expired");
    }

    #[test]
    fn a_non_json_body_becomes_salesforce_request_failed_with_its_text() {
        let e = parse_rest_error(502, b"  <html>Bad gateway</html>\n");
        assert_eq!(
            e.detail().1,
            json!({"code": "salesforce_request_failed", "message": "<html>Bad gateway</html>"})
        );
        let e = parse_rest_error(500, b"");
        assert_eq!(e.detail().1["message"], "Salesforce API request failed");
    }

    #[test]
    fn request_limit_exceeded_is_never_transient() {
        let e = parse_rest_error(
            403,
            br#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
        );
        assert!(!e.is_transient(true));
    }

    #[test]
    fn a_row_lock_is_transient_even_for_a_create() {
        let e = parse_rest_error(
            400,
            br#"[{"message":"unable to obtain exclusive access","errorCode":"UNABLE_TO_LOCK_ROW"}]"#,
        );
        assert!(e.is_transient(false));
    }

    #[test]
    fn a_500_is_retried_only_when_the_request_is_idempotent() {
        let e = parse_rest_error(500, br#"[{"message":"x","errorCode":"UNKNOWN_EXCEPTION"}]"#);
        assert!(e.is_transient(true));
        assert!(!e.is_transient(false));
    }
}

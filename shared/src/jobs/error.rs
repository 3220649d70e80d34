//! `JobError`: how a run failed, whether to try again, and the HTTP answer the synchronous call
//! would have given.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::ApiError;
use crate::db::DbError;

/// A failed run. Stored on the job as `{code, message, status, detail}`; `jobs/get` shows
/// `{code, message}` and a caller waiting on the job gets `status` with `{"detail": detail}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JobError {
    pub code: String,
    pub message: String,
    /// The HTTP status of the synchronous answer.
    pub status: u16,
    /// The `detail` of the synchronous answer.
    pub detail: Value,
    /// Whether another attempt may succeed (network trouble, 5xx, a database hiccup).
    pub retryable: bool,
}

impl JobError {
    /// A failure worth another attempt (answered 500 if attempts run out).
    pub fn retryable(code: &str, message: impl Into<String>) -> Self {
        JobError {
            code: code.into(),
            message: message.into(),
            status: 500,
            detail: Value::from("Internal server error"),
            retryable: true,
        }
    }

    /// A failure no retry will fix, answered with `status` and `{"detail": message}`.
    pub fn permanent(status: u16, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        JobError {
            code: code.into(),
            detail: Value::from(message.as_str()),
            message,
            status,
            retryable: false,
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> Value {
        json!({
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "detail": self.detail,
        })
    }

    /// The answer a caller waiting on a job that failed with this stored error gets.
    pub fn api_error(stored: &Value) -> ApiError {
        let status = stored["status"]
            .as_u64()
            .and_then(|s| StatusCode::from_u16(s as u16).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let detail = match stored.get("detail") {
            Some(d) if !d.is_null() => d.clone(),
            _ => Value::from("Internal server error"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Never echo a cause in a 500.
            return ApiError::Detail {
                status,
                detail: Value::from("Internal server error"),
            };
        }
        ApiError::Detail { status, detail }
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JobError {}

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        JobError::retryable("database_error", e.to_string())
    }
}

impl From<tokio_postgres::Error> for JobError {
    fn from(e: tokio_postgres::Error) -> Self {
        DbError::from(e).into()
    }
}

/// A handler's error raised inside a job keeps its HTTP answer; 5xx (upstream trouble) is worth
/// a retry, 4xx is not, and neither is a connection Nango can no longer serve.
impl From<ApiError> for JobError {
    fn from(e: ApiError) -> Self {
        let status = e.status();
        let (code, detail) = match &e {
            ApiError::Unauthorized(m) => ("unauthorized", Value::from(*m)),
            ApiError::Forbidden => ("forbidden", Value::from("Insufficient permissions")),
            ApiError::BadRequest(m) => ("bad_request", Value::from(m.as_str())),
            ApiError::NotFound(m) => ("not_found", Value::from(m.as_str())),
            ApiError::Conflict(m) => ("conflict", Value::from(m.as_str())),
            ApiError::Validation(errors) => ("validation_error", json!(errors)),
            ApiError::Detail { detail, .. } => {
                (detail["code"].as_str().unwrap_or("error"), detail.clone())
            }
            ApiError::Internal(_) => ("internal_error", Value::from("Internal server error")),
        };
        let message = match &detail {
            Value::String(s) => s.clone(),
            other => other["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| e.to_string()),
        };
        // A connection Nango cannot serve is expired by then: another attempt would only meet
        // the connection prerequisite's 400.
        let retryable =
            status.is_server_error() && code != crate::nango::error::CONNECTION_UNAVAILABLE;
        JobError {
            code: code.to_string(),
            message,
            status: status.as_u16(),
            detail,
            retryable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_keeps_its_answer_and_only_5xx_is_retried() {
        let e = JobError::from(ApiError::not_found("Connection not found"));
        assert_eq!((e.status, e.retryable), (404, false));
        assert_eq!(e.message, "Connection not found");
        let stored = e.to_json();
        let back = JobError::api_error(&stored);
        assert_eq!(back.status(), StatusCode::NOT_FOUND);

        let up = JobError::from(ApiError::upstream(
            StatusCode::BAD_GATEWAY,
            "upstream_unreachable",
            "Salesforce is unreachable",
        ));
        assert_eq!((up.status, up.retryable), (502, true));
        assert_eq!(up.code, "upstream_unreachable");
    }

    #[test]
    fn a_connection_nango_cannot_serve_is_not_retried() {
        let nango = crate::nango::NangoError::RefreshExhausted {
            provider: "salesforce".into(),
            body: serde_json::json!({"error": {"code": "refresh_exhausted"}}),
        };
        let sf = crate::salesforce::SalesforceError::Token(nango);
        let e = JobError::from(ApiError::from(sf));
        assert_eq!(e.code, "nango_connection_unavailable");
        assert_eq!((e.status, e.retryable), (502, false));
    }

    #[test]
    fn a_500_never_echoes_its_cause() {
        let stored = JobError::retryable("database_error", "password=x in a query").to_json();
        match JobError::api_error(&stored) {
            ApiError::Detail { status, detail } => {
                assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
                assert_eq!(detail, "Internal server error");
            }
            other => panic!("{other:?}"),
        }
    }
}

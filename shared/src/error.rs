//! The one error type of every handler, rendered as `{"detail": ...}`.
//!
//! Library modules keep their own error enums ([`crate::db::DbError`], ...) and convert here, in
//! one place. A 5xx logs its cause once; its body never carries raw error text.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::db::DbError;

/// One entry of a 422 body, shaped like Pydantic v2's errors.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    #[serde(rename = "type")]
    pub kind: String,
    pub loc: Vec<Value>,
    pub msg: String,
    pub input: Value,
}

impl FieldError {
    /// An error at `body.<path...>`.
    pub fn at(path: &[&str], kind: &str, msg: impl Into<String>, input: Value) -> Self {
        let mut loc = vec![Value::from("body")];
        loc.extend(path.iter().map(|p| Value::from(*p)));
        FieldError {
            kind: kind.to_string(),
            loc,
            msg: msg.into(),
            input,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401 with the contract's text.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// 403 `Insufficient permissions`.
    #[error("forbidden")]
    Forbidden,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// 422 with Pydantic-shaped entries.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Any status with a structured `detail` object (upstream errors, plan errors).
    #[error("{status}: {detail}")]
    Detail { status: StatusCode, detail: Value },
    /// 500; the cause is logged, the body says only `Internal server error`.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        ApiError::BadRequest(msg.into())
    }

    pub fn not_found(msg: impl Into<String>) -> Self {
        ApiError::NotFound(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        ApiError::Conflict(msg.into())
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    /// A 422 for one field.
    pub fn invalid(path: &[&str], kind: &str, msg: impl Into<String>, input: Value) -> Self {
        ApiError::Validation(vec![FieldError::at(path, kind, msg, input)])
    }

    /// A structured error from an upstream service: 502 `{code, message}` and friends.
    pub fn upstream(status: StatusCode, code: &str, message: &str) -> Self {
        ApiError::Detail {
            status,
            detail: json!({"code": code, "message": message}),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Detail { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> Value {
        match self {
            ApiError::Unauthorized(msg) => Value::from(*msg),
            ApiError::Forbidden => Value::from("Insufficient permissions"),
            ApiError::BadRequest(msg) | ApiError::NotFound(msg) | ApiError::Conflict(msg) => {
                Value::from(msg.as_str())
            }
            ApiError::Validation(errors) => json!(errors),
            ApiError::Detail { detail, .. } => detail.clone(),
            ApiError::Internal(_) => Value::from("Internal server error"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), cause = %self, "request failed");
        }
        (status, axum::Json(json!({ "detail": self.detail() }))).into_response()
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        DbError::from(e).into()
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// The body shape of every error, for the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A message, a list of validation errors (422), or an object with `code` and `message`.
    #[schema(value_type = Object)]
    pub detail: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let e = ApiError::internal("password=hunter2 in a query");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.detail(), json!("Internal server error"));
    }

    #[test]
    fn validation_errors_have_the_pydantic_shape() {
        let e = ApiError::invalid(&["name"], "missing", "Field required", json!({}));
        assert_eq!(
            e.detail(),
            json!([{"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": {}}])
        );
    }
}

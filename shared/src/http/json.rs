//! `Json<T>`: reads the body, parses it, checks it, and answers 422 in the contract's shape
//! (`{"detail": [{"type", "loc", "msg", "input"}]}`) when any of that fails.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, FieldError};

/// The largest body we read (API Gateway's own payload limit is 10 MB, Lambda's 6 MB).
pub const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

/// Checks beyond types (lengths, ranges): each problem is a 422 entry.
pub trait Validate {
    fn validate(&self, _errors: &mut Vec<FieldError>) {}
}

/// A JSON request body of type `T`, parsed and validated.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| ApiError::Detail {
                status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                detail: Value::from(format!(
                    "Request body is larger than {MAX_BODY_BYTES} bytes"
                )),
            })?;
        let value = parse(&bytes)?;
        Ok(Json(from_value(value)?))
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Parses a body into JSON, or the 422 of a missing or malformed body.
pub fn parse(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Validation(vec![FieldError {
            kind: "missing".into(),
            loc: vec!["body".into()],
            msg: "Field required".into(),
            input: Value::Null,
        }]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::Validation(vec![FieldError {
            kind: "json_invalid".into(),
            loc: vec!["body".into(), Value::from(e.column())],
            msg: "JSON decode error".into(),
            input: serde_json::json!({}),
        }])
    })
}

/// Deserializes and validates a parsed body.
pub fn from_value<T: DeserializeOwned + Validate>(value: Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::Validation(vec![FieldError {
            kind: "model_attributes_type".into(),
            loc: vec!["body".into()],
            msg: "Input should be a valid dictionary or object to extract fields from".into(),
            input: value,
        }]));
    }
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&value);
    let body = parsed.map_err(|e| ApiError::Validation(vec![describe(&value, e)]))?;
    let mut errors = Vec::new();
    body.validate(&mut errors);
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn describe(root: &Value, e: serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let mut loc: Vec<Value> = vec!["body".into()];
    let mut input = root;
    for seg in e.path().iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => {
                loc.push(Value::from(*index));
                input = input.get(*index).unwrap_or(&Value::Null);
            }
            serde_path_to_error::Segment::Map { key } => {
                loc.push(Value::from(key.as_str()));
                input = input.get(key).unwrap_or(&Value::Null);
            }
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    let text = e.inner().to_string();
    if let Some(rest) = text.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        loc.push(Value::from(field));
        return FieldError {
            kind: "missing".into(),
            loc,
            msg: "Field required".into(),
            input: input.clone(),
        };
    }
    let (kind, msg) = classify(&text, input);
    FieldError {
        kind: kind.into(),
        loc,
        msg,
        input: input.clone(),
    }
}

/// Pydantic's error type and message for a serde message.
fn classify(text: &str, input: &Value) -> (&'static str, String) {
    if text.contains("UUID parsing failed")
        || text.contains("invalid character") && text.contains("UUID")
    {
        return (
            "uuid_parsing",
            format!("Input should be a valid UUID, {text}"),
        );
    }
    if let Some(rest) = text.strip_prefix("unknown variant `") {
        let expected = rest.split("expected ").nth(1).unwrap_or_default();
        let options: Vec<String> = expected
            .split(['`', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "or" && !s.starts_with("one of"))
            .map(|s| format!("'{}'", s.trim_start_matches("or ")))
            .collect();
        let msg = match options.as_slice() {
            [] => "Input should be a valid enumeration member".to_string(),
            [one] => format!("Input should be {one}"),
            [init @ .., last] => format!("Input should be {} or {last}", init.join(", ")),
        };
        return ("enum", msg);
    }
    if text.contains("expected a string") || text.contains("expected a borrowed string") {
        return ("string_type", "Input should be a valid string".into());
    }
    if text.contains("expected i64")
        || text.contains("expected i32")
        || text.contains("expected u32")
        || text.contains("expected u64")
        || text.contains("expected usize")
    {
        let kind = if input.is_number() {
            "int_from_float"
        } else {
            "int_type"
        };
        let msg = if input.is_number() {
            "Input should be a valid integer, got a number with a fractional part"
        } else {
            "Input should be a valid integer"
        };
        return (kind, msg.into());
    }
    if text.contains("expected a boolean") {
        return ("bool_type", "Input should be a valid boolean".into());
    }
    if text.contains("expected a sequence") {
        return ("list_type", "Input should be a valid list".into());
    }
    if text.contains("expected a map") || text.contains("expected struct") {
        return ("dict_type", "Input should be a valid dictionary".into());
    }
    ("value_error", format!("Value error, {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use uuid::Uuid;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        id: Option<Uuid>,
        count: Option<i64>,
        role: Option<crate::auth::Role>,
    }
    impl Validate for Body {}

    fn err(v: Value) -> Value {
        match from_value::<Body>(v) {
            Err(ApiError::Validation(e)) => json!(e),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_reported_at_its_location() {
        assert_eq!(
            err(json!({})),
            json!([{"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": {}}])
        );
    }

    #[test]
    fn a_number_for_a_string_is_a_string_type_error() {
        let e = err(json!({"name": 5}));
        assert_eq!(e[0]["type"], "string_type");
        assert_eq!(e[0]["loc"], json!(["body", "name"]));
        assert_eq!(e[0]["input"], 5);
    }

    #[test]
    fn a_malformed_uuid_is_a_uuid_parsing_error() {
        let e = err(json!({"name": "x", "id": "not-a-uuid"}));
        assert_eq!(e[0]["type"], "uuid_parsing");
        assert_eq!(e[0]["loc"], json!(["body", "id"]));
    }

    #[test]
    fn uuids_are_accepted_in_the_usual_textual_forms() {
        for form in [
            "67e55044-10b1-426f-9247-bb680e5fe0c8",
            "67e5504410b1426f9247bb680e5fe0c8",
            "{67e55044-10b1-426f-9247-bb680e5fe0c8}",
            "urn:uuid:67e55044-10b1-426f-9247-bb680e5fe0c8",
            "67E55044-10B1-426F-9247-BB680E5FE0C8",
        ] {
            let b = from_value::<Body>(json!({"name": "x", "id": form})).unwrap();
            assert_eq!(
                b.id.unwrap().to_string(),
                "67e55044-10b1-426f-9247-bb680e5fe0c8"
            );
        }
    }

    #[test]
    fn an_unknown_role_lists_the_allowed_ones() {
        let e = err(json!({"name": "x", "role": "boss"}));
        assert_eq!(e[0]["type"], "enum");
        assert_eq!(
            e[0]["msg"],
            "Input should be 'org_admin', 'company_admin' or 'company_member'"
        );
    }

    #[test]
    fn a_fractional_number_for_an_integer_is_refused() {
        let e = err(json!({"name": "x", "count": 1.5}));
        assert_eq!(e[0]["type"], "int_from_float");
    }

    #[test]
    fn an_empty_body_is_a_missing_body() {
        match parse(b"  ") {
            Err(ApiError::Validation(e)) => {
                assert_eq!(
                    json!(e),
                    json!([{"type": "missing", "loc": ["body"], "msg": "Field required", "input": null}])
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_a_json_invalid_error() {
        match parse(b"{\"name\": ") {
            Err(ApiError::Validation(e)) => assert_eq!(e[0].kind, "json_invalid"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_array_body_is_not_an_object() {
        assert_eq!(err(json!([1, 2]))[0]["type"], "model_attributes_type");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        assert!(from_value::<Body>(json!({"name": "x", "extra": [1]})).is_ok());
    }
}

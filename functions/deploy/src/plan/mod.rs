//! Deploy plan validators (API.md §7.1, with API-DECISIONS §8's corrections) and the builders
//! that turn a valid plan into package specs. Validation runs before any Salesforce call and
//! before a deployment row exists; any error answers 400
//! `{"code": "invalid_deploy_plan", "errors": [{field, message}]}`.

pub mod analytics;
pub mod objects;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value, json};
use shared::ApiError;

/// One problem with a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanError {
    pub field: String,
    pub message: String,
}

/// The 400 of an invalid plan.
pub fn invalid(errors: Vec<PlanError>) -> ApiError {
    ApiError::Detail {
        status: StatusCode::BAD_REQUEST,
        detail: json!({"code": "invalid_deploy_plan", "errors": errors}),
    }
}

/// `Ok` with the plan's object, or the 400.
pub fn ensure(errors: Vec<PlanError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(errors))
    }
}

/// `{path}.{key}`, or `key` at the top.
pub fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Collects errors with the contract's helper semantics.
#[derive(Default)]
pub struct Check {
    pub errors: Vec<PlanError>,
}

impl Check {
    pub fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(PlanError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Present, a string, non-blank after trim; else `{key} must be a non-empty string`.
    pub fn req_str<'a>(
        &mut self,
        o: &'a Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'a str> {
        match o.get(key).and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => Some(s),
            _ => {
                self.err(at(path, key), format!("{key} must be a non-empty string"));
                None
            }
        }
    }

    /// Absent or null, or a non-boolean integer above `min - 1`.
    fn int_at_least(
        &mut self,
        o: &Map<String, Value>,
        path: &str,
        key: &str,
        min: i64,
        what: &str,
    ) -> Option<i64> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(n) if n >= min => Some(n),
                _ => {
                    self.err(at(path, key), format!("{key} must be a {what} integer"));
                    None
                }
            },
        }
    }

    /// `{key} must be a positive integer`.
    pub fn pos_int(&mut self, o: &Map<String, Value>, path: &str, key: &str) -> Option<i64> {
        self.int_at_least(o, path, key, 1, "positive")
    }

    /// `{key} must be a non-negative integer`.
    pub fn non_neg_int(&mut self, o: &Map<String, Value>, path: &str, key: &str) -> Option<i64> {
        self.int_at_least(o, path, key, 0, "non-negative")
    }

    /// If present (not null): one of `allowed`, else `Invalid {key} '{v}'. Must be one of: …`.
    pub fn one_of(&mut self, o: &Map<String, Value>, path: &str, key: &str, allowed: &[&str]) {
        match o.get(key) {
            None | Some(Value::Null) => {}
            Some(v) => {
                if !v.as_str().is_some_and(|s| allowed.contains(&s)) {
                    self.err(at(path, key), enum_message(key, v, allowed));
                }
            }
        }
    }

    /// If present (not null) it must be a list: `{key} must be a list when provided`.
    pub fn list<'a>(
        &mut self,
        o: &'a Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'a Vec<Value>> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(a),
            Some(_) => {
                self.err(at(path, key), format!("{key} must be a list when provided"));
                None
            }
        }
    }

    /// If present (not null) it must be an object: `{key} must be an object when provided`.
    pub fn object<'a>(
        &mut self,
        o: &'a Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'a Map<String, Value>> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => {
                self.err(
                    at(path, key),
                    format!("{key} must be an object when provided"),
                );
                None
            }
        }
    }

    /// The entries of a list that are objects; others get `{kind} entry must be an object`.
    pub fn entries<'a>(
        &mut self,
        list: &'a [Value],
        path: &str,
        key: &str,
        kind: &str,
    ) -> Vec<(String, &'a Map<String, Value>)> {
        let mut out = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let p = format!("{}[{i}]", at(path, key));
            match v.as_object() {
                Some(m) => out.push((p, m)),
                None => self.err(p, format!("{kind} entry must be an object")),
            }
        }
        out
    }

    /// `pre_existing` must be a boolean when present; its value.
    pub fn pre_existing(&mut self, o: &Map<String, Value>, path: &str) -> bool {
        match o.get("pre_existing") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.err(
                    at(path, "pre_existing"),
                    "pre_existing must be a boolean when provided",
                );
                false
            }
        }
    }
}

/// `Invalid {key} '{value}'. Must be one of: {sorted, ", "}`.
pub fn enum_message(key: &str, v: &Value, allowed: &[&str]) -> String {
    let shown = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut sorted = allowed.to_vec();
    sorted.sort_unstable();
    format!(
        "Invalid {key} '{shown}'. Must be one of: {}",
        sorted.join(", ")
    )
}

/// A non-blank string under the first of `keys` that has one.
pub fn str_of<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| {
        o.get(*k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    })
}

//! Field values as stored (compactly) and as they travel: JSON for REST, text for CSV and SOQL.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Value, json};

use crate::schema::{FieldDef, FieldType};

/// A stored field value. Datetimes are epoch milliseconds; dates are `YYYY-MM-DD` text.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(Box<str>),
}

impl Val {
    /// Text value.
    pub fn str(s: &str) -> Val {
        Val::Str(s.into())
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON, shaped by the field type (integers for `int`, formatted datetimes).
    pub fn to_json(&self, t: FieldType) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => json!(b),
            Val::Num(n) if t == FieldType::Datetime => json!(format_datetime(*n as i64)),
            Val::Num(n) if t == FieldType::Int => json!(*n as i64),
            Val::Num(n) => json!(n),
            Val::Str(s) => json!(s),
        }
    }

    /// The value as CSV text (Bulk API 2.0 results): empty for null, ISO `Z` datetimes.
    pub fn to_csv(&self, t: FieldType) -> String {
        match self {
            Val::Null => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Num(n) if t == FieldType::Datetime => DateTime::from_timestamp_millis(*n as i64)
                .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                .unwrap_or_default(),
            Val::Num(n) if t == FieldType::Int => (*n as i64).to_string(),
            Val::Num(n) => n.to_string(),
            Val::Str(s) => s.to_string(),
        }
    }

    /// A key for unique and external-id indexes (case-folded unless case sensitive).
    pub fn index_key(&self, case_sensitive: bool) -> Option<String> {
        match self {
            Val::Null => None,
            Val::Str(s) if s.is_empty() => None,
            Val::Str(s) if !case_sensitive => Some(s.to_lowercase()),
            Val::Str(s) => Some(s.to_string()),
            Val::Num(n) => Some(n.to_string()),
            Val::Bool(b) => Some(b.to_string()),
        }
    }
}

/// Salesforce's REST datetime format: `2026-01-31T00:00:00.000+0000`.
pub fn format_datetime(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string())
        .unwrap_or_default()
}

/// Parses the datetime forms Salesforce accepts (`Z`, `+00:00`, `+0000`, optional millis).
pub fn parse_datetime(s: &str) -> Option<i64> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp_millis());
    }
    if let Ok(d) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(d.timestamp_millis());
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(d.and_utc().timestamp_millis());
    }
    None
}

/// Parses a `YYYY-MM-DD` date, returning it normalised.
pub fn parse_date(s: &str) -> Option<String> {
    let s = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// Current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Why a value could not be converted for a field.
pub enum CoerceError {
    /// The JSON type cannot be read as the field's type (whole request fails, JSON_PARSER_ERROR).
    Parse(String),
    /// Readable but invalid for the field (per-record error: status code, message).
    Invalid(&'static str, String),
}

/// Converts an incoming JSON value for field `f` the way the REST API does.
pub fn coerce_json(f: &FieldDef, v: &Value) -> Result<Val, CoerceError> {
    match v {
        Value::Null => Ok(Val::Null),
        Value::String(s) => coerce_text(f, s, true),
        Value::Bool(b) => match f.ftype {
            FieldType::Boolean => Ok(Val::Bool(*b)),
            t if t.is_textual() => Ok(Val::str(&b.to_string())),
            _ => Err(CoerceError::Parse(format!(
                "Cannot deserialize instance of {} from VALUE_{} value {b} or request may be missing a required field",
                f.ftype.soql_name(),
                if *b { "TRUE" } else { "FALSE" }
            ))),
        },
        Value::Number(n) => match f.ftype {
            t if t.is_numeric() => Ok(Val::Num(n.as_f64().unwrap_or(0.0))),
            FieldType::Datetime => Ok(Val::Num(n.as_f64().unwrap_or(0.0))),
            t if t.is_textual() => Ok(Val::str(&n.to_string())),
            _ => Err(CoerceError::Parse(format!(
                "Cannot deserialize instance of {} from VALUE_NUMBER_INT value {n} or request may be missing a required field",
                f.ftype.soql_name()
            ))),
        },
        Value::Array(_) | Value::Object(_) => Err(CoerceError::Parse(format!(
            "Cannot deserialize instance of {} from START_{} value or request may be missing a required field",
            f.ftype.soql_name(),
            if v.is_array() { "ARRAY" } else { "OBJECT" }
        ))),
    }
}

/// Converts text (JSON string or CSV cell) for field `f`. An empty CSV cell means null.
pub fn coerce_text(f: &FieldDef, s: &str, json: bool) -> Result<Val, CoerceError> {
    if s.is_empty() && (!json || !f.ftype.is_textual()) {
        return Ok(Val::Null);
    }
    let bad = |what: &str| {
        if json {
            CoerceError::Parse(format!(
                "Cannot deserialize instance of {what} from VALUE_STRING value {s} or request may be missing a required field"
            ))
        } else {
            CoerceError::Invalid(
                "INVALID_FIELD",
                format!("'{s}' is not a valid value for the type {what}"),
            )
        }
    };
    match f.ftype {
        FieldType::Boolean => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Val::Bool(true)),
            "false" | "0" => Ok(Val::Bool(false)),
            _ => Err(bad("boolean")),
        },
        t if t.is_numeric() => s
            .trim()
            .parse::<f64>()
            .map(Val::Num)
            .map_err(|_| bad(t.soql_name())),
        FieldType::Date => parse_date(s)
            .map(|d| Val::str(&d))
            .ok_or_else(|| bad("date")),
        FieldType::Datetime => parse_datetime(s)
            .map(|ms| Val::Num(ms as f64))
            .ok_or_else(|| bad("datetime")),
        _ => Ok(Val::str(s)),
    }
}

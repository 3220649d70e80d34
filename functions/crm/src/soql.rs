//! SOQL built from parts, with nothing of the caller's text reaching the query unchecked
//! (API-DECISIONS §10): identifiers must match
//! `^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$`, object names are checked against the
//! latest topology snapshot when one exists, and filter values become typed literals (numbers,
//! booleans, null, dates and datetimes unquoted; strings quoted with every SOQL escape). The
//! hostile-input corpus is in `soql_tests.rs`.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;
use shared::ApiError;
use shared::salesforce::soql_quote;

/// A comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[schema(as = SoqlFilterOp)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    /// `LIKE` with the caller's pattern (`%` and `_` are wildcards).
    Like,
    /// `LIKE '%value%'` with `%` and `_` in the value matched literally.
    Contains,
    /// `LIKE 'value%'`, wildcards in the value matched literally.
    StartsWith,
    /// `LIKE '%value'`, wildcards in the value matched literally.
    EndsWith,
    In,
    NotIn,
}

impl FilterOp {
    fn name(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Neq => "neq",
            FilterOp::Gt => "gt",
            FilterOp::Gte => "gte",
            FilterOp::Lt => "lt",
            FilterOp::Lte => "lte",
            FilterOp::Like => "like",
            FilterOp::Contains => "contains",
            FilterOp::StartsWith => "starts_with",
            FilterOp::EndsWith => "ends_with",
            FilterOp::In => "in",
            FilterOp::NotIn => "not_in",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            FilterOp::Eq => "=",
            FilterOp::Neq => "!=",
            FilterOp::Gt => ">",
            FilterOp::Gte => ">=",
            FilterOp::Lt => "<",
            FilterOp::Lte => "<=",
            FilterOp::Like | FilterOp::Contains | FilterOp::StartsWith | FilterOp::EndsWith => {
                "LIKE"
            }
            FilterOp::In => "IN",
            FilterOp::NotIn => "NOT IN",
        }
    }
}

/// How a filter value is written. Without it the JSON type decides: string → quoted string,
/// number → number, boolean → boolean, null → null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[schema(as = SoqlValueType)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    String,
    Number,
    Boolean,
    Null,
    /// `YYYY-MM-DD`, or a relative date literal such as `TODAY` or `LAST_N_DAYS:30`.
    Date,
    /// RFC 3339 with offset; written in UTC to the second (`2026-01-31T09:00:00Z`).
    Datetime,
}

impl ValueType {
    fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Number => "number",
            ValueType::Boolean => "boolean",
            ValueType::Null => "null",
            ValueType::Date => "date",
            ValueType::Datetime => "datetime",
        }
    }
}

/// One WHERE condition: `{field, op, value, type?}`. `in`/`not_in` take a list.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = SoqlFilter)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
    /// A string, number, boolean or null; a list of them for `in` / `not_in`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub value: Value,
    /// Forces how the value is written (a date or datetime must say so).
    #[serde(default, rename = "type")]
    pub value_type: Option<ValueType>,
}

/// Whether `s` is an identifier or a dotted relationship path.
pub fn is_identifier(s: &str) -> bool {
    s.split('.').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A field name or path, or 400 `Invalid field name: {field}`.
pub fn field(name: &str) -> Result<&str, ApiError> {
    if is_identifier(name) {
        Ok(name)
    } else {
        Err(ApiError::bad_request(format!("Invalid field name: {name}")))
    }
}

/// A SELECT list, or the 400 of its first bad field.
pub fn select_list(fields: &[String]) -> Result<String, ApiError> {
    let checked: Result<Vec<&str>, ApiError> = fields.iter().map(|f| field(f)).collect();
    Ok(checked?.join(", "))
}

/// An object name's syntax (no dots), or 400 `Invalid object name: {name}`.
pub fn object_syntax(name: &str) -> Result<&str, ApiError> {
    if !name.contains('.') && is_identifier(name) {
        Ok(name)
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid object name: {name}"
        )))
    }
}

/// The object's name as the snapshot spells it, or 404 `Object {name} not found in topology
/// snapshot`; `known` is None when the client has no snapshot (then only the syntax counts).
pub fn object(name: &str, known: Option<&[String]>) -> Result<String, ApiError> {
    let name = object_syntax(name)?;
    match known {
        None => Ok(name.to_string()),
        Some(names) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(format!("Object {name} not found in topology snapshot"))
            }),
    }
}

/// ` WHERE a AND b` (empty for no conditions).
pub fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// Each filter as a condition, fields checked before values (the contract's order).
pub fn conditions(filters: &[Filter]) -> Result<Vec<String>, ApiError> {
    for f in filters {
        field(&f.field)?;
    }
    filters.iter().map(condition).collect()
}

/// One filter as a condition.
pub fn condition(f: &Filter) -> Result<String, ApiError> {
    let name = field(&f.field)?;
    let op = f.op;
    match op {
        FilterOp::In | FilterOp::NotIn => {
            let Value::Array(items) = &f.value else {
                return Err(ApiError::bad_request(format!(
                    "Operator {} requires a list value",
                    op.name()
                )));
            };
            if items.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "Operator {} requires a non-empty list value",
                    op.name()
                )));
            }
            let lits: Result<Vec<String>, ApiError> = items
                .iter()
                .map(|v| literal(name, v, f.value_type))
                .collect();
            Ok(format!("{name} {} ({})", op.symbol(), lits?.join(", ")))
        }
        _ if f.value.is_array() => Err(ApiError::bad_request(format!(
            "Operator {} requires a single value",
            op.name()
        ))),
        FilterOp::Like | FilterOp::Contains | FilterOp::StartsWith | FilterOp::EndsWith => {
            let text = match (&f.value, f.value_type) {
                (Value::String(s), None | Some(ValueType::String)) => s,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "Operator {} requires a string value",
                        op.name()
                    )));
                }
            };
            check_text(name, text)?;
            let pattern = match op {
                FilterOp::Like => soql_quote(text),
                _ => {
                    let quoted = soql_quote(text);
                    let inner = escape_wildcards(&quoted[1..quoted.len() - 1]);
                    match op {
                        FilterOp::Contains => format!("'%{inner}%'"),
                        FilterOp::StartsWith => format!("'{inner}%'"),
                        _ => format!("'%{inner}'"),
                    }
                }
            };
            Ok(format!("{name} LIKE {pattern}"))
        }
        _ => {
            let lit = literal(name, &f.value, f.value_type)?;
            if lit == "null" && !matches!(op, FilterOp::Eq | FilterOp::Neq) {
                return Err(ApiError::bad_request(format!(
                    "Operator {} cannot compare with null",
                    op.name()
                )));
            }
            Ok(format!("{name} {} {lit}", op.symbol()))
        }
    }
}

/// `%` and `_` matched literally inside a LIKE pattern.
fn escape_wildcards(s: &str) -> String {
    s.replace('%', "\\%").replace('_', "\\_")
}

/// Strings may hold any character SOQL can escape, but no other control character.
fn check_text(field: &str, s: &str) -> Result<(), ApiError> {
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{8}' | '\u{c}'))
    {
        return Err(ApiError::bad_request(format!(
            "Invalid string value for field {field}: control characters are not allowed"
        )));
    }
    Ok(())
}

fn invalid(ty: ValueType, field: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid {} value for field {field}", ty.name()))
}

/// One value as a SOQL literal.
pub fn literal(field: &str, v: &Value, ty: Option<ValueType>) -> Result<String, ApiError> {
    let ty = ty.unwrap_or(match v {
        Value::String(_) => ValueType::String,
        Value::Number(_) => ValueType::Number,
        Value::Bool(_) => ValueType::Boolean,
        Value::Null => ValueType::Null,
        Value::Array(_) | Value::Object(_) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value for field {field}: lists and objects are not values"
            )));
        }
    });
    let bad = || invalid(ty, field);
    match (ty, v) {
        (ValueType::String, Value::String(s)) => {
            check_text(field, s)?;
            Ok(soql_quote(s))
        }
        (ValueType::Number, Value::Number(n)) => Ok(match n.as_f64() {
            // Display of an f64 never uses an exponent, which SOQL would not read.
            Some(f) if !(n.is_i64() || n.is_u64()) => f.to_string(),
            _ => n.to_string(),
        }),
        (ValueType::Number, Value::String(s)) if is_number(s) => Ok(s.clone()),
        (ValueType::Boolean, Value::Bool(b)) => Ok(b.to_string()),
        (ValueType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") => {
            Ok("true".into())
        }
        (ValueType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("false") => {
            Ok("false".into())
        }
        (ValueType::Null, Value::Null) => Ok("null".into()),
        (ValueType::Date, Value::String(s)) => date(s).ok_or_else(bad),
        (ValueType::Datetime, Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| {
                t.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Secs, true)
            })
            .map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// `-12`, `3.5`: digits with an optional sign and fraction (no exponent, no `NaN`).
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Relative date literals without a number.
const DATE_LITERALS: &[&str] = &[
    "YESTERDAY",
    "TODAY",
    "TOMORROW",
    "LAST_WEEK",
    "THIS_WEEK",
    "NEXT_WEEK",
    "LAST_MONTH",
    "THIS_MONTH",
    "NEXT_MONTH",
    "LAST_90_DAYS",
    "NEXT_90_DAYS",
    "LAST_QUARTER",
    "THIS_QUARTER",
    "NEXT_QUARTER",
    "LAST_YEAR",
    "THIS_YEAR",
    "NEXT_YEAR",
];

/// Relative date literals taking `:n`.
const DATE_LITERALS_N: &[&str] = &[
    "LAST_N_DAYS",
    "NEXT_N_DAYS",
    "N_DAYS_AGO",
    "LAST_N_WEEKS",
    "NEXT_N_WEEKS",
    "LAST_N_MONTHS",
    "NEXT_N_MONTHS",
    "LAST_N_QUARTERS",
    "NEXT_N_QUARTERS",
    "LAST_N_YEARS",
    "NEXT_N_YEARS",
];

/// A date: `YYYY-MM-DD` (a real calendar day) or a relative literal, upper-cased.
fn date(s: &str) -> Option<String> {
    if s.len() == 10 && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        return Some(s.to_string());
    }
    let upper = s.to_ascii_uppercase();
    if DATE_LITERALS.contains(&upper.as_str()) {
        return Some(upper);
    }
    let (name, n) = upper.split_once(':')?;
    (DATE_LITERALS_N.contains(&name)
        && !n.is_empty()
        && n.len() <= 4
        && n.bytes().all(|b| b.is_ascii_digit()))
    .then_some(upper)
}

/// `query/soql` text: one `SELECT` statement. 400 `SOQL query cannot be empty`, `SOQL query
/// cannot contain semicolons` (outside string literals) or `SOQL query must be a single SELECT
/// statement`.
pub fn check_select(soql: &str) -> Result<(), ApiError> {
    let q = soql.trim();
    if q.is_empty() {
        return Err(ApiError::bad_request("SOQL query cannot be empty"));
    }
    let mut in_string = false;
    let mut escaped = false;
    for c in q.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '\'') => in_string = false,
            (false, _, '\'') => in_string = true,
            (false, _, ';') => {
                return Err(ApiError::bad_request(
                    "SOQL query cannot contain semicolons",
                ));
            }
            _ => {}
        }
    }
    let first = q
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default();
    if !first.eq_ignore_ascii_case("SELECT") {
        return Err(ApiError::bad_request(
            "SOQL query must be a single SELECT statement",
        ));
    }
    Ok(())
}

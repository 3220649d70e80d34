//! The conflict checker (API.md §7.2 as API-DECISIONS §8 corrects it): a pure function of a
//! deployment plan and the snapshot's objects (`{name: describe + validationRules}`).
//!
//! Corrections: the required-field rule flags only fields that are createable, not nillable and
//! not defaulted on create (so `Id`, `OwnerId`, `CreatedDate` never show); the fields and
//! relationships of a new custom object are checked (unknown types, lookups to objects that
//! exist neither in the org nor in the plan); `MultiselectPicklist` is a known type; the
//! validation-rule rule reads the rules the pull recorded.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Green,
    Yellow,
    Red,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Green => "green",
            Severity::Yellow => "yellow",
            Severity::Red => "red",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub category: &'static str,
    pub message: String,
}

/// The checker's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub overall: Severity,
    /// green, yellow, red.
    pub counts: [i32; 3],
}

/// Plan type → describe type; None for a type the checker does not know.
pub fn describe_type(plan_type: &str) -> Option<&'static str> {
    Some(match plan_type {
        "Text" => "string",
        "Number" => "double",
        "Currency" => "currency",
        "Date" => "date",
        "DateTime" => "datetime",
        "Checkbox" => "boolean",
        "Picklist" => "picklist",
        "MultiPicklist" | "MultiselectPicklist" => "multipicklist",
        "Phone" => "phone",
        "Email" => "email",
        "Url" => "url",
        "Percent" => "percent",
        "TextArea" | "LongTextArea" => "textarea",
        "Lookup" | "MasterDetail" => "reference",
        _ => return None,
    })
}

/// A planned field's type as the describe would show it (§7.2: missing key `""`, null `none`,
/// unknown types lower-cased as given).
fn normalised(field: &Map<String, Value>) -> String {
    match field.get("type") {
        None => String::new(),
        Some(Value::Null) => "none".into(),
        Some(Value::String(t)) => describe_type(t)
            .map(str::to_string)
            .unwrap_or_else(|| t.to_lowercase()),
        Some(other) => other.to_string().to_lowercase(),
    }
}

fn nonblank<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn entries(v: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

struct Out(Vec<Finding>);

impl Out {
    fn push(&mut self, severity: Severity, category: &'static str, message: String) {
        self.0.push(Finding {
            severity,
            category,
            message,
        });
    }
}

/// Runs every rule in emission order.
pub fn check(plan: &Value, objects: &Map<String, Value>) -> Report {
    let mut out = Out(Vec::new());
    let planned: Vec<&str> = entries(plan.get("custom_objects"))
        .filter_map(|o| nonblank(o, "api_name"))
        .collect();
    for o in entries(plan.get("custom_objects")) {
        let Some(name) = nonblank(o, "api_name") else {
            continue;
        };
        match objects.get(name) {
            Some(existing) => {
                out.push(
                    Severity::Red,
                    "object_name",
                    format!("{name} already exists in topology snapshot"),
                );
                planned_fields(&mut out, name, entries(o.get("fields")), existing);
            }
            None => {
                out.push(
                    Severity::Green,
                    "object_name",
                    format!("{name} does not exist - safe to create"),
                );
                let fields = entries(o.get("fields")).chain(entries(o.get("relationships")));
                new_object_fields(&mut out, name, fields, objects, &planned);
            }
        }
    }
    for o in entries(plan.get("standard_object_fields")) {
        let Some(name) = nonblank(o, "object") else {
            continue;
        };
        let Some(existing) = objects.get(name) else {
            out.push(
                Severity::Red,
                "standard_object",
                format!("{name} not found in topology snapshot"),
            );
            continue;
        };
        out.push(
            Severity::Green,
            "standard_object",
            format!("{name} exists in topology snapshot"),
        );
        planned_fields(&mut out, name, entries(o.get("fields")), existing);
        let in_plan: Vec<&str> = entries(o.get("fields"))
            .filter_map(|f| nonblank(f, "api_name"))
            .collect();
        for f in describe_fields(existing) {
            let Some(fname) = f.get("name").and_then(Value::as_str) else {
                continue;
            };
            if !in_plan.contains(&fname) && required(f) {
                out.push(
                    Severity::Yellow,
                    "required_field",
                    format!("{name} has required field '{fname}' not in deployment plan"),
                );
            }
        }
        if has_active_validation_rules(existing) {
            out.push(
                Severity::Yellow,
                "validation_rule",
                format!("{name} has active validation rules"),
            );
        }
    }
    let findings = out.0;
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count() as i32;
    let counts = [
        count(Severity::Green),
        count(Severity::Yellow),
        count(Severity::Red),
    ];
    let overall = if counts[2] > 0 {
        Severity::Red
    } else if counts[1] > 0 {
        Severity::Yellow
    } else {
        Severity::Green
    };
    Report {
        findings,
        overall,
        counts,
    }
}

fn describe_fields(object: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    entries(object.get("fields"))
}

/// A field a new record must be given: createable, not nillable, not defaulted on create, and
/// without a default value.
fn required(f: &Map<String, Value>) -> bool {
    let flag = |k: &str| f.get(k).and_then(Value::as_bool);
    flag("createable") == Some(true)
        && flag("nillable") == Some(false)
        && flag("defaultedOnCreate") != Some(true)
        && f.get("defaultValue").is_none_or(Value::is_null)
}

/// Planned fields of an existing object: absent green, same type yellow, other type red.
fn planned_fields<'a>(
    out: &mut Out,
    object: &str,
    fields: impl Iterator<Item = &'a Map<String, Value>>,
    existing: &Value,
) {
    for f in fields {
        let Some(fname) = nonblank(f, "api_name") else {
            continue;
        };
        let found = describe_fields(existing)
            .find(|d| d.get("name").and_then(Value::as_str) == Some(fname));
        let requested = normalised(f);
        match found {
            None => out.push(
                Severity::Green,
                "field_name",
                format!("{object}.{fname} does not exist - safe to create"),
            ),
            Some(d) => {
                let have = d
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase();
                if have == requested {
                    out.push(
                        Severity::Yellow,
                        "field_name",
                        format!("{object}.{fname} already exists with same type ({have})"),
                    );
                } else {
                    out.push(
                        Severity::Red,
                        "field_name",
                        format!(
                            "{object}.{fname} already exists with different type (existing={have}, requested={requested})"
                        ),
                    );
                }
            }
        }
    }
}

/// Fields and relationships of a new object: a known type, and lookups to an object that exists
/// in the org or in the plan.
fn new_object_fields<'a>(
    out: &mut Out,
    object: &str,
    fields: impl Iterator<Item = &'a Map<String, Value>>,
    objects: &Map<String, Value>,
    planned: &[&str],
) {
    for f in fields {
        let Some(fname) = nonblank(f, "api_name") else {
            continue;
        };
        let t = f.get("type").and_then(Value::as_str).unwrap_or_default();
        if describe_type(t).is_none() {
            out.push(
                Severity::Red,
                "field_type",
                format!("{object}.{fname} has unsupported type '{t}'"),
            );
            continue;
        }
        if describe_type(t) == Some("reference") {
            let target = nonblank(f, "related_to").or_else(|| nonblank(f, "referenceTo"));
            match target {
                Some(to) if objects.contains_key(to) || planned.contains(&to) => {}
                _ => {
                    out.push(
                        Severity::Red,
                        "relationship",
                        format!(
                            "{object}.{fname} references {} which is neither in topology snapshot nor in the plan",
                            target.unwrap_or("nothing")
                        ),
                    );
                    continue;
                }
            }
        }
        out.push(
            Severity::Green,
            "field_name",
            format!("{object}.{fname} does not exist - safe to create"),
        );
    }
}

/// §7.2's detection, over the rules the pull recorded under `validationRules`.
fn has_active_validation_rules(object: &Value) -> bool {
    let active_in = |list: &Vec<Value>| {
        list.iter().any(|r| match r {
            Value::Object(m) => ["active", "isActive"]
                .iter()
                .any(|k| m.get(*k).is_some_and(truthy)),
            other => truthy(other),
        })
    };
    let by_key = match object.get("validationRules") {
        Some(Value::Array(list)) => active_in(list),
        Some(Value::Object(m)) => ["rules", "records", "items"]
            .iter()
            .any(|k| m.get(*k).and_then(Value::as_array).is_some_and(active_in)),
        _ => false,
    };
    by_key
        || object.as_object().is_some_and(|m| {
            m.iter().any(|(k, v)| {
                k != "validationRules" && k.to_lowercase().contains("validation") && truthy(v)
            })
        })
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

#[cfg(test)]
#[path = "checker_tests.rs"]
mod tests;

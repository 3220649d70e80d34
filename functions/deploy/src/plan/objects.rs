//! The custom-object plan: `custom_objects[]` with `fields[]` and `relationships[]`, and
//! `standard_object_fields[]` (new fields on existing objects, deployed in the same package).

use serde_json::{Map, Value};
use shared::salesforce::package::{
    CustomObjectSpec, DeleteConstraint, FieldSpec, FieldType, ObjectChangesSpec, Package,
    PicklistValue,
};

use super::{Check, PlanError, at, str_of};
use crate::engine::Planned;

const FIELD_TYPES: &[&str] = &[
    "Checkbox",
    "Currency",
    "Date",
    "DateTime",
    "Email",
    "Lookup",
    "LongTextArea",
    "MasterDetail",
    "MultiselectPicklist",
    "Number",
    "Percent",
    "Phone",
    "Picklist",
    "Text",
    "TextArea",
    "Url",
];
const RELATIONSHIP_TYPES: &[&str] = &["Lookup", "MasterDetail"];
const DELETE_CONSTRAINTS: &[&str] = &["Cascade", "Restrict", "SetNull"];
/// Salesforce's bounds.
const MAX_API_NAME: usize = 40;
const MAX_TEXT: i64 = 255;
const MAX_PRECISION: i64 = 18;
const LONG_TEXT: (i64, i64) = (256, 131_072);

/// Every problem of a custom-object plan.
pub fn validate(plan: &Value) -> Vec<PlanError> {
    let mut c = Check::default();
    let Some(plan) = plan.as_object() else {
        c.err("plan", "Plan must be an object");
        return c.errors;
    };
    match plan.get("custom_objects") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (path, o) in c.entries(list, "", "custom_objects", "custom_object") {
                if let Some(name) = c.req_str(o, &path, "api_name") {
                    if !name.ends_with("__c") {
                        c.err(
                            at(&path, "api_name"),
                            "Custom object api_name must end with '__c'",
                        );
                    } else {
                        api_name_shape(&mut c, &path, name);
                    }
                }
                c.req_str(o, &path, "label");
                if let Some(fields) = c.list(o, &path, "fields") {
                    for (p, f) in c.entries(fields, &path, "fields", "field") {
                        field(&mut c, &p, f, FIELD_TYPES);
                    }
                }
                if let Some(rels) = c.list(o, &path, "relationships") {
                    for (p, f) in c.entries(rels, &path, "relationships", "relationship") {
                        field(&mut c, &p, f, RELATIONSHIP_TYPES);
                    }
                }
            }
        }
        Some(_) => {
            c.err("custom_objects", "custom_objects must be a list");
            return c.errors;
        }
    }
    if let Some(list) = c.list(plan, "", "standard_object_fields") {
        for (path, o) in c.entries(list, "", "standard_object_fields", "standard_object_fields") {
            c.req_str(o, &path, "object");
            if let Some(fields) = c.list(o, &path, "fields") {
                for (p, f) in c.entries(fields, &path, "fields", "field") {
                    field(&mut c, &p, f, FIELD_TYPES);
                }
            }
        }
    }
    c.errors
}

/// `^[A-Za-z][A-Za-z0-9_]*__c$`, at most 40 characters.
fn api_name_shape(c: &mut Check, path: &str, name: &str) {
    let stem = name.trim_end_matches("__c");
    let ok = stem
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic())
        && stem
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if !ok {
        c.err(
            at(path, "api_name"),
            "api_name must start with a letter and contain only letters, digits and underscores",
        );
    }
    if name.chars().count() > MAX_API_NAME {
        c.err(
            at(path, "api_name"),
            format!("api_name must be at most {MAX_API_NAME} characters"),
        );
    }
}

fn field(c: &mut Check, path: &str, f: &Map<String, Value>, allowed: &[&str]) {
    if let Some(name) = c.req_str(f, path, "api_name") {
        if !name.ends_with("__c") {
            c.err(at(path, "api_name"), "Field api_name must end with '__c'");
        } else {
            api_name_shape(c, path, name);
        }
    }
    c.req_str(f, path, "label");
    let Some(t) = c.req_str(f, path, "type") else {
        return;
    };
    if !allowed.contains(&t) {
        c.err(
            at(path, "type"),
            super::enum_message("field type", &Value::from(t), allowed),
        );
        return;
    }
    match t {
        "Text" => text_length(c, f, path),
        "Number" | "Currency" | "Percent" => {
            let p = c.pos_int(f, path, "precision");
            let s = c.non_neg_int(f, path, "scale");
            if p.is_some_and(|p| p > MAX_PRECISION) {
                c.err(
                    at(path, "precision"),
                    format!("precision must be at most {MAX_PRECISION}"),
                );
            } else if let (Some(p), Some(s)) = (p, s)
                && p < s
            {
                c.err(
                    at(path, "precision"),
                    format!("precision ({p}) must be greater than or equal to scale ({s})"),
                );
            }
        }
        "Picklist" | "MultiselectPicklist" => {
            let values = f.get("values").map(|v| v.as_array().map_or(0, Vec::len));
            if values == Some(0) {
                c.err(
                    at(path, "values"),
                    "Picklist values must be a non-empty list when provided",
                );
            }
            c.pos_int(f, path, "visible_lines");
        }
        "Lookup" | "MasterDetail" => {
            if str_of(f, &["related_to", "referenceTo"]).is_none() {
                c.err(
                    at(path, "related_to"),
                    "Lookup/MasterDetail fields must include a non-empty related_to or referenceTo",
                );
            }
            if t == "Lookup" {
                c.one_of(f, path, "delete_constraint", DELETE_CONSTRAINTS);
            }
        }
        "Checkbox" => {
            for key in ["default", "default_value"] {
                if f.get(key).is_some_and(|v| !v.is_null() && !v.is_boolean()) {
                    c.err(
                        at(path, key),
                        format!("{key} must be a boolean when provided"),
                    );
                }
            }
        }
        "LongTextArea" => {
            let (lo, hi) = LONG_TEXT;
            if c.pos_int(f, path, "length")
                .is_some_and(|l| !(lo..=hi).contains(&l))
            {
                c.err(
                    at(path, "length"),
                    format!("length must be between {lo} and {hi} for LongTextArea fields"),
                );
            }
            c.pos_int(f, path, "visible_lines");
        }
        _ => {}
    }
}

/// Text: at most 255 characters.
fn text_length(c: &mut Check, f: &Map<String, Value>, path: &str) {
    if c.pos_int(f, path, "length").is_some_and(|l| l > MAX_TEXT) {
        c.err(
            at(path, "length"),
            format!("length must be at most {MAX_TEXT} for Text fields"),
        );
    }
}

fn int(f: &Map<String, Value>, keys: &[&str], default: u32) -> u32 {
    keys.iter()
        .find_map(|k| f.get(*k).and_then(Value::as_u64))
        .map_or(default, |n| n as u32)
}

fn flag(f: &Map<String, Value>, keys: &[&str]) -> Option<bool> {
    keys.iter().find_map(|k| f.get(*k).and_then(Value::as_bool))
}

/// Derived relationship name: a trailing `__c`, then a trailing `_Id`, stripped.
fn relationship_name(f: &Map<String, Value>, api_name: &str) -> String {
    str_of(f, &["relationship_name", "relationshipName"])
        .map(str::to_string)
        .unwrap_or_else(|| {
            let s = api_name.strip_suffix("__c").unwrap_or(api_name);
            s.strip_suffix("_Id").unwrap_or(s).to_string()
        })
}

fn picklist_values(f: &Map<String, Value>) -> Vec<PicklistValue> {
    let list = f
        .get("values")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let explicit_default = list
        .iter()
        .any(|v| v.get("default").and_then(Value::as_bool) == Some(true));
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let fallback = format!("Value_{}", i + 1);
            let first = i == 0 && !explicit_default;
            match v {
                Value::String(s) => PicklistValue::new(s, first),
                Value::Object(o) => {
                    let full = str_of(o, &["fullName", "value", "label"])
                        .unwrap_or(&fallback)
                        .to_string();
                    PicklistValue {
                        label: str_of(o, &["label"]).unwrap_or(&full).to_string(),
                        default: o.get("default").and_then(Value::as_bool).unwrap_or(first),
                        full_name: full,
                    }
                }
                _ => PicklistValue::new(&fallback, first),
            }
        })
        .collect()
}

/// A validated field entry as a spec.
pub fn field_spec(f: &Map<String, Value>) -> FieldSpec {
    let api = str_of(f, &["api_name"]).unwrap_or_default();
    let label = str_of(f, &["label"]).unwrap_or(api);
    let reference_to = str_of(f, &["related_to", "referenceTo"])
        .unwrap_or_default()
        .to_string();
    let rel = relationship_name(f, api);
    let values = || picklist_values(f);
    let restricted = flag(f, &["restricted"]).unwrap_or(true);
    let sorted = flag(f, &["sorted"]).unwrap_or(false);
    let t = match str_of(f, &["type"]).unwrap_or_default() {
        "Text" => FieldType::Text {
            length: int(f, &["length"], 255),
        },
        "TextArea" => FieldType::TextArea,
        "LongTextArea" => FieldType::LongTextArea {
            length: int(f, &["length"], 32768),
            visible_lines: int(f, &["visible_lines", "visibleLines"], 3),
        },
        t @ ("Number" | "Currency" | "Percent") => {
            let (precision, scale) = (int(f, &["precision"], 18), int(f, &["scale"], 2));
            match t {
                "Number" => FieldType::Number { precision, scale },
                "Currency" => FieldType::Currency { precision, scale },
                _ => FieldType::Percent { precision, scale },
            }
        }
        "Checkbox" => FieldType::Checkbox {
            default: flag(f, &["default", "default_value"]).unwrap_or(false),
        },
        "Date" => FieldType::Date,
        "DateTime" => FieldType::DateTime,
        "Email" => FieldType::Email,
        "Phone" => FieldType::Phone,
        "Url" => FieldType::Url,
        "Picklist" => FieldType::Picklist {
            values: values(),
            restricted,
            sorted,
        },
        "MultiselectPicklist" => FieldType::MultiselectPicklist {
            values: values(),
            restricted,
            sorted,
            visible_lines: int(f, &["visible_lines", "visibleLines"], 4),
        },
        "MasterDetail" => FieldType::MasterDetail {
            reference_to,
            relationship_label: Some(rel.clone()),
            relationship_name: rel,
            relationship_order: None,
        },
        _ => FieldType::Lookup {
            reference_to,
            relationship_label: Some(rel.clone()),
            relationship_name: rel,
            delete_constraint: match str_of(f, &["delete_constraint", "deleteConstraint"]) {
                Some("Cascade") => DeleteConstraint::Cascade,
                Some("Restrict") => DeleteConstraint::Restrict,
                _ => DeleteConstraint::SetNull,
            },
        },
    };
    let mut spec = FieldSpec::new(api, label, t);
    spec.required = flag(f, &["required"]).unwrap_or(false);
    spec.external_id = flag(f, &["external_id", "externalId"]).unwrap_or(false);
    spec.unique = flag(f, &["unique"]).unwrap_or(false);
    spec.description = str_of(f, &["description"]).map(str::to_string);
    spec.inline_help_text = str_of(f, &["inline_help_text", "inlineHelpText"]).map(str::to_string);
    spec
}

fn objects<'a>(plan: &'a Value, key: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    plan.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn group<'a>(o: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    o.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// The package of a validated plan and its components in plan order: each object, its fields,
/// its relationships; then the standard objects' fields.
pub fn build(plan: &Value, api_version: &str) -> (Package, Vec<Planned>) {
    let mut pkg = Package::new(api_version);
    let mut planned = Vec::new();
    for o in objects(plan, "custom_objects") {
        let Some(api) = str_of(o, &["api_name"]) else {
            continue;
        };
        let mut spec = CustomObjectSpec::new(api, str_of(o, &["label"]).unwrap_or(api));
        spec.plural_label = str_of(o, &["plural_label"]).map(str::to_string);
        spec.description = str_of(o, &["description"]).map(str::to_string);
        planned.push(Planned::new("custom_object", api, "CustomObject", api));
        for (key, kind) in [
            ("fields", "custom_field"),
            ("relationships", "relationship"),
        ] {
            for f in group(o, key) {
                let field = field_spec(f);
                let full = format!("{api}.{}", field.api_name);
                planned.push(Planned::new(kind, &full, "CustomField", &full));
                spec.fields.push(field);
            }
        }
        pkg.add_custom_object(spec);
    }
    for o in objects(plan, "standard_object_fields") {
        let Some(object) = str_of(o, &["object"]) else {
            continue;
        };
        let mut changes = ObjectChangesSpec {
            object: object.to_string(),
            fields: Vec::new(),
            validation_rules: Vec::new(),
        };
        for f in group(o, "fields") {
            let field = field_spec(f);
            let full = format!("{object}.{}", field.api_name);
            planned.push(Planned::new("custom_field", &full, "CustomField", &full));
            changes.fields.push(field);
        }
        if !changes.fields.is_empty() {
            pkg.add_object_changes(changes);
        }
    }
    (pkg, planned)
}

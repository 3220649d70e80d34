//! Tooling sObject CRUD: CustomField / CustomObject / ValidationRule create, CustomField read,
//! deletes, and FlowDefinition activation.

use serde_json::{Value, json};

use super::tables::{definition_id, entity_id};
use crate::http::{Req, Resp};
use crate::json::J;
use crate::metadata::apply::apply;
use crate::metadata::fields::to_metadata;
use crate::metadata::package::{Component, Package};
use crate::metadata::xml::El;
use crate::schema::FieldDef;
use crate::state::State;
use crate::store::Org;

/// Converts a Tooling `Metadata` JSON object into the equivalent metadata element.
fn json_to_el(name: &str, v: &Value) -> El {
    let mut el = El::new(name);
    if let Value::Object(m) = v {
        for (k, val) in m {
            match val {
                Value::Array(items) => {
                    for it in items {
                        el.children.push(json_to_el(k, it));
                    }
                }
                Value::Object(_) => el.children.push(json_to_el(k, val)),
                Value::Null => {}
                Value::String(s) => el.push_text(k, s.clone()),
                other => el.push_text(k, other.to_string()),
            }
        }
    }
    el
}

pub(super) fn create(st: &mut State, org_id: &str, kind: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return Resp::sf(
            400,
            "JSON_PARSER_ERROR",
            "The request body is not valid JSON",
        );
    };
    let full = body
        .get("FullName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            body.get("DeveloperName").and_then(Value::as_str).map(|d| {
                if kind == "CustomObject" && !d.ends_with("__c") {
                    format!("{d}__c")
                } else {
                    d.to_string()
                }
            })
        });
    let Some(full) = full else {
        return Resp::sf(
            400,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [FullName]",
        );
    };
    let meta = body.get("Metadata").cloned().unwrap_or(json!({}));
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let exists = match kind {
        "CustomObject" => org.object(&full).is_some(),
        "CustomField" => full
            .split_once('.')
            .and_then(|(o, f)| org.object(o).and_then(|x| x.def.field(f)))
            .is_some(),
        _ => full
            .split_once('.')
            .and_then(|(o, n)| {
                org.object(o).map(|x| {
                    x.def
                        .validation_rules
                        .iter()
                        .any(|r| r.name.eq_ignore_ascii_case(n))
                })
            })
            .unwrap_or(false),
    };
    if exists {
        let (obj, name) = full.split_once('.').unwrap_or(("", &full));
        return Resp::sf(
            400,
            "DUPLICATE_DEVELOPER_NAME",
            &format!(
                "There is already a {} named {} on {obj}.",
                if kind == "CustomField" {
                    "field"
                } else {
                    "component"
                },
                name.trim_end_matches("__c")
            ),
        );
    }
    let mut el = json_to_el(
        if kind == "CustomObject" {
            "CustomObject"
        } else {
            "fields"
        },
        &meta,
    );
    el.children.retain(|c| c.name != "fullName");
    let pkg = Package {
        has_package_xml: true,
        components: vec![Component {
            mtype: kind.to_string(),
            full_name: full.clone(),
            file_name: String::new(),
            el,
        }],
        deletions: vec![],
        problems: vec![],
    };
    let (ok, bad) = apply(org, &pkg, false, true);
    if let Some(f) = bad.first() {
        return Resp::sf(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            f.problem.as_deref().unwrap_or("invalid metadata"),
        );
    }
    let id = ok.first().and_then(|m| m.id.clone()).unwrap_or_default();
    Resp::ordered(
        201,
        &J::obj(vec![
            ("id", J::V(json!(id))),
            ("success", J::V(json!(true))),
            ("errors", J::V(json!([]))),
            ("warnings", J::V(json!([]))),
            ("infos", J::V(json!([]))),
        ]),
    )
}

fn find_field(org: &Org, id: &str) -> Option<(String, FieldDef)> {
    let id18 = crate::ids::normalize(id)?;
    org.objects.values().find_map(|o| {
        o.def
            .fields
            .iter()
            .find(|f| f.tooling_id.as_deref() == Some(id18.as_str()))
            .map(|f| (o.def.name.clone(), f.clone()))
    })
}

pub(super) fn get_field(st: &State, org_id: &str, v: &str, id: &str) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let Some((obj, f)) = find_field(org, id) else {
        return Resp::not_found();
    };
    let full = format!("{obj}.{}", f.name);
    let meta = crate::metadata::deploy::el_to_json(&to_metadata(&f, &full));
    let table = org
        .object(&obj)
        .map(|o| entity_id(&o.def))
        .unwrap_or_default();
    let tid = f.tooling_id.clone().unwrap_or_default();
    Resp::ordered(
        200,
        &J::obj(vec![
            (
                "attributes",
                J::V(
                    json!({"type": "CustomField", "url": format!("/services/data/{v}/tooling/sobjects/CustomField/{tid}")}),
                ),
            ),
            ("Id", J::V(json!(tid))),
            ("DeveloperName", J::V(json!(f.name.trim_end_matches("__c")))),
            ("TableEnumOrId", J::V(json!(table))),
            ("FullName", J::V(json!(full))),
            ("Metadata", J::V(meta)),
        ]),
    )
}

pub(super) fn delete(st: &mut State, org_id: &str, kind: &str, id: &str) -> Resp {
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let full = match kind {
        "CustomField" => find_field(org, id).map(|(o, f)| format!("{o}.{}", f.name)),
        "CustomObject" => crate::ids::normalize(id).and_then(|i| {
            org.objects
                .values()
                .find(|o| o.def.tooling_id.as_deref() == Some(i.as_str()))
                .map(|o| o.def.name.clone())
        }),
        "ValidationRule" => crate::ids::normalize(id).and_then(|i| {
            org.objects.values().find_map(|o| {
                o.def
                    .validation_rules
                    .iter()
                    .find(|r| r.id == i)
                    .map(|r| format!("{}.{}", o.def.name, r.name))
            })
        }),
        _ => None,
    };
    let Some(full) = full else {
        return Resp::not_found();
    };
    let pkg = Package {
        has_package_xml: true,
        components: vec![],
        deletions: vec![crate::metadata::package::Deletion {
            mtype: kind.to_string(),
            full_name: full,
            post: false,
        }],
        problems: vec![],
    };
    let (_, bad) = apply(org, &pkg, false, true);
    match bad.first() {
        Some(f) => Resp::sf(
            400,
            "DELETE_FAILED",
            f.problem.as_deref().unwrap_or("delete failed"),
        ),
        None => Resp::empty(204),
    }
}

pub(super) fn activate(st: &mut State, org_id: &str, id: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return Resp::sf(
            400,
            "JSON_PARSER_ERROR",
            "The request body is not valid JSON",
        );
    };
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let Some(id18) = crate::ids::normalize(id) else {
        return Resp::not_found();
    };
    let Some(name) = org
        .components
        .iter()
        .find(|((t, _), s)| t == "Flow" && definition_id(&s.id) == id18)
        .map(|((_, n), _)| n.clone())
    else {
        return Resp::not_found();
    };
    let n = body
        .pointer("/Metadata/activeVersionNumber")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let el = El::new("FlowDefinition").with(El::text("activeVersionNumber", n.to_string()));
    let now = chrono::Utc::now();
    org.components.insert(
        ("FlowDefinition".into(), name),
        crate::metadata::Stored {
            id: id18,
            el,
            created: now,
            modified: now,
            version: 1,
        },
    );
    Resp::empty(204)
}

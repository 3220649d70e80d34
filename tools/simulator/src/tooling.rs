//! Tooling API: queries over CustomObject, CustomField, EntityDefinition, ValidationRule,
//! FlowDefinition and Flow (tables derived from the org's schema and deployed metadata, run
//! through the same SOQL engine), and CustomField / CustomObject / ValidationRule create and
//! delete, FlowDefinition activation.

use http::Method;
use serde_json::{Value, json};

use crate::http::{Req, Resp};
use crate::json::J;
use crate::metadata::apply::apply;
use crate::metadata::fields::to_metadata;
use crate::metadata::package::{Component, Package};
use crate::metadata::xml::El;
use crate::schema::{FieldDef, FieldType, ObjectDef};
use crate::soql::{batch_size, eval};
use crate::state::State;
use crate::store::Org;
use crate::values::Val;

fn obj(name: &str, prefix: &str, fields: Vec<FieldDef>) -> ObjectDef {
    let mut o = ObjectDef::new(name, name, name, prefix);
    for f in fields {
        o.add_field(f);
    }
    o.add_audit_fields();
    o
}

fn s(name: &str) -> FieldDef {
    FieldDef::string(name, name, 255)
}

fn b(name: &str) -> FieldDef {
    FieldDef::new(name, name, FieldType::Boolean)
}

fn r(name: &str, to: &str, rel: &str) -> FieldDef {
    FieldDef::reference(name, name, &[to], rel, None)
}

fn entity_id(o: &ObjectDef) -> String {
    if o.custom {
        o.tooling_id.clone().unwrap_or_default()
    } else {
        o.name.clone()
    }
}

/// A flow's FlowDefinition id, derived from the flow's version id.
fn definition_id(flow_id: &str) -> String {
    crate::ids::normalize(&format!("300{}", &flow_id[3..15])).unwrap_or_default()
}

fn put(t: &mut crate::store::SObject, id: &str, vals: Vec<(&str, Val)>, created: i64) {
    let v: Vec<(u16, Val)> = vals
        .into_iter()
        .filter_map(|(n, v)| t.def.field(n).map(|f| (f.slot, v)))
        .collect();
    t.insert(id, v, created);
}

/// The derived Tooling tables of `org`.
fn tooling_org(org: &Org) -> Org {
    let defs = vec![
        obj(
            "EntityDefinition",
            "000",
            vec![
                s("QualifiedApiName"),
                s("DeveloperName"),
                s("Label"),
                s("KeyPrefix"),
                s("DurableId"),
                s("NamespacePrefix"),
                b("IsCustomizable"),
            ],
        ),
        obj(
            "CustomObject",
            "01I",
            vec![
                s("DeveloperName"),
                s("FullName"),
                s("NamespacePrefix"),
                s("ManageableState"),
                s("SharingModel"),
                s("ExternalSharingModel"),
            ],
        ),
        obj(
            "CustomField",
            "00N",
            vec![
                s("DeveloperName"),
                s("FullName"),
                s("TableEnumOrId"),
                s("EntityDefinitionId"),
                r(
                    "EntityDefinitionRef",
                    "EntityDefinition",
                    "EntityDefinition",
                ),
                s("NamespacePrefix"),
                s("ManageableState"),
                s("Description"),
                s("InlineHelpText"),
            ],
        ),
        obj(
            "ValidationRule",
            "03d",
            vec![
                s("ValidationName"),
                s("FullName"),
                b("Active"),
                s("EntityDefinitionId"),
                r(
                    "EntityDefinitionRef",
                    "EntityDefinition",
                    "EntityDefinition",
                ),
                s("ErrorMessage"),
                s("ErrorDisplayField"),
                s("Description"),
                s("NamespacePrefix"),
                s("ManageableState"),
            ],
        ),
        obj(
            "FlowDefinition",
            "300",
            vec![
                s("DeveloperName"),
                s("MasterLabel"),
                s("Description"),
                r("ActiveVersionId", "Flow", "ActiveVersion"),
                r("LatestVersionId", "Flow", "LatestVersion"),
                s("NamespacePrefix"),
                s("ManageableState"),
            ],
        ),
        obj(
            "Flow",
            "301",
            vec![
                s("MasterLabel"),
                s("FullName"),
                s("Status"),
                s("ProcessType"),
                s("ApiVersion"),
                FieldDef::new("VersionNumber", "VersionNumber", FieldType::Int),
                r("DefinitionId", "FlowDefinition", "Definition"),
                s("Description"),
            ],
        ),
    ];
    let mut t = Org::new(org.id.clone(), org.name.clone(), defs, u64::MAX);
    t.admin_user_id = org.admin_user_id.clone();
    let mut ent_rows = Vec::new();
    let mut field_rows = Vec::new();
    let mut rule_rows = Vec::new();
    for (i, o) in org.objects.values().enumerate() {
        let d = &o.def;
        let ent_row_id = crate::ids::mint("000", 10 + i as u64);
        ent_rows.push((ent_row_id.clone(), d.clone()));
        for f in d.fields.iter().filter(|f| f.custom) {
            field_rows.push((ent_row_id.clone(), d.clone(), f.clone()));
        }
        for vr in &d.validation_rules {
            rule_rows.push((ent_row_id.clone(), d.clone(), vr.clone()));
        }
    }
    let ms = |d: &chrono::DateTime<chrono::Utc>| d.timestamp_millis();
    if let Some(e) = t.object_mut("EntityDefinition") {
        for (id, d) in &ent_rows {
            put(
                e,
                id,
                vec![
                    ("QualifiedApiName", Val::str(&d.name)),
                    ("DeveloperName", Val::str(d.name.trim_end_matches("__c"))),
                    ("Label", Val::str(&d.label)),
                    ("KeyPrefix", Val::str(&d.key_prefix)),
                    ("DurableId", Val::str(&entity_id(d))),
                    ("IsCustomizable", Val::Bool(true)),
                ],
                ms(&d.created),
            );
        }
    }
    if let Some(c) = t.object_mut("CustomObject") {
        for (_, d) in ent_rows.iter().filter(|(_, d)| d.custom) {
            put(
                c,
                d.tooling_id.as_deref().unwrap_or_default(),
                vec![
                    ("DeveloperName", Val::str(d.name.trim_end_matches("__c"))),
                    ("FullName", Val::str(&d.name)),
                    ("ManageableState", Val::str("unmanaged")),
                    ("SharingModel", Val::str(&d.sharing_model)),
                    ("ExternalSharingModel", Val::str(&d.sharing_model)),
                ],
                ms(&d.created),
            );
        }
    }
    if let Some(c) = t.object_mut("CustomField") {
        for (ent, d, f) in &field_rows {
            put(
                c,
                f.tooling_id.as_deref().unwrap_or_default(),
                vec![
                    ("DeveloperName", Val::str(f.name.trim_end_matches("__c"))),
                    ("FullName", Val::str(&format!("{}.{}", d.name, f.name))),
                    ("TableEnumOrId", Val::str(&entity_id(d))),
                    ("EntityDefinitionId", Val::str(&entity_id(d))),
                    ("EntityDefinitionRef", Val::str(ent)),
                    ("ManageableState", Val::str("unmanaged")),
                    (
                        "Description",
                        f.description.as_deref().map(Val::str).unwrap_or(Val::Null),
                    ),
                    (
                        "InlineHelpText",
                        f.inline_help_text
                            .as_deref()
                            .map(Val::str)
                            .unwrap_or(Val::Null),
                    ),
                ],
                ms(&f.created),
            );
        }
    }
    if let Some(c) = t.object_mut("ValidationRule") {
        for (ent, d, vr) in &rule_rows {
            put(
                c,
                &vr.id,
                vec![
                    ("ValidationName", Val::str(&vr.name)),
                    ("FullName", Val::str(&format!("{}.{}", d.name, vr.name))),
                    ("Active", Val::Bool(vr.active)),
                    ("EntityDefinitionId", Val::str(&entity_id(d))),
                    ("EntityDefinitionRef", Val::str(ent)),
                    ("ErrorMessage", Val::str(&vr.message)),
                    (
                        "ErrorDisplayField",
                        vr.display_field
                            .as_deref()
                            .map(Val::str)
                            .unwrap_or(Val::Null),
                    ),
                    ("ManageableState", Val::str("unmanaged")),
                ],
                ms(&vr.created),
            );
        }
    }
    let flows: Vec<(String, crate::metadata::Stored)> = org
        .components
        .iter()
        .filter(|((t, _), _)| t == "Flow")
        .map(|((_, n), s)| (n.clone(), s.clone()))
        .collect();
    for (name, f) in &flows {
        let def_id = definition_id(&f.id);
        let status = f.el.get("status").unwrap_or("Draft").to_string();
        let active_override = org
            .components
            .get(&("FlowDefinition".to_string(), name.clone()))
            .and_then(|d| {
                d.el.get("activeVersionNumber")
                    .and_then(|v| v.parse::<u32>().ok())
            });
        let active = match active_override {
            Some(n) => n >= 1,
            None => status == "Active",
        };
        if let Some(c) = t.object_mut("Flow") {
            put(
                c,
                &f.id,
                vec![
                    ("MasterLabel", Val::str(f.el.get("label").unwrap_or(name))),
                    ("FullName", Val::str(name)),
                    (
                        "Status",
                        Val::str(if active {
                            "Active"
                        } else if status == "Active" {
                            "Obsolete"
                        } else {
                            &status
                        }),
                    ),
                    (
                        "ProcessType",
                        Val::str(f.el.get("processType").unwrap_or("Flow")),
                    ),
                    (
                        "ApiVersion",
                        Val::str(f.el.get("apiVersion").unwrap_or("60.0")),
                    ),
                    ("VersionNumber", Val::Num(f.version as f64)),
                    ("DefinitionId", Val::str(&def_id)),
                ],
                ms(&f.created),
            );
        }
        if let Some(c) = t.object_mut("FlowDefinition") {
            put(
                c,
                &def_id,
                vec![
                    ("DeveloperName", Val::str(name)),
                    ("MasterLabel", Val::str(f.el.get("label").unwrap_or(name))),
                    (
                        "ActiveVersionId",
                        if active { Val::str(&f.id) } else { Val::Null },
                    ),
                    ("LatestVersionId", Val::str(&f.id)),
                    ("ManageableState", Val::str("unmanaged")),
                ],
                ms(&f.created),
            );
        }
    }
    t
}

/// Routes `/tooling/...`.
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    match (r.method.clone(), segs) {
        (Method::GET, ["query"]) => query(st, org_id, v, r),
        (Method::GET, ["query", locator]) => crate::rest::query::more(st, org_id, v, locator, true),
        (Method::GET, ["sobjects"]) => {
            let list: Vec<Value> = [
                "CustomObject",
                "CustomField",
                "EntityDefinition",
                "ValidationRule",
                "FlowDefinition",
                "Flow",
            ]
            .iter()
            .map(|n| json!({"name": n, "queryable": true}))
            .collect();
            Resp::json(
                200,
                &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}),
            )
        }
        (
            Method::POST,
            [
                "sobjects",
                kind @ ("CustomField" | "CustomObject" | "ValidationRule"),
            ],
        ) => create(st, org_id, kind, r),
        (Method::GET, ["sobjects", "CustomField", id]) => get_field(st, org_id, v, id),
        (Method::DELETE, ["sobjects", kind, id]) => delete(st, org_id, kind, id),
        (Method::PATCH, ["sobjects", "FlowDefinition", id]) => activate(st, org_id, id, r),
        _ => Resp::not_found(),
    }
}

fn query(st: &mut State, org_id: &str, v: &str, r: &Req) -> Resp {
    let Some(q) = r.param("q") else {
        return Resp::sf(400, "MALFORMED_QUERY", "A query string has to be specified");
    };
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let t = tooling_org(org);
    let out = match eval::execute(&t, &q, false) {
        Ok(o) => o,
        Err(e) => return crate::rest::query::query_error(&e),
    };
    if out.count_only {
        return Resp::ordered(
            200,
            &J::obj(vec![
                ("size", J::V(json!(out.rows.len()))),
                ("totalSize", J::V(json!(out.rows.len()))),
                ("done", J::V(json!(true))),
                ("queryLocator", J::V(Value::Null)),
                ("entityTypeName", J::V(json!(out.entity))),
                ("records", J::A(vec![])),
            ]),
        );
    }
    let Some(so) = t.objects.get(&out.obj_key) else {
        return Resp::not_found();
    };
    let base = format!("/services/data/{v}/tooling/sobjects");
    let records: Vec<J> = out
        .rows
        .iter()
        .map(|row| eval::render(&t, so, *row, &out.query.items, &base))
        .collect();
    crate::rest::query::first_page_rendered(
        st,
        org_id,
        v,
        &out.entity,
        records,
        batch_size(r.header("sforce-query-options")),
    )
}

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

fn create(st: &mut State, org_id: &str, kind: &str, r: &Req) -> Resp {
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

fn get_field(st: &State, org_id: &str, v: &str, id: &str) -> Resp {
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

fn delete(st: &mut State, org_id: &str, kind: &str, id: &str) -> Resp {
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

fn activate(st: &mut State, org_id: &str, id: &str, r: &Req) -> Resp {
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

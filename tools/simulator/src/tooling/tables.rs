//! The Tooling tables (CustomObject, CustomField, EntityDefinition, ValidationRule,
//! FlowDefinition, Flow) derived from an org's schema and deployed metadata.

use crate::schema::{FieldDef, FieldType, ObjectDef};
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

pub(super) fn entity_id(o: &ObjectDef) -> String {
    if o.custom {
        o.tooling_id.clone().unwrap_or_default()
    } else {
        o.name.clone()
    }
}

/// A flow's FlowDefinition id, derived from the flow's version id.
pub(super) fn definition_id(flow_id: &str) -> String {
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
pub(super) fn tooling_org(org: &Org) -> Org {
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

//! CustomField metadata ↔ describe shapes, exactly per SALESFORCE.md §1.2's type table, with the
//! component problems Salesforce reports for invalid field metadata.

use super::xml::El;
use crate::schema::{FieldDef, FieldType, PicklistValue};

/// `^[A-Za-z][A-Za-z0-9_]*__c$`, no `__` inside, no trailing `_`, ≤ 40 characters before `__c`.
pub fn valid_custom_name(name: &str) -> bool {
    let Some(base) = name.strip_suffix("__c") else {
        return false;
    };
    !base.is_empty()
        && base.len() <= 40
        && base.starts_with(|c: char| c.is_ascii_alphabetic())
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !base.contains("__")
        && !base.ends_with('_')
}

/// The message Salesforce gives for a bad custom API name.
pub const BAD_NAME: &str = "The name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.";

fn must(attr: &str, t: &str) -> String {
    format!("Must specify '{attr}' for a CustomField of type {t}")
}

fn cannot(attr: &str, t: &str) -> String {
    format!("Can not specify '{attr}' for a CustomField of type {t}")
}

fn num(el: &El, name: &str) -> Option<u32> {
    el.get(name)
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v as u32)
}

/// Builds the describe shape of a custom field from its metadata. `object_exists` tells whether
/// a referenced object exists (in the org or the same deploy).
pub fn from_metadata(
    el: &El,
    field_name: &str,
    object_exists: &dyn Fn(&str) -> bool,
) -> Result<FieldDef, String> {
    if !valid_custom_name(field_name) {
        return Err(BAD_NAME.to_string());
    }
    let t = el.get("type").unwrap_or_default().to_string();
    let label = el
        .get("label")
        .filter(|l| !l.is_empty())
        .unwrap_or(field_name.trim_end_matches("__c"))
        .to_string();
    let required = el.flag("required").unwrap_or(false);
    let length = num(el, "length");
    let precision = num(el, "precision");
    let scale = num(el, "scale");
    let visible = num(el, "visibleLines");
    let mut f = match t.as_str() {
        "Text" => {
            let Some(n) = length else {
                return Err(must("length", &t));
            };
            if n == 0 || n > 255 {
                return Err(
                    "Length must be between 1 and 255 for a CustomField of type Text".into(),
                );
            }
            FieldDef::string(field_name, &label, n)
        }
        "TextArea" => {
            if length.is_some() {
                return Err(cannot("length", &t));
            }
            FieldDef::textarea(field_name, &label, 255)
        }
        "LongTextArea" | "Html" => {
            let Some(n) = length else {
                return Err(must("length", &t));
            };
            if visible.is_none() {
                return Err(must("visibleLines", &t));
            }
            if !(256..=131_072).contains(&n) {
                return Err(format!(
                    "Length must be between 256 and 131072 for a CustomField of type {t}"
                ));
            }
            let mut f = FieldDef::textarea(field_name, &label, n);
            if t == "Html" {
                f.html_formatted = true;
                f.extra_type_info = Some("richtextarea");
            }
            f
        }
        "Number" | "Currency" | "Percent" => {
            let Some(p) = precision else {
                return Err(must("precision", &t));
            };
            let s = scale.unwrap_or(0);
            if p == 0 || p > 18 {
                return Err("Precision must be between 1 and 18".into());
            }
            if s > p {
                return Err("Scale can not be greater than precision".into());
            }
            let ft = match t.as_str() {
                "Number" => FieldType::Double,
                "Currency" => FieldType::Currency,
                _ => FieldType::Percent,
            };
            FieldDef::number(field_name, &label, ft, p, s)
        }
        "Checkbox" => {
            if required {
                return Err(cannot("required", &t));
            }
            let mut f = FieldDef::new(field_name, &label, FieldType::Boolean);
            f.default_value = serde_json::json!(
                el.get("defaultValue")
                    .is_some_and(|d| d.eq_ignore_ascii_case("true"))
            );
            f
        }
        "Date" => FieldDef::new(field_name, &label, FieldType::Date),
        "DateTime" => FieldDef::new(field_name, &label, FieldType::Datetime),
        "Email" => FieldDef::new(field_name, &label, FieldType::Email),
        "Phone" => FieldDef::new(field_name, &label, FieldType::Phone),
        "Url" => FieldDef::new(field_name, &label, FieldType::Url),
        "Picklist" | "MultiselectPicklist" => {
            let Some(vs) = el.child("valueSet") else {
                return Err(must("valueSet", &t));
            };
            let values: Vec<PicklistValue> = vs
                .child("valueSetDefinition")
                .map(|d| {
                    d.all("value")
                        .map(|v| {
                            let full = v.get("fullName").unwrap_or_default().to_string();
                            PicklistValue {
                                label: v
                                    .get("label")
                                    .filter(|l| !l.is_empty())
                                    .unwrap_or(&full)
                                    .to_string(),
                                value: full,
                                active: v.flag("isActive").unwrap_or(true),
                                default: v.flag("default").unwrap_or(false),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            if values.is_empty() && vs.get("valueSetName").is_none() {
                return Err("A picklist must have at least one value".into());
            }
            let mut f = if t == "Picklist" {
                FieldDef::new(field_name, &label, FieldType::Picklist)
            } else {
                let Some(lines) = visible else {
                    return Err(must("visibleLines", &t));
                };
                let mut f = FieldDef::new(field_name, &label, FieldType::Multipicklist);
                f.precision = lines;
                f
            };
            f.restricted_picklist = vs.flag("restricted").unwrap_or(false);
            f.picklist = values;
            f
        }
        "Lookup" | "MasterDetail" => {
            let Some(to) = el.get("referenceTo").filter(|s| !s.is_empty()) else {
                return Err(must("referenceTo", &t));
            };
            if !object_exists(to) {
                return Err(format!(
                    "referenceTo value of '{to}' does not resolve to a valid sObject type"
                ));
            }
            let Some(rel) = el.get("relationshipName").filter(|s| !s.is_empty()) else {
                return Err(must("relationshipName", &t));
            };
            let base = field_name.trim_end_matches("__c");
            let mut f = FieldDef::reference(
                field_name,
                &label,
                &[to],
                &format!("{base}__r"),
                Some(&format!("{rel}__r")),
            );
            if t == "MasterDetail" {
                if el.child("required").is_some() {
                    return Err(cannot("required", &t));
                }
                if el.child("deleteConstraint").is_some() {
                    return Err(cannot("deleteConstraint", &t));
                }
                f.nillable = false;
                f.cascade_delete = true;
                f.updateable = el.flag("reparentableMasterDetail").unwrap_or(false);
                f.relationship_order = Some(num(el, "relationshipOrder").unwrap_or(0));
                f.write_requires_master_read = el.flag("writeRequiresMasterRead").unwrap_or(false);
            } else {
                let dc = el.get("deleteConstraint").unwrap_or("SetNull").to_string();
                f.restricted_delete = dc == "Restrict";
                f.cascade_delete = dc == "Cascade";
                f.delete_constraint = Some(dc);
            }
            f
        }
        "AutoNumber" => {
            let Some(fmt) = el.get("displayFormat") else {
                return Err(must("displayFormat", &t));
            };
            let mut f = FieldDef::string(field_name, &label, 30);
            f.auto_number = true;
            f.createable = false;
            f.updateable = false;
            f.defaulted_on_create = true;
            f.nillable = false;
            f.display_format = Some(fmt.to_string());
            f
        }
        "" => return Err("Must specify a type for a CustomField".into()),
        other => return Err(format!("Invalid type: {other}")),
    };
    if required && t != "MasterDetail" {
        f.nillable = false;
    }
    if el.flag("externalId") == Some(true) {
        if !matches!(t.as_str(), "Text" | "Number" | "Email" | "AutoNumber") {
            return Err(format!(
                "Can not set 'externalId' for a CustomField of type {t}"
            ));
        }
        f.external_id = true;
        f.id_lookup = true;
    }
    if el.flag("unique") == Some(true) {
        f.unique = true;
        f.id_lookup = true;
    }
    f.case_sensitive = el.flag("caseSensitive").unwrap_or(false);
    if let Some(formula) = el.get("formula").filter(|s| !s.is_empty()) {
        f.calculated = true;
        f.calculated_formula = Some(formula.to_string());
        f.createable = false;
        f.updateable = false;
    }
    f.custom = true;
    f.description = el.get("description").map(str::to_string);
    f.inline_help_text = el.get("inlineHelpText").map(str::to_string);
    f.visible_lines = visible;
    f.meta_type = Some(t);
    Ok(f)
}

/// The metadata type a describe field came from (or would have).
pub fn meta_type(f: &FieldDef) -> String {
    if let Some(t) = &f.meta_type {
        return t.clone();
    }
    match f.ftype {
        FieldType::String if f.auto_number => "AutoNumber",
        FieldType::String | FieldType::Combobox | FieldType::Id => "Text",
        FieldType::Textarea if f.length > 255 => "LongTextArea",
        FieldType::Textarea => "TextArea",
        FieldType::Double | FieldType::Int => "Number",
        FieldType::Currency => "Currency",
        FieldType::Percent => "Percent",
        FieldType::Boolean => "Checkbox",
        FieldType::Date => "Date",
        FieldType::Datetime => "DateTime",
        FieldType::Email => "Email",
        FieldType::Phone => "Phone",
        FieldType::Url => "Url",
        FieldType::Picklist => "Picklist",
        FieldType::Multipicklist => "MultiselectPicklist",
        FieldType::Reference if f.cascade_delete && !f.nillable => "MasterDetail",
        FieldType::Reference => "Lookup",
    }
    .to_string()
}

/// Renders a field back as CustomField metadata (readMetadata, Tooling `Metadata`).
pub fn to_metadata(f: &FieldDef, full_name: &str) -> El {
    let t = meta_type(f);
    let mut el = El::new("fields");
    el.push_text("fullName", full_name);
    if let Some(d) = &f.description {
        el.push_text("description", d.clone());
    }
    if f.external_id {
        el.push_text("externalId", "true");
    }
    el.push_text("label", f.label.clone());
    match t.as_str() {
        "Text" | "LongTextArea" | "Html" => el.push_text("length", f.length.to_string()),
        "Number" | "Currency" | "Percent" => {
            el.push_text("precision", f.precision.to_string());
            el.push_text("scale", f.scale.to_string());
        }
        "Checkbox" => el.push_text(
            "defaultValue",
            f.default_value.as_bool().unwrap_or(false).to_string(),
        ),
        "Lookup" | "MasterDetail" => {
            el.push_text(
                "referenceTo",
                f.reference_to.first().cloned().unwrap_or_default(),
            );
            let rel = f.child_relationship_name.clone().unwrap_or_default();
            el.push_text("relationshipName", rel.trim_end_matches("__r").to_string());
            if let Some(dc) = &f.delete_constraint {
                el.push_text("deleteConstraint", dc.clone());
            }
        }
        _ => {}
    }
    if t != "Checkbox" && t != "MasterDetail" {
        el.push_text("required", (!f.nillable).to_string());
    }
    if matches!(t.as_str(), "Picklist" | "MultiselectPicklist") {
        let mut def = El::new("valueSetDefinition");
        def.push_text("sorted", "false");
        for p in &f.picklist {
            def.children.push(
                El::new("value")
                    .with(El::text("fullName", p.value.clone()))
                    .with(El::text("default", p.default.to_string()))
                    .with(El::text("label", p.label.clone())),
            );
        }
        el.children.push(
            El::new("valueSet")
                .with(El::text("restricted", f.restricted_picklist.to_string()))
                .with(def),
        );
    }
    el.push_text("type", t);
    if f.unique {
        el.push_text("unique", "true");
    }
    if let Some(v) = f.visible_lines {
        el.push_text("visibleLines", v.to_string());
    }
    el
}

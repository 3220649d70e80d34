//! Renders describeGlobal entries and full sObject describes with the keys, order and flags of
//! real Salesforce responses (SALESFORCE.md §1.1, §1.2).

use serde_json::{Map, Value, json};

use super::{FieldDef, FieldType, ObjectDef};

fn urls(o: &ObjectDef, v: &str, global: bool) -> Value {
    let base = format!("/services/data/{v}/sobjects/{}", o.name);
    let mut m = Map::new();
    if !global {
        m.insert(
            "compactLayouts".into(),
            json!(format!("{base}/describe/compactLayouts")),
        );
    }
    m.insert("rowTemplate".into(), json!(format!("{base}/{{ID}}")));
    m.insert("describe".into(), json!(format!("{base}/describe")));
    m.insert("sobject".into(), json!(base.clone()));
    if !global {
        m.insert("layouts".into(), json!(format!("{base}/describe/layouts")));
        m.insert("listviews".into(), json!(format!("{base}/listviews")));
        m.insert("quickActions".into(), json!(format!("{base}/quickActions")));
    }
    Value::Object(m)
}

/// The flags shared by describeGlobal entries and describes.
fn common(o: &ObjectDef, v: &str, global: bool) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("activateable".into(), json!(o.activateable));
    m.insert("associateEntityType".into(), Value::Null);
    m.insert("associateParentEntity".into(), Value::Null);
    m.insert("createable".into(), json!(o.createable));
    m.insert("custom".into(), json!(o.custom));
    m.insert("customSetting".into(), json!(false));
    m.insert("deepCloneable".into(), json!(false));
    m.insert("deletable".into(), json!(o.deletable));
    m.insert("deprecatedAndHidden".into(), json!(false));
    m.insert("feedEnabled".into(), json!(o.feed_enabled));
    m.insert("hasSubtypes".into(), json!(false));
    m.insert("isInterface".into(), json!(false));
    m.insert("isSubtype".into(), json!(false));
    m.insert("keyPrefix".into(), json!(o.key_prefix));
    m.insert("label".into(), json!(o.label));
    m.insert("labelPlural".into(), json!(o.label_plural));
    m.insert("layoutable".into(), json!(true));
    m.insert("mergeable".into(), json!(o.mergeable));
    m.insert("mruEnabled".into(), json!(true));
    m.insert("name".into(), json!(o.name));
    m.insert("queryable".into(), json!(o.queryable));
    m.insert("replicateable".into(), json!(true));
    m.insert("retrieveable".into(), json!(true));
    m.insert("searchable".into(), json!(true));
    m.insert("triggerable".into(), json!(true));
    m.insert("undeletable".into(), json!(o.deletable));
    m.insert("updateable".into(), json!(o.updateable));
    m.insert("urls".into(), urls(o, v, global));
    m
}

/// One `sobjects[]` entry of describeGlobal.
pub fn global_entry(o: &ObjectDef, v: &str) -> Value {
    Value::Object(common(o, v, true))
}

/// One `fields[]` entry of a describe.
pub fn field(f: &FieldDef) -> Value {
    let t = f.ftype;
    let long_text = t == FieldType::Textarea && f.length > 255;
    let groupable = !matches!(
        t,
        FieldType::Double
            | FieldType::Currency
            | FieldType::Percent
            | FieldType::Datetime
            | FieldType::Textarea
            | FieldType::Multipicklist
    );
    let picklist: Vec<Value> = f
        .picklist
        .iter()
        .map(|p| {
            json!({"active": p.active, "defaultValue": p.default, "label": p.label,
                   "validFor": null, "value": p.value})
        })
        .collect();
    let mut m = Map::new();
    m.insert("aggregatable".into(), json!(!long_text));
    m.insert("aiPredictionField".into(), json!(false));
    m.insert("autoNumber".into(), json!(f.auto_number));
    m.insert("byteLength".into(), json!(f.byte_length));
    m.insert("calculated".into(), json!(f.calculated));
    m.insert("calculatedFormula".into(), json!(f.calculated_formula));
    m.insert("cascadeDelete".into(), json!(f.cascade_delete));
    m.insert("caseSensitive".into(), json!(f.case_sensitive));
    m.insert("compoundFieldName".into(), Value::Null);
    m.insert("controllerName".into(), Value::Null);
    m.insert("createable".into(), json!(f.createable));
    m.insert("custom".into(), json!(f.custom));
    m.insert("dataTranslationEnabled".into(), json!(false));
    m.insert("defaultValue".into(), f.default_value.clone());
    m.insert("defaultValueFormula".into(), Value::Null);
    m.insert("defaultedOnCreate".into(), json!(f.defaulted_on_create));
    m.insert("dependentPicklist".into(), json!(false));
    m.insert("deprecatedAndHidden".into(), json!(false));
    m.insert("digits".into(), json!(f.digits));
    m.insert("displayLocationInDecimal".into(), json!(false));
    m.insert("encrypted".into(), json!(false));
    m.insert("externalId".into(), json!(f.external_id));
    m.insert("extraTypeInfo".into(), json!(f.extra_type_info));
    m.insert("filterable".into(), json!(!long_text));
    m.insert("filteredLookupInfo".into(), Value::Null);
    m.insert("formulaTreatNullNumberAsZero".into(), json!(false));
    m.insert("groupable".into(), json!(groupable));
    m.insert("highScaleNumber".into(), json!(false));
    m.insert("htmlFormatted".into(), json!(f.html_formatted));
    m.insert("idLookup".into(), json!(f.id_lookup));
    m.insert("inlineHelpText".into(), json!(f.inline_help_text));
    m.insert("label".into(), json!(f.label));
    m.insert("length".into(), json!(f.length));
    m.insert("mask".into(), Value::Null);
    m.insert("maskType".into(), Value::Null);
    m.insert("name".into(), json!(f.name));
    m.insert("nameField".into(), json!(f.name_field));
    m.insert("namePointing".into(), json!(f.polymorphic));
    m.insert("nillable".into(), json!(f.nillable));
    m.insert(
        "permissionable".into(),
        json!(f.nillable && f.createable && !f.name_field),
    );
    m.insert("picklistValues".into(), Value::Array(picklist));
    m.insert("polymorphicForeignKey".into(), json!(f.polymorphic));
    m.insert("precision".into(), json!(f.precision));
    m.insert("queryByDistance".into(), json!(false));
    m.insert("referenceTargetField".into(), Value::Null);
    m.insert("referenceTo".into(), json!(f.reference_to));
    m.insert("relationshipName".into(), json!(f.relationship_name));
    m.insert("relationshipOrder".into(), json!(f.relationship_order));
    m.insert("restrictedDelete".into(), json!(f.restricted_delete));
    m.insert("restrictedPicklist".into(), json!(f.restricted_picklist));
    m.insert("scale".into(), json!(f.scale));
    m.insert(
        "searchPrefilterable".into(),
        json!(t == FieldType::Reference),
    );
    m.insert("soapType".into(), json!(t.soap_type()));
    m.insert(
        "sortable".into(),
        json!(!long_text && t != FieldType::Multipicklist),
    );
    m.insert("type".into(), json!(t.as_str()));
    m.insert("unique".into(), json!(f.unique));
    m.insert("updateable".into(), json!(f.updateable));
    m.insert(
        "writeRequiresMasterRead".into(),
        json!(f.write_requires_master_read),
    );
    Value::Object(m)
}

/// The `childRelationships[]` of `o`, found by scanning every object's reference fields.
pub fn child_relationships<'a>(
    o: &ObjectDef,
    all: impl Iterator<Item = &'a ObjectDef>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for child in all {
        for f in &child.fields {
            if f.ftype == FieldType::Reference
                && f.reference_to
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&o.name))
            {
                out.push(json!({
                    "cascadeDelete": f.cascade_delete,
                    "childSObject": child.name,
                    "deprecatedAndHidden": false,
                    "field": f.name,
                    "junctionIdListNames": [],
                    "junctionReferenceTo": [],
                    "relationshipName": f.child_relationship_name,
                    "restrictedDelete": f.restricted_delete,
                }));
            }
        }
    }
    out
}

/// A full sObject describe.
pub fn describe(o: &ObjectDef, children: Vec<Value>, v: &str) -> Value {
    let mut m = common(o, v, false);
    m.insert("actionOverrides".into(), json!([]));
    m.insert("childRelationships".into(), Value::Array(children));
    m.insert("compactLayoutable".into(), json!(true));
    m.insert("defaultImplementation".into(), Value::Null);
    m.insert("extendedBy".into(), Value::Null);
    m.insert("extendsInterfaces".into(), Value::Null);
    m.insert(
        "fields".into(),
        Value::Array(o.fields.iter().map(field).collect()),
    );
    m.insert("implementedBy".into(), Value::Null);
    m.insert("implementsInterfaces".into(), Value::Null);
    m.insert("listviewable".into(), Value::Null);
    m.insert("lookupLayoutable".into(), Value::Null);
    m.insert("namedLayoutInfos".into(), json!([]));
    m.insert("networkScopeFieldName".into(), Value::Null);
    m.insert(
        "recordTypeInfos".into(),
        json!([{"active": true, "available": true, "defaultRecordTypeMapping": true,
                "developerName": "Master", "master": true, "name": "Master",
                "recordTypeId": "012000000000000AAA",
                "urls": {"layout": format!("/services/data/{v}/sobjects/{}/describe/layouts/012000000000000AAA", o.name)}}]),
    );
    m.insert("searchLayoutable".into(), json!(true));
    m.insert(
        "supportedScopes".into(),
        json!([{"label": "All", "name": "everything"}]),
    );
    // serde_json's map keeps keys sorted, as Salesforce emits them.
    Value::Object(m)
}

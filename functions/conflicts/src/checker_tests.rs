//! One test per rule of the checker, green, yellow and red.

use serde_json::{Map, Value, json};

use super::*;

fn field(name: &str, t: &str, createable: bool, nillable: bool, defaulted: bool) -> Value {
    json!({"name": name, "type": t, "createable": createable, "nillable": nillable,
           "defaultedOnCreate": defaulted, "defaultValue": null})
}

/// Account with system fields, a required `Name`, an optional `Industry`; `Widget__c`.
fn objects(rules: Value) -> Map<String, Value> {
    let account = json!({
        "name": "Account",
        "fields": [
            field("Id", "id", false, false, true),
            field("OwnerId", "reference", true, false, true),
            field("CreatedDate", "datetime", false, false, true),
            field("IsDeleted", "boolean", false, false, true),
            field("Name", "string", true, false, false),
            field("Industry", "picklist", true, true, false),
            field("Tags__c", "multipicklist", true, true, false),
        ],
        "validationRules": rules,
    });
    let widget = json!({"name": "Widget__c", "fields": [field("Size__c", "double", true, true, false)],
                        "validationRules": []});
    [
        ("Account".to_string(), account),
        ("Widget__c".to_string(), widget),
    ]
    .into_iter()
    .collect()
}

fn messages(r: &Report) -> Vec<(Severity, &str, &str)> {
    r.findings
        .iter()
        .map(|f| (f.severity, f.category, f.message.as_str()))
        .collect()
}

#[test]
fn a_new_object_is_green_and_its_fields_are_checked() {
    let plan = json!({"custom_objects": [{"api_name": "Gadget__c", "label": "Gadget", "fields": [
        {"api_name": "Colour__c", "type": "Text"},
        {"api_name": "Tags__c", "type": "MultiselectPicklist"},
        {"api_name": "Odd__c", "type": "Hologram"},
    ], "relationships": [
        {"api_name": "Account__c", "type": "Lookup", "related_to": "Account"},
        {"api_name": "Widget__c", "type": "MasterDetail", "related_to": "Widget__c"},
        {"api_name": "Ghost__c", "type": "Lookup", "related_to": "Ghost__c"},
    ]}]});
    let r = check(&plan, &objects(json!([])));
    use Severity::*;
    assert_eq!(
        messages(&r),
        [
            (
                Green,
                "object_name",
                "Gadget__c does not exist - safe to create"
            ),
            (
                Green,
                "field_name",
                "Gadget__c.Colour__c does not exist - safe to create"
            ),
            (
                Green,
                "field_name",
                "Gadget__c.Tags__c does not exist - safe to create"
            ),
            (
                Red,
                "field_type",
                "Gadget__c.Odd__c has unsupported type 'Hologram'"
            ),
            (
                Green,
                "field_name",
                "Gadget__c.Account__c does not exist - safe to create"
            ),
            (
                Green,
                "field_name",
                "Gadget__c.Widget__c does not exist - safe to create"
            ),
            (
                Red,
                "relationship",
                "Gadget__c.Ghost__c references Ghost__c which is neither in topology snapshot nor in the plan"
            ),
        ]
    );
    assert_eq!((r.overall, r.counts), (Red, [5, 0, 2]));
}

#[test]
fn an_existing_object_is_red_and_its_fields_green_yellow_or_red() {
    let plan = json!({"custom_objects": [{"api_name": "Widget__c", "fields": [
        {"api_name": "New__c", "type": "Text"},
        {"api_name": "Size__c", "type": "Number"},
    ]}, {"api_name": "Widget__c", "fields": [{"api_name": "Size__c", "type": "Text"}]}]});
    let r = check(&plan, &objects(json!([])));
    use Severity::*;
    assert_eq!(
        messages(&r),
        [
            (
                Red,
                "object_name",
                "Widget__c already exists in topology snapshot"
            ),
            (
                Green,
                "field_name",
                "Widget__c.New__c does not exist - safe to create"
            ),
            (
                Yellow,
                "field_name",
                "Widget__c.Size__c already exists with same type (double)"
            ),
            (
                Red,
                "object_name",
                "Widget__c already exists in topology snapshot"
            ),
            (
                Red,
                "field_name",
                "Widget__c.Size__c already exists with different type (existing=double, requested=string)"
            ),
        ]
    );
}

#[test]
fn standard_objects_missing_is_red_present_is_green() {
    let plan = json!({"standard_object_fields": [{"object": "Nope"}, {"object": "Account",
        "fields": [{"api_name": "Name", "type": "Text"}]}]});
    let r = check(&plan, &objects(json!([])));
    use Severity::*;
    assert_eq!(
        messages(&r),
        [
            (
                Red,
                "standard_object",
                "Nope not found in topology snapshot"
            ),
            (
                Green,
                "standard_object",
                "Account exists in topology snapshot"
            ),
            (
                Yellow,
                "field_name",
                "Account.Name already exists with same type (string)"
            ),
        ]
    );
}

#[test]
fn required_fields_skip_system_and_defaulted_fields() {
    let plan = json!({"standard_object_fields": [{"object": "Account",
        "fields": [{"api_name": "Tags__c", "type": "MultiselectPicklist"}]}]});
    let r = check(&plan, &objects(json!([])));
    use Severity::*;
    assert_eq!(
        messages(&r),
        [
            (
                Green,
                "standard_object",
                "Account exists in topology snapshot"
            ),
            (
                Yellow,
                "field_name",
                "Account.Tags__c already exists with same type (multipicklist)"
            ),
            (
                Yellow,
                "required_field",
                "Account has required field 'Name' not in deployment plan"
            ),
        ]
    );
    for system in ["Id", "OwnerId", "CreatedDate", "IsDeleted"] {
        assert!(
            !r.findings
                .iter()
                .any(|f| f.message.contains(&format!("'{system}'")))
        );
    }
    assert_eq!((r.overall, r.counts), (Yellow, [1, 2, 0]));
}

#[test]
fn recorded_active_validation_rules_are_yellow() {
    let plan = json!({"standard_object_fields": [{"object": "Account",
        "fields": [{"api_name": "Name", "type": "Text"}]}]});
    let r = check(
        &plan,
        &objects(json!([{"name": "Needs_Name", "active": true}])),
    );
    assert_eq!(
        r.findings
            .last()
            .map(|f| (f.severity, f.category, f.message.as_str())),
        Some((
            Severity::Yellow,
            "validation_rule",
            "Account has active validation rules"
        ))
    );
    let quiet = check(&plan, &objects(json!([{"name": "Off", "active": false}])));
    assert!(
        !quiet
            .findings
            .iter()
            .any(|f| f.category == "validation_rule")
    );
}

#[test]
fn an_empty_plan_is_green_with_no_findings() {
    let r = check(&json!({}), &objects(json!([])));
    assert_eq!(
        (r.overall, r.counts, r.findings.len()),
        (Severity::Green, [0, 0, 0], 0)
    );
}

#[test]
fn type_normalisation_follows_the_table() {
    assert_eq!(describe_type("MultiselectPicklist"), Some("multipicklist"));
    assert_eq!(describe_type("LongTextArea"), Some("textarea"));
    assert_eq!(describe_type("MasterDetail"), Some("reference"));
    assert_eq!(describe_type("Hologram"), None);
    let f = |v: Value| normalised(v.as_object().unwrap());
    assert_eq!(f(json!({})), "");
    assert_eq!(f(json!({"type": null})), "none");
    assert_eq!(f(json!({"type": "Geo"})), "geo");
}

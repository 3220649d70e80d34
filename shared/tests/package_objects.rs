//! The package builder's object files: custom objects, every field type, validation rules.

mod package_support;

use package_support::*;
use shared::salesforce::package::*;

#[test]
fn a_custom_object_file_has_its_children_in_wsdl_order() {
    let mut p = Package::new("v60.0");
    p.add_custom_object(every_field_type_object());
    let object = file(&p, "objects/Invoice__c.object");
    assert_eq!(object.name, "CustomObject");
    let mut expected = vec!["deploymentStatus", "description"];
    expected.extend(std::iter::repeat_n("fields", 15));
    expected.extend([
        "label",
        "nameField",
        "pluralLabel",
        "sharingModel",
        "validationRules",
    ]);
    assert_eq!(names(&object), expected);
    assert_eq!(object.text_of("deploymentStatus"), Some("Deployed"));
    assert_eq!(object.text_of("description"), Some("Bills & dues"));
    assert_eq!(object.text_of("pluralLabel"), Some("Invoices"));
    assert_eq!(object.text_of("sharingModel"), Some("ReadWrite"));
    let name_field = object.child("nameField").unwrap();
    assert_eq!(names(name_field), ["label", "type"]);
    assert_eq!(name_field.text_of("label"), Some("Invoice Name"));
    let rule = object.child("validationRules").unwrap();
    assert_eq!(
        names(rule),
        [
            "fullName",
            "active",
            "errorConditionFormula",
            "errorDisplayField",
            "errorMessage"
        ]
    );
    assert_eq!(rule.text_of("errorMessage"), Some("Amount must be >= 0"));
    assert_eq!(fields_by_name(&object).len(), 15);
}

#[test]
fn each_field_type_writes_exactly_the_members_it_needs() {
    let mut p = Package::new("60.0");
    p.add_custom_object(every_field_type_object());
    let o = file(&p, "objects/Invoice__c.object");
    let check = |name: &str, members: &[&str], field_type: &str| {
        let f = field(&o, name);
        assert_eq!(names(f), members, "{name}");
        assert_eq!(f.text_of("type"), Some(field_type), "{name}");
    };
    check(
        "Ext_Id__c",
        &[
            "fullName",
            "externalId",
            "label",
            "length",
            "required",
            "type",
            "unique",
        ],
        "Text",
    );
    check("Notes__c", &["fullName", "label", "type"], "TextArea");
    check(
        "Body__c",
        &["fullName", "label", "length", "type", "visibleLines"],
        "LongTextArea",
    );
    check(
        "Qty__c",
        &["fullName", "label", "precision", "scale", "type"],
        "Number",
    );
    check(
        "Amount__c",
        &["fullName", "label", "precision", "scale", "type"],
        "Currency",
    );
    check(
        "Rate__c",
        &["fullName", "label", "precision", "scale", "type"],
        "Percent",
    );
    check(
        "Paid__c",
        &["fullName", "defaultValue", "label", "type"],
        "Checkbox",
    );
    check("Due__c", &["fullName", "label", "type"], "Date");
    check("Sent__c", &["fullName", "label", "type"], "DateTime");
    check("Email__c", &["fullName", "label", "type"], "Email");
    check("Phone__c", &["fullName", "label", "type"], "Phone");
    check("Site__c", &["fullName", "label", "type"], "Url");
    check(
        "Stage__c",
        &["fullName", "label", "type", "valueSet"],
        "Picklist",
    );
    check(
        "Tags__c",
        &["fullName", "label", "type", "valueSet", "visibleLines"],
        "MultiselectPicklist",
    );
    check(
        "Contact__c",
        &[
            "fullName",
            "deleteConstraint",
            "label",
            "referenceTo",
            "relationshipLabel",
            "relationshipName",
            "type",
        ],
        "Lookup",
    );
    assert_eq!(field(&o, "Ext_Id__c").text_of("length"), Some("80"));
    assert_eq!(field(&o, "Body__c").text_of("length"), Some("32768"));
    assert_eq!(field(&o, "Amount__c").text_of("precision"), Some("16"));
    assert_eq!(field(&o, "Amount__c").text_of("scale"), Some("2"));
    assert_eq!(field(&o, "Paid__c").text_of("defaultValue"), Some("false"));
    let lookup = field(&o, "Contact__c");
    assert_eq!(lookup.text_of("deleteConstraint"), Some("SetNull"));
    assert_eq!(lookup.text_of("referenceTo"), Some("Contact"));
    assert_eq!(lookup.text_of("relationshipName"), Some("Invoices"));
    assert_eq!(lookup.text_of("relationshipLabel"), Some("Contact"));
}

#[test]
fn a_picklist_value_set_lists_values_with_the_first_as_default() {
    let mut p = Package::new("60.0");
    p.add_custom_object(every_field_type_object());
    let o = file(&p, "objects/Invoice__c.object");
    let value_set = field(&o, "Stage__c").child("valueSet").unwrap();
    assert_eq!(names(value_set), ["restricted", "valueSetDefinition"]);
    assert_eq!(value_set.text_of("restricted"), Some("true"));
    let definition = value_set.child("valueSetDefinition").unwrap();
    assert_eq!(names(definition), ["sorted", "value", "value"]);
    assert_eq!(definition.text_of("sorted"), Some("false"));
    let values: Vec<_> = definition.children_named("value").collect();
    assert_eq!(names(values[0]), ["fullName", "default", "label"]);
    assert_eq!(values[0].text_of("fullName"), Some("Draft"));
    assert_eq!(values[0].text_of("default"), Some("true"));
    assert_eq!(values[1].text_of("default"), Some("false"));
    let multi = field(&o, "Tags__c");
    assert_eq!(multi.text_of("visibleLines"), Some("4"));
}

#[test]
fn a_master_detail_makes_the_object_controlled_by_parent_without_required_or_delete_constraint() {
    let mut o = CustomObjectSpec::new("Line__c", "Line");
    o.sharing_model = Some(SharingModel::Private);
    let mut md = FieldSpec::new(
        "Invoice__c",
        "Invoice",
        FieldType::MasterDetail {
            reference_to: "Invoice__c".into(),
            relationship_name: "Lines".into(),
            relationship_label: Some("Invoice Lines".into()),
            relationship_order: Some(0),
        },
    );
    md.required = true;
    o.fields.push(md);
    o.name_field = Some(NameField::AutoNumber {
        label: "Line No".into(),
        display_format: "L-{0000}".into(),
        starting_number: Some(1),
    });
    let mut p = Package::new("60.0");
    p.add_custom_object(o);
    let object = file(&p, "objects/Line__c.object");
    assert_eq!(object.text_of("sharingModel"), Some("ControlledByParent"));
    let f = field(&object, "Invoice__c");
    assert_eq!(
        names(f),
        [
            "fullName",
            "label",
            "referenceTo",
            "relationshipLabel",
            "relationshipName",
            "relationshipOrder",
            "type"
        ]
    );
    assert_eq!(f.text_of("relationshipLabel"), Some("Invoice Lines"));
    assert_eq!(f.text_of("type"), Some("MasterDetail"));
    let name_field = object.child("nameField").unwrap();
    assert_eq!(
        names(name_field),
        ["displayFormat", "label", "startingNumber", "type"]
    );
    assert_eq!(name_field.text_of("type"), Some("AutoNumber"));
}

#[test]
fn names_that_would_break_a_path_are_refused() {
    for bad in ["", " Foo__c", "../x", "a/b", "Foo<__c"] {
        let mut p = Package::new("60.0");
        p.add_custom_object(CustomObjectSpec::new(bad, "Foo"));
        assert!(
            matches!(p.files(), Err(PackageError::Invalid(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn field_types_know_their_describe_type() {
    assert_eq!(FieldType::Text { length: 1 }.describe_type(), "string");
    assert_eq!(
        FieldType::LongTextArea {
            length: 1,
            visible_lines: 1
        }
        .describe_type(),
        "textarea"
    );
    assert_eq!(
        FieldType::Number {
            precision: 1,
            scale: 0
        }
        .describe_type(),
        "double"
    );
    assert_eq!(
        FieldType::Checkbox { default: true }.describe_type(),
        "boolean"
    );
    assert_eq!(
        FieldType::MultiselectPicklist {
            values: vec![],
            restricted: false,
            sorted: false,
            visible_lines: 4
        }
        .describe_type(),
        "multipicklist"
    );
}

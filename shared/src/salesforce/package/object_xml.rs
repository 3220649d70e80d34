//! Writes `.object` files from the object specs: children in the WSDL's (alphabetical) order,
//! type-specific field members per SALESFORCE.md §3.5.

use std::io;

use super::objects::{
    CustomObjectSpec, FieldSpec, FieldType, NameField, ObjectChangesSpec, ValidationRuleSpec,
};
use super::write::{W, flag, leaf, node, opt_leaf};

/// `objects/{api_name}.object` for a new object.
pub(crate) fn write_custom_object(w: &mut W, o: &CustomObjectSpec) -> io::Result<()> {
    leaf(w, "deploymentStatus", "Deployed")?;
    opt_leaf(w, "description", o.description.as_deref())?;
    for (name, value) in [
        ("enableActivities", o.enable_activities),
        ("enableHistory", o.enable_history),
        ("enableReports", o.enable_reports),
        ("enableSearch", o.enable_search),
    ] {
        if let Some(v) = value {
            flag(w, name, v)?;
        }
    }
    for f in &o.fields {
        node(w, "fields", |w| write_field(w, f))?;
    }
    leaf(w, "label", &o.label)?;
    let default_name = NameField::Text {
        label: format!("{} Name", o.label),
    };
    node(w, "nameField", |w| {
        write_name_field(w, o.name_field.as_ref().unwrap_or(&default_name))
    })?;
    let plural = o
        .plural_label
        .clone()
        .unwrap_or_else(|| format!("{}s", o.label));
    leaf(w, "pluralLabel", &plural)?;
    leaf(w, "sharingModel", o.effective_sharing_model().as_str())?;
    for r in &o.validation_rules {
        node(w, "validationRules", |w| write_validation_rule(w, r))?;
    }
    Ok(())
}

/// `objects/{object}.object` carrying only new fields and rules of an existing object.
pub(crate) fn write_object_changes(w: &mut W, o: &ObjectChangesSpec) -> io::Result<()> {
    for f in &o.fields {
        node(w, "fields", |w| write_field(w, f))?;
    }
    for r in &o.validation_rules {
        node(w, "validationRules", |w| write_validation_rule(w, r))?;
    }
    Ok(())
}

fn write_name_field(w: &mut W, n: &NameField) -> io::Result<()> {
    match n {
        NameField::Text { label } => {
            leaf(w, "label", label)?;
            leaf(w, "type", "Text")
        }
        NameField::AutoNumber {
            label,
            display_format,
            starting_number,
        } => {
            leaf(w, "displayFormat", display_format)?;
            leaf(w, "label", label)?;
            if let Some(n) = starting_number {
                leaf(w, "startingNumber", &n.to_string())?;
            }
            leaf(w, "type", "AutoNumber")
        }
    }
}

/// A `CustomField`'s children, in WSDL order.
pub(crate) fn write_field(w: &mut W, f: &FieldSpec) -> io::Result<()> {
    let t = &f.field_type;
    leaf(w, "fullName", &f.api_name)?;
    if let FieldType::Checkbox { default } = t {
        flag(w, "defaultValue", *default)?;
    }
    if let FieldType::Lookup {
        delete_constraint, ..
    } = t
    {
        leaf(w, "deleteConstraint", delete_constraint.as_str())?;
    }
    opt_leaf(w, "description", f.description.as_deref())?;
    if f.external_id {
        flag(w, "externalId", true)?;
    }
    opt_leaf(w, "inlineHelpText", f.inline_help_text.as_deref())?;
    leaf(w, "label", &f.label)?;
    match t {
        FieldType::Text { length } | FieldType::LongTextArea { length, .. } => {
            leaf(w, "length", &length.to_string())?;
        }
        _ => {}
    }
    if let FieldType::Number { precision, .. }
    | FieldType::Currency { precision, .. }
    | FieldType::Percent { precision, .. } = t
    {
        leaf(w, "precision", &precision.to_string())?;
    }
    match t {
        FieldType::Lookup {
            reference_to,
            relationship_name,
            relationship_label,
            ..
        }
        | FieldType::MasterDetail {
            reference_to,
            relationship_name,
            relationship_label,
            ..
        } => {
            leaf(w, "referenceTo", reference_to)?;
            leaf(
                w,
                "relationshipLabel",
                relationship_label.as_deref().unwrap_or(&f.label),
            )?;
            leaf(w, "relationshipName", relationship_name)?;
            if let FieldType::MasterDetail {
                relationship_order: Some(order),
                ..
            } = t
            {
                leaf(w, "relationshipOrder", &order.to_string())?;
            }
        }
        _ => {}
    }
    let takes_required = !matches!(
        t,
        FieldType::Checkbox { .. } | FieldType::MasterDetail { .. }
    );
    if f.required && takes_required {
        flag(w, "required", true)?;
    }
    if let FieldType::Number { scale, .. }
    | FieldType::Currency { scale, .. }
    | FieldType::Percent { scale, .. } = t
    {
        leaf(w, "scale", &scale.to_string())?;
    }
    leaf(w, "type", t.metadata_name())?;
    if f.unique {
        flag(w, "unique", true)?;
    }
    match t {
        FieldType::Picklist {
            values,
            restricted,
            sorted,
        }
        | FieldType::MultiselectPicklist {
            values,
            restricted,
            sorted,
            ..
        } => node(w, "valueSet", |w| {
            flag(w, "restricted", *restricted)?;
            node(w, "valueSetDefinition", |w| {
                flag(w, "sorted", *sorted)?;
                for v in values {
                    node(w, "value", |w| {
                        leaf(w, "fullName", &v.full_name)?;
                        flag(w, "default", v.default)?;
                        leaf(w, "label", &v.label)
                    })?;
                }
                Ok(())
            })
        })?,
        _ => {}
    }
    match t {
        FieldType::LongTextArea { visible_lines, .. }
        | FieldType::MultiselectPicklist { visible_lines, .. } => {
            leaf(w, "visibleLines", &visible_lines.to_string())?;
        }
        _ => {}
    }
    Ok(())
}

fn write_validation_rule(w: &mut W, r: &ValidationRuleSpec) -> io::Result<()> {
    leaf(w, "fullName", &r.name)?;
    flag(w, "active", r.active)?;
    opt_leaf(w, "description", r.description.as_deref())?;
    leaf(w, "errorConditionFormula", &r.error_condition_formula)?;
    opt_leaf(w, "errorDisplayField", r.error_display_field.as_deref())?;
    leaf(w, "errorMessage", &r.error_message)
}

//! Per-field checks on a write: references, external-id relationships, emails, restricted
//! picklists, lengths, and the validation-rule formulas the simulator can evaluate.

use super::SfError;
use super::input::Input;
use crate::ids;
use crate::schema::{FieldDef, FieldType, ObjectDef};
use crate::store::Org;
use crate::values::Val;

fn ref_error(f: &FieldDef, v: &str) -> SfError {
    SfError::new(
        "MALFORMED_ID",
        format!("{}: id value of incorrect type: {v}", f.label),
        vec![f.name.clone()],
    )
}

/// Checks a reference value: well-formed, of an allowed type, and existing.
fn check_reference(org: &Org, f: &FieldDef, v: &str) -> Result<String, SfError> {
    let Some(id) = ids::normalize(v) else {
        return Err(ref_error(f, v));
    };
    let Some(target) = org.object_of_id(&id) else {
        let known_prefix = f.reference_to.iter().any(|t| t == "Group") && id.starts_with("00G");
        return Err(if known_prefix {
            SfError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                vec![f.name.clone()],
            )
        } else {
            SfError::new(
                "FIELD_INTEGRITY_EXCEPTION",
                format!("{}: id value of incorrect type: {v}", f.label),
                vec![f.name.clone()],
            )
        });
    };
    if !f
        .reference_to
        .iter()
        .any(|t| t.eq_ignore_ascii_case(&target.def.name))
    {
        return Err(SfError::new(
            "FIELD_INTEGRITY_EXCEPTION",
            format!("{}: id value of incorrect type: {v}", f.label),
            vec![f.name.clone()],
        ));
    }
    match target.row_of(&id) {
        Some(r) if !target.rows[r as usize].deleted => Ok(id),
        _ => Err(SfError::new(
            "INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id",
            vec![f.name.clone()],
        )),
    }
}

/// Resolves `Rel` inputs (external-id references) to ids.
pub(super) fn resolve(
    org: &Org,
    def: &ObjectDef,
    inputs: Vec<Input>,
    errors: &mut Vec<SfError>,
) -> Vec<(usize, Val)> {
    let mut out = Vec::new();
    for i in inputs {
        match i {
            Input::Set(f, v) => out.push((f, v)),
            Input::Rel {
                field,
                target,
                ext_field,
                value,
            } => {
                let fd = &def.fields[field];
                let Some(t) = org.object(&target) else {
                    errors.push(SfError::new(
                        "INVALID_FIELD",
                        format!("Invalid relationship type {target}"),
                        vec![fd.name.clone()],
                    ));
                    continue;
                };
                let Some(ef) = t
                    .def
                    .field(&ext_field)
                    .filter(|f| f.external_id || f.id_lookup)
                else {
                    errors.push(SfError::new(
                        "INVALID_FIELD",
                        format!("Field name provided, {ext_field} is not an External ID or indexed field for {}", t.def.name),
                        vec![],
                    ));
                    continue;
                };
                if value.is_null() {
                    out.push((field, Val::Null));
                    continue;
                }
                let rows: Vec<u32> = if ef.name == "Id" {
                    ids::normalize(value.as_str().unwrap_or_default())
                        .and_then(|id| t.row_of(&id))
                        .into_iter()
                        .collect()
                } else {
                    t.lookup(ef.slot, &value)
                };
                let shown = value.as_str().unwrap_or_default().to_string();
                match rows.as_slice() {
                    [r] => out.push((field, Val::str(t.rows[*r as usize].id()))),
                    [] => errors.push(SfError::new(
                        "INVALID_FIELD",
                        format!("Foreign key external ID: {shown} not found for field {} in entity {}", ef.name, t.def.name),
                        vec![],
                    )),
                    _ => errors.push(SfError::new(
                        "INVALID_FIELD",
                        format!("Foreign key external ID: {shown} matched more than one record for field {} in entity {}", ef.name, t.def.name),
                        vec![],
                    )),
                }
            }
        }
    }
    out
}

fn is_email(s: &str) -> bool {
    let mut parts = s.splitn(2, '@');
    matches!((parts.next(), parts.next()), (Some(a), Some(b)) if !a.is_empty() && b.contains('.') && !b.starts_with('.') && !s.contains(' '))
}

/// Per-field checks on a value being written.
pub(super) fn check_value(org: &Org, f: &FieldDef, v: &Val) -> Result<Val, SfError> {
    let Val::Str(s) = v else { return Ok(v.clone()) };
    match f.ftype {
        FieldType::Reference => return check_reference(org, f, s).map(|id| Val::str(&id)),
        FieldType::Email if !s.is_empty() && !is_email(s) => {
            return Err(SfError::new(
                "INVALID_EMAIL_ADDRESS",
                format!("{}: invalid email address: {s}", f.label),
                vec![f.name.clone()],
            ));
        }
        FieldType::Picklist
            if f.restricted_picklist && !f.picklist.iter().any(|p| p.value == **s) =>
        {
            return Err(SfError::new(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                format!("{}: bad value for restricted picklist field: {s}", f.label),
                vec![f.name.clone()],
            ));
        }
        _ => {}
    }
    if f.length > 0 && f.ftype.is_textual() && s.chars().count() > f.length as usize {
        let shown: String = s.chars().take(40).collect();
        return Err(SfError::new(
            "STRING_TOO_LONG",
            format!(
                "{}: data value too large: {shown} (max length={})",
                f.label, f.length
            ),
            vec![f.name.clone()],
        ));
    }
    Ok(v.clone())
}

/// Validation rules we can evaluate: the constant `true` and `ISBLANK(Field)` / `NOT(ISBLANK(Field))`.
pub(super) fn rule_fires(formula: &str, get: &dyn Fn(&str) -> Val) -> bool {
    let f: String = formula.split_whitespace().collect::<Vec<_>>().join("");
    let upper = f.to_ascii_uppercase();
    if upper == "TRUE" {
        return true;
    }
    let blank = |name: &str| match get(name) {
        Val::Null => true,
        Val::Str(s) => s.is_empty(),
        _ => false,
    };
    if let Some(inner) = upper
        .strip_prefix("NOT(ISBLANK(")
        .and_then(|r| r.strip_suffix("))"))
    {
        return !blank(&f[12..12 + inner.len()]);
    }
    if let Some(inner) = upper
        .strip_prefix("ISBLANK(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return blank(&f[8..8 + inner.len()]);
    }
    false
}

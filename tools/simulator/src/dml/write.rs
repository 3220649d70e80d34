//! Validated inserts and updates of one record (`write`, `create`, `update`), and unvalidated
//! seeding inserts (`insert_raw`).

use super::derive::derive;
use super::input::Parsed;
use super::validate::{check_value, resolve, rule_fires};
use super::{SfError, Target, Undo, UndoEntry, locate};
use crate::schema::FieldType;
use crate::store::Org;
use crate::values::{Val, now_ms};

/// Validates and applies one record write; returns the record id.
pub fn write(
    org: &mut Org,
    obj: &str,
    target: Target,
    parsed: Parsed,
    undo: &mut Undo,
) -> Result<String, Vec<SfError>> {
    let Some(so) = org.object(obj) else {
        return Err(vec![SfError::new(
            "INVALID_TYPE",
            format!("sObject type '{obj}' is not supported."),
            vec![],
        )]);
    };
    let def = so.def.clone();
    let key = def.name.to_lowercase();
    let insert = matches!(target, Target::Insert);
    let mut errors = parsed.errors;
    let assigned = resolve(org, &def, parsed.inputs, &mut errors);
    let mut vals: Vec<(u16, Val)> = Vec::new();
    let mut not_writable = Vec::new();
    for (fi, v) in assigned {
        let f = &def.fields[fi];
        let allowed = if insert { f.createable } else { f.updateable };
        if !allowed {
            not_writable.push(f.name.clone());
            continue;
        }
        match check_value(org, f, &v) {
            Ok(v) => vals.push((f.slot, v)),
            Err(e) => errors.push(e),
        }
    }
    if !not_writable.is_empty() {
        errors.push(SfError::new(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                not_writable.join(", ")
            ),
            not_writable,
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let existing = match target {
        Target::Update(row) => org.object(obj).map(|o| o.rows[row as usize].clone()),
        Target::Insert => None,
    };
    // Required fields: createable, not nillable, not defaulted on create.
    let mut missing = Vec::new();
    for f in &def.fields {
        if f.sys.is_some() || f.nillable || !(f.createable || f.updateable) {
            continue;
        }
        let given = vals
            .iter()
            .rev()
            .find(|(s, _)| *s == f.slot)
            .map(|(_, v)| v);
        let blank = |v: &Val| v.is_null() || v.as_str() == Some("");
        let bad = match (given, &existing) {
            (Some(v), _) => blank(v) && !(f.ftype == FieldType::Boolean),
            (None, None) => f.createable && !f.defaulted_on_create,
            (None, Some(_)) => false,
        };
        if bad {
            missing.push(f.name.clone());
        }
    }
    if !missing.is_empty() {
        return Err(vec![SfError::new(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
            missing,
        )]);
    }
    derive(org, &def, &mut vals, existing.as_ref(), insert);
    // Unique fields.
    let so = org.object(obj).ok_or_else(Vec::new)?;
    for f in def.fields.iter().filter(|f| f.unique && f.sys.is_none()) {
        let Some((_, v)) = vals.iter().rev().find(|(s, _)| *s == f.slot) else {
            continue;
        };
        let dup = so.lookup(f.slot, v).into_iter().find(|r| match target {
            Target::Update(row) => *r != row,
            Target::Insert => true,
        });
        if let Some(r) = dup {
            return Err(vec![SfError::new(
                "DUPLICATE_VALUE",
                format!(
                    "duplicate value found: {} duplicates value on record with id: {}",
                    f.name,
                    so.rows[r as usize].id()
                ),
                vec![],
            )]);
        }
    }
    // Validation rules.
    for rule in def.validation_rules.iter().filter(|r| r.active) {
        let get = |name: &str| -> Val {
            let Some(f) = def.field(name) else {
                return Val::Null;
            };
            vals.iter()
                .rev()
                .find(|(s, _)| *s == f.slot)
                .map(|(_, v)| v.clone())
                .or_else(|| existing.as_ref().map(|r| r.get(f.slot).clone()))
                .unwrap_or(Val::Null)
        };
        if rule_fires(&rule.formula, &get) {
            return Err(vec![SfError::new(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                rule.message.clone(),
                rule.display_field.iter().cloned().collect(),
            )]);
        }
    }
    let now = now_ms();
    match target {
        Target::Insert => {
            let id = org.mint(&def.key_prefix);
            let Some(so) = org.objects.get_mut(&key) else {
                return Err(vec![]);
            };
            let row = so.insert(&id, vals, now);
            undo.0.push(UndoEntry::Insert { obj: key, row });
            // A custom object's Name defaults to the record id when left empty.
            if def.custom
                && let Some(nf) = def.field("Name").filter(|f| !f.auto_number)
                && so.rows[row as usize].get(nf.slot).is_null()
            {
                so.update(row, vec![(nf.slot, Val::str(&id))], now);
            }
            Ok(id)
        }
        Target::Update(row) => {
            let Some(so) = org.objects.get_mut(&key) else {
                return Err(vec![]);
            };
            let old = so.rows[row as usize].clone();
            let id = old.id().to_string();
            so.update(row, vals, now);
            undo.0.push(UndoEntry::Update { obj: key, row, old });
            Ok(id)
        }
    }
}

/// Creates a record from a JSON body.
pub fn create(
    org: &mut Org,
    obj: &str,
    parsed: Parsed,
    undo: &mut Undo,
) -> Result<String, Vec<SfError>> {
    write(org, obj, Target::Insert, parsed, undo)
}

/// Updates the record `id` (its object found from the id when `obj` is None).
pub fn update(
    org: &mut Org,
    obj: Option<&str>,
    id: &str,
    parsed: Parsed,
    undo: &mut Undo,
) -> Result<String, Vec<SfError>> {
    let (key, row) = locate(org, obj, id).map_err(|e| vec![e])?;
    write(org, &key, Target::Update(row), parsed, undo)
}

/// Inserts a record without validation (seeding).
pub fn insert_raw(org: &mut Org, obj: &str, vals: &[(&str, Val)]) -> String {
    let Some(so) = org.object(obj) else {
        return String::new();
    };
    let def = so.def.clone();
    let mut v: Vec<(u16, Val)> = vals
        .iter()
        .filter_map(|(n, val)| def.field(n).map(|f| (f.slot, val.clone())))
        .collect();
    derive(org, &def, &mut v, None, true);
    let id = org.mint(&def.key_prefix);
    if let Some(so) = org.object_mut(obj) {
        so.insert(&id, v, now_ms());
    }
    id
}

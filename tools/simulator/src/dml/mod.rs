//! The write engine shared by single-record REST, sObject Collections, composite and Bulk API:
//! validation with Salesforce's per-record errors, derived fields, cascade deletes, and an undo
//! log so `allOrNone` can roll a whole request back.

pub mod input;

use serde_json::{Value, json};

use crate::ids;
use crate::schema::{FieldDef, FieldType, ObjectDef};
use crate::store::{Org, Record};
use crate::values::{Val, now_ms};
use input::{Input, Parsed};

/// A Salesforce error: `statusCode` in results, `errorCode` in REST error bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct SfError {
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

impl SfError {
    /// An error with a code, message and affected fields.
    pub fn new(code: &str, message: impl Into<String>, fields: Vec<String>) -> Self {
        SfError {
            code: code.to_string(),
            message: message.into(),
            fields,
        }
    }

    /// The per-record shape used in collections results.
    pub fn as_status(&self) -> Value {
        json!({"statusCode": self.code, "message": self.message, "fields": self.fields})
    }

    /// The REST error-body shape.
    pub fn as_rest(&self) -> Value {
        if self.fields.is_empty() {
            json!({"message": self.message, "errorCode": self.code})
        } else {
            json!({"message": self.message, "errorCode": self.code, "fields": self.fields})
        }
    }

    /// `STATUS_CODE:message:fields` as Bulk API failed results write it.
    pub fn as_bulk(&self) -> String {
        let fields = if self.fields.is_empty() {
            "--".to_string()
        } else {
            self.fields.join(",")
        };
        format!("{}:{}:{}", self.code, self.message, fields)
    }
}

/// One reversible change.
#[derive(Debug)]
enum UndoEntry {
    Insert { obj: String, row: u32 },
    Update { obj: String, row: u32, old: Record },
    Delete { obj: String, row: u32 },
}

/// Changes made so far, newest last.
#[derive(Debug, Default)]
pub struct Undo(Vec<UndoEntry>);

/// Reverts every change in `undo`, newest first.
pub fn rollback(org: &mut Org, undo: Undo) {
    for e in undo.0.into_iter().rev() {
        match e {
            UndoEntry::Insert { obj, row } => {
                if let Some(o) = org.objects.get_mut(&obj) {
                    o.pop(row);
                }
            }
            UndoEntry::Update { obj, row, old } => {
                if let Some(o) = org.objects.get_mut(&obj) {
                    o.restore(row, old);
                }
            }
            UndoEntry::Delete { obj, row } => {
                if let Some(o) = org.objects.get_mut(&obj) {
                    o.undelete(row);
                }
            }
        }
    }
}

/// Result of an upsert that could not pick one record.
#[derive(Debug)]
pub enum UpsertFail {
    Errors(Vec<SfError>),
    /// The external id matched several records (ids).
    Multiple(Vec<String>),
}

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
fn resolve(
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
fn check_value(org: &Org, f: &FieldDef, v: &Val) -> Result<Val, SfError> {
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
fn rule_fires(formula: &str, get: &dyn Fn(&str) -> Val) -> bool {
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

/// Fills fields Salesforce computes (full names, closed flags, auto numbers, defaults).
fn derive(
    org: &mut Org,
    def: &ObjectDef,
    vals: &mut Vec<(u16, Val)>,
    existing: Option<&Record>,
    insert: bool,
) {
    let get = |vals: &Vec<(u16, Val)>, name: &str| -> Val {
        let Some(f) = def.field(name) else {
            return Val::Null;
        };
        if let Some((_, v)) = vals.iter().rev().find(|(s, _)| *s == f.slot) {
            return v.clone();
        }
        existing.map(|r| r.get(f.slot).clone()).unwrap_or(Val::Null)
    };
    let set = |vals: &mut Vec<(u16, Val)>, name: &str, v: Val| {
        if let Some(f) = def.field(name) {
            vals.push((f.slot, v));
        }
    };
    if insert {
        for f in &def.fields {
            if f.sys.is_some() || vals.iter().any(|(s, _)| *s == f.slot) {
                continue;
            }
            if f.ftype == FieldType::Boolean {
                let d = f.default_value.as_bool().unwrap_or(false);
                vals.push((f.slot, Val::Bool(d)));
            } else if let Some(d) = f.default_value.as_str() {
                vals.push((f.slot, Val::str(d)));
            } else if f.name == "OwnerId" && !org.admin_user_id.is_empty() {
                vals.push((f.slot, Val::str(&org.admin_user_id)));
            } else if f.auto_number {
                org.autonumber += 1;
                let n = org.autonumber;
                let text = match &f.display_format {
                    Some(fmt) => format_auto(fmt, n),
                    None => format!("{n:08}"),
                };
                vals.push((f.slot, Val::str(&text)));
            }
        }
    }
    let name_is_compound = def
        .field("Name")
        .is_some_and(|f| !f.createable && def.field("LastName").is_some());
    if name_is_compound {
        let first = get(vals, "FirstName");
        let last = get(vals, "LastName");
        let full = match (first.as_str(), last.as_str()) {
            (Some(a), Some(b)) if !a.is_empty() => format!("{a} {b}"),
            (_, Some(b)) => b.to_string(),
            _ => String::new(),
        };
        set(vals, "Name", Val::str(&full));
    }
    match def.name.as_str() {
        "Opportunity" => {
            let stage = get(vals, "StageName");
            let s = stage.as_str().unwrap_or_default();
            set(vals, "IsClosed", Val::Bool(s.starts_with("Closed")));
            set(vals, "IsWon", Val::Bool(s == "Closed Won"));
            let fc = match s {
                "Closed Won" => "Closed",
                "Closed Lost" => "Omitted",
                "Negotiation/Review" | "Proposal/Price Quote" => "Commit",
                _ => "Pipeline",
            };
            set(vals, "ForecastCategoryName", Val::str(fc));
        }
        "Case" => {
            let closed = get(vals, "Status").as_str() == Some("Closed");
            set(vals, "IsClosed", Val::Bool(closed));
        }
        "Task" => {
            let closed = get(vals, "Status").as_str() == Some("Completed");
            set(vals, "IsClosed", Val::Bool(closed));
        }
        "CampaignMember" => {
            let responded = get(vals, "Status").as_str() == Some("Responded");
            set(vals, "HasResponded", Val::Bool(responded));
        }
        _ => {}
    }
}

fn format_auto(fmt: &str, n: u64) -> String {
    if let (Some(a), Some(b)) = (fmt.find('{'), fmt.find('}')) {
        let width = b.saturating_sub(a + 1);
        format!("{}{:0width$}{}", &fmt[..a], n, &fmt[b + 1..])
    } else {
        format!("{fmt}{n}")
    }
}

/// Where a write goes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Insert,
    Update(u32),
}

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

/// Finds the live row of `id` in `obj` (or any object when `obj` is None).
pub fn locate(org: &Org, obj: Option<&str>, id: &str) -> Result<(String, u32), SfError> {
    let Some(id18) = ids::normalize(id) else {
        return Err(SfError::new(
            "MALFORMED_ID",
            format!("malformed id {id}"),
            vec![],
        ));
    };
    let found = org.find(&id18);
    match found {
        Some((key, row)) => {
            if let Some(o) = obj
                && !o.eq_ignore_ascii_case(&key)
            {
                return Err(SfError::new(
                    "MALFORMED_ID",
                    format!("{o} ID: id value of incorrect type: {id}"),
                    vec!["Id".to_string()],
                ));
            }
            if org.objects[&key].rows[row as usize].deleted {
                return Err(SfError::new(
                    "ENTITY_IS_DELETED",
                    "entity is deleted",
                    vec![],
                ));
            }
            Ok((key, row))
        }
        None => Err(SfError::new(
            "INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id",
            vec![],
        )),
    }
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

/// Upserts by external id: 0 matches inserts, 1 updates, several fail.
pub fn upsert(
    org: &mut Org,
    obj: &str,
    ext_field: &str,
    ext_value: &Val,
    update_only: bool,
    mut parsed: Parsed,
    undo: &mut Undo,
) -> Result<(String, bool), UpsertFail> {
    let so = org
        .object(obj)
        .ok_or_else(|| UpsertFail::Errors(vec![SfError::new("INVALID_TYPE", "", vec![])]))?;
    let f = so.def.field(ext_field).cloned().ok_or_else(|| {
        UpsertFail::Errors(vec![SfError::new(
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {ext_field}"),
            vec![],
        )])
    })?;
    let rows: Vec<u32> = if f.name == "Id" {
        match ext_value.as_str().filter(|s| !s.is_empty()) {
            None => vec![],
            Some(v) => {
                let (_, row) =
                    locate(org, Some(obj), v).map_err(|e| UpsertFail::Errors(vec![e]))?;
                vec![row]
            }
        }
    } else {
        if ext_value.is_null() || ext_value.as_str() == Some("") {
            return Err(UpsertFail::Errors(vec![SfError::new(
                "MISSING_ARGUMENT",
                format!("{} not specified", f.name),
                vec![],
            )]));
        }
        so.lookup(f.slot, ext_value)
    };
    match rows.as_slice() {
        [] if update_only => Err(UpsertFail::Errors(vec![SfError::new(
            "NOT_FOUND",
            "The requested resource does not exist",
            vec![],
        )])),
        [] => {
            if f.name != "Id"
                && let Some(i) = so.def.fields.iter().position(|x| x.name == f.name)
            {
                parsed
                    .inputs
                    .retain(|x| !matches!(x, Input::Set(j, _) if *j == i));
                parsed.inputs.push(Input::Set(i, ext_value.clone()));
            }
            write(org, obj, Target::Insert, parsed, undo)
                .map(|id| (id, true))
                .map_err(UpsertFail::Errors)
        }
        [row] => {
            let row = *row;
            write(org, obj, Target::Update(row), parsed, undo)
                .map(|id| (id, false))
                .map_err(UpsertFail::Errors)
        }
        many => Err(UpsertFail::Multiple(
            many.iter()
                .map(|r| so.rows[*r as usize].id().to_string())
                .collect(),
        )),
    }
}

/// Deletes a record and, like Salesforce, its cascade-delete children.
pub fn delete(
    org: &mut Org,
    obj: Option<&str>,
    id: &str,
    undo: &mut Undo,
) -> Result<String, SfError> {
    let (key, row) = locate(org, obj, id)?;
    let Some(so) = org.objects.get(&key) else {
        return Err(SfError::new("NOT_FOUND", "", vec![]));
    };
    if !so.def.deletable {
        return Err(SfError::new(
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "insufficient access rights on object id",
            vec![],
        ));
    }
    let id18 = so.rows[row as usize].id().to_string();
    let parent_name = so.def.name.clone();
    let now = now_ms();
    if let Some(so) = org.objects.get_mut(&key) {
        so.delete(row, now);
    }
    undo.0.push(UndoEntry::Delete { obj: key, row });
    // Cascade to children whose reference to this object cascades.
    let mut children = Vec::new();
    for (k, o) in &org.objects {
        for f in o.def.fields.iter().filter(|f| {
            f.cascade_delete
                && f.reference_to
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&parent_name))
        }) {
            for (r, rec) in o.rows.iter().enumerate() {
                if !rec.deleted && rec.get(f.slot).as_str() == Some(id18.as_str()) {
                    children.push((k.clone(), rec.id().to_string(), r));
                }
            }
        }
    }
    for (k, cid, _) in children {
        let _ = delete(org, Some(&k), &cid, undo);
    }
    Ok(id18)
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

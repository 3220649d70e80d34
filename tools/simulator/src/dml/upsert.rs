//! Upserts by external id (or Id): no match inserts, one match updates, several fail.

use super::input::{Input, Parsed};
use super::{SfError, Target, Undo, UpsertFail, locate, write};
use crate::store::Org;
use crate::values::Val;

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

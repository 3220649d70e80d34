//! Direct record inserts for tests and benchmarks that need many rows (100,000 records, 30,000
//! contact roles) without paying for API calls: values are coerced as the REST API would, no
//! API usage is counted and nothing is logged.

use serde_json::{Map, Value};

use crate::state::State;
use crate::values::{CoerceError, Val, coerce_json};

/// Inserts `records` (field name → JSON value) into `object` of `org_id`; returns the new ids
/// in order, or what was wrong (unknown org, object or field, a value of the wrong type).
pub fn insert_records(
    st: &mut State,
    org_id: &str,
    object: &str,
    records: &[Map<String, Value>],
) -> Result<Vec<String>, String> {
    let org = st
        .orgs
        .get_mut(org_id)
        .ok_or_else(|| format!("no org {org_id}"))?;
    let def = org
        .object(object)
        .ok_or_else(|| format!("no object {object}"))?
        .def
        .clone();
    let mut ids = Vec::with_capacity(records.len());
    for record in records {
        let mut vals: Vec<(&str, Val)> = Vec::with_capacity(record.len());
        for (name, value) in record {
            let field = def
                .field(name)
                .ok_or_else(|| format!("no field {object}.{name}"))?;
            let val = coerce_json(field, value).map_err(|e| match e {
                CoerceError::Parse(m) | CoerceError::Invalid(_, m) => format!("{name}: {m}"),
            })?;
            vals.push((name.as_str(), val));
        }
        ids.push(crate::dml::insert_raw(org, object, &vals));
    }
    Ok(ids)
}

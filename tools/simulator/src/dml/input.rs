//! Turns a JSON record body or a CSV row into field assignments against an object's schema,
//! with the request-level errors the REST API gives for unknown fields and unreadable values.

use serde_json::{Map, Value};

use super::SfError;
use crate::schema::ObjectDef;
use crate::values::{CoerceError, Val, coerce_json, coerce_text};

/// One assignment in a write.
#[derive(Debug, Clone)]
pub enum Input {
    /// Set field (index into `def.fields`) to a value.
    Set(usize, Val),
    /// Set a reference field to the record of `target` whose `ext_field` equals `value`.
    Rel {
        field: usize,
        target: String,
        ext_field: String,
        value: Val,
    },
}

/// A parsed record: its assignments, the `Id` it named (if any), and per-record errors.
#[derive(Debug, Default)]
pub struct Parsed {
    pub inputs: Vec<Input>,
    pub id: Option<String>,
    pub errors: Vec<SfError>,
}

fn no_column(field: &str, object: &str) -> SfError {
    SfError::new(
        "INVALID_FIELD",
        format!("No such column '{field}' on sobject of type {object}"),
        vec![],
    )
}

/// Reads a JSON record. An unknown field or an unreadable value fails the whole request.
pub fn from_json(def: &ObjectDef, rec: &Map<String, Value>) -> Result<Parsed, SfError> {
    let mut p = Parsed::default();
    for (k, v) in rec {
        if k == "attributes" {
            continue;
        }
        if let Some(i) = def
            .fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(k))
        {
            let f = &def.fields[i];
            if f.name == "Id" {
                p.id = v.as_str().map(str::to_string);
                continue;
            }
            match coerce_json(f, v) {
                Ok(val) => p.inputs.push(Input::Set(i, val)),
                Err(CoerceError::Parse(m)) => {
                    return Err(SfError::new("JSON_PARSER_ERROR", m, vec![]));
                }
                Err(CoerceError::Invalid(c, m)) => {
                    p.errors.push(SfError::new(c, m, vec![f.name.clone()]))
                }
            }
            continue;
        }
        // A relationship reference by external id: "Account": {"Ext__c": "x"}.
        if let (Some(i), Value::Object(inner)) = (
            def.fields.iter().position(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(k))
            }),
            v,
        ) {
            let f = &def.fields[i];
            let target = inner
                .get("attributes")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| f.reference_to.first().cloned())
                .unwrap_or_default();
            let mut keys = inner.iter().filter(|(k, _)| *k != "attributes");
            match (keys.next(), keys.next()) {
                (Some((ek, ev)), None) => {
                    let value = match ev {
                        Value::String(s) => Val::str(s),
                        Value::Number(n) => Val::str(&n.to_string()),
                        Value::Null => Val::Null,
                        other => Val::str(&other.to_string()),
                    };
                    p.inputs.push(Input::Rel {
                        field: i,
                        target,
                        ext_field: ek.clone(),
                        value,
                    });
                }
                _ => {
                    return Err(SfError::new(
                        "INVALID_FIELD",
                        format!("The relationship {k} must specify exactly one external ID field"),
                        vec![],
                    ));
                }
            }
            continue;
        }
        return Err(no_column(k, &def.name));
    }
    Ok(p)
}

/// A CSV column of a Bulk API upload.
#[derive(Debug, Clone)]
pub enum Column {
    Id,
    Field(usize),
    Rel {
        field: usize,
        target: String,
        ext_field: String,
    },
}

/// Maps CSV headers to columns; an unknown header fails the job (Bulk API words it this way).
pub fn csv_columns(def: &ObjectDef, headers: &[String]) -> Result<Vec<Column>, String> {
    let mut cols = Vec::new();
    for h in headers {
        let h = h.trim();
        if h.eq_ignore_ascii_case("Id") {
            cols.push(Column::Id);
        } else if let Some(i) = def
            .fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(h))
        {
            cols.push(Column::Field(i));
        } else if let Some((rel, ext)) = h.split_once('.') {
            // `Account.Ext__c` or polymorphic `What:Account.Ext__c`.
            let (rel, target) = match rel.split_once(':') {
                Some((r, t)) => (r, Some(t.to_string())),
                None => (rel, None),
            };
            let Some(i) = def.fields.iter().position(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(rel))
            }) else {
                return Err(format!("InvalidBatch : Field name not found : {h}"));
            };
            let target = target.unwrap_or_else(|| {
                def.fields[i]
                    .reference_to
                    .first()
                    .cloned()
                    .unwrap_or_default()
            });
            cols.push(Column::Rel {
                field: i,
                target,
                ext_field: ext.to_string(),
            });
        } else {
            return Err(format!("InvalidBatch : Field name not found : {h}"));
        }
    }
    Ok(cols)
}

/// Reads one CSV row. Unreadable values become per-record errors; empty cells mean null only
/// when the upload used `#N/A`, otherwise empty cells leave the field unchanged.
pub fn from_csv(def: &ObjectDef, cols: &[Column], row: &csv::StringRecord) -> Parsed {
    let mut p = Parsed::default();
    for (c, cell) in cols.iter().zip(row.iter()) {
        match c {
            Column::Id => {
                if !cell.is_empty() {
                    p.id = Some(cell.to_string());
                }
            }
            Column::Field(i) => {
                let f = &def.fields[*i];
                if cell.is_empty() {
                    continue;
                }
                if cell == "#N/A" {
                    p.inputs.push(Input::Set(*i, Val::Null));
                    continue;
                }
                match coerce_text(f, cell, false) {
                    Ok(v) => p.inputs.push(Input::Set(*i, v)),
                    Err(CoerceError::Invalid(code, m)) => {
                        p.errors.push(SfError::new(code, m, vec![f.name.clone()]))
                    }
                    Err(CoerceError::Parse(m)) => {
                        p.errors
                            .push(SfError::new("INVALID_FIELD", m, vec![f.name.clone()]))
                    }
                }
            }
            Column::Rel {
                field,
                target,
                ext_field,
            } => {
                if !cell.is_empty() {
                    p.inputs.push(Input::Rel {
                        field: *field,
                        target: target.clone(),
                        ext_field: ext_field.clone(),
                        value: Val::str(cell),
                    });
                }
            }
        }
    }
    p
}

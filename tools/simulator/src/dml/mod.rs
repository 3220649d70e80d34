//! The write engine shared by single-record REST, sObject Collections, composite and Bulk API:
//! validation with Salesforce's per-record errors, derived fields, cascade deletes, and an undo
//! log so `allOrNone` can roll a whole request back.

mod delete;
mod derive;
pub mod input;
mod upsert;
mod validate;
mod write;

use serde_json::{Value, json};

use crate::ids;
use crate::store::{Org, Record};

pub use delete::delete;
pub use upsert::upsert;
pub use write::{create, insert_raw, update, write};

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

/// Where a write goes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Insert,
    Update(u32),
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

//! A fast first pass for `IdField IN ('…', …)` (alone or inside a top-level AND): the ids go
//! into a hash set once per query, so a 300-id list over tens of thousands of rows costs one
//! look-up per row instead of 300 comparisons. Rows it admits are still checked by the full
//! condition, so it can only skip work, never change a result.

use std::collections::HashSet;

use super::parser::{Cond, Lit};
use crate::ids;
use crate::schema::{FieldDef, FieldType};
use crate::store::{Org, Record, SObject};

/// The ids an `IN` list on an Id or reference field admits.
pub struct IdSet<'a> {
    field: &'a FieldDef,
    keys: HashSet<String>,
}

impl IdSet<'_> {
    /// Whether `rec` can match (its field's id is in the list).
    pub fn admits(&self, org: &Org, rec: &Record) -> bool {
        org.value(rec, self.field)
            .as_str()
            .is_some_and(|v| self.keys.contains(&v.to_ascii_lowercase()))
    }
}

/// The set for `cond` when it is (or ANDs) a plain `IN` of strings on a direct Id or reference
/// field; `None` otherwise.
pub fn id_set<'a>(so: &'a SObject, cond: &Cond) -> Option<IdSet<'a>> {
    match cond {
        Cond::And(parts) => parts.iter().find_map(|c| id_set(so, c)),
        Cond::In {
            path,
            negate: false,
            lits,
            ..
        } if path.parts.len() == 1 => {
            let field = so.def.field(&path.parts[0])?;
            if !matches!(field.ftype, FieldType::Id | FieldType::Reference) {
                return None;
            }
            let mut keys = HashSet::with_capacity(lits.len());
            for lit in lits {
                let Lit::Str(s) = lit else { return None };
                let id = ids::normalize(s).unwrap_or_else(|| s.clone());
                keys.insert(id.to_ascii_lowercase());
            }
            Some(IdSet { field, keys })
        }
        _ => None,
    }
}

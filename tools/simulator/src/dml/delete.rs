//! Record deletes with Salesforce's cascade to cascade-delete children.

use super::{SfError, Undo, UndoEntry, locate};
use crate::store::Org;
use crate::values::now_ms;

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

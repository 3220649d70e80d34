//! Checks a parsed query against an org's schema and evaluates it over the org's records:
//! filters, ordering, LIMIT/OFFSET, COUNT() and record rendering with relationship paths.

mod check;
mod filter;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::json::J;
use crate::schema::{FieldType, ObjectDef};
use crate::soql::QueryError;
use crate::soql::parser::{Item, Query, parse};
use crate::store::{Org, Record, SObject};
use check::{check_cond, check_path};
use filter::order_cmp;
pub use filter::{get_path, like, matches};

/// A query's matched rows (after ORDER BY, OFFSET and LIMIT).
#[derive(Debug)]
pub struct Outcome {
    pub obj_key: String,
    pub entity: String,
    pub query: Arc<Query>,
    pub rows: Vec<u32>,
    pub count_only: bool,
    /// For `COUNT(field)` aggregates: the single AggregateResult record.
    pub aggregate: Option<J>,
}

/// Parses, checks and runs `soql` against `org`. `all_rows` includes deleted records (queryAll).
pub fn execute(org: &Org, soql: &str, all_rows: bool) -> Result<Outcome, QueryError> {
    let q = parse(soql).map_err(|e| QueryError::at("MALFORMED_QUERY", soql, e.col, &e.message))?;
    let Some(so) = org.object(&q.from) else {
        return Err(QueryError::at(
            "INVALID_TYPE",
            soql,
            q.from_col,
            &format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                q.from
            ),
        ));
    };
    let def = &so.def;
    let count_only = q.items.iter().any(|i| matches!(i, Item::CountAll));
    if count_only && q.items.len() > 1 {
        return Err(QueryError::at(
            "MALFORMED_QUERY",
            soql,
            1,
            "COUNT() must be the only element in the SELECT list.",
        ));
    }
    let has_agg = q.items.iter().any(|i| matches!(i, Item::Count(..)));
    for item in &q.items {
        match item {
            Item::Field(p) => {
                if has_agg {
                    return Err(QueryError::at(
                        "MALFORMED_QUERY",
                        soql,
                        p.col,
                        &format!("Field must be grouped or aggregated: {}", p.parts.join(".")),
                    ));
                }
                check_path(org, def, p, soql)?;
            }
            Item::Count(Some(p), _) => {
                check_path(org, def, p, soql)?;
            }
            _ => {}
        }
    }
    if let Some(c) = &q.cond {
        check_cond(org, def, c, soql)?;
    }
    for o in &q.order {
        let f = check_path(org, def, &o.path, soql)?;
        if f.ftype == FieldType::Textarea && f.length > 255 || f.ftype == FieldType::Multipicklist {
            return Err(QueryError::at(
                "INVALID_FIELD",
                soql,
                o.path.col,
                &format!("field '{}' can not be sorted in a query call", f.name),
            ));
        }
    }
    if q.offset.is_some_and(|o| o > 2000) {
        return Err(QueryError {
            code: "NUMBER_OUTSIDE_VALID_RANGE",
            message: "Maximum SOQL offset allowed is 2000".into(),
        });
    }
    let ids = q
        .cond
        .as_ref()
        .and_then(|c| super::prefilter::id_set(so, c));
    let mut rows: Vec<u32> = so
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| all_rows || !r.deleted)
        .filter(|(_, r)| ids.as_ref().is_none_or(|s| s.admits(org, r)))
        .filter(|(_, r)| q.cond.as_ref().is_none_or(|c| matches(org, so, r, c)))
        .map(|(i, _)| i as u32)
        .collect();
    if !q.order.is_empty() {
        rows.sort_by(|a, b| {
            order_cmp(
                org,
                so,
                &so.rows[*a as usize],
                &so.rows[*b as usize],
                &q.order,
            )
        });
    }
    let offset = q.offset.unwrap_or(0).min(rows.len());
    rows.drain(..offset);
    if let Some(l) = q.limit {
        rows.truncate(l);
    }
    let aggregate = if has_agg {
        let mut pairs = vec![(
            "attributes".to_string(),
            J::V(json!({"type": "AggregateResult"})),
        )];
        for item in &q.items {
            if let Item::Count(p, alias) = item {
                let n = rows
                    .iter()
                    .filter(|r| match p {
                        Some(p) => !get_path(org, so, &so.rows[**r as usize], &p.parts)
                            .0
                            .is_null(),
                        None => true,
                    })
                    .count();
                pairs.push((alias.clone(), J::V(json!(n))));
            }
        }
        Some(J::O(pairs))
    } else {
        None
    };
    Ok(Outcome {
        obj_key: def.name.to_lowercase(),
        entity: def.name.clone(),
        query: Arc::new(q),
        rows,
        count_only,
        aggregate,
    })
}

fn attributes(def: &ObjectDef, id: &str, url_base: &str) -> J {
    J::V(json!({"type": def.name, "url": format!("{url_base}/{}/{id}", def.name)}))
}

fn insert_path(
    org: &Org,
    so: &SObject,
    rec: &Record,
    parts: &[String],
    out: &mut Vec<(String, J)>,
    url_base: &str,
) {
    if parts.len() == 1 {
        if let Some(f) = so.def.field(&parts[0])
            && !out.iter().any(|(k, _)| *k == f.name)
        {
            out.push((f.name.clone(), J::V(org.value(rec, f).to_json(f.ftype))));
        }
        return;
    }
    let Some(rel) = so.def.relationship(&parts[0]) else {
        return;
    };
    let key = rel.relationship_name.clone().unwrap_or_default();
    let target = org.value(rec, rel).as_str().and_then(|id| {
        org.object_of_id(id)
            .and_then(|t| t.row_of(id).map(|r| (t, r)))
    });
    let pos = out.iter().position(|(k, _)| *k == key);
    match target {
        None => {
            if pos.is_none() {
                out.push((key, J::V(Value::Null)));
            }
        }
        Some((t, row)) => {
            let trec = &t.rows[row as usize];
            let idx = match pos {
                Some(i) => i,
                None => {
                    out.push((
                        key,
                        J::O(vec![(
                            "attributes".into(),
                            attributes(&t.def, trec.id(), url_base),
                        )]),
                    ));
                    out.len() - 1
                }
            };
            if let J::O(children) = &mut out[idx].1 {
                insert_path(org, t, trec, &parts[1..], children, url_base);
            }
        }
    }
}

/// Renders one record with `attributes` first, then the selected fields in SELECT order.
pub fn render(org: &Org, so: &SObject, row: u32, items: &[Item], url_base: &str) -> J {
    let rec = &so.rows[row as usize];
    let mut out = vec![(
        "attributes".to_string(),
        attributes(&so.def, rec.id(), url_base),
    )];
    for item in items {
        if let Item::Field(p) = item {
            insert_path(org, so, rec, &p.parts, &mut out, url_base);
        }
    }
    J::O(out)
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_handles_wildcards_case_and_escapes() {
        assert!(like("Acme Corp", "acme%"));
        assert!(like("Acme Corp", "%CORP"));
        assert!(like("Acme", "A_me"));
        assert!(!like("Acme", "A_e"));
        assert!(like("50% off", "50\\% off"));
        assert!(!like("50x off", "50\\% off"));
        assert!(like("", "%"));
        assert!(like("abc", "%%b%"));
        assert!(!like("abc", "b%"));
    }
}

//! Checks a parsed query against an org's schema and evaluates it over the org's records:
//! filters, ordering, LIMIT/OFFSET, COUNT() and record rendering with relationship paths.

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::{Value, json};

use super::QueryError;
use super::parser::{Cond, Item, Lit, Op, Order, Path, Query, parse};
use crate::ids;
use crate::json::J;
use crate::schema::{FieldDef, FieldType, ObjectDef};
use crate::store::{Org, Record, SObject};
use crate::values::Val;

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

const NO_COLUMN_TAIL: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

/// Resolves a path's final field type, checking every relationship on the way.
fn check_path<'a>(
    org: &'a Org,
    def: &'a ObjectDef,
    path: &Path,
    q: &str,
) -> Result<&'a FieldDef, QueryError> {
    let mut cur: Vec<&ObjectDef> = vec![def];
    let n = path.parts.len();
    for (i, part) in path.parts.iter().enumerate() {
        if i + 1 == n {
            return cur.iter().find_map(|o| o.field(part)).ok_or_else(|| {
                QueryError::at(
                    "INVALID_FIELD",
                    q,
                    path.col,
                    &format!(
                        "No such column '{part}' on entity '{}'. {NO_COLUMN_TAIL}",
                        cur[0].name
                    ),
                )
            });
        }
        let rel = cur.iter().find_map(|o| o.relationship(part)).ok_or_else(|| {
            QueryError::at(
                "INVALID_FIELD",
                q,
                path.col,
                &format!("Didn't understand relationship '{part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."),
            )
        })?;
        let next: Vec<&ObjectDef> = rel
            .reference_to
            .iter()
            .filter_map(|t| org.object(t).map(|o| &o.def))
            .collect();
        if next.is_empty() {
            return Err(QueryError::at(
                "INVALID_FIELD",
                q,
                path.col,
                &format!("Didn't understand relationship '{part}' in field path."),
            ));
        }
        cur = next;
    }
    Err(QueryError::at(
        "MALFORMED_QUERY",
        q,
        path.col,
        "unexpected token: <EOF>",
    ))
}

fn type_error(f: &FieldDef, quoted: bool) -> String {
    let t = if f.ftype.is_textual() && !matches!(f.ftype, FieldType::Id | FieldType::Reference) {
        "string"
    } else {
        f.ftype.soql_name()
    };
    if f.ftype.is_textual() {
        format!(
            "value of filter criterion for field '{}' must be of type {t} and should be enclosed in quotes",
            f.name
        )
    } else if quoted {
        format!(
            "value of filter criterion for field '{}' must be of type {t} and should not be enclosed in quotes",
            f.name
        )
    } else {
        format!(
            "value of filter criterion for field '{}' must be of type {t}",
            f.name
        )
    }
}

fn check_lit(f: &FieldDef, lit: &Lit, q: &str, col: usize) -> Result<(), QueryError> {
    let t = f.ftype;
    let ok = match lit {
        Lit::Null => true,
        Lit::Range(..) => matches!(t, FieldType::Date | FieldType::Datetime),
        Lit::Num(_) => t.is_numeric(),
        Lit::Bool(_) => t == FieldType::Boolean,
        Lit::Date(_) => t == FieldType::Date,
        Lit::DateTime(_) => t == FieldType::Datetime,
        Lit::Str(s) => {
            if matches!(t, FieldType::Id | FieldType::Reference)
                && ids::normalize(s).is_none()
                && !s.is_empty()
            {
                return Err(QueryError::at(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    q,
                    col,
                    &format!("invalid ID field: {s}"),
                ));
            }
            t.is_textual()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(QueryError::at(
            "INVALID_FIELD",
            q,
            col,
            &type_error(f, matches!(lit, Lit::Str(_))),
        ))
    }
}

fn check_cond(org: &Org, def: &ObjectDef, c: &Cond, q: &str) -> Result<(), QueryError> {
    match c {
        Cond::And(v) | Cond::Or(v) => v.iter().try_for_each(|c| check_cond(org, def, c, q)),
        Cond::Not(c) => check_cond(org, def, c, q),
        Cond::Cmp {
            path,
            op,
            lit,
            lit_col,
        } => {
            let f = check_path(org, def, path, q)?;
            if *op == Op::Like && !f.ftype.is_textual() {
                return Err(QueryError::at(
                    "INVALID_FIELD",
                    q,
                    path.col,
                    &format!("invalid operator on field '{}'", f.name),
                ));
            }
            check_lit(f, lit, q, *lit_col)
        }
        Cond::In {
            path,
            lits,
            lit_col,
            ..
        } => {
            let f = check_path(org, def, path, q)?;
            lits.iter().try_for_each(|l| check_lit(f, l, q, *lit_col))
        }
        Cond::Includes { path, .. } => {
            let f = check_path(org, def, path, q)?;
            if f.ftype != FieldType::Multipicklist {
                return Err(QueryError::at(
                    "INVALID_FIELD",
                    q,
                    path.col,
                    "includes or excludes operator only valid on multipicklist field",
                ));
            }
            Ok(())
        }
    }
}

/// Follows a path from a record: the final value and field type.
pub fn get_path(
    org: &Org,
    so: &SObject,
    rec: &Record,
    parts: &[String],
) -> (Val, Option<FieldType>) {
    if parts.len() == 1 {
        return match so.def.field(&parts[0]) {
            Some(f) => (org.value(rec, f), Some(f.ftype)),
            None => (Val::Null, None),
        };
    }
    let Some(rel) = so.def.relationship(&parts[0]) else {
        return (Val::Null, None);
    };
    let target_id = org.value(rec, rel);
    let Some(id) = target_id.as_str() else {
        return (Val::Null, None);
    };
    let Some(t) = org.object_of_id(id) else {
        return (Val::Null, None);
    };
    let Some(row) = t.row_of(id) else {
        return (Val::Null, None);
    };
    get_path(org, t, &t.rows[row as usize], &parts[1..])
}

fn date_ms(v: &Val) -> Option<i64> {
    match v {
        Val::Num(n) => Some(*n as i64),
        Val::Str(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp_millis()),
        _ => None,
    }
}

fn compare(t: Option<FieldType>, v: &Val, lit: &Lit) -> Option<Ordering> {
    match (v, lit) {
        (Val::Num(a), Lit::Num(b)) => a.partial_cmp(b),
        (Val::Num(a), Lit::DateTime(b)) => (*a as i64).partial_cmp(b),
        (Val::Str(a), Lit::Date(b)) => Some(a.as_ref().cmp(b.as_str())),
        (Val::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        (Val::Str(a), Lit::Str(b)) => {
            if matches!(t, Some(FieldType::Id | FieldType::Reference)) {
                let b = ids::normalize(b).unwrap_or_else(|| b.clone());
                Some(a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
            } else {
                Some(a.to_lowercase().cmp(&b.to_lowercase()))
            }
        }
        (Val::Num(a), Lit::Str(b)) => b.parse::<f64>().ok().and_then(|b| a.partial_cmp(&b)),
        _ => None,
    }
}

/// SOQL LIKE: case-insensitive, `%` any run, `_` one character, `\%` `\_` literal.
pub fn like(s: &str, pat: &str) -> bool {
    enum P {
        Any,
        One,
        Ch(char),
    }
    let mut ps = Vec::new();
    let mut it = pat.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => ps.push(P::Ch(n.to_lowercase().next().unwrap_or(n))),
                None => ps.push(P::Ch('\\')),
            },
            '%' => ps.push(P::Any),
            '_' => ps.push(P::One),
            c => ps.push(P::Ch(c.to_lowercase().next().unwrap_or(c))),
        }
    }
    let sc: Vec<char> = s.to_lowercase().chars().collect();
    // dp[j]: pattern prefix j matches the text prefix processed so far.
    let mut dp = vec![false; ps.len() + 1];
    dp[0] = true;
    for j in 0..ps.len() {
        if matches!(ps[j], P::Any) && dp[j] {
            dp[j + 1] = true;
        }
    }
    for ch in sc {
        let mut nd = vec![false; ps.len() + 1];
        for j in 0..ps.len() {
            match ps[j] {
                P::Any => {
                    if dp[j + 1] || nd[j] {
                        nd[j + 1] = true;
                    }
                }
                P::One => nd[j + 1] |= dp[j],
                P::Ch(c) => nd[j + 1] |= dp[j] && c == ch,
            }
            if matches!(ps[j], P::Any) && nd[j] {
                nd[j + 1] = true;
            }
        }
        dp = nd;
    }
    dp[ps.len()]
}

fn cmp_op(t: Option<FieldType>, v: &Val, op: Op, lit: &Lit) -> bool {
    match lit {
        Lit::Null => {
            return match op {
                Op::Eq => v.is_null(),
                Op::Ne => !v.is_null(),
                _ => false,
            };
        }
        Lit::Range(s, e) => {
            let Some(x) = date_ms(v) else {
                return op == Op::Ne;
            };
            return match op {
                Op::Eq => *s <= x && x < *e,
                Op::Ne => !(*s <= x && x < *e),
                Op::Lt => x < *s,
                Op::Le => x < *e,
                Op::Gt => x >= *e,
                Op::Ge => x >= *s,
                Op::Like => false,
            };
        }
        _ => {}
    }
    if v.is_null() {
        return op == Op::Ne;
    }
    if op == Op::Like {
        return match (v, lit) {
            (Val::Str(s), Lit::Str(p)) => like(s, p),
            _ => false,
        };
    }
    let Some(o) = compare(t, v, lit) else {
        return op == Op::Ne;
    };
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Like => false,
    }
}

/// Whether `rec` satisfies `c`.
pub fn matches(org: &Org, so: &SObject, rec: &Record, c: &Cond) -> bool {
    match c {
        Cond::And(v) => v.iter().all(|c| matches(org, so, rec, c)),
        Cond::Or(v) => v.iter().any(|c| matches(org, so, rec, c)),
        Cond::Not(c) => !matches(org, so, rec, c),
        Cond::Cmp { path, op, lit, .. } => {
            let (v, t) = get_path(org, so, rec, &path.parts);
            cmp_op(t, &v, *op, lit)
        }
        Cond::In {
            path, negate, lits, ..
        } => {
            let (v, t) = get_path(org, so, rec, &path.parts);
            let hit = lits.iter().any(|l| cmp_op(t, &v, Op::Eq, l));
            hit != *negate
        }
        Cond::Includes { path, negate, lits } => {
            let (v, _) = get_path(org, so, rec, &path.parts);
            let set: Vec<String> = v
                .as_str()
                .unwrap_or_default()
                .split(';')
                .map(|s| s.trim().to_lowercase())
                .collect();
            let hit = lits.iter().any(|l| match l {
                Lit::Str(s) => s.split(';').all(|p| set.contains(&p.trim().to_lowercase())),
                _ => false,
            });
            hit != *negate
        }
    }
}

fn order_cmp(org: &Org, so: &SObject, a: &Record, b: &Record, order: &[Order]) -> Ordering {
    for o in order {
        let (va, t) = get_path(org, so, a, &o.path.parts);
        let (vb, _) = get_path(org, so, b, &o.path.parts);
        let ord = match (va.is_null(), vb.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if o.nulls_last {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, true) => {
                if o.nulls_last {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, false) => {
                let base = match (&va, &vb) {
                    (Val::Num(x), Val::Num(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
                    (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
                    (Val::Str(x), Val::Str(y))
                        if matches!(t, Some(FieldType::Id | FieldType::Reference)) =>
                    {
                        x.cmp(y)
                    }
                    (Val::Str(x), Val::Str(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
                    _ => Ordering::Equal,
                };
                if o.desc { base.reverse() } else { base }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
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

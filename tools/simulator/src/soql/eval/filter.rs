//! Record-level evaluation: path values, typed comparisons, LIKE, WHERE matching and ORDER BY.

use std::cmp::Ordering;

use crate::ids;
use crate::schema::FieldType;
use crate::soql::parser::{Cond, Lit, Op, Order};
use crate::store::{Org, Record, SObject};
use crate::values::Val;

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

pub(super) fn order_cmp(
    org: &Org,
    so: &SObject,
    a: &Record,
    b: &Record,
    order: &[Order],
) -> Ordering {
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

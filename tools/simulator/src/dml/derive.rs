//! Fields Salesforce computes on a write: defaults, owner, auto numbers, compound names and
//! per-object flags (closed, won, forecast category, responded).

use crate::schema::{FieldType, ObjectDef};
use crate::store::{Org, Record};
use crate::values::Val;

/// Fills fields Salesforce computes (full names, closed flags, auto numbers, defaults).
pub(super) fn derive(
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

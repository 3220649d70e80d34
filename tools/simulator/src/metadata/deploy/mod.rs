//! The asynchronous deploy lifecycle (Queued/Pending → InProgress → Succeeded, SucceededPartial,
//! Failed, Canceled) driven by status polls or time, and the DeployResult it reports.

mod result;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::apply::{Msg, apply};
use super::package::Package;
use super::xml::El;
use crate::state::State;
pub use result::{el_to_json, result_el};

/// Where a deploy stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Pending,
    InProgress,
    Canceling,
    Done,
}

/// One deploy (its zip already parsed; the zip is not kept).
#[derive(Debug, Clone)]
pub struct Deploy {
    pub id: String,
    pub org_id: String,
    pub check_only: bool,
    pub rollback_on_error: bool,
    pub ignore_warnings: bool,
    pub run_tests: bool,
    pub created: DateTime<Utc>,
    pub started: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub polls: u32,
    pub phase: Phase,
    pub package: Result<Package, String>,
    pub status: String,
    pub successes: Vec<Msg>,
    pub failures: Vec<Msg>,
    pub error_message: Option<String>,
    pub error_status_code: Option<String>,
    pub canceled: bool,
    pub created_by: String,
    pub created_by_name: String,
    pub options: Value,
}

impl Deploy {
    /// A new queued deploy.
    pub fn new(
        id: String,
        org_id: String,
        package: Result<Package, String>,
        opts: &El,
        user: (String, String),
    ) -> Deploy {
        let flag = |n: &str| opts.flag(n).unwrap_or(false);
        let test_level = opts.get("testLevel").map(str::to_string);
        Deploy {
            id,
            org_id,
            check_only: flag("checkOnly"),
            rollback_on_error: opts.flag("rollbackOnError").unwrap_or(true),
            ignore_warnings: flag("ignoreWarnings"),
            run_tests: test_level.as_deref().is_some_and(|t| t != "NoTestRun"),
            created: Utc::now(),
            started: None,
            completed: None,
            polls: 0,
            phase: Phase::Pending,
            package,
            status: "Pending".into(),
            successes: Vec::new(),
            failures: Vec::new(),
            error_message: None,
            error_status_code: None,
            canceled: false,
            created_by: user.0,
            created_by_name: user.1,
            options: json!({
                "allowMissingFiles": flag("allowMissingFiles"), "autoUpdatePackage": flag("autoUpdatePackage"),
                "checkOnly": flag("checkOnly"), "ignoreWarnings": flag("ignoreWarnings"),
                "performRetrieve": flag("performRetrieve"), "purgeOnDelete": flag("purgeOnDelete"),
                "rollbackOnError": opts.flag("rollbackOnError").unwrap_or(true),
                "runTests": [], "singlePackage": flag("singlePackage"), "testLevel": test_level,
            }),
        }
    }

    fn total(&self) -> usize {
        match &self.package {
            Ok(p) => p.components.len() + p.deletions.len(),
            Err(_) => 0,
        }
    }
}

fn finish(st: &mut State, id: &str) {
    let Some(d) = st.meta.deploys.get(id).cloned() else {
        return;
    };
    let mut d = d;
    d.phase = Phase::Done;
    d.completed = Some(Utc::now());
    if d.canceled {
        d.status = "Canceled".into();
    } else {
        match &d.package {
            Err(e) => {
                d.status = "Failed".into();
                d.error_status_code = Some("UNKNOWN_EXCEPTION".into());
                d.error_message = Some(format!("Error reading zip file: {e}"));
            }
            Ok(pkg) if !pkg.has_package_xml => {
                d.status = "Failed".into();
                d.failures.push(Msg {
                    changed: false,
                    component_type: String::new(),
                    created: false,
                    deleted: false,
                    file_name: "package.xml".into(),
                    full_name: "package.xml".into(),
                    id: None,
                    problem: Some("No package.xml found".into()),
                    problem_type: Some("Error"),
                    success: false,
                });
            }
            Ok(pkg) => {
                let pkg = pkg.clone();
                let Some(org) = st.orgs.get_mut(&d.org_id) else {
                    return;
                };
                let (mut ok, mut bad) = apply(org, &pkg, d.check_only, d.rollback_on_error);
                sync_assignment_rules(org);
                for p in &pkg.problems {
                    bad.push(Msg {
                        changed: false,
                        component_type: p.mtype.clone(),
                        created: false,
                        deleted: false,
                        file_name: p.file_name.clone(),
                        full_name: p.full_name.clone(),
                        id: None,
                        problem: Some(p.problem.clone()),
                        problem_type: Some("Error"),
                        success: false,
                    });
                }
                ok.insert(0, Msg::package_xml());
                d.status = if bad.is_empty() {
                    "Succeeded"
                } else if d.rollback_on_error || ok.len() <= 1 || d.check_only {
                    "Failed"
                } else {
                    "SucceededPartial"
                }
                .into();
                d.successes = ok;
                d.failures = bad;
            }
        }
    }
    st.meta.deploys.insert(id.to_string(), d);
}

/// Mirrors deployed AssignmentRules into the queryable `AssignmentRule` object.
pub fn sync_assignment_rules(org: &mut crate::store::Org) {
    let rules: Vec<(String, String, bool)> = org
        .components
        .iter()
        .filter(|((t, _), _)| t == "AssignmentRules")
        .flat_map(|((_, obj), s)| {
            s.el.all("assignmentRule")
                .map(|r| {
                    (
                        obj.clone(),
                        r.get("fullName").unwrap_or_default().to_string(),
                        r.flag("active").unwrap_or(false),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let now = crate::values::now_ms();
    let Some(so) = org.object("AssignmentRule") else {
        return;
    };
    let live: Vec<u32> = so
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.deleted)
        .map(|(i, _)| i as u32)
        .collect();
    let slots: Vec<u16> = ["Name", "Active", "SobjectType"]
        .iter()
        .filter_map(|n| so.def.field(n).map(|f| f.slot))
        .collect();
    if slots.len() != 3 {
        return;
    }
    let existing: Vec<(String, String, bool)> = live
        .iter()
        .map(|r| {
            let rec = &so.rows[*r as usize];
            (
                rec.get(slots[2]).as_str().unwrap_or_default().to_string(),
                rec.get(slots[0]).as_str().unwrap_or_default().to_string(),
                matches!(rec.get(slots[1]), crate::values::Val::Bool(true)),
            )
        })
        .collect();
    if existing == rules {
        return;
    }
    let mut ids = Vec::new();
    for _ in &rules {
        ids.push(org.mint("01Q"));
    }
    let Some(so) = org.object_mut("AssignmentRule") else {
        return;
    };
    for r in live {
        so.delete(r, now);
    }
    for ((obj, name, active), id) in rules.into_iter().zip(ids) {
        use crate::values::Val;
        so.insert(
            &id,
            vec![
                (slots[0], Val::str(&name)),
                (slots[1], Val::Bool(active)),
                (slots[2], Val::str(&obj)),
            ],
            now,
        );
    }
}

/// Counts a status poll and moves the deploy along per the control settings.
pub fn advance(st: &mut State, id: &str) {
    let behaviour = st.control.deploy.clone();
    let Some(d) = st.meta.deploys.get_mut(id) else {
        return;
    };
    if d.phase == Phase::Done {
        return;
    }
    d.polls += 1;
    if d.phase == Phase::Canceling {
        finish(st, id);
        return;
    }
    if d.started.is_none() {
        d.started = Some(Utc::now());
    }
    d.phase = Phase::InProgress;
    d.status = "InProgress".into();
    if behaviour.hold_in_progress {
        return;
    }
    let elapsed = (Utc::now() - d.created).num_milliseconds().max(0) as u64;
    let by_polls = d.polls >= behaviour.polls_until_done;
    let by_time = behaviour.complete_after_ms.is_some_and(|ms| elapsed >= ms);
    if by_polls || by_time {
        finish(st, id);
    }
}

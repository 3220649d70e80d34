//! The asynchronous deploy lifecycle (Queued/Pending → InProgress → Succeeded, SucceededPartial,
//! Failed, Canceled) driven by status polls or time, and the DeployResult it reports.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::apply::{Msg, apply};
use super::package::Package;
use super::xml::El;
use crate::state::State;

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

fn msg_el(name: &str, m: &Msg) -> El {
    let mut el = El::new(name);
    el.push_text("changed", m.changed.to_string());
    el.push_text("componentType", m.component_type.clone());
    el.push_text("created", m.created.to_string());
    el.push_text(
        "createdDate",
        Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    );
    el.push_text("deleted", m.deleted.to_string());
    el.push_text("fileName", m.file_name.clone());
    el.push_text("fullName", m.full_name.clone());
    if let Some(id) = &m.id {
        el.push_text("id", id.clone());
    }
    if let Some(p) = &m.problem {
        el.push_text("problem", p.clone());
    }
    if let Some(t) = m.problem_type {
        el.push_text("problemType", t);
    }
    el.push_text("success", m.success.to_string());
    el
}

fn ts(d: &DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The DeployResult element (WSDL order).
pub fn result_el(d: &Deploy, details: bool) -> El {
    let done = d.phase == Phase::Done;
    let mut r = El::new("result");
    if d.canceled {
        r.push_text("canceledBy", d.created_by.clone());
        r.push_text("canceledByName", d.created_by_name.clone());
    }
    r.push_text("checkOnly", d.check_only.to_string());
    if let Some(c) = &d.completed {
        r.push_text("completedDate", ts(c));
    }
    r.push_text("createdBy", d.created_by.clone());
    r.push_text("createdByName", d.created_by_name.clone());
    r.push_text("createdDate", ts(&d.created));
    if details {
        let mut det = El::new("details");
        for m in &d.failures {
            det.children.push(msg_el("componentFailures", m));
        }
        for m in &d.successes {
            det.children.push(msg_el("componentSuccesses", m));
        }
        det.children.push(
            El::new("runTestResult")
                .with(El::text("numFailures", "0"))
                .with(El::text("numTestsRun", "0"))
                .with(El::text("totalTime", "0.0")),
        );
        r.children.push(det);
    }
    r.push_text("done", done.to_string());
    if let Some(m) = &d.error_message {
        r.push_text("errorMessage", m.clone());
    }
    if let Some(c) = &d.error_status_code {
        r.push_text("errorStatusCode", c.clone());
    }
    r.push_text("id", d.id.clone());
    r.push_text("ignoreWarnings", d.ignore_warnings.to_string());
    r.push_text(
        "lastModifiedDate",
        ts(d.completed
            .as_ref()
            .or(d.started.as_ref())
            .unwrap_or(&d.created)),
    );
    let deployed = d
        .successes
        .iter()
        .filter(|m| m.full_name != "package.xml")
        .count();
    let errors = d
        .failures
        .iter()
        .filter(|m| m.full_name != "package.xml")
        .count();
    r.push_text("numberComponentErrors", errors.to_string());
    r.push_text("numberComponentsDeployed", deployed.to_string());
    r.push_text("numberComponentsTotal", d.total().to_string());
    r.push_text("numberTestErrors", "0");
    r.push_text("numberTestsCompleted", "0");
    r.push_text("numberTestsTotal", "0");
    r.push_text("rollbackOnError", d.rollback_on_error.to_string());
    r.push_text("runTestsEnabled", d.run_tests.to_string());
    if let Some(s) = &d.started {
        r.push_text("startDate", ts(s));
    }
    if d.phase == Phase::InProgress {
        r.push_text("stateDetail", "Processing Type: CustomObject");
    }
    r.push_text("status", d.status.clone());
    r.push_text(
        "success",
        (done && matches!(d.status.as_str(), "Succeeded" | "SucceededPartial")).to_string(),
    );
    r
}

/// Converts a result element to the REST API's JSON shape.
pub fn el_to_json(el: &El) -> Value {
    const ARRAYS: &[&str] = &["componentFailures", "componentSuccesses", "runTests"];
    if el.children.is_empty() {
        let t = el.text.trim();
        return match t {
            "true" => json!(true),
            "false" => json!(false),
            _ if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) && t.len() < 10 => {
                json!(t.parse::<u64>().unwrap_or(0))
            }
            _ => json!(t),
        };
    }
    let mut m = Map::new();
    for c in &el.children {
        let v = el_to_json(c);
        if ARRAYS.contains(&c.name.as_str()) {
            let e = m.entry(c.name.clone()).or_insert_with(|| json!([]));
            if let Some(a) = e.as_array_mut() {
                a.push(v);
            }
        } else {
            m.insert(c.name.clone(), v);
        }
    }
    Value::Object(m)
}

//! The DeployResult element (WSDL order) with its component messages, and its REST JSON shape.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{Deploy, Phase};
use crate::metadata::apply::Msg;
use crate::metadata::xml::El;

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

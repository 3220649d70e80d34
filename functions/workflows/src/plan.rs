//! The workflow plan (API.md §7.1): `flows[]` with `api_name` and `xml_content`,
//! `assignment_rules[]` with `object` and `xml_content`; the XML must be a well-formed `Flow` /
//! `AssignmentRules` document (checked by building the package).

use deploy::engine::Planned;
use deploy::plan::{Check, PlanError, str_of};
use serde_json::{Map, Value};
use shared::salesforce::package::{AssignmentRulesContent, AssignmentRulesSpec, FlowSpec, Package};

/// Every problem of a workflow plan.
pub fn validate(plan: &Value, api_version: &str) -> Vec<PlanError> {
    let mut c = Check::default();
    let Some(p) = plan.as_object() else {
        c.err("plan", "Plan must be an object");
        return c.errors;
    };
    if let Some(list) = c.list(p, "", "flows") {
        for (path, f) in c.entries(list, "", "flows", "flow") {
            c.req_str(f, &path, "api_name");
            c.req_str(f, &path, "xml_content");
        }
    }
    if let Some(list) = c.list(p, "", "assignment_rules") {
        for (path, r) in c.entries(list, "", "assignment_rules", "assignment_rule") {
            c.req_str(r, &path, "object");
            c.req_str(r, &path, "xml_content");
        }
    }
    if c.errors.is_empty()
        && let Err(e) = build(plan, api_version).0.files()
    {
        c.err("plan", e.to_string());
    }
    c.errors
}

fn entries<'a>(plan: &'a Value, key: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    plan.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// `assignment_rule` when the plan has rules and no flows, else `workflow`.
pub fn deployment_type(plan: &Value) -> &'static str {
    let flows = entries(plan, "flows").count();
    let rules = entries(plan, "assignment_rules").count();
    if rules > 0 && flows == 0 {
        "assignment_rule"
    } else {
        "workflow"
    }
}

/// The package and its components: flows, then assignment rules (by object).
pub fn build(plan: &Value, api_version: &str) -> (Package, Vec<Planned>) {
    let mut pkg = Package::new(api_version);
    let mut planned = Vec::new();
    for f in entries(plan, "flows") {
        let (Some(name), Some(xml)) = (
            str_of(f, &["api_name"]),
            str_of(f, &["xml_content", "metadata_xml", "xml"]),
        ) else {
            continue;
        };
        planned.push(Planned::new("flow", name, "Flow", name));
        pkg.add_flow(FlowSpec {
            api_name: name.into(),
            xml: xml.into(),
        });
    }
    for r in entries(plan, "assignment_rules") {
        let (Some(object), Some(xml)) = (
            str_of(r, &["object", "object_api_name", "api_name"]),
            str_of(r, &["xml_content", "metadata_xml", "xml"]),
        ) else {
            continue;
        };
        planned.push(Planned::new(
            "assignment_rule",
            object,
            "AssignmentRules",
            object,
        ));
        pkg.add_assignment_rules(AssignmentRulesSpec {
            object: object.into(),
            content: AssignmentRulesContent::Xml(xml.into()),
        });
    }
    (pkg, planned)
}

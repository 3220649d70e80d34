//! Tooling API: queries over CustomObject, CustomField, EntityDefinition, ValidationRule,
//! FlowDefinition and Flow (tables derived from the org's schema and deployed metadata, run
//! through the same SOQL engine), and CustomField / CustomObject / ValidationRule create and
//! delete, FlowDefinition activation.

mod query;
mod sobjects;
mod tables;

use http::Method;
use serde_json::{Value, json};

use crate::http::{Req, Resp};
use crate::state::State;
use query::query;
use sobjects::{activate, create, delete, get_field};

/// Routes `/tooling/...`.
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    match (r.method.clone(), segs) {
        (Method::GET, ["query"]) => query(st, org_id, v, r),
        (Method::GET, ["query", locator]) => crate::rest::query::more(st, org_id, v, locator, true),
        (Method::GET, ["sobjects"]) => {
            let list: Vec<Value> = [
                "CustomObject",
                "CustomField",
                "EntityDefinition",
                "ValidationRule",
                "FlowDefinition",
                "Flow",
            ]
            .iter()
            .map(|n| json!({"name": n, "queryable": true}))
            .collect();
            Resp::json(
                200,
                &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}),
            )
        }
        (
            Method::POST,
            [
                "sobjects",
                kind @ ("CustomField" | "CustomObject" | "ValidationRule"),
            ],
        ) => create(st, org_id, kind, r),
        (Method::GET, ["sobjects", "CustomField", id]) => get_field(st, org_id, v, id),
        (Method::DELETE, ["sobjects", kind, id]) => delete(st, org_id, kind, id),
        (Method::PATCH, ["sobjects", "FlowDefinition", id]) => activate(st, org_id, id, r),
        _ => Resp::not_found(),
    }
}

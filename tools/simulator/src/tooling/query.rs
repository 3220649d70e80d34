//! Tooling `/query`: SOQL over the derived Tooling tables.

use serde_json::{Value, json};

use super::tables::tooling_org;
use crate::http::{Req, Resp};
use crate::json::J;
use crate::soql::{batch_size, eval};
use crate::state::State;

pub(super) fn query(st: &mut State, org_id: &str, v: &str, r: &Req) -> Resp {
    let Some(q) = r.param("q") else {
        return Resp::sf(400, "MALFORMED_QUERY", "A query string has to be specified");
    };
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let t = tooling_org(org);
    let out = match eval::execute(&t, &q, false) {
        Ok(o) => o,
        Err(e) => return crate::rest::query::query_error(&e),
    };
    if out.count_only {
        return Resp::ordered(
            200,
            &J::obj(vec![
                ("size", J::V(json!(out.rows.len()))),
                ("totalSize", J::V(json!(out.rows.len()))),
                ("done", J::V(json!(true))),
                ("queryLocator", J::V(Value::Null)),
                ("entityTypeName", J::V(json!(out.entity))),
                ("records", J::A(vec![])),
            ]),
        );
    }
    let Some(so) = t.objects.get(&out.obj_key) else {
        return Resp::not_found();
    };
    let base = format!("/services/data/{v}/tooling/sobjects");
    let records: Vec<J> = out
        .rows
        .iter()
        .map(|row| eval::render(&t, so, *row, &out.query.items, &base))
        .collect();
    crate::rest::query::first_page_rendered(
        st,
        org_id,
        v,
        &out.entity,
        records,
        batch_size(r.header("sforce-query-options")),
    )
}

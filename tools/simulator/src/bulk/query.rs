//! Bulk query jobs: running the SOQL at creation and serving CSV result pages by
//! `Sforce-Locator` and `maxRecords`.

use std::sync::Arc;

use base64::Engine;
use chrono::Utc;
use serde_json::{Value, json};

use super::{err, info, line, new_job};
use crate::http::{Req, Resp};
use crate::soql::eval;
use crate::soql::parser::Item;
use crate::state::State;

pub(super) fn create_query(st: &mut State, org_id: &str, v: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return err(400, "INVALIDJOB", "The request body is not valid JSON");
    };
    let op = body
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or("query")
        .to_string();
    let q = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let out = match eval::execute(org, &q, op == "queryAll") {
        Ok(o) => o,
        Err(e) => return err(400, "API_ERROR", &e.message),
    };
    if out.aggregate.is_some() || out.count_only {
        return err(
            400,
            "API_ERROR",
            "Aggregate queries and COUNT() are not supported in Bulk API 2.0 query jobs",
        );
    }
    let mut j = new_job(st, org_id, &out.entity, &op, true, &body);
    j.processed = out.rows.len();
    j.query_rows = Arc::new(out.rows);
    j.query_ast = Some(out.query);
    j.query_obj = out.obj_key;
    j.state = "JobComplete".into();
    j.started = Some(Utc::now());
    j.finished = Some(Utc::now());
    if let Some(o) = st.orgs.get_mut(org_id) {
        o.bulk_query_jobs += 1;
    }
    let mut resp_info = info(&j, v, false);
    resp_info["state"] = json!("UploadComplete");
    st.bulk.jobs.insert(j.id.clone(), j);
    Resp::json(200, &resp_info)
}

pub(super) fn results(st: &State, id: &str, r: &Req) -> Resp {
    let j = &st.bulk.jobs[id];
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let start: usize = r
        .param("locator")
        .filter(|l| !l.is_empty() && l != "null")
        .and_then(|l| b64.decode(l.as_bytes()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let max = r
        .param("maxRecords")
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|m| *m > 0)
        .unwrap_or(50_000);
    let Some(org) = st.orgs.get(&j.org_id) else {
        return Resp::not_found();
    };
    let (Some(so), Some(q)) = (org.objects.get(&j.query_obj), j.query_ast.as_ref()) else {
        return Resp::not_found();
    };
    let paths: Vec<&Vec<String>> = q
        .items
        .iter()
        .filter_map(|i| {
            if let Item::Field(p) = i {
                Some(&p.parts)
            } else {
                None
            }
        })
        .collect();
    let header: Vec<String> = paths.iter().map(|p| p.join(".")).collect();
    let mut out = line(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let end = (start + max).min(j.query_rows.len());
    for row in &j.query_rows[start.min(end)..end] {
        let rec = &so.rows[*row as usize];
        let vals: Vec<String> = paths
            .iter()
            .map(|p| {
                let (v, t) = eval::get_path(org, so, rec, p);
                v.to_csv(t.unwrap_or(crate::schema::FieldType::String))
            })
            .collect();
        out.extend(line(&vals.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let next = if end < j.query_rows.len() {
        b64.encode(end.to_string())
    } else {
        "null".to_string()
    };
    Resp::typed(200, "text/csv", out)
        .with_header("sforce-locator", &next)
        .with_header(
            "sforce-numberofrecords",
            &(end - start.min(end)).to_string(),
        )
}

//! The REST API entry (`/services/data/vNN.N/...`): bearer-token auth, API usage counting,
//! `Sforce-Limit-Info`, the request log, and routing to sObjects, composite, collections, query,
//! limits, Tooling, Metadata REST and Bulk API 2.0 handlers.

pub mod collections;
pub mod composite;
pub mod query;
pub mod sobjects;
pub mod uri;

use http::Method;
use serde_json::json;

use crate::faults::{FaultRule, rest_response};
use crate::http::{Req, Resp};
use crate::state::State;
use crate::store::LoggedRequest;

/// The counting kind of a REST path (after the version).
pub fn kind(method: &Method, segs: &[&str]) -> &'static str {
    match segs {
        [] => "other",
        ["sobjects"] => "describeGlobal",
        ["sobjects", _, "describe", ..] => "describe",
        ["sobjects", ..] => "sobject",
        ["composite", "sobjects", ..] => "collections",
        ["composite", ..] => "composite",
        ["query" | "queryAll", ..] => "query",
        ["tooling", ..] => "tooling",
        ["metadata", ..] => "metadata",
        ["jobs", ..] => "bulk",
        ["limits", ..] => "limits",
        _ if *method == Method::OPTIONS => "other",
        _ => "other",
    }
}

/// Appends to an org's request log and counters.
pub fn record(
    st: &mut State,
    org_id: &str,
    kind: &str,
    method: &str,
    path: &str,
    status: u16,
    token: Option<String>,
) {
    if let Some(org) = st.orgs.get_mut(org_id) {
        *org.counts.entry("total".into()).or_default() += 1;
        *org.counts.entry(kind.to_string()).or_default() += 1;
        org.log.push(LoggedRequest {
            method: method.to_string(),
            path: path.to_string(),
            status,
            token_id: token,
            kind: kind.to_string(),
            at: chrono::Utc::now().to_rfc3339(),
            uri_length: path.len(),
        });
    }
}

/// Splits `/services/data/v60.0/a/b/` into (`v60.0`, [`a`, `b`]).
fn split(path: &str) -> Option<(String, Vec<String>)> {
    let rest = path.strip_prefix("/services/data")?;
    let mut it = rest.split('/').filter(|s| !s.is_empty());
    let v = it.next()?.to_string();
    Some((v, it.map(|s| crate::http::decode(s, false)).collect()))
}

/// Handles one REST request (already past latency and fault selection).
pub fn entry(st: &mut State, r: &Req, fault: Option<FaultRule>) -> Resp {
    let Some((version, segs)) = split(&r.path) else {
        return versions(st);
    };
    let valid_version = version.starts_with('v') && version[1..].parse::<f32>().is_ok();
    if !valid_version {
        return Resp::not_found();
    }
    let seg_refs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let k = kind(&r.method, &seg_refs);
    let token = r.bearer().and_then(|t| st.tokens.get(t)).cloned();
    let Some(tok) = token.filter(|t| t.live) else {
        if let Some(t) = r.bearer().and_then(|t| st.tokens.get(t)).cloned() {
            record(
                st,
                &t.org_id,
                k,
                r.method.as_str(),
                &r.path,
                401,
                Some(t.handle),
            );
        }
        return Resp::sf(401, "INVALID_SESSION_ID", "Session expired or invalid");
    };
    let org_id = tok.org_id.clone();
    if !st.orgs.contains_key(&org_id) {
        return Resp::sf(401, "INVALID_SESSION_ID", "Session expired or invalid");
    }
    if let Some(f) = fault {
        let resp = rest_response(&f);
        record(
            st,
            &org_id,
            k,
            r.method.as_str(),
            &r.path,
            resp.status,
            Some(tok.handle),
        );
        return resp;
    }
    let uri_length = uri::length(r);
    let over = st
        .orgs
        .get(&org_id)
        .is_some_and(|o| o.api_used >= o.api_max);
    let resp = if uri_length > uri::MAX_URI_BYTES {
        uri::too_long()
    } else if over {
        Resp::sf(
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        )
    } else {
        if let Some(o) = st.orgs.get_mut(&org_id) {
            o.api_used += 1;
        }
        dispatch(st, &org_id, &version, r, &seg_refs)
    };
    record(
        st,
        &org_id,
        k,
        r.method.as_str(),
        &r.path,
        resp.status,
        Some(tok.handle),
    );
    uri::stamp(st, &org_id, uri_length);
    let usage = st
        .orgs
        .get(&org_id)
        .map(|o| format!("api-usage={}/{}", o.api_used, o.api_max))
        .unwrap_or_default();
    resp.with_header("sforce-limit-info", &usage)
}

fn versions(st: &State) -> Resp {
    let max: f32 = st.version_number().parse().unwrap_or(60.0);
    let mut v = Vec::new();
    let mut n = 55.0f32;
    while n <= max {
        v.push(json!({"label": format!("API {n:.1}"), "url": format!("/services/data/v{n:.1}"), "version": format!("{n:.1}")}));
        n += 1.0;
    }
    Resp::json(200, &serde_json::Value::Array(v))
}

/// Routes a REST request for `org_id`. Composite subrequests come through here too.
pub fn dispatch(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    let m = &r.method;
    match segs {
        [] => Resp::json(
            200,
            &json!({
                "sobjects": format!("/services/data/{v}/sobjects"),
                "query": format!("/services/data/{v}/query"),
                "queryAll": format!("/services/data/{v}/queryAll"),
                "composite": format!("/services/data/{v}/composite"),
                "limits": format!("/services/data/{v}/limits"),
                "tooling": format!("/services/data/{v}/tooling"),
                "metadata": format!("/services/data/{v}/metadata"),
                "jobs": format!("/services/data/{v}/jobs"),
            }),
        ),
        ["sobjects", ..] => sobjects::route(st, org_id, v, r, &segs[1..]),
        ["composite", "sobjects", rest @ ..] => collections::route(st, org_id, v, r, rest),
        ["composite", "batch"] if *m == Method::POST => composite::batch(st, org_id, v, r),
        ["composite"] if *m == Method::POST => composite::composite(st, org_id, v, r),
        ["query" | "queryAll", rest @ ..] if *m == Method::GET => {
            query::route(st, org_id, v, r, segs[0] == "queryAll", rest)
        }
        ["limits"] if *m == Method::GET => query::limits(st, org_id),
        ["limits", "recordCount"] if *m == Method::GET => query::record_count(st, org_id, r),
        ["tooling", rest @ ..] => crate::tooling::route(st, org_id, v, r, rest),
        ["metadata", rest @ ..] => crate::metadata::rest::route(st, org_id, v, r, rest),
        ["jobs", rest @ ..] => crate::bulk::route(st, org_id, v, r, rest),
        _ => Resp::not_found(),
    }
}

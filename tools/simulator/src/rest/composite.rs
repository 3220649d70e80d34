//! `composite/batch` (≤25 independent subrequests, each counted, `haltOnError`) and `composite`
//! (≤25 subrequests with `@{ref.field}` references, `allOrNone` rollback, counted once).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::{Value, json};

use crate::http::{Req, Resp};
use crate::state::State;

/// Builds a subrequest from a method, a URL (version-relative or full) and a body.
fn sub_request(
    method: &str,
    url: &str,
    body: Option<&Value>,
    headers: Option<&Value>,
    parent: &Req,
) -> Option<Req> {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok()?;
    let url = url.trim();
    let full = if url.starts_with("/services/data/") {
        url.to_string()
    } else {
        format!("/services/data/{}", url.trim_start_matches('/'))
    };
    let (path, query) = match full.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (full, String::new()),
    };
    let mut hm = HeaderMap::new();
    if let Some(a) = parent.headers.get("authorization") {
        hm.insert("authorization", a.clone());
    }
    if let Some(Value::Object(h)) = headers {
        for (k, v) in h {
            if let (Ok(n), Some(Ok(val))) = (
                HeaderName::from_bytes(k.as_bytes()),
                v.as_str().map(HeaderValue::from_str),
            ) {
                hm.insert(n, val);
            }
        }
    }
    Some(Req {
        method,
        path,
        query,
        headers: hm,
        body: body
            .map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default()))
            .unwrap_or_default(),
    })
}

fn run_sub(st: &mut State, org_id: &str, sub: &Req) -> Resp {
    let rest = sub.path.strip_prefix("/services/data/").unwrap_or_default();
    let mut parts = rest.split('/').filter(|s| !s.is_empty());
    let v = parts.next().unwrap_or_default().to_string();
    let segs: Vec<String> = parts.map(|s| crate::http::decode(s, false)).collect();
    let seg_refs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let kind = super::kind(&sub.method, &seg_refs);
    if *seg_refs.first().unwrap_or(&"") == "composite" && kind == "composite" {
        return Resp::sf(
            400,
            "INVALID_BATCH_REQUEST",
            "Composite requests cannot be nested",
        );
    }
    super::dispatch(st, org_id, &v, sub, &seg_refs)
}

fn body_value(resp: &Resp) -> Value {
    if resp.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&resp.body)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(&resp.body)))
    }
}

/// `POST /composite/batch`.
pub fn batch(st: &mut State, org_id: &str, _v: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return Resp::sf(
            400,
            "JSON_PARSER_ERROR",
            "The request body is not valid JSON",
        );
    };
    let halt = body
        .get("haltOnError")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(list) = body.get("batchRequests").and_then(Value::as_array) else {
        return Resp::sf(400, "JSON_PARSER_ERROR", "batchRequests is required");
    };
    if list.len() > 25 {
        return Resp::sf(
            400,
            "INVALID_BATCH_REQUEST",
            "A batch request can contain up to 25 subrequests",
        );
    }
    // Malformed subrequests fail the whole call before anything runs.
    let mut subs = Vec::new();
    for item in list {
        let method = item.get("method").and_then(Value::as_str);
        let url = item.get("url").and_then(Value::as_str);
        let (Some(method), Some(url)) = (method, url) else {
            return Resp::sf(
                400,
                "JSON_PARSER_ERROR",
                "Each batch subrequest needs a method and a url",
            );
        };
        // SALESFORCE.md lists no httpHeaders for batch subrequests; the simulator honours them
        // anyway (If-Modified-Since on describes) and says so in its README.
        let Some(sub) = sub_request(
            method,
            url,
            item.get("richInput"),
            item.get("httpHeaders"),
            r,
        ) else {
            return Resp::sf(
                400,
                "INVALID_BATCH_REQUEST",
                &format!("Invalid method {method}"),
            );
        };
        subs.push(sub);
    }
    // Each subrequest counts against the API limit; the batch itself was counted once already.
    if let Some(o) = st.orgs.get_mut(org_id) {
        o.api_used += subs.len().saturating_sub(1) as u64;
    }
    let mut results = Vec::new();
    let mut has_errors = false;
    let mut halted = false;
    for sub in subs {
        if halted {
            results.push(json!({"statusCode": 412, "result": [{"errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request"}]}));
            continue;
        }
        let resp = run_sub(st, org_id, &sub);
        if resp.status >= 400 {
            has_errors = true;
            halted = halt;
        }
        results.push(json!({"statusCode": resp.status, "result": body_value(&resp)}));
    }
    Resp::json(200, &json!({"hasErrors": has_errors, "results": results}))
}

/// Replaces `@{ref.path}` in `s` with values from earlier results.
fn substitute(s: &str, refs: &serde_json::Map<String, Value>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("@{") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else { break };
        let expr = &rest[i + 2..i + j];
        let mut parts = expr.split('.');
        let name = parts.next().unwrap_or_default();
        let mut cur = refs.get(name).ok_or_else(|| expr.to_string())?;
        for p in parts {
            let (key, idx) = match p.split_once('[') {
                Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (p, None),
            };
            if !key.is_empty() {
                cur = cur.get(key).ok_or_else(|| expr.to_string())?;
            }
            if let Some(n) = idx {
                cur = cur.get(n).ok_or_else(|| expr.to_string())?;
            }
        }
        match cur {
            Value::String(s) => out.push_str(s),
            Value::Null => return Err(expr.to_string()),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `POST /composite`.
pub fn composite(st: &mut State, org_id: &str, _v: &str, r: &Req) -> Resp {
    let Ok(body) = r.json() else {
        return Resp::sf(
            400,
            "JSON_PARSER_ERROR",
            "The request body is not valid JSON",
        );
    };
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(list) = body
        .get("compositeRequest")
        .and_then(Value::as_array)
        .cloned()
    else {
        return Resp::sf(400, "JSON_PARSER_ERROR", "compositeRequest is required");
    };
    if list.len() > 25 {
        return Resp::sf(
            400,
            "INVALID_BATCH_REQUEST",
            "A composite request can contain up to 25 subrequests",
        );
    }
    let snapshot = if all_or_none {
        st.orgs.get(org_id).cloned()
    } else {
        None
    };
    let mut refs = serde_json::Map::new();
    let mut out: Vec<Value> = Vec::new();
    let mut failed = false;
    for item in &list {
        let ref_id = item
            .get("referenceId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if failed && all_or_none {
            out.push(json!({"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": ref_id}));
            continue;
        }
        let method = item.get("method").and_then(Value::as_str).unwrap_or("GET");
        let url = item.get("url").and_then(Value::as_str).unwrap_or_default();
        let body_text = item.get("body").map(|b| b.to_string());
        let url = substitute(url, &refs);
        let body_sub = body_text
            .as_deref()
            .map(|b| substitute(b, &refs))
            .transpose();
        let (url, body_sub) = match (url, body_sub) {
            (Ok(u), Ok(b)) => (u, b),
            (Err(e), _) | (_, Err(e)) => {
                failed = true;
                let name = e.split('.').next().unwrap_or_default().to_string();
                out.push(json!({"body": [{"errorCode": "PROCESSING_HALTED", "message": format!("Invalid reference specified. No value for {e} found in {name}. Provided referenceId ('{name}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_').")}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": ref_id}));
                continue;
            }
        };
        let body_val = body_sub.and_then(|b| serde_json::from_str::<Value>(&b).ok());
        let Some(sub) = sub_request(method, &url, body_val.as_ref(), item.get("httpHeaders"), r)
        else {
            return Resp::sf(
                400,
                "JSON_PARSER_ERROR",
                &format!("Invalid method {method}"),
            );
        };
        let resp = run_sub(st, org_id, &sub);
        let b = body_value(&resp);
        if resp.status >= 400 {
            failed = true;
        } else {
            refs.insert(ref_id.clone(), b.clone());
        }
        let mut headers = serde_json::Map::new();
        if resp.status == 201
            && let Some(id) = b.get("id").and_then(Value::as_str)
        {
            let path = sub.path.trim_end_matches('/');
            headers.insert("Location".into(), json!(format!("{path}/{id}")));
        }
        out.push(json!({"body": b, "httpHeaders": headers, "httpStatusCode": resp.status, "referenceId": ref_id}));
    }
    if all_or_none && failed {
        if let Some(snap) = snapshot {
            let counts = st
                .orgs
                .get(org_id)
                .map(|o| (o.api_used, o.counts.clone(), o.log.clone()));
            let mut snap = snap;
            if let Some((used, counts, log)) = counts {
                snap.api_used = used;
                snap.counts = counts;
                snap.log = log;
            }
            st.orgs.insert(org_id.to_string(), snap);
        }
        for o in out.iter_mut() {
            if o["httpStatusCode"].as_u64().is_some_and(|s| s < 400) {
                *o = json!({"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": o["referenceId"].clone()});
            }
        }
    }
    Resp::json(200, &json!({"compositeResponse": out}))
}

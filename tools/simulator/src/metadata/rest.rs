//! The REST alternative the ported app uses: `POST /metadata/deployRequest` (multipart with a
//! `json` or `entity_content` part and a `file` zip part), `GET .../deployRequest/{id}` and
//! `PATCH` to cancel, sharing the SOAP deploy engine.

use http::Method;
use serde_json::{Value, json};

use super::deploy::{self, Phase, el_to_json};
use super::xml::El;
use crate::http::{Req, Resp};
use crate::state::State;

/// Splits a multipart body into (name, bytes) parts.
fn multipart(r: &Req) -> Vec<(String, Vec<u8>)> {
    let ct = r.header("content-type").unwrap_or_default();
    let Some(boundary) = ct
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
    else {
        return vec![];
    };
    let boundary = format!("--{}", boundary.trim_matches('"'));
    let body = &r.body[..];
    let b = boundary.as_bytes();
    let mut parts = Vec::new();
    let mut positions = Vec::new();
    let mut i = 0;
    while i + b.len() <= body.len() {
        if &body[i..i + b.len()] == b {
            positions.push(i);
            i += b.len();
        } else {
            i += 1;
        }
    }
    for w in positions.windows(2) {
        let chunk = &body[w[0] + b.len()..w[1]];
        let Some(split) = chunk.windows(4).position(|x| x == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&chunk[..split]);
        let mut content = &chunk[split + 4..];
        if content.ends_with(b"\r\n") {
            content = &content[..content.len() - 2];
        }
        let name = head
            .split(';')
            .find_map(|p| {
                p.trim()
                    .strip_prefix("name=")
                    .map(|n| n.trim_matches('"').to_string())
            })
            .unwrap_or_default();
        parts.push((name, content.to_vec()));
    }
    parts
}

fn options_el(v: &Value) -> El {
    let mut el = El::new("DeployOptions");
    if let Some(m) = v.get("deployOptions").and_then(Value::as_object) {
        for (k, val) in m {
            let text = match val {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            el.push_text(k, text);
        }
    }
    el
}

fn body(st: &State, v: &str, id: &str, details: bool) -> Option<Value> {
    let d = st.meta.deploys.get(id)?;
    Some(json!({
        "id": id,
        "url": format!("/services/data/{v}/metadata/deployRequest/{id}"),
        "deployOptions": d.options,
        "deployResult": el_to_json(&deploy::result_el(d, details)),
    }))
}

/// Routes `/metadata/...`.
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    match (r.method.clone(), segs) {
        (Method::POST, ["deployRequest"]) => {
            let parts = multipart(r);
            let opts = parts
                .iter()
                .find(|(n, _)| n == "json" || n == "entity_content")
                .and_then(|(_, b)| serde_json::from_slice::<Value>(b).ok())
                .unwrap_or_default();
            let Some((_, zip)) = parts.iter().find(|(n, _)| n == "file") else {
                return Resp::sf(
                    400,
                    "INVALID_MULTIPART_REQUEST",
                    "The multipart request must contain a file part with the zip",
                );
            };
            let id = super::soap::start(st, org_id, zip, &options_el(&opts));
            match body(st, v, &id, false) {
                Some(b) => Resp::json(201, &b),
                None => Resp::not_found(),
            }
        }
        (Method::GET, ["deployRequest", id]) => {
            if st.meta.deploys.get(*id).is_none_or(|d| d.org_id != org_id) {
                return Resp::not_found();
            }
            deploy::advance(st, id);
            let details = r.param("includeDetails").is_some_and(|x| x == "true");
            match body(st, v, id, details) {
                Some(b) => Resp::json(200, &b),
                None => Resp::not_found(),
            }
        }
        (Method::PATCH, ["deployRequest", id]) => {
            let Some(d) = st.meta.deploys.get_mut(*id).filter(|d| d.org_id == org_id) else {
                return Resp::not_found();
            };
            if d.phase != Phase::Done {
                d.canceled = true;
                d.phase = Phase::Canceling;
                d.status = "Canceling".into();
            }
            match body(st, v, id, false) {
                Some(b) => Resp::json(202, &b),
                None => Resp::not_found(),
            }
        }
        _ => Resp::not_found(),
    }
}

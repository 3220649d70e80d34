//! The one axum handler in front of everything: buffers the request, applies latency and fault
//! injection, routes to Salesforce REST, SOAP Metadata, Nango or control, and runs deferred work
//! (bulk processing, webhook deliveries) after the state lock is released.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::response::Response;

use crate::http::{After, Req, Resp};
use crate::{Simulator, WebhookDelivery};

/// Handles every request.
pub async fn handle(AxState(sim): AxState<Simulator>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let r = Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts.headers,
        body: bytes,
    };
    let resp = if r.path.starts_with("/_sim") {
        crate::control::handle(&sim, &r)
    } else {
        let (latency, fault) = {
            let mut st = sim.lock();
            (
                st.control.latency_for(&r.path),
                st.control.fault_for(r.method.as_str(), &r.path),
            )
        };
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        if let Some(ms) = fault.as_ref().and_then(|f| f.timeout_ms) {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let mut st = sim.lock();
        if r.path.starts_with("/nango") {
            match fault {
                Some(f) => crate::faults::nango_response(&f),
                None => crate::nango::handle(&mut st, &r),
            }
        } else if r.path.starts_with("/services/Soap/") {
            crate::metadata::soap::entry(&mut st, &r, fault)
        } else if r.path.starts_with("/services/data") {
            crate::rest::entry(&mut st, &r, fault)
        } else {
            Resp::not_found()
        }
    };
    let afters = resp.after.clone();
    run_afters(&sim, afters);
    into_response(resp)
}

fn into_response(resp: Resp) -> Response {
    let mut b = Response::builder().status(resp.status);
    for (k, v) in &resp.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Body::from(resp.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// Starts deferred work on the runtime (if there is one).
pub fn run_afters(sim: &Simulator, afters: Vec<After>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    for a in afters {
        let sim = sim.clone();
        match a {
            After::Bulk { org_id, job_id } => {
                rt.spawn(async move { crate::bulk::process(sim, org_id, job_id).await });
            }
            After::Webhook {
                url,
                body,
                signature,
                legacy,
            } => {
                rt.spawn(async move { deliver(sim, url, body, signature, legacy).await });
            }
        }
    }
}

async fn deliver(sim: Simulator, url: String, body: Vec<u8>, signature: String, legacy: String) {
    let mut status = None;
    for attempt in 0..3u64 {
        let res = sim
            .shared
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header("x-nango-hmac-sha256", &signature)
            .header("x-nango-signature", &legacy)
            .body(body.clone())
            .send()
            .await;
        status = res.ok().map(|r| r.status().as_u16());
        if status.is_some_and(|s| (200..300).contains(&s)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
    }
    sim.shared
        .deliveries
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(WebhookDelivery {
            url,
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
            signature,
        });
}

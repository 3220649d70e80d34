//! The control API under `/_sim` (JSON): orgs, Nango connections and sessions, token expiry,
//! refresh failure, latency, faults, deploy behaviour, webhook URL, counts, request log, state
//! dump and reset. Each endpoint mirrors a `Simulator` method.

use http::Method;
use serde_json::{Map, Value, json};

use crate::faults::{DeployBehaviour, FaultRule, LatencyRule};
use crate::http::{After, Req, Resp};
use crate::state::{OrgSpec, State};
use crate::{Simulator, nango};

const KINDS: &[&str] = &[
    "describe",
    "describeGlobal",
    "composite",
    "collections",
    "query",
    "tooling",
    "metadata",
    "bulk",
    "sobject",
    "limits",
    "other",
];

/// Per-org call counts.
pub fn counts(st: &State, org_id: &str) -> Value {
    let Some(org) = st.orgs.get(org_id) else {
        return json!({});
    };
    let mut m = Map::new();
    m.insert(
        "total".into(),
        json!(org.counts.get("total").copied().unwrap_or(0)),
    );
    for k in KINDS {
        m.insert((*k).into(), json!(org.counts.get(*k).copied().unwrap_or(0)));
    }
    m.insert("api_usage".into(), json!(org.api_used));
    m.insert("api_max".into(), json!(org.api_max));
    Value::Object(m)
}

/// Revokes every live token of an org.
pub fn expire_tokens(st: &mut State, org_id: &str) -> usize {
    let mut n = 0;
    for t in st.tokens.values_mut() {
        if t.org_id == org_id && t.live {
            t.live = false;
            n += 1;
        }
    }
    n
}

/// The state dump.
pub fn dump(st: &State) -> Value {
    let orgs: Vec<Value> = st
        .orgs
        .values()
        .map(|o| {
            let objects: Map<String, Value> = o
                .objects
                .values()
                .map(|s| (s.def.name.clone(), json!({"records": s.live, "fields": s.def.fields.len(), "custom": s.def.custom})))
                .collect();
            json!({"org_id": o.id, "name": o.name, "instance_url": st.base_url, "admin_user_id": o.admin_user_id,
                   "object_count": o.objects.len(), "record_count": o.record_count(),
                   "api_usage": o.api_used, "api_max": o.api_max, "objects": objects})
        })
        .collect();
    let connections: Vec<Value> = st
        .nango
        .connections
        .values()
        .map(|c| {
            json!({"connection_id": c.connection_id, "provider_config_key": c.provider_config_key,
                        "org_id": c.org_id, "tags": c.tags, "refresh_fails": c.refresh_fails})
        })
        .collect();
    json!({"base_url": st.base_url, "api_version": st.api_version, "orgs": orgs, "connections": connections,
           "sessions": st.nango.sessions.len(), "webhook_url": st.webhook_url,
           "settings": st.control, "deploys": st.meta.deploys.len(), "bulk_jobs": st.bulk.jobs.len()})
}

/// Completes a connect session: `{session_token, connection_id?, org_id?}`.
pub fn complete_session(st: &mut State, body: &Value) -> (Resp, Vec<After>) {
    let Some(tok) = body.get("session_token").and_then(Value::as_str) else {
        return (
            Resp::json(400, &json!({"error": "session_token is required"})),
            vec![],
        );
    };
    let Some(session) = st.nango.sessions.remove(tok) else {
        return (
            Resp::json(404, &json!({"error": "unknown or used session"})),
            vec![],
        );
    };
    if session.expires_at < chrono::Utc::now() {
        return (
            Resp::json(410, &json!({"error": "session expired"})),
            vec![],
        );
    }
    let conn_id = body
        .get("connection_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let org_id = match body
        .get("org_id")
        .and_then(Value::as_str)
        .filter(|id| st.orgs.contains_key(*id))
    {
        Some(id) => id.to_string(),
        None => st.create_org(&OrgSpec::default()).org_id,
    };
    let pck = session
        .allowed_integrations
        .first()
        .cloned()
        .unwrap_or_else(|| "salesforce".into());
    let c = nango::create_connection(
        st,
        &conn_id,
        &pck,
        session.tags.clone(),
        &org_id,
        session.end_user.clone(),
    );
    let afters: Vec<After> = nango::webhook(st, &nango::creation_body(&c))
        .into_iter()
        .collect();
    let resp = Resp::json(
        200,
        &json!({"connection_id": conn_id, "provider_config_key": pck, "org_id": org_id, "instance_url": st.base_url, "tags": c.tags}),
    );
    (resp, afters)
}

fn bad(msg: &str) -> Resp {
    Resp::json(400, &json!({"error": msg}))
}

/// Handles `/_sim/*`.
pub fn handle(sim: &Simulator, r: &Req) -> Resp {
    let path = r.path.trim_start_matches("/_sim").trim_end_matches('/');
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| crate::http::decode(s, false))
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let body = if r.body.is_empty() {
        Ok(json!({}))
    } else {
        r.json()
    };
    let Ok(body) = body else {
        return bad("body must be JSON");
    };
    let m = r.method.clone();
    let mut st = sim.lock();
    match (m, segs.as_slice()) {
        (Method::GET, ["state"]) => Resp::json(200, &dump(&st)),
        (Method::POST, ["reset"]) => {
            drop(st);
            sim.reset();
            Resp::json(200, &json!({"ok": true}))
        }
        (Method::POST, ["orgs"]) => match serde_json::from_value::<OrgSpec>(body) {
            Ok(spec) => Resp::json(201, &json!(st.create_org(&spec))),
            Err(e) => bad(&e.to_string()),
        },
        (Method::GET, ["orgs", id, "counts"]) => Resp::json(200, &counts(&st, id)),
        (Method::GET, ["orgs", id, "log"]) => Resp::json(
            200,
            &json!(st.orgs.get(*id).map(|o| o.log.clone()).unwrap_or_default()),
        ),
        (Method::POST, ["orgs", id, "expire-token"]) => {
            Resp::json(200, &json!({"expired": expire_tokens(&mut st, id)}))
        }
        (Method::POST, ["connections"]) => {
            let Some(cid) = body.get("connection_id").and_then(Value::as_str) else {
                return bad("connection_id is required");
            };
            let pck = body
                .get("provider_config_key")
                .and_then(Value::as_str)
                .unwrap_or("salesforce");
            let tags = body
                .get("tags")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let org_id = match body
                .get("org_id")
                .and_then(Value::as_str)
                .filter(|id| st.orgs.contains_key(*id))
            {
                Some(id) => id.to_string(),
                None => st.create_org(&OrgSpec::default()).org_id,
            };
            let c = nango::create_connection(&mut st, cid, pck, tags, &org_id, None);
            Resp::json(
                201,
                &json!({"connection_id": c.connection_id, "provider_config_key": c.provider_config_key,
                                    "org_id": org_id, "instance_url": st.base_url}),
            )
        }
        (Method::POST, ["connect-sessions", "complete"]) => {
            let (mut resp, afters) = complete_session(&mut st, &body);
            resp.after = afters;
            resp
        }
        (Method::POST, ["connections", id, "fail-refresh"]) => {
            match nango::fail_refresh(&mut st, id) {
                Some(afters) => {
                    let mut resp = Resp::json(200, &json!({"ok": true}));
                    resp.after = afters;
                    resp
                }
                None => Resp::json(404, &json!({"error": "unknown connection"})),
            }
        }
        (Method::POST, ["connections", id, "restore-refresh"]) => {
            match st.nango.connections.get_mut(*id) {
                Some(c) => {
                    c.refresh_fails = false;
                    Resp::json(200, &json!({"ok": true}))
                }
                None => Resp::json(404, &json!({"error": "unknown connection"})),
            }
        }
        (Method::POST, ["latency"]) => match serde_json::from_value::<LatencyRule>(body) {
            Ok(rule) => {
                st.control
                    .latency
                    .retain(|l| l.path_prefix != rule.path_prefix);
                st.control.latency.push(rule);
                Resp::json(200, &json!(st.control.latency))
            }
            Err(e) => bad(&e.to_string()),
        },
        (Method::DELETE, ["latency"]) => {
            st.control.latency.clear();
            Resp::json(200, &json!({"ok": true}))
        }
        (Method::POST, ["faults"]) => match serde_json::from_value::<FaultRule>(body) {
            Ok(rule) => Resp::json(201, &json!({"id": st.control.add_fault(rule)})),
            Err(e) => bad(&e.to_string()),
        },
        (Method::GET, ["faults"]) => Resp::json(200, &json!(st.control.faults)),
        (Method::DELETE, ["faults"]) => {
            st.control.faults.clear();
            Resp::json(200, &json!({"ok": true}))
        }
        (Method::DELETE, ["faults", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            st.control.faults.retain(|f| f.id != id);
            Resp::json(200, &json!({"ok": true}))
        }
        (Method::POST, ["deploy-behaviour"]) => {
            match serde_json::from_value::<DeployBehaviour>(body) {
                Ok(b) => {
                    st.control.deploy = b;
                    Resp::json(200, &json!(st.control.deploy))
                }
                Err(e) => bad(&e.to_string()),
            }
        }
        (Method::POST, ["webhook-url"]) => {
            st.webhook_url = body.get("url").and_then(Value::as_str).map(str::to_string);
            Resp::json(200, &json!({"url": st.webhook_url}))
        }
        (Method::GET, ["webhooks"]) => {
            drop(st);
            Resp::json(200, &json!(sim.webhook_deliveries()))
        }
        _ => Resp::json(404, &json!({"error": "unknown control endpoint"})),
    }
}

//! Nango as the service sees it (SALESFORCE.md §6): connect sessions, connections with tags and
//! Salesforce credentials, `force_refresh` token rotation, delete, and signed auth webhooks.

mod endpoints;
mod webhooks;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use http::Method;
use serde_json::{Map, Value, json};

use crate::http::{Req, Resp};
use crate::state::State;
use endpoints::{create_session, delete, get, list};
pub use webhooks::{creation_body, fail_refresh, refresh_failure_body, sign, webhook};

/// A Nango connection bound to a simulated org.
#[derive(Debug, Clone)]
pub struct Connection {
    pub numeric_id: u64,
    pub connection_id: String,
    pub provider_config_key: String,
    pub org_id: String,
    pub tags: Map<String, Value>,
    pub end_user: Option<Value>,
    pub token: String,
    pub refresh_token: String,
    pub issued_at: i64,
    pub refresh_fails: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_fetched_at: Option<DateTime<Utc>>,
}

/// A connect session waiting to be completed.
#[derive(Debug, Clone)]
pub struct Session {
    pub tags: Map<String, Value>,
    pub end_user: Option<Value>,
    pub allowed_integrations: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// Nango's state.
#[derive(Debug, Default)]
pub struct NangoState {
    pub connections: BTreeMap<String, Connection>,
    pub sessions: HashMap<String, Session>,
    pub next_id: u64,
    pub calls: u64,
}

pub(super) fn err(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

pub(super) fn ts(d: &DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

/// Creates a connection bound to `org_id`, minting its first access token.
pub fn create_connection(
    st: &mut State,
    connection_id: &str,
    provider_config_key: &str,
    tags: Map<String, Value>,
    org_id: &str,
    end_user: Option<Value>,
) -> Connection {
    let token = st.mint_token(org_id);
    st.nango.next_id += 1;
    let now = Utc::now();
    let c = Connection {
        numeric_id: st.nango.next_id,
        connection_id: connection_id.to_string(),
        provider_config_key: provider_config_key.to_string(),
        org_id: org_id.to_string(),
        tags,
        end_user,
        token,
        refresh_token: format!("5Aep861{}", crate::ids::random_alnum(&mut st.rng, 80)),
        issued_at: now.timestamp_millis(),
        refresh_fails: false,
        created_at: now,
        updated_at: now,
        last_fetched_at: None,
    };
    st.nango
        .connections
        .insert(connection_id.to_string(), c.clone());
    c
}

/// Handles `/nango/*`.
pub fn handle(st: &mut State, r: &Req) -> Resp {
    st.nango.calls += 1;
    let Some(auth) = r.header("authorization") else {
        return err(
            401,
            "missing_auth_header",
            "Authentication failed. The request is missing the Authorization header.",
        );
    };
    let Some(key) = auth.strip_prefix("Bearer ") else {
        return err(
            401,
            "malformed_auth_header",
            "Authentication failed. The provided Authorization header is malformed.",
        );
    };
    if key.trim() != st.nango_secret_key {
        return err(
            401,
            "unknown_account",
            "Authentication failed. The provided secret key is invalid.",
        );
    }
    let path = r.path.trim_start_matches("/nango").trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (&r.method, segs.as_slice()) {
        (&Method::POST, ["connect", "sessions"]) => create_session(st, r),
        (&Method::GET, ["connections"]) | (&Method::GET, ["connection"]) => list(st),
        (&Method::GET, ["connections" | "connection", id]) => {
            get(st, r, &crate::http::decode(id, false))
        }
        (&Method::DELETE, ["connections" | "connection", id]) => {
            delete(st, r, &crate::http::decode(id, false))
        }
        _ => err(404, "not_found", "Route not found"),
    }
}

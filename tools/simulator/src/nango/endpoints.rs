//! The `/nango/*` endpoints: connect sessions, connection list, get (with `force_refresh`)
//! and delete, and the connection JSON they answer with.

use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};

use super::{Connection, Session, err, ts};
use crate::http::{Req, Resp};
use crate::state::State;

fn connection_full(st: &State, c: &Connection, with_refresh: bool) -> Value {
    let base = &st.base_url;
    let user = st
        .orgs
        .get(&c.org_id)
        .map(|o| o.admin_user_id.clone())
        .unwrap_or_default();
    let mut raw = json!({
        "access_token": c.token,
        "signature": crate::nango::sign(&c.refresh_token, c.token.as_bytes()).get(..43).unwrap_or_default(),
        "scope": "refresh_token api id",
        "instance_url": base,
        "id": format!("https://login.salesforce.com/id/{}/{}", c.org_id, user),
        "token_type": "Bearer",
        "issued_at": c.issued_at.to_string(),
    });
    let mut creds = json!({"type": "OAUTH2", "access_token": c.token, "raw": raw.clone()});
    if with_refresh {
        raw["refresh_token"] = json!(c.refresh_token);
        creds["raw"] = raw;
        creds["refresh_token"] = json!(c.refresh_token);
    }
    let errors = if c.refresh_fails {
        json!([{"type": "auth", "log_id": format!("log_{}", c.numeric_id)}])
    } else {
        json!([])
    };
    json!({
        "id": c.numeric_id, "connection_id": c.connection_id,
        "provider_config_key": c.provider_config_key, "provider": "salesforce",
        "errors": errors, "end_user": c.end_user, "tags": c.tags, "metadata": null,
        "connection_config": {"instance_url": base}, "webhook_url_override": null,
        "created_at": ts(&c.created_at), "updated_at": ts(&c.updated_at),
        "last_fetched_at": c.last_fetched_at.as_ref().map(ts),
        "credentials": creds,
    })
}

fn validate_tags(v: &Value) -> Result<Map<String, Value>, String> {
    let Some(m) = v.as_object() else {
        return Err("tags must be an object".into());
    };
    if m.len() > 10 {
        return Err("tags must have at most 10 keys".into());
    }
    let key_re = regex::Regex::new(r"^[a-zA-Z][a-zA-Z0-9_\-./]*$").map_err(|e| e.to_string())?;
    let mut out = Map::new();
    for (k, val) in m {
        if k.len() > 64 || !key_re.is_match(k) {
            return Err(format!("Invalid tag key '{k}'"));
        }
        let Some(s) = val.as_str() else {
            return Err(format!("Tag '{k}' must be a string"));
        };
        if s.is_empty() || s.len() > 255 {
            return Err(format!("Tag '{k}' must be 1 to 255 characters"));
        }
        let key = k.to_lowercase();
        if key == "end_user_email" && !s.contains('@') {
            return Err("end_user_email must be an email".into());
        }
        out.insert(key, json!(s));
    }
    Ok(out)
}

fn invalid_body(msg: &str, path: &str) -> Resp {
    Resp::json(
        400,
        &json!({"error": {"code": "invalid_body", "message": "Invalid request body",
                          "errors": [{"code": "custom", "message": msg, "path": [path]}]}}),
    )
}

fn known_integration(st: &State, key: &str) -> bool {
    matches!(key, "salesforce" | "salesforce-sandbox")
        || st
            .nango
            .connections
            .values()
            .any(|c| c.provider_config_key == key)
}

pub(super) fn create_session(st: &mut State, r: &Req) -> Resp {
    if !r.query.is_empty() {
        return Resp::json(
            400,
            &json!({"error": {"code": "invalid_query_params", "errors": []}}),
        );
    }
    let Ok(body) = r.json() else {
        return invalid_body("Body must be JSON", "");
    };
    let end_user = body.get("end_user").filter(|v| !v.is_null()).cloned();
    let tags = body.get("tags").filter(|v| !v.is_null());
    if end_user.is_none() && tags.is_none() {
        return invalid_body("Either end_user or tags must be provided", "tags");
    }
    if let Some(eu) = &end_user
        && eu
            .get("id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        return invalid_body("end_user.id is required", "end_user");
    }
    let tags = match tags.map(validate_tags).transpose() {
        Ok(t) => t.unwrap_or_default(),
        Err(m) => return invalid_body(&m, "tags"),
    };
    let allowed: Vec<String> = match body.get("allowed_integrations") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            return invalid_body(
                "allowed_integrations must be an array of strings",
                "allowed_integrations",
            );
        }
    };
    let token = format!(
        "nango_connect_session_{}",
        hex::encode(uuid::Uuid::new_v4().as_bytes())
            + &hex::encode(uuid::Uuid::new_v4().as_bytes())
    );
    let expires_at = Utc::now() + Duration::minutes(30);
    st.nango.sessions.insert(
        token.clone(),
        Session {
            tags,
            end_user,
            allowed_integrations: allowed,
            expires_at,
        },
    );
    Resp::json(
        201,
        &json!({"data": {
            "token": token,
            "connect_link": format!("{}/nango/connect?session_token={token}", st.base_url),
            "expires_at": expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        }}),
    )
}

pub(super) fn list(st: &State) -> Resp {
    let conns: Vec<Value> = st
        .nango
        .connections
        .values()
        .map(|c| {
            json!({"id": c.numeric_id, "connection_id": c.connection_id, "provider": "salesforce",
                   "provider_config_key": c.provider_config_key, "created": ts(&c.created_at),
                   "metadata": null, "tags": c.tags, "end_user": c.end_user,
                   "errors": if c.refresh_fails { json!([{"type": "auth"}]) } else { json!([]) }})
        })
        .collect();
    Resp::json(200, &json!({"connections": conns}))
}

pub(super) fn get(st: &mut State, r: &Req, id: &str) -> Resp {
    let pairs = crate::http::query_pairs(&r.query);
    for (k, _) in &pairs {
        if !matches!(
            k.as_str(),
            "provider_config_key" | "force_refresh" | "refresh_token"
        ) {
            return Resp::json(
                400,
                &json!({"error": {"code": "invalid_query_params", "message": "Invalid query params",
                                  "errors": [{"code": "unrecognized_keys", "message": format!("Unrecognized key(s) in object: '{k}'"), "path": []}]}}),
            );
        }
    }
    let Some(pck) = r.param("provider_config_key") else {
        return Resp::json(
            400,
            &json!({"error": {"code": "invalid_query_params", "message": "Invalid query params",
                              "errors": [{"code": "invalid_type", "message": "Required", "path": ["provider_config_key"]}]}}),
        );
    };
    if !known_integration(st, &pck) {
        return err(400, "unknown_provider_config", "Provider does not exists");
    }
    let flag = |name: &str| r.param(name).is_some_and(|v| v == "true");
    let force = flag("force_refresh");
    let with_refresh = flag("refresh_token");
    let Some(c) = st
        .nango
        .connections
        .get(id)
        .filter(|c| c.provider_config_key == pck)
        .cloned()
    else {
        return err(404, "not_found", "Failed to find connection");
    };
    if c.refresh_fails {
        return Resp::json(
            424,
            &json!({"error": {"code": "invalid_credentials",
                              "message": "The refresh limit has been reached for this connection.",
                              "payload": {"code": "connection_refresh_exhausted",
                                          "message": "Failed to refresh the access token: invalid_grant expired access/refresh token"}}}),
        );
    }
    let mut c = c;
    if force {
        if let Some(t) = st.tokens.get_mut(&c.token) {
            t.live = false;
        }
        c.token = st.mint_token(&c.org_id);
        c.issued_at = Utc::now().timestamp_millis();
        c.updated_at = Utc::now();
    }
    c.last_fetched_at = Some(Utc::now());
    st.nango.connections.insert(id.to_string(), c.clone());
    Resp::json(200, &connection_full(st, &c, with_refresh))
}

pub(super) fn delete(st: &mut State, r: &Req, id: &str) -> Resp {
    let pck = r.param("provider_config_key");
    let found = st
        .nango
        .connections
        .get(id)
        .is_some_and(|c| pck.as_deref().is_none_or(|p| p == c.provider_config_key));
    if !found {
        return err(
            400,
            "unknown_connection",
            "The provided connection ID does not match any existing connection",
        );
    }
    st.nango.connections.remove(id);
    Resp::json(200, &json!({"success": true}))
}

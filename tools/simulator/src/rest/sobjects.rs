//! `/sobjects`: describeGlobal and describe (with `If-Modified-Since` → 304), and single-record
//! create, read, update, delete and upsert by external id.

use chrono::{DateTime, Utc};
use http::Method;
use serde_json::{Value, json};

use crate::dml::{self, Undo, UpsertFail, input};
use crate::http::{Req, Resp};
use crate::json::J;
use crate::schema::describe;
use crate::soql::eval;
use crate::soql::parser::{Item, Path};
use crate::state::State;
use crate::values::Val;

/// `If-Modified-Since` / `If-Unmodified-Since` as seconds.
fn header_time(r: &Req, name: &str) -> Option<i64> {
    let h = r.header(name)?;
    DateTime::parse_from_rfc2822(h.trim())
        .map(|d| d.timestamp())
        .or_else(|_| DateTime::parse_from_rfc3339(h.trim()).map(|d| d.timestamp()))
        .ok()
}

fn http_date(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .unwrap_or_else(Utc::now)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Applies conditional headers: 304 when unchanged since, 412 when changed since.
fn conditional(r: &Req, modified: i64) -> Option<Resp> {
    if header_time(r, "if-modified-since").is_some_and(|since| modified <= since) {
        return Some(Resp::empty(304));
    }
    if header_time(r, "if-unmodified-since").is_some_and(|since| modified > since) {
        return Some(Resp::empty(412));
    }
    None
}

/// Routes `/sobjects/...` (segments after `sobjects`).
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    let m = r.method.clone();
    match segs {
        [] if m == Method::GET => global(st, org_id, v, r),
        [obj] if m == Method::GET => basic(st, org_id, v, obj),
        [obj] if m == Method::POST => create(st, org_id, v, obj, r),
        [obj, "describe"] if m == Method::GET => describe_one(st, org_id, v, r, obj),
        [obj, id] if m == Method::GET => get(st, org_id, v, r, obj, id),
        [obj, id] if m == Method::PATCH => update(st, org_id, r, obj, id),
        [obj, id] if m == Method::DELETE => delete(st, org_id, obj, id),
        [obj, field, value] if m == Method::PATCH || m == Method::POST => {
            upsert(st, org_id, v, r, obj, field, value)
        }
        [obj, field, value] if m == Method::GET => get_by_ext(st, org_id, v, r, obj, field, value),
        _ => Resp::not_found(),
    }
}

fn global(st: &State, org_id: &str, v: &str, r: &Req) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let modified = org
        .objects
        .values()
        .map(|o| o.def.last_modified.timestamp())
        .max()
        .unwrap_or(0)
        .max(org.schema_modified);
    if let Some(resp) = conditional(r, modified) {
        return resp;
    }
    let mut objs: Vec<&crate::store::SObject> = org.objects.values().collect();
    objs.sort_by(|a, b| a.def.name.cmp(&b.def.name));
    let list: Vec<Value> = objs
        .iter()
        .map(|o| describe::global_entry(&o.def, v))
        .collect();
    Resp::json(
        200,
        &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}),
    )
    .with_header("last-modified", &http_date(modified))
}

fn basic(st: &State, org_id: &str, v: &str, obj: &str) -> Resp {
    let Some(o) = st.orgs.get(org_id).and_then(|org| org.object(obj)) else {
        return Resp::not_found();
    };
    Resp::json(
        200,
        &json!({"objectDescribe": describe::global_entry(&o.def, v), "recentItems": []}),
    )
}

fn describe_one(st: &State, org_id: &str, v: &str, r: &Req, obj: &str) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let Some(o) = org.object(obj) else {
        return Resp::not_found();
    };
    let modified = o.def.last_modified.timestamp();
    if let Some(resp) = conditional(r, modified) {
        return resp;
    }
    let children = describe::child_relationships(&o.def, org.objects.values().map(|s| &s.def));
    Resp::json(200, &describe::describe(&o.def, children, v))
        .with_header("last-modified", &http_date(modified))
}

/// A save result `{"id", "success", "errors"}` in Salesforce's key order.
pub fn save_ok(id: &str) -> J {
    J::obj(vec![
        ("id", J::V(json!(id))),
        ("success", J::V(json!(true))),
        ("errors", J::V(json!([]))),
    ])
}

fn rest_errors(errs: &[dml::SfError]) -> Resp {
    Resp::json(
        400,
        &Value::Array(errs.iter().map(dml::SfError::as_rest).collect()),
    )
}

fn body_object(r: &Req) -> Result<serde_json::Map<String, Value>, Resp> {
    match r.json() {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Resp::sf(
            400,
            "JSON_PARSER_ERROR",
            "Expected a JSON object as the request body",
        )),
        Err(e) => Err(Resp::sf(
            400,
            "JSON_PARSER_ERROR",
            &format!("The request body is not valid JSON: {e}"),
        )),
    }
}

fn create(st: &mut State, org_id: &str, v: &str, obj: &str, r: &Req) -> Resp {
    let body = match body_object(r) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let Some(o) = org.object(obj) else {
        return Resp::not_found();
    };
    let parsed = match input::from_json(&o.def, &body) {
        Ok(p) => p,
        Err(e) => return rest_errors(&[e]),
    };
    let name = o.def.name.clone();
    match dml::create(org, &name, parsed, &mut Undo::default()) {
        Ok(id) => Resp::ordered(201, &save_ok(&id)).with_header(
            "location",
            &format!("/services/data/{v}/sobjects/{name}/{id}"),
        ),
        Err(errs) => rest_errors(&errs),
    }
}

/// Renders one record with all fields (or `fields`).
pub fn record_json(
    org: &crate::store::Org,
    key: &str,
    row: u32,
    fields: Option<&str>,
    v: &str,
) -> Option<J> {
    let so = org.objects.get(key)?;
    let items: Vec<Item> = match fields {
        Some(list) => list
            .split(',')
            .map(|f| {
                Item::Field(Path {
                    parts: f.trim().split('.').map(str::to_string).collect(),
                    col: 0,
                })
            })
            .collect(),
        None => so
            .def
            .fields
            .iter()
            .map(|f| {
                Item::Field(Path {
                    parts: vec![f.name.clone()],
                    col: 0,
                })
            })
            .collect(),
    };
    Some(eval::render(
        org,
        so,
        row,
        &items,
        &format!("/services/data/{v}/sobjects"),
    ))
}

fn get(st: &State, org_id: &str, v: &str, r: &Req, obj: &str, id: &str) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    if org.object(obj).is_none() {
        return Resp::not_found();
    }
    match dml::locate(org, Some(obj), id) {
        Ok((key, row)) => match record_json(org, &key, row, r.param("fields").as_deref(), v) {
            Some(j) => Resp::ordered(200, &j),
            None => Resp::not_found(),
        },
        Err(e) if e.code == "MALFORMED_ID" => Resp::sf(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: Id",
        ),
        Err(_) => Resp::not_found(),
    }
}

fn update(st: &mut State, org_id: &str, r: &Req, obj: &str, id: &str) -> Resp {
    let body = match body_object(r) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let Some(o) = org.object(obj) else {
        return Resp::not_found();
    };
    let parsed = match input::from_json(&o.def, &body) {
        Ok(p) => p,
        Err(e) => return rest_errors(&[e]),
    };
    if dml::locate(org, Some(obj), id).is_err() {
        return Resp::not_found();
    }
    match dml::update(org, Some(obj), id, parsed, &mut Undo::default()) {
        Ok(_) => Resp::empty(204),
        Err(errs) => rest_errors(&errs),
    }
}

fn delete(st: &mut State, org_id: &str, obj: &str, id: &str) -> Resp {
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    if org.object(obj).is_none() {
        return Resp::not_found();
    }
    match dml::delete(org, Some(obj), id, &mut Undo::default()) {
        Ok(_) => Resp::empty(204),
        Err(e) if e.code == "ENTITY_IS_DELETED" => {
            Resp::sf(404, "ENTITY_IS_DELETED", "entity is deleted")
        }
        Err(e) if e.code == "INSUFFICIENT_ACCESS_OR_READONLY" => rest_errors(&[e]),
        Err(_) => Resp::not_found(),
    }
}

fn ext_field_error(field: &str) -> Resp {
    Resp::sf(
        404,
        "NOT_FOUND",
        &format!("Provided external ID field does not exist or is not accessible: {field}"),
    )
}

fn upsert(
    st: &mut State,
    org_id: &str,
    v: &str,
    r: &Req,
    obj: &str,
    field: &str,
    value: &str,
) -> Resp {
    let body = match body_object(r) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let update_only = r.param("updateOnly").is_some_and(|x| x == "true");
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let Some(o) = org.object(obj) else {
        return Resp::not_found();
    };
    let Some(f) = o
        .def
        .field(field)
        .filter(|f| f.external_id || f.id_lookup)
        .cloned()
    else {
        return ext_field_error(field);
    };
    let parsed = match input::from_json(&o.def, &body) {
        Ok(p) => p,
        Err(e) => return rest_errors(&[e]),
    };
    let name = o.def.name.clone();
    let ext = match crate::values::coerce_text(&f, value, true) {
        Ok(v) => v,
        Err(_) => Val::str(value),
    };
    match dml::upsert(
        org,
        &name,
        &f.name,
        &ext,
        update_only,
        parsed,
        &mut Undo::default(),
    ) {
        Ok((id, created)) => {
            let body = J::obj(vec![
                ("id", J::V(json!(id))),
                ("success", J::V(json!(true))),
                ("errors", J::V(json!([]))),
                ("created", J::V(json!(created))),
            ]);
            Resp::ordered(if created { 201 } else { 200 }, &body)
        }
        Err(UpsertFail::Multiple(ids)) => {
            let urls: Vec<String> = ids
                .iter()
                .map(|id| format!("/services/data/{v}/sobjects/{name}/{id}"))
                .collect();
            Resp::json(300, &json!(urls))
        }
        Err(UpsertFail::Errors(errs)) if errs.first().is_some_and(|e| e.code == "NOT_FOUND") => {
            Resp::not_found()
        }
        Err(UpsertFail::Errors(errs)) => rest_errors(&errs),
    }
}

fn get_by_ext(
    st: &State,
    org_id: &str,
    v: &str,
    r: &Req,
    obj: &str,
    field: &str,
    value: &str,
) -> Resp {
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    let Some(o) = org.object(obj) else {
        return Resp::not_found();
    };
    let Some(f) = o.def.field(field).filter(|f| f.external_id || f.id_lookup) else {
        return ext_field_error(field);
    };
    let rows = o.lookup(f.slot, &Val::str(value));
    let key = o.def.name.to_lowercase();
    match rows.as_slice() {
        [] => Resp::not_found(),
        [row] => match record_json(org, &key, *row, r.param("fields").as_deref(), v) {
            Some(j) => Resp::ordered(200, &j),
            None => Resp::not_found(),
        },
        many => {
            let urls: Vec<String> = many
                .iter()
                .map(|row| {
                    format!(
                        "/services/data/{v}/sobjects/{}/{}",
                        o.def.name,
                        o.rows[*row as usize].id()
                    )
                })
                .collect();
            Resp::json(300, &json!(urls))
        }
    }
}

//! sObject Collections (`/composite/sobjects`): create, update, upsert by external id, delete
//! and retrieve, up to 200 records, with per-record results and `allOrNone` rollback.

use http::Method;
use serde_json::{Map, Value, json};

use crate::dml::{self, SfError, Undo, UpsertFail, input};
use crate::http::{Req, Resp};
use crate::json::J;
use crate::state::State;
use crate::values::Val;

const MAX: usize = 200;

/// Routes `/composite/sobjects/...` (segments after `sobjects`).
pub fn route(st: &mut State, org_id: &str, v: &str, r: &Req, segs: &[&str]) -> Resp {
    let m = r.method.clone();
    match segs {
        [] if m == Method::POST => write(st, org_id, r, None),
        [] if m == Method::PATCH => write(st, org_id, r, None),
        [] if m == Method::DELETE => delete(st, org_id, r),
        [obj, field] if m == Method::PATCH => write(st, org_id, r, Some((obj, field))),
        [obj] if m == Method::GET || m == Method::POST => retrieve(st, org_id, v, r, obj),
        _ => Resp::not_found(),
    }
}

fn failure(errors: &[SfError]) -> J {
    J::obj(vec![
        ("success", J::V(json!(false))),
        (
            "errors",
            J::V(Value::Array(
                errors.iter().map(SfError::as_status).collect(),
            )),
        ),
    ])
}

fn rolled_back() -> SfError {
    SfError::new(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
        vec![],
    )
}

enum Outcome {
    Ok(String, Option<bool>),
    Failed(Vec<SfError>),
}

fn render(o: &Outcome, upsert: bool) -> J {
    match o {
        Outcome::Ok(id, created) => {
            let mut pairs = vec![
                ("id", J::V(json!(id))),
                ("success", J::V(json!(true))),
                ("errors", J::V(json!([]))),
            ];
            if upsert {
                pairs.push(("created", J::V(json!(created.unwrap_or(false)))));
            }
            J::obj(pairs)
        }
        Outcome::Failed(e) => failure(e),
    }
}

fn write(st: &mut State, org_id: &str, r: &Req, upsert: Option<(&&str, &&str)>) -> Resp {
    let body = match r.json() {
        Ok(Value::Object(m)) => m,
        _ => {
            return Resp::sf(
                400,
                "JSON_PARSER_ERROR",
                "The request body must be a JSON object with records",
            );
        }
    };
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(records) = body.get("records").and_then(Value::as_array) else {
        return Resp::sf(400, "JSON_PARSER_ERROR", "No records were provided");
    };
    if records.len() > MAX {
        return Resp::sf(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        );
    }
    let is_update = r.method == Method::PATCH && upsert.is_none();
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    // Deserialisation happens first, for the whole request (unknown fields fail it).
    let mut parsed = Vec::new();
    if let Some((obj, field)) = upsert {
        let Some(o) = org.object(obj) else {
            return Resp::sf(
                400,
                "INVALID_TYPE",
                &format!("sObject type '{obj}' is not supported."),
            );
        };
        if o.def
            .field(field)
            .filter(|f| f.external_id || f.id_lookup)
            .is_none()
        {
            return Resp::sf(
                404,
                "NOT_FOUND",
                &format!("Provided external ID field does not exist or is not accessible: {field}"),
            );
        }
    }
    for rec in records {
        let Some(m) = rec.as_object() else {
            return Resp::sf(
                400,
                "JSON_PARSER_ERROR",
                "Each record must be a JSON object",
            );
        };
        let ty = m
            .get("attributes")
            .and_then(|a| a.get("type"))
            .and_then(Value::as_str);
        let ty = match (ty, upsert) {
            (Some(t), _) => t.to_string(),
            (None, Some((obj, _))) => obj.to_string(),
            (None, None) => {
                return Resp::sf(
                    400,
                    "INVALID_TYPE",
                    "Must specify a type in the attributes of each record",
                );
            }
        };
        if let Some((obj, _)) = upsert
            && !ty.eq_ignore_ascii_case(obj)
        {
            return Resp::sf(
                400,
                "INVALID_TYPE",
                &format!("All records must be of type {obj}"),
            );
        }
        let Some(o) = org.object(&ty) else {
            return Resp::sf(
                400,
                "INVALID_TYPE",
                &format!("sObject type '{ty}' is not supported."),
            );
        };
        match input::from_json(&o.def, m) {
            Ok(p) => parsed.push((o.def.name.clone(), m.clone(), p)),
            Err(e) => return Resp::json(400, &json!([e.as_rest()])),
        }
    }
    let mut undo = Undo::default();
    let mut outcomes = Vec::new();
    for (ty, raw, p) in parsed {
        let o = match upsert {
            Some((_, field)) => upsert_one(org, &ty, field, &raw, p, &mut undo),
            None if is_update => match p.id.clone() {
                None => Outcome::Failed(vec![SfError::new(
                    "MISSING_ARGUMENT",
                    "Id not specified in an update call",
                    vec![],
                )]),
                Some(id) => match dml::update(org, Some(&ty), &id, p, &mut undo) {
                    Ok(id) => Outcome::Ok(id, None),
                    Err(e) => Outcome::Failed(e),
                },
            },
            None => {
                if p.id.is_some() {
                    Outcome::Failed(vec![SfError::new(
                        "INVALID_FIELD",
                        "cannot specify Id in an insert call",
                        vec!["Id".into()],
                    )])
                } else {
                    match dml::create(org, &ty, p, &mut undo) {
                        Ok(id) => Outcome::Ok(id, Some(true)),
                        Err(e) => Outcome::Failed(e),
                    }
                }
            }
        };
        outcomes.push(o);
    }
    finish(org, outcomes, undo, all_or_none, upsert.is_some())
}

fn upsert_one(
    org: &mut crate::store::Org,
    ty: &str,
    field: &str,
    raw: &Map<String, Value>,
    p: input::Parsed,
    undo: &mut Undo,
) -> Outcome {
    let ext = raw
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field))
        .map(|(_, v)| match v {
            Value::String(s) => Val::str(s),
            Value::Null => Val::Null,
            other => Val::str(&other.to_string()),
        })
        .unwrap_or(Val::Null);
    match dml::upsert(org, ty, field, &ext, false, p, undo) {
        Ok((id, created)) => Outcome::Ok(id, Some(created)),
        Err(UpsertFail::Errors(e)) => Outcome::Failed(e),
        Err(UpsertFail::Multiple(ids)) => Outcome::Failed(vec![SfError::new(
            "DUPLICATE_EXTERNAL_ID",
            format!(
                "{field}: more than one record found for external id field: [{}]",
                ids.join(", ")
            ),
            vec![field.to_string()],
        )]),
    }
}

fn finish(
    org: &mut crate::store::Org,
    mut outcomes: Vec<Outcome>,
    undo: Undo,
    all_or_none: bool,
    upsert: bool,
) -> Resp {
    let failed = outcomes.iter().any(|o| matches!(o, Outcome::Failed(_)));
    if all_or_none && failed {
        dml::rollback(org, undo);
        for o in &mut outcomes {
            if matches!(o, Outcome::Ok(..)) {
                *o = Outcome::Failed(vec![rolled_back()]);
            }
        }
    }
    Resp::ordered(
        200,
        &J::A(outcomes.iter().map(|o| render(o, upsert)).collect()),
    )
}

fn delete(st: &mut State, org_id: &str, r: &Req) -> Resp {
    let Some(ids) = r.param("ids") else {
        return Resp::sf(400, "MISSING_ARGUMENT", "ids parameter is required");
    };
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.len() > MAX {
        return Resp::sf(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        );
    }
    let all_or_none = r.param("allOrNone").is_some_and(|v| v == "true");
    let Some(org) = st.orgs.get_mut(org_id) else {
        return Resp::not_found();
    };
    let mut undo = Undo::default();
    let outcomes: Vec<Outcome> = ids
        .iter()
        .map(|id| match dml::delete(org, None, id, &mut undo) {
            Ok(id) => Outcome::Ok(id, None),
            Err(e) => Outcome::Failed(vec![e]),
        })
        .collect();
    finish(org, outcomes, undo, all_or_none, false)
}

fn retrieve(st: &State, org_id: &str, v: &str, r: &Req, obj: &str) -> Resp {
    let (ids, fields) = if r.method == Method::POST {
        let b = r.json().unwrap_or_default();
        let ids: Vec<String> = b
            .get("ids")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let fields: Vec<String> = b
            .get("fields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        (ids, fields.join(","))
    } else {
        (
            r.param("ids")
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            r.param("fields").unwrap_or_default(),
        )
    };
    let Some(org) = st.orgs.get(org_id) else {
        return Resp::not_found();
    };
    if org.object(obj).is_none() {
        return Resp::not_found();
    }
    let out: Vec<J> = ids
        .iter()
        .map(|id| match dml::locate(org, Some(obj), id) {
            Ok((key, row)) => super::sobjects::record_json(
                org,
                &key,
                row,
                (!fields.is_empty()).then_some(fields.as_str()),
                v,
            )
            .unwrap_or(J::V(Value::Null)),
            Err(_) => J::V(Value::Null),
        })
        .collect();
    Resp::ordered(200, &J::A(out))
}

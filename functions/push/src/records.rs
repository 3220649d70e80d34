//! `POST /api/push/records`: upserts records by external id, translated through the client's
//! mapping of `canonical_object` when one is active (its `mapping_version` pinned: a stale one is
//! a 409). A `push.records` job; its answer is [`Pushed`].

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings;
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::jobs::{self, Job, JobError, JobRequest, NewJob};
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

use crate::Pushed;
use crate::engine::{self, Tally, bulk, collections};
use crate::run::{self, Plan};

pub const KIND: &str = "push.records";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PushRecords {
    pub client_id: Uuid,
    /// May be omitted (or `""`) when the mapping names the object.
    pub object_type: Option<String>,
    /// May be omitted (or `""`) when the mapping names it.
    pub external_id_field: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Value>,
    pub canonical_object: Option<String>,
    pub mapping_version: Option<i32>,
}

impl Validate for PushRecords {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if self.records.is_empty() {
            errors.push(crate::empty_list("records"));
        }
        for (i, r) in self.records.iter().enumerate() {
            if !r.is_object() {
                errors.push(crate::item_error(
                    "records",
                    i,
                    "dict_type",
                    "Input should be a valid dictionary",
                    r.clone(),
                ));
            }
        }
    }
}

#[utoipa::path(
    post, path = "/api/push/records", tag = "push",
    request_body = PushRecords,
    responses(
        (status = 200, body = Pushed),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`object_type is required`, `external_id_field is required`, or a connection prerequisite", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 409, description = "`Mapping version mismatch — expected {given}, current is {stored}. Re-fetch mapping before pushing.` or `Mapping not found for version check`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<PushRecords>,
) -> Result<Response, ApiError> {
    ctx.require(Permission::PushWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    crm::connected(&tx, ctx.org_id, body.client_id).await?;
    let mut object_type = body.object_type.unwrap_or_default();
    let mut external_id_field = body.external_id_field.unwrap_or_default();
    let mut mapping = Value::Null;
    if let Some(canonical) = body.canonical_object.as_deref() {
        match field_mappings::get(&tx, ctx.org_id, body.client_id, canonical, true).await? {
            Some(m) => {
                if let Some(given) = body.mapping_version
                    && given != m.mapping_version
                {
                    return Err(ApiError::conflict(format!(
                        "Mapping version mismatch \u{2014} expected {given}, current is {}. \
                         Re-fetch mapping before pushing.",
                        m.mapping_version
                    )));
                }
                if object_type.is_empty() {
                    object_type = m.sfdc_object;
                }
                if external_id_field.is_empty()
                    && let Some(ext) = m.external_id_field
                {
                    external_id_field = ext;
                }
                if m.field_mappings.is_object() {
                    mapping = m.field_mappings;
                }
            }
            None if body.mapping_version.is_some() => {
                return Err(ApiError::conflict("Mapping not found for version check"));
            }
            None => {}
        }
    } else if body.mapping_version.is_some() {
        return Err(ApiError::conflict("Mapping not found for version check"));
    }
    tx.commit().await?;
    drop(conn);
    if object_type.is_empty() {
        return Err(ApiError::bad_request("object_type is required"));
    }
    if external_id_field.is_empty() {
        return Err(ApiError::bad_request("external_id_field is required"));
    }
    let payload = json!({
        "client_id": body.client_id,
        "object_type": object_type,
        "external_id_field": external_id_field,
        "canonical_object": body.canonical_object,
        "mapping": mapping,
        "records": body.records,
    });
    jobs::respond(
        &state,
        &ctx,
        &req,
        NewJob::new(KIND, Some(body.client_id), payload),
    )
    .await
}

#[derive(Deserialize)]
struct Payload {
    client_id: Uuid,
    object_type: String,
    external_id_field: String,
    canonical_object: Option<String>,
    #[serde(default)]
    mapping: Option<Map<String, Value>>,
    #[serde(default)]
    records: Vec<Map<String, Value>>,
}

/// What the log keeps of the request (API.md §4.14 step 4).
#[derive(Serialize)]
struct LogPayload<'a> {
    object_type: &'a str,
    external_id_field: &'a str,
    canonical_object: Option<&'a str>,
    records: &'a [Map<String, Value>],
}

/// Runs a `push.records` job.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let log_payload = serde_json::to_value(LogPayload {
        object_type: &p.object_type,
        external_id_field: &p.external_id_field,
        canonical_object: p.canonical_object.as_deref(),
        records: &p.records,
    })
    .map_err(|e| JobError::retryable("encode", e.to_string()))?;
    let translated: Vec<Map<String, Value>> = p
        .records
        .iter()
        .map(|r| engine::translate(r, p.mapping.as_ref()))
        .collect();
    drop(p.records);
    let plan = Plan {
        client_id: p.client_id,
        object_type: &p.object_type,
        total: translated.len(),
        payload: &log_payload,
    };
    let config = state.config();
    let (threshold, concurrency) = (config.bulk_threshold, config.push_concurrency);
    let (object, ext) = (p.object_type.clone(), p.external_id_field.clone());
    run::push(&state, &job, plan, move |sf, progress| async move {
        if translated.len() > threshold {
            bulk::upsert(
                &sf,
                &object,
                &ext,
                &translated,
                bulk::MAX_UPLOAD_BYTES,
                progress,
            )
            .await
        } else {
            upsert_collections(&sf, &object, &ext, translated, concurrency, progress).await
        }
    })
    .await
}

/// Upserts through sObject Collections and tallies the results in request order.
pub async fn upsert_collections(
    sf: &shared::salesforce::SalesforceClient,
    object: &str,
    external_id_field: &str,
    records: Vec<Map<String, Value>>,
    concurrency: usize,
    progress: impl Fn(usize, usize),
) -> Result<Tally, shared::salesforce::SalesforceError> {
    let keys: Vec<Option<String>> = records
        .iter()
        .map(|r| r.get(external_id_field).and_then(engine::text))
        .collect();
    let op = collections::Op::Upsert {
        object: object.to_string(),
        external_id_field: external_id_field.to_string(),
    };
    let records = records.into_iter().map(Value::Object).collect();
    let results = collections::send_all(sf, &op, records, concurrency, progress).await?;
    Ok(engine::tally(results, keys))
}

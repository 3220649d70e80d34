//! `POST /api/push/status-update` (API-DECISIONS §9): sets fields on existing records named by
//! `id` or by `external_id` (with `external_id_field`). A record that does not exist is a failed
//! record, never an insert. A `push.status_update` job with a push log; answers [`Pushed`].

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::jobs::{self, Job, JobError, JobRequest, NewJob};
use shared::{ApiError, AppState, crm};
use uuid::Uuid;

use crate::Pushed;
use crate::engine::resolve::is_identifier;
use crate::engine::update::{Item, Lookup, update_all};
use crate::run::{self, Plan};

pub const KIND: &str = "push.status_update";

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusUpdate {
    /// The record's Salesforce Id.
    pub id: Option<String>,
    /// The record's value of `external_id_field` (when `id` is not given).
    pub external_id: Option<String>,
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusUpdates {
    pub client_id: Uuid,
    pub object_type: String,
    pub updates: Vec<StatusUpdate>,
    pub external_id_field: Option<String>,
}

impl Validate for StatusUpdates {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if self.updates.is_empty() {
            errors.push(crate::empty_list("updates"));
        }
        for (i, u) in self.updates.iter().enumerate() {
            let id = u.id.as_deref().is_some_and(|s| !s.is_empty());
            let ext = u.external_id.as_deref().is_some_and(|s| !s.is_empty());
            if !id && !ext {
                errors.push(crate::item_error(
                    "updates",
                    i,
                    "value_error",
                    "Value error, an update needs an id or an external_id",
                    json!(u),
                ));
            }
        }
    }
}

#[utoipa::path(
    post, path = "/api/push/status-update", tag = "push",
    request_body = StatusUpdates,
    responses(
        (status = 200, body = Pushed),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`external_id_field is required`, `Invalid name: {name}`, or a connection prerequisite", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<StatusUpdates>,
) -> Result<Response, ApiError> {
    ctx.require(Permission::PushWrite)?;
    crm::connected_for(&state, &ctx, body.client_id).await?;
    check_name(&body.object_type)?;
    let by_external = body
        .updates
        .iter()
        .any(|u| u.id.as_deref().is_none_or(str::is_empty));
    let ext = body.external_id_field.clone().unwrap_or_default();
    if by_external {
        if ext.is_empty() {
            return Err(ApiError::bad_request("external_id_field is required"));
        }
        check_name(&ext)?;
    }
    let payload = json!({
        "client_id": body.client_id,
        "object_type": body.object_type,
        "external_id_field": body.external_id_field,
        "updates": body.updates,
    });
    jobs::respond(
        &state,
        &ctx,
        &req,
        NewJob::new(KIND, Some(body.client_id), payload),
    )
    .await
}

/// 400 `Invalid name: {name}` unless `name` is a plain API name (it goes into SOQL).
pub(crate) fn check_name(name: &str) -> Result<(), ApiError> {
    if is_identifier(name) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!("Invalid name: {name}")))
    }
}

#[derive(Deserialize)]
struct Payload {
    client_id: Uuid,
    object_type: String,
    external_id_field: Option<String>,
    #[serde(default)]
    updates: Vec<StatusUpdate>,
}

/// Runs a `push.status_update` job.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let log_payload = json!({
        "object_type": p.object_type,
        "external_id_field": p.external_id_field,
        "updates": p.updates,
    });
    let ext = p.external_id_field.clone().unwrap_or_default();
    let items: Vec<Item> = p
        .updates
        .iter()
        .map(|u| Item {
            object: p.object_type.clone(),
            lookup: match u.id.as_deref().filter(|s| !s.is_empty()) {
                Some(id) => Lookup::Id(id.to_string()),
                None => Lookup::External {
                    field: ext.clone(),
                    value: u.external_id.clone().unwrap_or_default(),
                },
            },
            fields: u
                .fields
                .iter()
                .filter(|(k, _)| *k != "Id" && *k != "attributes")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
        .collect();
    let plan = Plan {
        client_id: p.client_id,
        object_type: &p.object_type,
        total: items.len(),
        payload: &log_payload,
    };
    let concurrency = state.config().push_concurrency;
    run::push(&state, &job, plan, move |sf, progress| async move {
        update_all(&sf, items, concurrency, progress).await
    })
    .await
}

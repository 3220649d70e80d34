//! `POST /api/push/link` (API-DECISIONS §9): sets lookups by external id. Each link names a
//! record (`object_type` by `external_id_field` = `external_id`) and the lookup to point at a
//! target (`target_object` by `target_external_id_field` = `target_external_id`); the update
//! carries a relationship reference (`"Account": {"Ext__c": "x"}`) so Salesforce resolves the
//! target. Records that do not exist fail, never insert. A `push.link` job; answers [`Pushed`].

use std::collections::BTreeSet;

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
use crate::engine::update::{Item, Lookup, update_all};
use crate::run::{self, Plan};
use crate::status_update::check_name;

pub const KIND: &str = "push.link";

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushLink {
    pub object_type: String,
    pub external_id_field: String,
    pub external_id: String,
    /// The lookup field (`AccountId`, `Account__c`) or its relationship name (`Account`,
    /// `Account__r`).
    pub relationship_field: String,
    pub target_object: String,
    pub target_external_id_field: String,
    pub target_external_id: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PushLinks {
    pub client_id: Uuid,
    pub links: Vec<PushLink>,
}

impl Validate for PushLinks {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if self.links.is_empty() {
            errors.push(crate::empty_list("links"));
        }
    }
}

/// The relationship name of a lookup field: `AccountId` → `Account`, `Parent__c` →
/// `Parent__r`; a name that is neither is taken as the relationship name itself.
pub fn relationship_name(field: &str) -> String {
    if let Some(base) = field.strip_suffix("__c") {
        format!("{base}__r")
    } else if let Some(base) = field.strip_suffix("Id").filter(|b| !b.is_empty()) {
        base.to_string()
    } else {
        field.to_string()
    }
}

#[utoipa::path(
    post, path = "/api/push/link", tag = "push",
    request_body = PushLinks,
    responses(
        (status = 200, body = Pushed),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`Invalid name: {name}` or a connection prerequisite", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<PushLinks>,
) -> Result<Response, ApiError> {
    ctx.require(Permission::PushWrite)?;
    crm::connected_for(&state, &ctx, body.client_id).await?;
    for l in &body.links {
        for name in [
            &l.object_type,
            &l.external_id_field,
            &l.relationship_field,
            &l.target_object,
            &l.target_external_id_field,
        ] {
            check_name(name)?;
        }
    }
    let payload = json!({"client_id": body.client_id, "links": body.links});
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
    #[serde(default)]
    links: Vec<PushLink>,
}

/// Runs a `push.link` job.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let objects: BTreeSet<&str> = p.links.iter().map(|l| l.object_type.as_str()).collect();
    let object_type = objects.into_iter().collect::<Vec<_>>().join(",");
    let log_payload = json!({"object_type": object_type, "links": p.links});
    let items: Vec<Item> = p
        .links
        .iter()
        .map(|l| {
            let mut reference = Map::new();
            reference.insert("attributes".into(), json!({"type": l.target_object}));
            reference.insert(
                l.target_external_id_field.clone(),
                Value::from(l.target_external_id.as_str()),
            );
            let mut fields = Map::new();
            fields.insert(
                relationship_name(&l.relationship_field),
                Value::Object(reference),
            );
            Item {
                object: l.object_type.clone(),
                lookup: Lookup::External {
                    field: l.external_id_field.clone(),
                    value: l.external_id.clone(),
                },
                fields,
            }
        })
        .collect();
    let plan = Plan {
        client_id: p.client_id,
        object_type: &object_type,
        total: items.len(),
        payload: &log_payload,
    };
    let concurrency = state.config().push_concurrency;
    run::push(&state, &job, plan, move |sf, progress| async move {
        update_all(&sf, items, concurrency, progress).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::relationship_name;

    #[test]
    fn lookup_fields_name_their_relationships() {
        assert_eq!(relationship_name("AccountId"), "Account");
        assert_eq!(relationship_name("Parent_Account__c"), "Parent_Account__r");
        assert_eq!(relationship_name("Account"), "Account");
        assert_eq!(relationship_name("Id"), "Id");
    }
}

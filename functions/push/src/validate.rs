//! `POST /api/push/validate`: a pre-flight check of canonical field names against the client's
//! active mapping and the latest topology snapshot; no Salesforce call.

use std::collections::{BTreeMap, HashSet};

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission};
use shared::db::{field_mappings, topology};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ValidatePush {
    pub client_id: Uuid,
    pub canonical_object: String,
    pub field_names: Vec<String>,
}

impl Validate for ValidatePush {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PushValidation {
    pub valid: bool,
    pub mapping_version: Option<i32>,
    pub sfdc_object: Option<String>,
    pub error: Option<String>,
    /// Canonical field → `mapped`, `mapped_unverified` or `unmapped`.
    pub fields: BTreeMap<String, String>,
}

#[utoipa::path(
    post, path = "/api/push/validate", tag = "push",
    request_body = ValidatePush,
    responses(
        (status = 200, body = PushValidation),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ValidatePush>,
) -> Result<Json<PushValidation>, ApiError> {
    ctx.require(Permission::PushWrite)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let Some(mapping) = field_mappings::get(
        &tx,
        ctx.org_id,
        body.client_id,
        &body.canonical_object,
        true,
    )
    .await?
    else {
        tx.commit().await?;
        return Ok(Json(PushValidation {
            valid: false,
            mapping_version: None,
            sfdc_object: None,
            error: Some("No active mapping found for this canonical object".into()),
            fields: BTreeMap::new(),
        }));
    };
    let known: Option<HashSet<String>> =
        match topology::get(&tx, ctx.org_id, body.client_id, None).await? {
            None => None,
            Some(snapshot) => {
                let names = [mapping.sfdc_object.clone()];
                let objects =
                    topology::objects(&tx, ctx.org_id, snapshot.id, Some(&names), true).await?;
                Some(
                    objects
                        .iter()
                        .flat_map(|(_, d)| d["fields"].as_array().cloned().unwrap_or_default())
                        .filter_map(|f| f["name"].as_str().map(str::to_string))
                        .collect(),
                )
            }
        };
    tx.commit().await?;
    let mut valid = true;
    let mut fields = BTreeMap::new();
    for name in &body.field_names {
        let target = mapping.field_mappings.get(name).and_then(Value::as_str);
        let status = match target {
            None | Some("") => {
                valid = false;
                "unmapped"
            }
            Some(f) if known.as_ref().is_some_and(|k| k.contains(f)) => "mapped",
            Some(_) => "mapped_unverified",
        };
        fields.insert(name.clone(), status.to_string());
    }
    Ok(Json(PushValidation {
        valid,
        mapping_version: Some(mapping.mapping_version),
        sfdc_object: Some(mapping.sfdc_object),
        error: None,
        fields,
    }))
}

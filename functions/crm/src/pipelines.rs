//! `POST /api/crm/pipelines`: a picklist's values (by default Opportunity `StageName`) from a
//! live describe.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::AuthContext;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::salesforce::Described;
use shared::{ApiError, AppState};
use uuid::Uuid;

use crate::{prepare, soql, upstream};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CrmPipelines)]
pub struct Pipelines {
    pub client_id: Uuid,
    /// Default `Opportunity`; checked against the latest topology snapshot when there is one.
    #[serde(default = "default_object")]
    pub object_name: String,
    /// Default `StageName`.
    #[serde(default = "default_field")]
    pub field_name: String,
}

fn default_object() -> String {
    "Opportunity".into()
}

fn default_field() -> String {
    "StageName".into()
}

impl Validate for Pipelines {}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CrmPipelinesOut)]
pub struct PipelinesOut {
    pub object_name: String,
    pub field_name: String,
    /// The field's `picklistValues` as Salesforce describes them.
    #[schema(value_type = Vec<Object>)]
    pub stages: Vec<Value>,
}

#[utoipa::path(
    post, path = "/api/crm/pipelines", tag = "crm",
    request_body = Pipelines,
    responses(
        (status = 200, body = PipelinesOut),
        (status = 400, description = "`Invalid object name: {name}`, `Invalid field name: {field}`", body = ErrorBody),
        (status = 404, description = "`Client not found`, `Object {name} not found in topology snapshot`, `Field {field_name} not found on {object_name}`, `No active Salesforce connection`, `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 502, description = "Salesforce error `{code, message}`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<Pipelines>,
) -> Result<Json<PipelinesOut>, ApiError> {
    let (sf, object) = prepare(&state, &ctx, body.client_id, true, |known| {
        let object = soql::object(&body.object_name, known)?;
        if body.field_name.contains('.') {
            return Err(ApiError::bad_request(format!(
                "Invalid field name: {}",
                body.field_name
            )));
        }
        soql::field(&body.field_name)?;
        Ok(object)
    })
    .await?;
    let describe = match sf
        .describe(&object, None)
        .await
        .map_err(upstream("Salesforce describe"))?
    {
        Described::Modified { value, .. } => value,
        Described::NotModified => {
            return Err(ApiError::internal("describe answered 304 unasked"));
        }
    };
    let field = describe["fields"]
        .as_array()
        .and_then(|fs| {
            fs.iter().find(|f| {
                f["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&body.field_name))
            })
        })
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Field {} not found on {}",
                body.field_name, body.object_name
            ))
        })?;
    Ok(Json(PipelinesOut {
        object_name: body.object_name,
        field_name: body.field_name,
        stages: field["picklistValues"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    }))
}

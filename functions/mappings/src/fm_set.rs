//! `POST /api/field-mappings/set`: creates or replaces a client's mapping of a canonical object
//! and reactivates it; `external_id_field` absent or null clears it. Non-string mapping values
//! are a 422 (API-DECISIONS §9).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings::{self, Content};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::FieldMappingOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SetMapping {
    pub client_id: Uuid,
    pub canonical_object: String,
    pub sfdc_object: String,
    #[schema(value_type = Object)]
    pub field_mappings: Map<String, Value>,
    pub external_id_field: Option<String>,
}

impl Validate for SetMapping {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        crate::check_string_values(&self.field_mappings, errors);
    }
}

#[utoipa::path(
    post, path = "/api/field-mappings/set", tag = "field-mappings",
    request_body = SetMapping,
    responses(
        (status = 200, body = FieldMappingOut),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<SetMapping>,
) -> Result<Json<FieldMappingOut>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let field_mappings = Value::Object(body.field_mappings);
    let content = Content {
        client_id: body.client_id,
        canonical_object: &body.canonical_object,
        sfdc_object: &body.sfdc_object,
        field_mappings: &field_mappings,
        external_id_field: body.external_id_field.as_deref(),
    };
    let m = field_mappings::set(&tx, ctx.org_id, &content)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "setting a field mapping failed");
            ApiError::Detail {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                detail: Value::from("Failed to set field mapping"),
            }
        })?;
    tx.commit().await?;
    Ok(Json(m.into()))
}

//! `POST /api/mappings/create`: a new mapping, or a deactivated one brought back with the new
//! content (API-DECISIONS §9; its version rises only when the content differs).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings::{self, Content};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateMapping {
    pub client_id: Uuid,
    pub canonical_object: String,
    pub sfdc_object: String,
    /// Canonical key → Salesforce field name (strings only).
    #[schema(value_type = Object)]
    pub field_mappings: Map<String, Value>,
    pub external_id_field: Option<String>,
}

impl Validate for CreateMapping {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        crate::check_string_values(&self.field_mappings, errors);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MappingCreated {
    pub id: Uuid,
    pub canonical_object: String,
    pub sfdc_object: String,
    #[schema(value_type = Object)]
    pub field_mappings: Value,
    pub external_id_field: Option<String>,
    pub mapping_version: i32,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/mappings/create", tag = "mappings",
    request_body = CreateMapping,
    responses(
        (status = 200, body = MappingCreated),
        (status = 409, description = "`Mapping already exists for this client and canonical object`", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CreateMapping>,
) -> Result<Json<MappingCreated>, ApiError> {
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
    let created = field_mappings::create(&tx, ctx.org_id, &content)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "creating a mapping failed");
            ApiError::Detail {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                detail: Value::from("Failed to create mapping"),
            }
        })?
        .ok_or_else(|| {
            ApiError::conflict("Mapping already exists for this client and canonical object")
        })?;
    tx.commit().await?;
    Ok(Json(MappingCreated {
        id: created.id,
        canonical_object: created.canonical_object,
        sfdc_object: created.sfdc_object,
        field_mappings: created.field_mappings,
        external_id_field: created.external_id_field,
        mapping_version: created.mapping_version,
        created_at: created.created_at,
    }))
}

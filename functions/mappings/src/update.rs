//! `POST /api/mappings/update`: changes an active mapping. `field_mappings` replaces the whole
//! object; an explicit `"external_id_field": null` clears it (API-DECISIONS §9), an absent one
//! leaves it. The version rises when the content changes (trigger).

use axum::extract::State;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings::{self, Changes};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::{ApiError, AppState, db};
use uuid::Uuid;

use crate::MappingOut;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateMapping {
    pub client_id: Uuid,
    pub canonical_object: String,
    #[schema(value_type = Option<Object>)]
    pub field_mappings: Option<Map<String, Value>>,
    pub sfdc_object: Option<String>,
    /// Absent: unchanged; `null`: cleared.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub external_id_field: Option<Option<String>>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`, via `default`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl Validate for UpdateMapping {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if let Some(m) = &self.field_mappings {
            crate::check_string_values(m, errors);
        }
    }
}

#[utoipa::path(
    post, path = "/api/mappings/update", tag = "mappings",
    request_body = UpdateMapping,
    responses(
        (status = 200, body = MappingOut),
        (status = 400, description = "`No fields provided for update`", body = ErrorBody),
        (status = 404, description = "`Mapping not found` or `Client not found`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<UpdateMapping>,
) -> Result<Json<MappingOut>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    if body.field_mappings.is_none()
        && body.sfdc_object.is_none()
        && body.external_id_field.is_none()
    {
        return Err(ApiError::bad_request("No fields provided for update"));
    }
    let field_mappings = body.field_mappings.map(Value::Object);
    let changes = Changes {
        sfdc_object: body.sfdc_object.as_deref(),
        field_mappings: field_mappings.as_ref(),
        external_id_field: body.external_id_field.as_ref().map(|e| e.as_deref()),
    };
    let m = field_mappings::update(
        &tx,
        ctx.org_id,
        body.client_id,
        &body.canonical_object,
        &changes,
    )
    .await?
    .ok_or_else(crate::mapping_not_found)?;
    tx.commit().await?;
    Ok(Json(m.into()))
}

//! Field mappings of a client: how a canonical object's keys translate to a Salesforce object's
//! fields (API.md §4.12–4.13, API-DECISIONS §9). Two views of `crm_field_mappings`: the versioned
//! `/api/mappings/*` (whose `mapping_version` pushes pin) and the older `/api/field-mappings/*`.

mod create;
mod deactivate;
mod fm_delete;
mod fm_get;
mod fm_list;
mod fm_set;
mod get;
mod list;
mod update;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::auth::{AuthContext, Permission};
use shared::db::field_mappings;
use shared::db::field_mappings::Mapping;
use shared::error::FieldError;
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create::handle))
        .routes(routes!(get::handle))
        .routes(routes!(list::handle))
        .routes(routes!(update::handle))
        .routes(routes!(deactivate::handle))
        .routes(routes!(fm_set::handle))
        .routes(routes!(fm_list::handle))
        .routes(routes!(fm_get::handle))
        .routes(routes!(fm_delete::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

/// `{client_id, canonical_object}`: the body of get, deactivate and their field-mappings twins.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MappingByObject {
    pub client_id: Uuid,
    pub canonical_object: String,
}

impl shared::http::Validate for MappingByObject {}

/// `{client_id, limit?, cursor?}`: a list request. Lists are ordered by canonical object, so
/// the cursor names the last canonical object of the previous page.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MappingsByClient {
    pub client_id: Uuid,
    /// Page size, 1 to 1000. Without it the whole list comes back.
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl shared::http::Validate for MappingsByClient {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        // The same bounds as every list; a cursor here is any text we handed out.
        let page = shared::http::PageParams {
            limit: self.limit,
            cursor: None,
        };
        page.validate(errors);
        if let Some(c) = &self.cursor
            && decode_cursor(c).is_none()
        {
            errors.push(FieldError::at(
                &["cursor"],
                "value_error",
                "Value error, invalid cursor",
                Value::from(c.as_str()),
            ));
        }
    }
}

impl MappingsByClient {
    /// The canonical object the page starts after.
    pub(crate) fn after(&self) -> Option<String> {
        self.cursor.as_deref().and_then(decode_cursor)
    }

    /// Rows to fetch: one more than the page, to know whether another follows.
    pub(crate) fn fetch_limit(&self) -> Option<i64> {
        self.limit.map(|l| l + 1)
    }

    /// Cuts the fetched rows to the page and names the next page's cursor.
    pub(crate) fn finish(&self, mut rows: Vec<Mapping>) -> (Vec<Mapping>, Option<String>) {
        match self.limit {
            Some(limit) if rows.len() as i64 > limit => {
                rows.truncate(limit as usize);
                let next = rows
                    .last()
                    .map(|m| URL_SAFE_NO_PAD.encode(m.canonical_object.as_bytes()));
                (rows, next)
            }
            _ => (rows, None),
        }
    }
}

fn decode_cursor(text: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()
}

/// A mapping as `/api/mappings/*` shows it (MappingResponse).
#[derive(Serialize, utoipa::ToSchema)]
pub struct MappingOut {
    pub id: Uuid,
    pub canonical_object: String,
    pub sfdc_object: String,
    #[schema(value_type = Object)]
    pub field_mappings: Value,
    pub external_id_field: Option<String>,
    pub mapping_version: i32,
    pub updated_at: Timestamp,
}

impl From<Mapping> for MappingOut {
    fn from(m: Mapping) -> Self {
        MappingOut {
            id: m.id,
            canonical_object: m.canonical_object,
            sfdc_object: m.sfdc_object,
            field_mappings: m.field_mappings,
            external_id_field: m.external_id_field,
            mapping_version: m.mapping_version,
            updated_at: m.updated_at,
        }
    }
}

/// A mapping as `/api/field-mappings/*` shows it (FieldMappingResponse, no version).
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldMappingOut {
    pub id: Uuid,
    pub client_id: Uuid,
    pub canonical_object: String,
    pub sfdc_object: String,
    #[schema(value_type = Object)]
    pub field_mappings: Value,
    pub external_id_field: Option<String>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Mapping> for FieldMappingOut {
    fn from(m: Mapping) -> Self {
        FieldMappingOut {
            id: m.id,
            client_id: m.client_id,
            canonical_object: m.canonical_object,
            sfdc_object: m.sfdc_object,
            field_mappings: m.field_mappings,
            external_id_field: m.external_id_field,
            is_active: m.is_active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// `field_mappings` values must be strings (API-DECISIONS §9): a 422 at each other value.
pub(crate) fn check_string_values(map: &Map<String, Value>, errors: &mut Vec<FieldError>) {
    for (key, value) in map {
        if !value.is_string() {
            errors.push(FieldError::at(
                &["field_mappings", key],
                "string_type",
                "Input should be a valid string",
                value.clone(),
            ));
        }
    }
}

/// A page of the client's active mappings (both views list the same rows): the permission,
/// client access, then the rows and the next page's cursor.
pub(crate) async fn active_page(
    state: &AppState,
    ctx: &AuthContext,
    permission: Permission,
    body: &MappingsByClient,
) -> Result<(Vec<Mapping>, Option<String>), ApiError> {
    ctx.require(permission)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let after = body.after();
    let rows = field_mappings::list_active(
        &tx,
        ctx.org_id,
        body.client_id,
        after.as_deref(),
        body.fetch_limit(),
    )
    .await?;
    tx.commit().await?;
    Ok(body.finish(rows))
}

/// The client's active mapping of a canonical object, or `not_found`.
pub(crate) async fn active(
    state: &AppState,
    ctx: &AuthContext,
    permission: Permission,
    body: &MappingByObject,
    not_found: fn() -> ApiError,
) -> Result<Mapping, ApiError> {
    ctx.require(permission)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let m = field_mappings::get(
        &tx,
        ctx.org_id,
        body.client_id,
        &body.canonical_object,
        true,
    )
    .await?
    .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(m)
}

/// Deactivates the client's mapping of a canonical object (`org.manage`), or `not_found`.
pub(crate) async fn deactivate(
    state: &AppState,
    ctx: &AuthContext,
    body: &MappingByObject,
    not_found: fn() -> ApiError,
) -> Result<Mapping, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    ctx.check_client(&tx, body.client_id).await?;
    let m = field_mappings::deactivate(&tx, ctx.org_id, body.client_id, &body.canonical_object)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(m)
}

/// `Mapping not found`.
pub(crate) fn mapping_not_found() -> ApiError {
    ApiError::not_found("Mapping not found")
}

/// `Field mapping not found`.
pub(crate) fn field_mapping_not_found() -> ApiError {
    ApiError::not_found("Field mapping not found")
}

//! `POST /api/super-admin/orgs`: a new organization.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::SuperAdmin;
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateOrg {
    pub name: String,
    /// Globally unique.
    pub slug: String,
}

impl Validate for CreateOrg {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgOut {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub is_active: bool,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/super-admin/orgs", tag = "super-admin",
    request_body = CreateOrg,
    responses(
        (status = 200, body = OrgOut),
        (status = 400, description = "Organization slug already exists", body = ErrorBody),
        (status = 401, description = "Invalid super-admin token", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("super_admin" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    _admin: SuperAdmin,
    Json(body): Json<CreateOrg>,
) -> Result<Json<OrgOut>, ApiError> {
    let id = Uuid::new_v4();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, id).await?;
    let org = db::organizations::insert(&tx, id, &body.name, &body.slug)
        .await
        .map_err(|e| match e.constraint() {
            Some("organizations_slug_key") => {
                ApiError::bad_request("Organization slug already exists")
            }
            _ => e.into(),
        })?;
    tx.commit().await?;
    Ok(Json(OrgOut {
        id: org.id,
        name: org.name,
        slug: org.slug,
        is_active: org.is_active,
        created_at: org.created_at,
    }))
}

//! `POST /api/super-admin/users`: a user in any org, with the same scope rules as
//! `/api/users/create` (company roles need a `client_id`).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::accounts::{self, NewAccount};
use shared::auth::{Role, SuperAdmin};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateUser {
    pub org_id: Uuid,
    pub email: String,
    pub name: Option<String>,
    /// 8 to 72 bytes.
    pub password: String,
    pub role: Role,
    /// Required for company roles, forbidden for `org_admin`.
    pub client_id: Option<Uuid>,
}

impl Validate for CreateUser {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        accounts::validate_email(&self.email, errors);
        accounts::validate_password(&self.password, errors);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserOut {
    pub id: Uuid,
    pub org_id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub client_id: Option<Uuid>,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/super-admin/users", tag = "super-admin",
    request_body = CreateUser,
    responses(
        (status = 200, body = UserOut),
        (status = 400, description = "Scope rule broken or `User email already exists in organization`", body = ErrorBody),
        (status = 404, description = "`Organization not found` or `Client not found`", body = ErrorBody),
        (status = 401, description = "Invalid super-admin token", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("super_admin" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    _admin: SuperAdmin,
    Json(body): Json<CreateUser>,
) -> Result<Json<UserOut>, ApiError> {
    accounts::check_scope(body.role.as_str(), body.client_id)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, body.org_id).await?;
    if !db::organizations::exists(&tx, body.org_id).await? {
        return Err(ApiError::not_found("Organization not found"));
    }
    if let Some(client_id) = body.client_id
        && !db::clients::exists_active(&tx, body.org_id, client_id).await?
    {
        return Err(shared::auth::client_not_found());
    }
    let user = accounts::create(
        &tx,
        body.org_id,
        NewAccount {
            email: &body.email,
            name: body.name.as_deref(),
            password: &body.password,
            role: body.role.as_str(),
            client_id: body.client_id,
        },
        state.config().bcrypt_cost,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(UserOut {
        id: user.id,
        org_id: user.org_id,
        email: user.email,
        name: user.name,
        role: user.role,
        client_id: user.client_id,
        created_at: user.created_at,
    }))
}

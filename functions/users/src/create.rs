//! `POST /api/users/create`

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::accounts::{self, NewAccount};
use shared::auth::{AuthContext, Permission};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateUser {
    pub email: String,
    pub name: Option<String>,
    /// 8 to 72 bytes.
    pub password: String,
    /// `org_admin`, `company_admin` or `company_member`.
    pub role: String,
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
    pub role: String,
    pub client_id: Option<Uuid>,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/users/create", tag = "users",
    request_body = CreateUser,
    responses(
        (status = 200, body = UserOut),
        (status = 400, description = "Scope rule broken, `Invalid role`, or `User email already exists in organization`", body = ErrorBody),
        (status = 404, description = "Client not found", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CreateUser>,
) -> Result<Json<UserOut>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    accounts::check_scope(&body.role, body.client_id)?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    if let Some(client_id) = body.client_id {
        ctx.check_client(&tx, client_id).await?;
    }
    let user = accounts::create(
        &tx,
        ctx.org_id,
        NewAccount {
            email: &body.email,
            name: body.name.as_deref(),
            password: &body.password,
            role: &body.role,
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
        role: user.role.as_str().to_string(),
        client_id: user.client_id,
        created_at: user.created_at,
    }))
}

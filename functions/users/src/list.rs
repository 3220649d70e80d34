//! `POST /api/users/list`: active users, newest first.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, ListResponse, PageParams, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListUsers {
    #[serde(flatten)]
    pub page: PageParams,
}

impl Validate for ListUsers {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        self.page.validate(errors);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserItem {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: String,
    pub client_id: Option<Uuid>,
    pub is_active: bool,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/users/list", tag = "users",
    request_body = ListUsers,
    responses(
        (status = 200, body = ListResponse<UserItem>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListUsers>,
) -> Result<Json<ListResponse<UserItem>>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let rows = db::users::list(&tx, ctx.org_id, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, db::users::cursor);
    let data = rows
        .into_iter()
        .map(|u| UserItem {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().to_string(),
            client_id: u.client_id,
            is_active: u.is_active,
            created_at: u.created_at,
        })
        .collect();
    Ok(Json(ListResponse::new(data, next)))
}

//! `POST /api/tokens/list`: active tokens of the org (never the token or its hash).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{AuthContext, Permission};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, ListResponse, PageParams, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListTokens {
    #[serde(flatten)]
    pub page: PageParams,
}

impl Validate for ListTokens {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        self.page.validate(errors);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenItem {
    pub id: Uuid,
    pub label: Option<String>,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub is_active: bool,
    pub created_at: Timestamp,
    /// True once `expires_at` has passed.
    pub expired: bool,
}

#[utoipa::path(
    post, path = "/api/tokens/list", tag = "tokens",
    request_body = ListTokens,
    responses(
        (status = 200, body = ListResponse<TokenItem>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<ListTokens>,
) -> Result<Json<ListResponse<TokenItem>>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let page = body.page.request();
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    let rows = db::api_tokens::list(&tx, ctx.org_id, &page).await?;
    tx.commit().await?;
    let (rows, next) = page.finish(rows, db::api_tokens::cursor);
    let now = Timestamp::now();
    let data = rows
        .into_iter()
        .map(|t| TokenItem {
            id: t.id,
            label: t.label,
            last_used_at: t.last_used_at,
            expired: t.expires_at.is_some_and(|e| e <= now),
            expires_at: t.expires_at,
            is_active: t.is_active,
            created_at: t.created_at,
        })
        .collect();
    Ok(Json(ListResponse::new(data, next)))
}

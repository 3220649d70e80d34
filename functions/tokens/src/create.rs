//! `POST /api/tokens/create`: a new token for the caller, shown once.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::auth::{AuthContext, Permission, secrets};
use shared::error::{ErrorBody, FieldError};
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use uuid::Uuid;

/// Tokens live at most about a hundred years.
const MAX_DAYS: i64 = 36_500;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateToken {
    pub label: Option<String>,
    /// Days until the token expires (at least 1); never when absent.
    #[schema(minimum = 1, maximum = 36500)]
    pub expires_in_days: Option<i64>,
}

impl Validate for CreateToken {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        match self.expires_in_days {
            Some(d) if d < 1 => errors.push(FieldError::at(
                &["expires_in_days"],
                "greater_than_equal",
                "Input should be greater than or equal to 1",
                Value::from(d),
            )),
            Some(d) if d > MAX_DAYS => errors.push(FieldError::at(
                &["expires_in_days"],
                "less_than_equal",
                format!("Input should be less than or equal to {MAX_DAYS}"),
                Value::from(d),
            )),
            _ => {}
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: Uuid,
    /// The raw token (`sfx_…`): shown only in this response.
    pub token: String,
    pub label: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/tokens/create", tag = "tokens",
    request_body = CreateToken,
    responses(
        (status = 200, body = CreatedToken),
        (status = 400, description = "API tokens can only be created by local users", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    Json(body): Json<CreateToken>,
) -> Result<Json<CreatedToken>, ApiError> {
    ctx.require(Permission::OrgManage)?;
    let not_local = || ApiError::bad_request("API tokens can only be created by local users");
    let owner = Uuid::parse_str(ctx.actor()).map_err(|_| not_local())?;
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, ctx.org_id).await?;
    if !db::users::is_active(&tx, ctx.org_id, owner).await? {
        return Err(not_local());
    }
    let raw = secrets::generate_api_token();
    let token = db::api_tokens::insert(
        &tx,
        ctx.org_id,
        owner,
        &secrets::hash_token(&raw),
        body.label.as_deref(),
        body.expires_in_days,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(CreatedToken {
        id: token.id,
        token: raw,
        label: token.label,
        expires_at: token.expires_at,
        created_at: token.created_at,
    }))
}

//! `POST /api/auth/login`: an HS256 session JWT for a user's email and password.
//!
//! A wrong email and a wrong password get the same answer in about the same time: an unknown
//! email is checked against a dummy hash of the same cost.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::auth::{jwt, secrets};
use shared::error::ErrorBody;
use shared::http::{Json, Validate};
use shared::time::Timestamp;
use shared::{ApiError, AppState, db};
use tokio::sync::OnceCell;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Login {
    pub email: String,
    pub password: String,
}

impl Validate for Login {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Session {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    pub expires_at: Timestamp,
}

const INVALID: &str = "Invalid email or password";

#[utoipa::path(
    post, path = "/api/auth/login", tag = "auth",
    request_body = Login,
    responses(
        (status = 200, body = Session),
        (status = 401, description = "Invalid email or password", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn handle(
    State(state): State<AppState>,
    Json(body): Json<Login>,
) -> Result<Json<Session>, ApiError> {
    let candidates = {
        let conn = db::conn(state.db()).await?;
        db::users::login_candidates(&conn, &body.email).await?
    };
    let mut matched = None;
    for c in candidates {
        if let Some(hash) = &c.password_hash
            && body.password.len() <= secrets::PASSWORD_MAX_BYTES
            && secrets::verify_password(body.password.clone(), hash.clone()).await
        {
            matched = Some(c);
            break;
        }
    }
    let Some(user) = matched else {
        // Spend the time a real check costs, so timing does not tell which emails exist.
        let dummy = dummy_hash(state.config().bcrypt_cost).await;
        let _ = secrets::verify_password(body.password, dummy.to_string()).await;
        return Err(ApiError::Unauthorized(INVALID));
    };
    let config = state.config();
    let (token, exp) = jwt::issue(
        &config.jwt_secret,
        config.jwt_ttl_seconds,
        user.user_id,
        user.org_id,
        user.role,
        user.client_id,
    )
    .map_err(ApiError::internal)?;
    let expires_at = chrono::DateTime::from_timestamp(exp, 0)
        .ok_or_else(|| ApiError::internal("expiry out of range"))?;
    Ok(Json(Session {
        access_token: token,
        token_type: "bearer",
        expires_at: Timestamp(expires_at),
    }))
}

async fn dummy_hash(cost: u32) -> &'static str {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY
        .get_or_init(|| async move {
            secrets::hash_password("dummy password for timing".into(), cost)
                .await
                .unwrap_or_default()
        })
        .await
}

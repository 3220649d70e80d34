//! Who is calling: the [`AuthContext`] extractor (session JWT or API token), the [`SuperAdmin`]
//! extractor (static secret), the permission table and the client-access check.

pub mod jwt;
mod roles;
pub mod secrets;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use deadpool_postgres::GenericClient;
use serde::Serialize;
use uuid::Uuid;

pub use roles::{Permission, Role};

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    Session,
    ApiToken,
}

/// An authenticated principal of one org.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub org_id: Uuid,
    /// The actor id as text: a local user's UUID, or an identity provider's `sub`.
    pub user_id: String,
    pub role: Option<Role>,
    /// Set for company-scoped principals: they only ever see this client.
    pub client_id: Option<Uuid>,
    pub auth_method: AuthMethod,
}

const MISSING: &str = "Missing authentication token";
const INVALID: &str = "Invalid authentication credentials";

impl AuthContext {
    /// The role's permissions (none for a role the database no longer knows).
    pub fn permissions(&self) -> &'static [Permission] {
        self.role.map(Role::permissions).unwrap_or(&[])
    }

    /// 403 `Insufficient permissions` unless the role has `p`.
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.permissions().contains(&p) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The actor id written into `created_by`-style columns.
    pub fn actor(&self) -> &str {
        &self.user_id
    }

    /// Client-access validation (API.md §2.4): a company-scoped principal only sees its own
    /// client, and the client must be active in the caller's org. Otherwise 404 `Client not found`.
    pub async fn check_client(
        &self,
        c: &impl GenericClient,
        client_id: Uuid,
    ) -> Result<(), ApiError> {
        if self.client_id.is_some_and(|own| own != client_id) {
            return Err(client_not_found());
        }
        if db::clients::exists_active(c, self.org_id, client_id).await? {
            Ok(())
        } else {
            Err(client_not_found())
        }
    }
}

pub fn client_not_found() -> ApiError {
    ApiError::not_found("Client not found")
}

/// The bearer token of the request, exactly as API.md §2.1 extracts it.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

impl FromRequestParts<AppState> for AuthContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized(MISSING))?;
        if token.is_empty() {
            return Err(ApiError::Unauthorized(MISSING));
        }
        if looks_like_jwt(token) {
            if let Some(s) = jwt::verify_local(&state.config().jwt_secret, token) {
                return Ok(AuthContext::from_session(s));
            }
            if let Some(jwks) = state.jwks()
                && let Some(s) = jwks.verify(token).await
            {
                return Ok(AuthContext::from_session(s));
            }
        }
        let hash = secrets::hash_token(token);
        let touch = state.should_touch_token(&hash);
        let conn = db::conn(state.db()).await?;
        let principal = db::api_tokens::authenticate(&conn, &hash, touch)
            .await?
            .ok_or(ApiError::Unauthorized(INVALID))?;
        if touch {
            state.token_touched(hash);
        }
        Ok(AuthContext {
            org_id: principal.org_id,
            user_id: principal.user_id.to_string(),
            role: principal.role,
            client_id: principal.client_id,
            auth_method: AuthMethod::ApiToken,
        })
    }
}

impl AuthContext {
    fn from_session(s: jwt::Session) -> Self {
        AuthContext {
            org_id: s.org_id,
            user_id: s.sub,
            role: Some(s.role),
            client_id: s.client_id,
            auth_method: AuthMethod::Session,
        }
    }
}

fn looks_like_jwt(token: &str) -> bool {
    token.len() > 20 && token.bytes().filter(|b| *b == b'.').count() == 2
}

/// The super-admin: the bearer token equals `SUPER_ADMIN_JWT_SECRET` (compared in constant time).
#[derive(Debug, Clone, Copy)]
pub struct SuperAdmin;

impl FromRequestParts<AppState> for SuperAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        use secrecy::ExposeSecret;
        let expected = state.config().super_admin_secret.expose_secret();
        match bearer(parts) {
            Some(given)
                if !expected.is_empty()
                    && secrets::constant_time_eq(given.as_bytes(), expected.as_bytes()) =>
            {
                Ok(SuperAdmin)
            }
            _ => Err(ApiError::Unauthorized("Invalid super-admin token")),
        }
    }
}

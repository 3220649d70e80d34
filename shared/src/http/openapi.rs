//! Pieces of the OpenAPI document every group shares: the bearer schemes and the error body.

use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// Adds the `bearer` (session JWT or API token) and `super_admin` security schemes.
pub struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session JWT from /api/auth/login, or an API token (sfx_…)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "super_admin",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The SUPER_ADMIN_JWT_SECRET"))
                    .build(),
            ),
        );
    }
}

/// Turns a group's documented routes into the router a Lambda (or the local server) serves.
pub fn into_router(
    api: utoipa_axum::router::OpenApiRouter<crate::AppState>,
    state: crate::AppState,
) -> axum::Router {
    api.split_for_parts()
        .0
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> crate::ApiError {
    crate::ApiError::not_found("Not Found")
}

async fn method_not_allowed() -> crate::ApiError {
    crate::ApiError::Detail {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        detail: serde_json::Value::from("Method Not Allowed"),
    }
}

/// The OpenAPI document of a group's routes.
pub fn document(api: utoipa_axum::router::OpenApiRouter<crate::AppState>) -> OpenApi {
    api.into_openapi()
}

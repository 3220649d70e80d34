//! The super-admin: bootstrap orgs and their first users with the static super-admin secret.

mod orgs;
mod users;

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(orgs::handle))
        .routes(routes!(users::handle))
}

pub fn router(state: AppState) -> axum::Router {
    shared::http::openapi::into_router(api(), state)
}

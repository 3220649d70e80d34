//! The local server: every group's router mounted on one axum app, the way API Gateway routes
//! them to separate Lambdas in AWS.

use shared::AppState;
use utoipa_axum::router::OpenApiRouter;

/// Every group's routes on one router.
pub fn app(state: AppState) -> axum::Router {
    let mut api = OpenApiRouter::new();
    for (_, group) in health::GROUPS {
        api = api.merge(group());
    }
    shared::http::openapi::into_router(api, state)
}

/// Applies every pending migration through `url` (an owner of the schema).
pub async fn migrate(url: &str) -> Result<Vec<i32>, shared::db::DbError> {
    let mut client = shared::db::migrate::connect_once(url).await?;
    shared::db::migrate::run(&mut client, shared::db::migrate::MIGRATIONS).await
}

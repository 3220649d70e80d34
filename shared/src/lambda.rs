//! The Lambda entry point of an HTTP function: API Gateway HTTP API (v2) events into the axum
//! router and its responses back.

/// Serves `router` on the Lambda runtime until the process ends.
pub async fn serve(router: axum::Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router).await
}

/// Starts a function: tracing, state, the runtime. `main` of every HTTP function calls this.
pub async fn start(router: fn(crate::AppState) -> axum::Router) -> Result<(), lambda_http::Error> {
    crate::telemetry::init();
    let state = crate::AppState::from_env().await?;
    serve(router(state)).await
}

//! The `api-conflicts` Lambda: API Gateway HTTP events into the conflicts router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(conflicts::router).await
}

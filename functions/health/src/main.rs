//! The `api-health` Lambda: API Gateway HTTP events into the health router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(health::router).await
}

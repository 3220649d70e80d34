//! The `api-mappings` Lambda: API Gateway HTTP events into the mappings router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(mappings::router).await
}

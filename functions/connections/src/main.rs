//! The `api-connections` Lambda: API Gateway HTTP events into the connections router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(connections::router).await
}

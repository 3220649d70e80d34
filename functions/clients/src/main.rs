//! The `api-clients` Lambda: API Gateway HTTP events into the clients router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(clients::router).await
}

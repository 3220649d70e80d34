//! The `api-push` Lambda: API Gateway HTTP events into the push router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(push::router).await
}

//! The `api-workflows` Lambda: API Gateway HTTP events into the workflows router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(workflows::router).await
}

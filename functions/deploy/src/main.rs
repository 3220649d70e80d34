//! The `api-deploy` Lambda: API Gateway HTTP events into the deploy router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(deploy::router).await
}

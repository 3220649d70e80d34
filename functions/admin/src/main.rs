//! The `api-admin` Lambda: API Gateway HTTP events into the admin router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(admin::router).await
}

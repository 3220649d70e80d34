//! The `api-auth` Lambda: API Gateway HTTP events into the auth router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(auth::router).await
}

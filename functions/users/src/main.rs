//! The `api-users` Lambda: API Gateway HTTP events into the users router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(users::router).await
}

//! The `api-tokens` Lambda: API Gateway HTTP events into the tokens router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(tokens::router).await
}

//! The `api-events` Lambda: API Gateway HTTP events into the jobs, events and webhooks router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(events::router).await
}

//! The `api-crm` Lambda: API Gateway HTTP events into the CRM read router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(crm::router).await
}

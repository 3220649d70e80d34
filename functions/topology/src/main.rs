//! The `api-topology` Lambda: API Gateway HTTP events into the topology router.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::start(topology::router).await
}

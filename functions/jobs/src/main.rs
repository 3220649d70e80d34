//! The `api-jobs` Lambda: SQS batches and EventBridge schedules into the worker.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let state = shared::AppState::from_env().await?;
    let worker = jobs::worker(state);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let worker = worker.clone();
        async move {
            jobs::handle_event(&worker, event.payload)
                .await
                .map_err(Error::from)
        }
    }))
    .await
}

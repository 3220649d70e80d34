//! A fake Lambda Runtime API: a function binary started with `AWS_LAMBDA_RUNTIME_API` pointing
//! here receives the given events exactly as on AWS and posts its responses back, so tests run
//! real event JSON through the real entry point.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::mpsc;

/// What the function answered for one invocation.
#[derive(Debug, Clone)]
pub enum Outcome {
    Response(Value),
    Error(Value),
}

#[derive(Clone)]
struct Shared {
    events: Arc<Mutex<std::collections::VecDeque<Value>>>,
    seq: Arc<Mutex<u64>>,
    outcomes: mpsc::UnboundedSender<(String, Outcome)>,
}

/// A runtime API on a loopback port.
pub struct FakeRuntime {
    pub addr: SocketAddr,
    outcomes: mpsc::UnboundedReceiver<(String, Outcome)>,
}

impl FakeRuntime {
    /// Serves `events` in order, one per `next` call; later calls wait forever.
    pub async fn start(events: Vec<Value>) -> FakeRuntime {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Shared {
            events: Arc::new(Mutex::new(events.into())),
            seq: Arc::new(Mutex::new(0)),
            outcomes: tx,
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeRuntime { addr, outcomes: rx }
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn api(&self) -> String {
        self.addr.to_string()
    }

    /// The next outcome (request id, outcome).
    pub async fn outcome(&mut self) -> (String, Outcome) {
        self.outcomes.recv().await.expect("runtime closed")
    }
}

async fn next(State(s): State<Shared>) -> Response {
    let event = s.events.lock().unwrap().pop_front();
    let Some(event) = event else {
        std::future::pending::<()>().await;
        unreachable!()
    };
    let id = {
        let mut seq = s.seq.lock().unwrap();
        *seq += 1;
        format!("req-{seq}")
    };
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", id.parse().unwrap());
    headers.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:test"
            .parse()
            .unwrap(),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793".parse().unwrap(),
    );
    (headers, axum::Json(event)).into_response()
}

async fn response(
    State(s): State<Shared>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> &'static str {
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = s.outcomes.send((id, Outcome::Response(v)));
    "{}"
}

async fn error(
    State(s): State<Shared>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> &'static str {
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = s.outcomes.send((id, Outcome::Error(v)));
    "{}"
}

async fn init_error(State(s): State<Shared>, body: axum::body::Bytes) -> &'static str {
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = s.outcomes.send(("init".into(), Outcome::Error(v)));
    "{}"
}

/// An API Gateway HTTP API (payload format 2.0) event, as AWS sends it.
pub fn http_api_event(
    method: &str,
    path: &str,
    query: &str,
    headers: Value,
    body: Option<&str>,
) -> Value {
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "cookies": [],
        "headers": headers,
        "queryStringParameters": if query.is_empty() { Value::Null } else {
            Value::Object(query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), Value::from(v))).collect())
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "agent"
            },
            "requestId": "id",
            "routeKey": format!("{method} {path}"),
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1583348638390i64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

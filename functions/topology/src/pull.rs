//! `POST /api/topology/pull`: a `topology.pull` job. The answer (200 within the wait budget, else
//! 202) is `{id, client_id, version, objects_count, custom_objects_count, pulled_at}`.
//!
//! [`run`] fetches (see [`crate::fetch`]), then stores in one transaction: the version is
//! allocated under a per-client advisory lock, fresh describes are inserted and unchanged ones
//! copied from the previous snapshot, and the connection's usage and `last_used_at` are recorded.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::auth::{AuthContext, Permission};
use shared::error::ErrorBody;
use shared::http::Json;
use shared::jobs::{self, Job, JobError, JobRequest, NewJob};
use shared::time::Timestamp;
use shared::{ApiError, AppState, crm, db};
use uuid::Uuid;

use crate::ByClient;
use crate::fetch::{self, Outcome};

/// The job kind.
pub const KIND: &str = "topology.pull";
/// Objects per INSERT.
const STORE_CHUNK: usize = 200;

/// The pull's answer (API.md §4.8).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Pulled {
    pub id: Uuid,
    pub client_id: Uuid,
    pub version: i32,
    pub objects_count: i32,
    pub custom_objects_count: i32,
    pub pulled_at: Timestamp,
}

#[utoipa::path(
    post, path = "/api/topology/pull", tag = "topology",
    request_body = ByClient,
    responses(
        (status = 200, body = Pulled),
        (status = 202, description = "Still running: follow `status_url`", body = shared::jobs::Accepted),
        (status = 400, description = "`No connected Salesforce connection found` or `Connection has no Nango connection ID`", body = ErrorBody),
        (status = 404, description = "`Client not found`", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn handle(
    State(state): State<AppState>,
    ctx: AuthContext,
    req: JobRequest,
    Json(body): Json<ByClient>,
) -> Result<Response, ApiError> {
    ctx.require(Permission::TopologyRead)?;
    ctx.require(Permission::ConnectionsWrite)?;
    crm::connected_for(&state, &ctx, body.client_id).await?;
    let new = NewJob::new(
        KIND,
        Some(body.client_id),
        json!({"client_id": body.client_id}),
    );
    jobs::respond(&state, &ctx, &req, new).await
}

/// The job's payload: the handler's, or the nightly refresh's (which also names the connection
/// and the trigger).
#[derive(Deserialize)]
struct Payload {
    client_id: Uuid,
}

/// Runs a `topology.pull` job.
pub async fn run(state: AppState, job: Job) -> Result<Value, JobError> {
    let payload: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::permanent(422, "invalid_payload", e.to_string()))?;
    let pulled = pull(&state, &job, payload.client_id).await?;
    serde_json::to_value(pulled).map_err(|e| JobError::retryable("encode", e.to_string()))
}

async fn pull(state: &AppState, job: &Job, client_id: Uuid) -> Result<Pulled, ApiError> {
    let org_id = job.org_id;
    let mut conn = db::conn(state.db()).await?;
    let (connected, previous) = {
        let tx = db::begin(&mut conn, org_id).await?;
        let connected = crm::connected(&tx, org_id, client_id).await?;
        let previous = match db::topology::get(&tx, org_id, client_id, None).await? {
            Some(s) => Some((s.id, db::topology::described_at(&tx, org_id, s.id).await?)),
            None => None,
        };
        tx.commit().await?;
        (connected, previous)
    };
    drop(conn);
    let sf = connected.salesforce(state);
    let empty = HashMap::new();
    let stamps = previous.as_ref().map(|p| &p.1).unwrap_or(&empty);
    let progress = {
        let (state, job) = (state.clone(), job.clone());
        move |done: usize, total: usize| {
            let (state, job) = (state.clone(), job.clone());
            tokio::spawn(async move {
                // Progress is advisory; a failed write changes nothing.
                let _ = jobs::progress(&state, &job, done as i64, Some(total as i64)).await;
            });
        }
    };
    let fetched = fetch::fetch(&sf, stamps, progress).await?;
    store(state, job, &connected, previous.map(|p| p.0), fetched).await
}

async fn store(
    state: &AppState,
    job: &Job,
    connected: &crm::Connected,
    previous: Option<Uuid>,
    fetched: fetch::Fetched,
) -> Result<Pulled, ApiError> {
    let org_id = job.org_id;
    let client_id = connected.row.client_id;
    let mut fresh: Vec<(&str, &str)> = Vec::new();
    let mut unchanged: Vec<&str> = Vec::new();
    let mut errors = serde_json::Map::new();
    for (name, outcome) in &fetched.outcomes {
        match outcome {
            Outcome::Fresh(d) => fresh.push((name, d)),
            Outcome::Unchanged => unchanged.push(name),
            Outcome::Failed(e) => {
                errors.insert(name.clone(), e.clone());
            }
        }
    }
    let described: std::collections::HashSet<&str> = fresh
        .iter()
        .map(|f| f.0)
        .chain(unchanged.iter().copied())
        .collect();
    let object_names: Vec<&String> = fetched
        .names
        .iter()
        .filter(|n| described.contains(n.as_str()))
        .collect();
    let custom_names: Vec<&String> = fetched
        .custom
        .iter()
        .filter(|n| described.contains(n.as_str()))
        .collect();
    let objects_count = object_names.len() as i32;
    let custom_objects_count = custom_names.len() as i32;
    let document = json!({
        "describe_errors": errors,
        "object_names": object_names,
        "custom_object_names": custom_names,
        "objects_count": objects_count,
        "custom_objects_count": custom_objects_count,
        "api_version": connected.salesforce(state).api_version(),
    });
    let rules_of = |name: &str| -> String {
        fetched
            .rules
            .get(name)
            .map(|r| Value::from(r.clone()).to_string())
            .unwrap_or_else(|| "[]".into())
    };

    let failed = |e: db::DbError| {
        tracing::error!(error = %e, "storing a topology snapshot failed");
        ApiError::Detail {
            status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            detail: Value::from("Failed to store topology snapshot"),
        }
    };
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    db::topology::lock_client(&tx, client_id).await?;
    let version = db::topology::next_version(&tx, org_id, client_id).await?;
    let new = db::topology::NewSnapshot {
        client_id,
        connection_id: connected.row.id,
        version,
        document: &document,
        objects_count,
        custom_objects_count,
    };
    let snapshot = db::topology::insert(&tx, org_id, &new)
        .await
        .map_err(failed)?;
    for chunk in fresh.chunks(STORE_CHUNK) {
        let names: Vec<&str> = chunk.iter().map(|c| c.0).collect();
        let describes: Vec<&str> = chunk.iter().map(|c| c.1).collect();
        let rules: Vec<String> = names.iter().map(|n| rules_of(n)).collect();
        db::topology::insert_objects(
            &tx,
            org_id,
            snapshot.id,
            &names,
            &describes,
            &rules,
            fetched.described_at,
        )
        .await
        .map_err(failed)?;
    }
    if let Some(from) = previous {
        for names in unchanged.chunks(STORE_CHUNK * 5) {
            let rules: Vec<String> = names.iter().map(|n| rules_of(n)).collect();
            db::topology::copy_objects(&tx, org_id, from, snapshot.id, names, &rules)
                .await
                .map_err(failed)?;
        }
    }
    connected.record_usage(state, &tx, org_id).await?;
    tx.commit().await.map_err(|e| failed(e.into()))?;
    Ok(Pulled {
        id: snapshot.id,
        client_id,
        version,
        objects_count,
        custom_objects_count,
        pulled_at: snapshot.pulled_at,
    })
}

//! `GET /health`

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::http::Json;
use shared::time::Timestamp;
use shared::{AppState, db};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HealthQuery {
    /// Also check the database.
    #[serde(default)]
    pub deep: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when a deep check failed.
    pub status: &'static str,
    pub timestamp: Timestamp,
    /// With `?deep=true`: `ok` or `unreachable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

#[utoipa::path(get, path = "/health", tag = "health", params(HealthQuery),
    responses((status = 200, body = Health), (status = 503, description = "A deep check failed", body = Health)))]
pub async fn handle(
    State(state): State<AppState>,
    Query(q): Query<HealthQuery>,
) -> (StatusCode, Json<Health>) {
    let database = if q.deep {
        Some(if database_ok(&state).await {
            "ok"
        } else {
            "unreachable"
        })
    } else {
        None
    };
    let healthy = database != Some("unreachable");
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if healthy { "ok" } else { "degraded" },
            timestamp: Timestamp::now(),
            database,
        }),
    )
}

async fn database_ok(state: &AppState) -> bool {
    let check = async {
        let conn = db::conn(state.db()).await.ok()?;
        conn.simple_query("SELECT 1").await.ok()
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(3), check).await,
        Ok(Some(_))
    )
}

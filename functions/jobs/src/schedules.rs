//! The scheduled work (API-DECISIONS §11). Each schedule reads across orgs only through the narrow
//! SECURITY DEFINER functions of `V002__jobs.sql` and writes each org's rows in that org's
//! transaction. Each is safe to run twice: a second run finds nothing left to do.

use std::time::Duration;

use serde_json::{Value, json};
use shared::AppState;
use shared::db::jobs::ScheduledConnection;
use shared::db::{self, DbError};
use shared::jobs::{self, CreateError, NewJob, Worker};

/// Queued jobs due for longer than this are sent again by the sweeper.
pub const SWEEP_GRACE: Duration = Duration::from_secs(60);
/// At most this many jobs are sent again per sweep (the next sweep takes the rest).
const SWEEP_LIMIT: i32 = 1000;
/// The kind the nightly refresh creates (run by `functions/topology` once it lands).
pub const TOPOLOGY_PULL: &str = "topology.pull";

/// One scheduled task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Every minute: re-send jobs whose lease expired and queued jobs due for over a minute;
    /// forget expired idempotency keys.
    LeaseSweeper,
    /// Every hour: ask Nango about every connected connection; a dead one becomes `expired` with
    /// a `connection.expired` event.
    ConnectionHealth,
    /// Nightly: a `topology.pull` job for every connected connection with `auto_refresh`.
    TopologyRefresh,
    /// Nightly: null push payloads older than `PUSH_PAYLOAD_RETENTION_DAYS`.
    PushPurge,
}

impl Schedule {
    pub const ALL: [Schedule; 4] = [
        Schedule::LeaseSweeper,
        Schedule::ConnectionHealth,
        Schedule::TopologyRefresh,
        Schedule::PushPurge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Schedule::LeaseSweeper => "lease_sweeper",
            Schedule::ConnectionHealth => "connection_health",
            Schedule::TopologyRefresh => "topology_refresh",
            Schedule::PushPurge => "push_purge",
        }
    }

    /// How often it runs (EventBridge's rate; the local worker's timer).
    pub fn period(self) -> Duration {
        match self {
            Schedule::LeaseSweeper => Duration::from_secs(60),
            Schedule::ConnectionHealth => Duration::from_secs(3600),
            Schedule::TopologyRefresh | Schedule::PushPurge => Duration::from_secs(24 * 3600),
        }
    }

    /// A schedule by name (`lease_sweeper` or `lease-sweeper`), or from a rule name that
    /// contains it (`sfdc-engine-x-LeaseSweeper-ABC`, `prod-lease-sweeper`).
    pub fn parse(text: &str) -> Option<Schedule> {
        let squashed: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Schedule::ALL
            .into_iter()
            .find(|s| squashed.contains(&s.name().replace('_', "")))
    }

    /// The schedule an EventBridge event names: `{"schedule": ...}` (the rule's input), or a
    /// `Scheduled Event` whose rule (in `resources`) is named after one.
    pub fn from_event(event: &Value) -> Option<Schedule> {
        if let Some(name) = event.get("schedule").and_then(Value::as_str) {
            return Schedule::parse(name);
        }
        if let Some(name) = event.pointer("/detail/schedule").and_then(Value::as_str) {
            return Schedule::parse(name);
        }
        if event.get("detail-type").and_then(Value::as_str) != Some("Scheduled Event") {
            return None;
        }
        event
            .get("resources")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|arn| arn.rsplit('/').next())
            .find_map(Schedule::parse)
    }
}

/// Why a schedule did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "unknown schedule {0:?}; known: lease_sweeper, connection_health, topology_refresh, push_purge"
    )]
    Unknown(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for ScheduleError {
    fn from(e: tokio_postgres::Error) -> Self {
        ScheduleError::Db(e.into())
    }
}

impl From<CreateError> for ScheduleError {
    fn from(e: CreateError) -> Self {
        match e {
            CreateError::Db(e) => ScheduleError::Db(e),
            other => ScheduleError::Db(DbError::Setup(other.to_string())),
        }
    }
}

/// What the health check learned about one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Healthy,
    /// Nango answered that the credentials are gone (its 424): the connection is `expired`.
    Expired(String),
    /// No verdict (Nango unreachable, not configured): the connection is left as it is.
    Unknown(String),
}

/// Asks about one connection. The hourly check takes it as a parameter so tests (and a future
/// Nango client) plug in.
pub trait ConnectionProbe: Send + Sync {
    fn probe(
        &self,
        connection: ScheduledConnection,
    ) -> impl std::future::Future<Output = Probe> + Send;
}

impl<F, Fut> ConnectionProbe for F
where
    F: Fn(ScheduledConnection) -> Fut + Send + Sync,
    Fut: std::future::Future<Output = Probe> + Send,
{
    fn probe(&self, c: ScheduledConnection) -> impl std::future::Future<Output = Probe> + Send {
        self(c)
    }
}

/// The production probe: asks Nango for the connection. Its 424 (refresh exhausted) or 404
/// (connection gone) means `expired`; anything else that fails gives no verdict.
pub fn nango_probe(state: &AppState) -> impl ConnectionProbe + use<> {
    let nango = state.nango().clone();
    move |c: ScheduledConnection| {
        let nango = nango.clone();
        async move {
            let Some(id) = c.nango_connection_id.as_deref() else {
                return Probe::Unknown("no Nango connection id".into());
            };
            match nango
                .get_connection(id, c.nango_provider_config_key.as_deref(), false)
                .await
            {
                Ok(_) => Probe::Healthy,
                Err(e) if e.is_connection_unusable() => Probe::Expired(e.to_string()),
                Err(e) => Probe::Unknown(e.to_string()),
            }
        }
    }
}

/// Runs a schedule by name with this build's registry and the production probe: what EventBridge
/// and the local `trigger` command call.
pub async fn handle_schedule(state: &AppState, name: &str) -> Result<Value, ScheduleError> {
    let schedule = Schedule::parse(name).ok_or_else(|| ScheduleError::Unknown(name.into()))?;
    run_schedule(&crate::worker(state.clone()), schedule, &nango_probe(state)).await
}

/// Runs one schedule; answers a small report of what it did.
pub async fn run_schedule(
    worker: &Worker,
    schedule: Schedule,
    probe: &impl ConnectionProbe,
) -> Result<Value, ScheduleError> {
    let state = worker.state();
    let report = match schedule {
        Schedule::LeaseSweeper => sweep(state).await?,
        Schedule::ConnectionHealth => connection_health(state, probe).await?,
        Schedule::TopologyRefresh => topology_refresh(worker).await?,
        Schedule::PushPurge => {
            let conn = db::conn(state.db()).await?;
            let days = state.config().push_payload_retention_days;
            let purged = db::jobs::purge_push_payloads(&conn, days).await?;
            json!({"payloads_purged": purged, "retention_days": days})
        }
    };
    tracing::info!(schedule = schedule.name(), report = %report, "schedule ran");
    let mut report = report;
    if let Some(map) = report.as_object_mut() {
        map.insert("schedule".into(), Value::from(schedule.name()));
    }
    Ok(report)
}

async fn sweep(state: &AppState) -> Result<Value, ScheduleError> {
    let conn = db::conn(state.db()).await?;
    let due = db::jobs::due(&conn, SWEEP_GRACE.as_secs_f64(), SWEEP_LIMIT).await?;
    let keys = db::jobs::purge_idempotency_keys(&conn).await?;
    drop(conn);
    let mut sent = 0;
    for (job_id, _org) in &due {
        match state.jobs().enqueue(*job_id, Duration::ZERO).await {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(%job_id, error = %e, "could not re-send a job"),
        }
    }
    Ok(json!({"jobs_due": due.len(), "jobs_sent": sent, "idempotency_keys_purged": keys}))
}

async fn connection_health(
    state: &AppState,
    probe: &impl ConnectionProbe,
) -> Result<Value, ScheduleError> {
    let connections = {
        let conn = db::conn(state.db()).await?;
        db::jobs::connections_to_check(&conn).await?
    };
    let (mut healthy, mut expired, mut unknown) = (0, 0, 0);
    for c in &connections {
        match probe.probe(c.clone()).await {
            Probe::Healthy => healthy += 1,
            Probe::Unknown(why) => {
                unknown += 1;
                tracing::debug!(connection_id = %c.connection_id, why, "no verdict");
            }
            Probe::Expired(reason) => {
                if shared::crm::expire(state, c.org_id, c.client_id, c.connection_id, &reason)
                    .await?
                {
                    expired += 1;
                }
            }
        }
    }
    Ok(
        json!({"checked": connections.len(), "healthy": healthy, "expired": expired,
              "unknown": unknown}),
    )
}

async fn topology_refresh(worker: &Worker) -> Result<Value, ScheduleError> {
    let state = worker.state();
    let connections = {
        let conn = db::conn(state.db()).await?;
        db::jobs::connections_to_refresh(&conn).await?
    };
    if !worker.registry().contains(TOPOLOGY_PULL) {
        tracing::warn!("no worker runs topology.pull yet; the nightly refresh creates no jobs");
        return Ok(json!({"connections": connections.len(), "jobs_created": 0,
                         "skipped": "topology.pull is not registered"}));
    }
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let mut created = 0;
    for c in &connections {
        let new = NewJob::new(
            TOPOLOGY_PULL,
            Some(c.client_id),
            json!({"client_id": c.client_id, "connection_id": c.connection_id,
                   "trigger": "schedule"}),
        );
        // One refresh per connection per day, however often the schedule fires.
        let key = format!("schedule:topology_refresh:{}:{day}", c.connection_id);
        let made = jobs::create(state, c.org_id, Some("schedule"), Some(&key), &new).await?;
        if matches!(made, jobs::Created::New(_)) {
            created += 1;
        }
    }
    Ok(json!({"connections": connections.len(), "jobs_created": created}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_found_by_name_and_by_rule_name() {
        assert_eq!(
            Schedule::parse("lease_sweeper"),
            Some(Schedule::LeaseSweeper)
        );
        assert_eq!(Schedule::parse("push-purge"), Some(Schedule::PushPurge));
        assert_eq!(
            Schedule::parse("sfdc-engine-x-ConnectionHealth-1A2B3C"),
            Some(Schedule::ConnectionHealth)
        );
        assert_eq!(Schedule::parse("coffee"), None);
        let event = json!({
            "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-02-19T00:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/prod-topology-refresh"],
            "detail": {}
        });
        assert_eq!(
            Schedule::from_event(&event),
            Some(Schedule::TopologyRefresh)
        );
        assert_eq!(
            Schedule::from_event(&json!({"schedule": "lease_sweeper"})),
            Some(Schedule::LeaseSweeper)
        );
        assert_eq!(Schedule::from_event(&json!({"Records": []})), None);
    }
}

//! The in-process worker of local runs (`tools/local`): one process serves the API, runs the
//! jobs and fires the schedules.
//!
//! [`spawn`] installs a channel as the state's queue, so a job created by a handler is sent here
//! at once. A poller also asks the database every second for jobs due (a job created before the
//! worker started, a retry whose timer was lost, a lease that expired), and timers fire each
//! [`Schedule`] at its period (the first run after one period, not at start). Dropping the
//! [`LocalWorker`] or calling [`LocalWorker::stop`] stops everything, including running jobs,
//! exactly like a worker that dies: their leases expire and the next worker takes them over.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use shared::AppState;
use shared::db;
use shared::jobs::{Queue, Worker};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::schedules::{Schedule, ScheduleError, nango_probe, run_schedule};

/// How the local worker runs.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// Jobs run at the same time.
    pub concurrency: usize,
    /// How often the database is asked for jobs due.
    pub poll_interval: Duration,
    /// Whether the schedules fire on their timers.
    pub schedules: bool,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            concurrency: 8,
            poll_interval: Duration::from_secs(1),
            schedules: true,
        }
    }
}

/// A running local worker; stops when dropped.
pub struct LocalWorker {
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl LocalWorker {
    /// Stops taking jobs, aborts the running ones and waits for the worker to end.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LocalWorker {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts the worker of this build (every registered kind, the production probe) in this process.
pub fn spawn(state: AppState) -> LocalWorker {
    spawn_with(crate::worker(state), LocalOptions::default())
}

/// Starts a given worker (tests: test kinds, short intervals).
pub fn spawn_with(worker: Worker, options: LocalOptions) -> LocalWorker {
    let (tx, rx) = mpsc::unbounded_channel();
    worker.state().jobs().set_queue(Queue::Local(tx.clone()));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(worker, options, tx, rx, stopped));
    LocalWorker {
        stop,
        task: Some(task),
    }
}

/// Runs a schedule by hand, by name: the local server's `trigger` command.
pub async fn trigger(state: &AppState, name: &str) -> Result<Value, ScheduleError> {
    crate::handle_schedule(state, name).await
}

async fn run(
    worker: Worker,
    options: LocalOptions,
    tx: mpsc::UnboundedSender<Uuid>,
    mut rx: mpsc::UnboundedReceiver<Uuid>,
    mut stopped: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let in_flight: Arc<Mutex<HashSet<Uuid>>> = Arc::default();
    let mut runs = JoinSet::new();
    let mut poll = tokio::time::interval(options.poll_interval);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // When each schedule fires next.
    let mut timers: Vec<(Schedule, tokio::time::Instant)> = if options.schedules {
        let now = tokio::time::Instant::now();
        Schedule::ALL
            .into_iter()
            .map(|s| (s, now + s.period()))
            .collect()
    } else {
        Vec::new()
    };
    loop {
        let next = timers.iter().map(|(_, at)| *at).min();
        let next_schedule = async {
            match next {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = stopped.changed() => break,
            Some(job_id) = rx.recv() => {
                if !in_flight.lock().unwrap_or_else(|e| e.into_inner()).insert(job_id) {
                    continue;
                }
                let (worker, permits, in_flight) = (worker.clone(), permits.clone(), in_flight.clone());
                runs.spawn(async move {
                    if let Ok(_permit) = permits.acquire_owned().await
                        && let Err(e) = worker.run(job_id).await
                    {
                        tracing::warn!(%job_id, error = %e, "could not run a job; the poller will retry");
                    }
                    in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&job_id);
                });
            }
            _ = poll.tick() => {
                match due(&worker, options.poll_interval).await {
                    Ok(ids) => {
                        for id in ids {
                            let _ = tx.send(id);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not look for due jobs"),
                }
            }
            () = next_schedule => {
                let now = tokio::time::Instant::now();
                for (schedule, at) in timers.iter_mut().filter(|(_, at)| *at <= now) {
                    *at = now + schedule.period();
                    let (worker, schedule) = (worker.clone(), *schedule);
                    runs.spawn(async move {
                        if let Err(e) = run_schedule(&worker, schedule, &nango_probe(worker.state())).await {
                            tracing::warn!(schedule = schedule.name(), error = %e, "schedule failed");
                        }
                    });
                }
            }
            Some(_) = runs.join_next(), if !runs.is_empty() => {}
        }
    }
    runs.abort_all();
    while runs.join_next().await.is_some() {}
}

/// Jobs due for longer than `grace` (a just-created job is already in the channel) and jobs
/// whose lease expired.
async fn due(worker: &Worker, grace: Duration) -> Result<Vec<Uuid>, db::DbError> {
    let conn = db::conn(worker.state().db()).await?;
    let rows = db::jobs::due(&conn, grace.as_secs_f64(), 500).await?;
    Ok(rows.into_iter().map(|(id, _)| id).collect())
}

//! The job kind registry: kind name → the async function that runs it and its retry policy.
//! Group crates write `pub async fn run(state: AppState, job: Job) -> Result<Value, JobError>`
//! and the `jobs` crate registers them (`topology.pull` → `topology::pull::run`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::{Job, JobError, NOOP, webhook};
use crate::state::AppState;

/// What a kind's function returns.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<Value, JobError>> + Send + 'static>>;

type RunFn = Arc<dyn Fn(AppState, Job) -> JobFuture + Send + Sync>;

/// When a failed attempt is tried again: after `JOB_BACKOFF_BASE_MS` doubled per attempt, at most
/// `cap`, and never after `give_up_after` from the job's creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub cap: Duration,
    pub give_up_after: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            cap: Duration::from_secs(15 * 60),
            give_up_after: None,
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempts + 1`, after `attempts` failed ones.
    pub fn backoff(&self, base: Duration, attempts: i32) -> Duration {
        let doublings = attempts.clamp(1, 31) as u32 - 1;
        base.saturating_mul(1u32 << doublings.min(30)).min(self.cap)
    }
}

#[derive(Clone)]
pub(crate) struct Kind {
    pub run: RunFn,
    pub retry: RetryPolicy,
}

/// Kind names to functions.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: HashMap<String, Kind>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Registry::default()
    }

    /// The kinds the shared crate runs itself: `noop` and `webhook.deliver`.
    pub fn builtin() -> Self {
        Registry::empty()
            .add(NOOP, |_state, _job| async {
                Ok(Value::Object(Default::default()))
            })
            .add_with_policy(webhook::DELIVER, webhook::retry_policy(), webhook::deliver)
    }

    /// Registers `kind` with the default retry policy.
    pub fn add<F, Fut>(self, kind: &str, run: F) -> Self
    where
        F: Fn(AppState, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, JobError>> + Send + 'static,
    {
        self.add_with_policy(kind, RetryPolicy::default(), run)
    }

    /// Registers `kind` with its own retry policy; a later registration of a name replaces it.
    pub fn add_with_policy<F, Fut>(mut self, kind: &str, retry: RetryPolicy, run: F) -> Self
    where
        F: Fn(AppState, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, JobError>> + Send + 'static,
    {
        let run: RunFn = Arc::new(move |state, job| Box::pin(run(state, job)));
        self.kinds.insert(kind.to_string(), Kind { run, retry });
        self
    }

    pub fn contains(&self, kind: &str) -> bool {
        self.kinds.contains_key(kind)
    }

    /// The registered kind names, sorted.
    pub fn kinds(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.kinds.keys().map(String::as_str).collect();
        names.sort();
        names
    }

    pub(crate) fn get(&self, kind: &str) -> Option<&Kind> {
        self.kinds.get(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let p = RetryPolicy {
            cap: Duration::from_secs(3600),
            give_up_after: None,
        };
        let base = Duration::from_secs(5);
        let delays: Vec<u64> = (1..=12).map(|a| p.backoff(base, a).as_secs()).collect();
        assert_eq!(
            delays,
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        assert_eq!(p.backoff(base, 500), Duration::from_secs(3600));
    }

    #[test]
    fn the_builtin_registry_runs_noop_and_webhook_deliveries() {
        assert_eq!(Registry::builtin().kinds(), ["noop", "webhook.deliver"]);
    }
}

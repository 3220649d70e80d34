//! Latency and fault injection settings: per path prefix, by rate (seeded, repeatable) or for the
//! next N calls, rendered in the wire format of whichever API was hit.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::http::Resp;
use crate::rng::Rng;

/// Extra latency for requests whose path starts with `path_prefix` (all when absent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatencyRule {
    pub ms: u64,
    #[serde(default)]
    pub path_prefix: Option<String>,
}

fn default_status() -> u16 {
    503
}

/// An injected failure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub id: u64,
    /// Requests whose path starts with this (e.g. `/services/data/v60.0/sobjects`, `/nango`).
    pub path_prefix: String,
    /// Only this HTTP method, when given.
    #[serde(default)]
    pub method: Option<String>,
    /// Probability in [0, 1] that a matching request fails.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Fail the next N matching requests (then the rule is spent).
    #[serde(default)]
    pub next: Option<u32>,
    #[serde(default = "default_status")]
    pub status: u16,
    /// Salesforce errorCode; defaults by status (503 SERVER_UNAVAILABLE, 500 UNKNOWN_EXCEPTION, ...).
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Hang this long before answering: a timeout for any client with a shorter one.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Seed of the rule's generator (fault rates repeat run to run).
    #[serde(default)]
    pub seed: Option<u64>,
    /// How many requests this rule has failed.
    #[serde(default)]
    pub hits: u64,
    #[serde(skip)]
    rng: Option<Rng>,
}

impl FaultRule {
    /// The errorCode this rule answers with.
    pub fn code(&self) -> String {
        self.error_code.clone().unwrap_or_else(|| {
            match self.status {
                401 => "INVALID_SESSION_ID",
                403 => "REQUEST_LIMIT_EXCEEDED",
                404 => "NOT_FOUND",
                500 => "UNKNOWN_EXCEPTION",
                _ => "SERVER_UNAVAILABLE",
            }
            .to_string()
        })
    }

    /// The message this rule answers with.
    pub fn text(&self) -> String {
        self.message.clone().unwrap_or_else(|| {
            match self.code().as_str() {
                "INVALID_SESSION_ID" => "Session expired or invalid",
                "REQUEST_LIMIT_EXCEEDED" => "TotalRequests Limit exceeded.",
                "UNABLE_TO_LOCK_ROW" => "unable to obtain exclusive access to this record or 1 records",
                "UNKNOWN_EXCEPTION" => "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)",
                "NOT_FOUND" => "The requested resource does not exist",
                _ => "Server unavailable: the simulator injected this fault",
            }
            .to_string()
        })
    }
}

/// How SOAP deploys progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DeployBehaviour {
    /// checkDeployStatus calls before a deploy is done (earlier calls answer InProgress).
    pub polls_until_done: u32,
    /// Alternatively (or also): done once this many milliseconds have passed.
    pub complete_after_ms: Option<u64>,
    /// Keep every unfinished deploy InProgress until this is cleared.
    pub hold_in_progress: bool,
}

impl Default for DeployBehaviour {
    fn default() -> Self {
        DeployBehaviour {
            polls_until_done: 2,
            complete_after_ms: None,
            hold_in_progress: false,
        }
    }
}

/// Control settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Settings {
    pub latency: Vec<LatencyRule>,
    pub faults: Vec<FaultRule>,
    pub deploy: DeployBehaviour,
    pub next_fault_id: u64,
}

impl Settings {
    /// Latency for `path`: the longest matching prefix rule, else the global rule.
    pub fn latency_for(&self, path: &str) -> u64 {
        let mut best: Option<(usize, u64)> = None;
        for r in &self.latency {
            let len = match &r.path_prefix {
                Some(p) if path.starts_with(p.as_str()) => p.len() + 1,
                Some(_) => continue,
                None => 0,
            };
            if best.is_none_or(|(l, _)| len >= l) {
                best = Some((len, r.ms));
            }
        }
        best.map(|(_, ms)| ms).unwrap_or(0)
    }

    /// Adds a fault rule, returning its id.
    pub fn add_fault(&mut self, mut f: FaultRule) -> u64 {
        self.next_fault_id += 1;
        f.id = self.next_fault_id;
        f.rng = Some(Rng::new(f.seed.unwrap_or(42 + f.id)));
        self.faults.push(f);
        self.next_fault_id
    }

    /// Whether this request is to fail, and how. Spent `next` rules are dropped.
    pub fn fault_for(&mut self, method: &str, path: &str) -> Option<FaultRule> {
        let mut hit = None;
        for f in &mut self.faults {
            if !path.starts_with(f.path_prefix.as_str()) {
                continue;
            }
            if f.method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
            {
                continue;
            }
            let fire = match (f.next, f.rate) {
                (Some(0), _) => false,
                (Some(n), _) => {
                    f.next = Some(n - 1);
                    true
                }
                (None, Some(rate)) => f.rng.get_or_insert_with(|| Rng::new(42)).next_f64() < rate,
                (None, None) => true,
            };
            if fire {
                f.hits += 1;
                hit = Some(f.clone());
                break;
            }
        }
        self.faults.retain(|f| f.next != Some(0));
        hit
    }
}

/// The fault as a Salesforce REST error.
pub fn rest_response(f: &FaultRule) -> Resp {
    Resp::sf(f.status, &f.code(), &f.text())
}

/// The fault as a Nango error.
pub fn nango_response(f: &FaultRule) -> Resp {
    Resp::json(
        f.status,
        &json!({"error": {"code": f.code().to_lowercase(), "message": f.text()}}),
    )
}

//! API usage as Salesforce reports it on every REST response (`Sforce-Limit-Info`, SALESFORCE.md
//! §1.9), remembered per connection so `connections/get` can show `api_usage` without a call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The latest `api-usage=used/max` seen for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
    pub observed_at: DateTime<Utc>,
}

/// Thread-safe record of the latest usage per connection id; cheap to clone (shared map).
#[derive(Clone, Default)]
pub struct LimitObserver {
    latest: Arc<Mutex<HashMap<String, ApiUsage>>>,
}

impl LimitObserver {
    pub fn new() -> Self {
        LimitObserver::default()
    }

    /// Records one observation.
    pub fn record(&self, connection_id: &str, used: u64, max: u64) -> ApiUsage {
        let usage = ApiUsage {
            used,
            max,
            observed_at: Utc::now(),
        };
        self.lock().insert(connection_id.to_string(), usage);
        usage
    }

    /// Records a `Sforce-Limit-Info` header value; ignored when it has no `api-usage`.
    pub fn record_header(&self, connection_id: &str, header: &str) -> Option<ApiUsage> {
        let (used, max) = parse_limit_info(header)?;
        Some(self.record(connection_id, used, max))
    }

    /// The latest usage seen for a connection.
    pub fn latest(&self, connection_id: &str) -> Option<ApiUsage> {
        self.lock().get(connection_id).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ApiUsage>> {
        // A panic while holding this lock cannot leave the map half-written.
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `api-usage=10018/100000` → `(10018, 100000)`. The header is a comma-separated list of
/// `key=value`; newer orgs add per-app keys, which are ignored.
pub fn parse_limit_info(header: &str) -> Option<(u64, u64)> {
    header.split(',').find_map(|part| {
        let (key, value) = part.split_once('=')?;
        if key.trim() != "api-usage" {
            return None;
        }
        let (used, max) = value.trim().split_once('/')?;
        Some((used.trim().parse().ok()?, max.trim().parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_usage_is_read_among_other_keys() {
        assert_eq!(
            parse_limit_info("api-usage=10018/100000"),
            Some((10018, 100000))
        );
        assert_eq!(
            parse_limit_info("per-app-api-usage=1/50(appName=x), api-usage=113/5000000"),
            Some((113, 5_000_000))
        );
        assert_eq!(parse_limit_info("per-app-api-usage=1/50"), None);
        assert_eq!(parse_limit_info("api-usage=abc/1"), None);
    }

    #[test]
    fn the_latest_observation_wins_per_connection() {
        let o = LimitObserver::new();
        o.record_header("a", "api-usage=1/100");
        o.record_header("a", "api-usage=2/100");
        o.record_header("b", "api-usage=9/10");
        assert_eq!(o.latest("a").map(|u| u.used), Some(2));
        assert_eq!(o.latest("b").map(|u| u.max), Some(10));
        assert!(o.latest("c").is_none());
    }
}

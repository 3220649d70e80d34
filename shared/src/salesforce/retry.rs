//! How often and how long a transient Salesforce failure is retried: exponential backoff with
//! jitter, bounded both in attempts and in total time, so a flapping org slows a job down but
//! never hangs it.

use std::time::Duration;

/// Retry bounds. `max_attempts` counts every try (1 = no retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// The first wait; each later wait doubles.
    pub base_delay: Duration,
    /// No single wait is longer.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first try.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            total_budget: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One try, no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before try `attempt + 1` (after `attempt` failures, 1-based): half of the
    /// exponential step plus a random part of the other half, so that many workers that failed
    /// together do not come back together.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let step = exp.min(self.max_delay);
        let half = step / 2;
        let jitter = getrandom::u64().unwrap_or(0) % (half.as_micros().max(1) as u64 + 1);
        half + Duration::from_micros(jitter)
    }

    /// Whether another try may start after `attempt` tries, `elapsed` since the first, given
    /// the wait it would need.
    pub fn allows(&self, attempt: u32, elapsed: Duration, delay: Duration) -> bool {
        attempt < self.max_attempts && elapsed.saturating_add(delay) <= self.total_budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            let d = p.delay(attempt);
            let step = (p.base_delay * 2u32.pow(attempt - 1)).min(p.max_delay);
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn attempts_and_budget_both_bound_retries() {
        let p = RetryPolicy::default();
        assert!(p.allows(1, Duration::ZERO, Duration::from_millis(100)));
        assert!(!p.allows(4, Duration::ZERO, Duration::from_millis(100)));
        assert!(!p.allows(1, Duration::from_secs(29), Duration::from_secs(2)));
        assert!(!RetryPolicy::none().allows(1, Duration::ZERO, Duration::ZERO));
    }
}

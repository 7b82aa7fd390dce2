//! How long to wait between attempts.

use std::time::Duration;

/// Bounded exponential backoff with jitter.
///
/// Jitter keeps many controllers that failed together from hammering MAAS
/// together again; `max_delay` bounds both our backoff and any
/// `Retry-After` MAAS sends, so a call never stalls longer than the caller
/// agreed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included. 0 is treated as 1.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles for each further one.
    pub base_delay: Duration,
    /// Upper bound for any single wait, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            // MAAS asks for 10 s after an RPC outage; honour that by default.
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The wait after attempt number `failed_attempt` (1-based) failed.
    pub fn delay_after(&self, failed_attempt: u32, retry_after: Option<Duration>) -> Duration {
        self.delay_with_jitter(failed_attempt, retry_after, rand::random::<f64>())
    }

    /// `unit` in [0, 1) picks the point inside the jitter window; split out
    /// so tests can pin it.
    pub(crate) fn delay_with_jitter(
        &self,
        failed_attempt: u32,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.max_delay);
        }
        let exponent = failed_attempt.saturating_sub(1).min(31);
        let backoff = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        // "Equal jitter": half fixed, half random, so the wait never drops
        // to zero but still spreads out.
        let half = backoff / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        }
    }

    #[test]
    fn backoff_doubles_within_the_jitter_window_and_is_capped() {
        let p = policy();
        assert_eq!(p.delay_with_jitter(1, None, 0.0), Duration::from_millis(50));
        assert_eq!(
            p.delay_with_jitter(1, None, 1.0),
            Duration::from_millis(100)
        );
        assert_eq!(
            p.delay_with_jitter(2, None, 0.0),
            Duration::from_millis(100)
        );
        assert_eq!(
            p.delay_with_jitter(3, None, 1.0),
            Duration::from_millis(400)
        );
        assert_eq!(p.delay_with_jitter(10, None, 1.0), Duration::from_secs(1));
        assert_eq!(
            p.delay_with_jitter(u32::MAX, None, 1.0),
            Duration::from_secs(1)
        );
        for attempt in 1..8 {
            let d = p.delay_after(attempt, None);
            assert!(d <= p.max_delay && d > Duration::ZERO, "{d:?}");
        }
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let p = policy();
        assert_eq!(
            p.delay_with_jitter(1, Some(Duration::from_millis(700)), 0.5),
            Duration::from_millis(700)
        );
        assert_eq!(
            p.delay_with_jitter(1, Some(Duration::from_secs(60)), 0.5),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn zero_attempts_means_one() {
        let p = RetryPolicy {
            max_attempts: 0,
            ..policy()
        };
        assert_eq!(p.attempts(), 1);
        assert_eq!(RetryPolicy::none().attempts(), 1);
    }
}

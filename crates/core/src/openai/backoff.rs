//! Retry timing: exponential backoff with full jitter, lengthened (never shortened) by the
//! server's `Retry-After`. Pure, so the arithmetic is tested without sleeping.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based), given a `jitter` in `[0, 1)`.
    /// The exponential part is `base × 2^retry`, capped at `max_delay`, with full jitter
    /// over its upper half; `retry_after` can only lengthen it.
    pub fn delay(&self, retry: u32, jitter: f64, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        let jittered = exp.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        retry_after.map_or(jittered, |r| r.max(jittered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_exponentially_within_jitter_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, 0.0, None), Duration::from_millis(250));
        assert_eq!(p.delay(0, 1.0, None), Duration::from_millis(500));
        assert_eq!(p.delay(3, 1.0, None), Duration::from_secs(4));
        assert_eq!(p.delay(30, 1.0, None), Duration::from_secs(30));
        assert_eq!(p.delay(30, 0.0, None), Duration::from_secs(15));
    }

    #[test]
    fn retry_after_only_lengthens_the_wait() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(0, 1.0, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay(3, 1.0, Some(Duration::from_secs(1))),
            Duration::from_secs(4)
        );
    }
}

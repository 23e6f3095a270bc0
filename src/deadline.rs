//! When the answer must be ready.
//!
//! Alexa waits about 8 seconds for a skill; Lambda may end an invocation even sooner when the
//! function's timeout is short. Every outbound call takes its timeout from one [`Deadline`] so
//! the whole answer, including a spoken explanation of a failure, goes out in time.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// 2020-01-01T00:00:00Z in milliseconds since the Unix epoch.
const EARLIEST_PLAUSIBLE_EPOCH_MS: u64 = 1_577_836_800_000;

/// The moment by which the skill must have its answer ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Instant);

impl Deadline {
    /// How long an answer may take at most: well inside Alexa's 8 seconds, leaving time for
    /// Alexa's own network hops.
    pub const ALEXA_BUDGET: Duration = Duration::from_millis(6000);
    /// Kept back from Lambda's own deadline to serialise and send the answer.
    pub const LAMBDA_MARGIN: Duration = Duration::from_millis(300);

    /// A deadline `budget` from now (the Alexa budget, should `budget` be too far to represent).
    pub fn after(budget: Duration) -> Self {
        let now = Instant::now();
        Self(
            now.checked_add(budget)
                .unwrap_or_else(|| now + Self::ALEXA_BUDGET),
        )
    }

    /// The deadline for a local run: the Alexa budget from now.
    pub fn local() -> Self {
        Self::after(Self::ALEXA_BUDGET)
    }

    /// The deadline inside Lambda: the earlier of the Alexa budget and the invocation's own
    /// deadline (`deadline_ms`, milliseconds since the Unix epoch) less a margin.
    ///
    /// A value that cannot be an epoch time (before 2020) carries no deadline and leaves the
    /// Alexa budget: `cargo lambda watch` sends the function timeout there (`600000`).
    pub fn lambda(deadline_ms: u64) -> Self {
        if deadline_ms < EARLIEST_PLAUSIBLE_EPOCH_MS {
            return Self::after(Self::ALEXA_BUDGET);
        }
        let left = Self::time_left(deadline_ms).saturating_sub(Self::LAMBDA_MARGIN);
        Self::after(left.min(Self::ALEXA_BUDGET))
    }

    /// What is left until `deadline_ms` (milliseconds since the Unix epoch, as Lambda gives it).
    pub fn time_left(deadline_ms: u64) -> Duration {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Duration::from_millis(deadline_ms.saturating_sub(now_ms))
    }

    /// Time left until the deadline (zero once it has passed).
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch_ms_in(d: Duration) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970");
        u64::try_from((now + d).as_millis()).expect("fits")
    }

    #[test]
    fn lambda_deadline_never_exceeds_the_alexa_budget() {
        let d = Deadline::lambda(epoch_ms_in(Duration::from_secs(900)));
        assert!(d.remaining() <= Deadline::ALEXA_BUDGET);
        assert!(d.remaining() > Deadline::ALEXA_BUDGET - Duration::from_secs(1));
    }

    #[test]
    fn lambda_deadline_keeps_a_margin_before_lambdas_own() {
        let d = Deadline::lambda(epoch_ms_in(Duration::from_millis(2000)));
        assert!(d.remaining() <= Duration::from_millis(2000) - Deadline::LAMBDA_MARGIN);
    }

    #[test]
    fn past_deadlines_leave_nothing() {
        let a_minute_ago = epoch_ms_in(Duration::ZERO) - 60_000;
        assert_eq!(Deadline::lambda(a_minute_ago).remaining(), Duration::ZERO);
    }

    #[test]
    fn a_relative_value_is_no_deadline() {
        // What `cargo lambda watch` sends: the timeout, not an epoch time.
        let d = Deadline::lambda(600_000);
        assert!(d.remaining() > Deadline::ALEXA_BUDGET - Duration::from_secs(1));
    }
}

//! When a sign-in may be tried: throttling that slows down guessing without letting
//! anyone lock a real user out.
//!
//! Three counters of failed attempts within a window are kept (by `hyte-app`, in the
//! database so that every web node shares them):
//! - the pair of e-mail address and client address: the guesser's own pair slows
//!   down (1 minute after the allowed failures, then 2, 4, … up to the window);
//! - the client address, whatever the e-mail: one address that tries many accounts
//!   slows down from 4 × the allowed failures on;
//! - the e-mail address from every client address: a guessing campaign spread over
//!   many addresses slows the account down from 10 × the allowed failures on, except
//!   from an address where this account signed in successfully within the last 30
//!   days, so that the coordinator at her usual desk still gets in.
//!
//! There is no hard lock of an e-mail address: an attacker elsewhere cannot keep a
//! user out by failing in her name (issue #14, item 3).

/// Failed attempts of one counter within the window, and the times (seconds since
/// the epoch) of the last failure and of the last success.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Failures within the window.
    pub failures: i64,
    /// When the last failure happened.
    pub last_failure: Option<i64>,
    /// When the last success happened (any time kept).
    pub last_success: Option<i64>,
}

/// The settings of the throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures of one pair allowed within the window before delays start.
    pub max_failures: i64,
    /// The window, in seconds; also the longest delay.
    pub window_secs: i64,
}

/// The first delay, in seconds; each further failure doubles it.
pub const FIRST_DELAY_SECS: i64 = 60;
/// How long a successful sign-in makes its address known for the account.
pub const KNOWN_ADDRESS_SECS: i64 = 30 * 24 * 3600;

impl Throttle {
    fn delay(&self, failures: i64, allowed: i64, last_failure: Option<i64>, now: i64) -> i64 {
        if failures < allowed {
            return 0;
        }
        let doublings = (failures - allowed).clamp(0, 20) as u32;
        let delay = FIRST_DELAY_SECS
            .saturating_mul(1_i64 << doublings)
            .min(self.window_secs);
        match last_failure {
            Some(at) => (at + delay - now).max(0),
            None => 0,
        }
    }

    /// Seconds to wait before the next attempt of this e-mail from this address (0:
    /// now). `pair`, `address` and `email` are the three counters described above.
    pub fn wait_secs(&self, pair: Attempts, address: Attempts, email: Attempts, now: i64) -> i64 {
        let max = self.max_failures.max(1);
        let known_address = pair
            .last_success
            .is_some_and(|at| now - at < KNOWN_ADDRESS_SECS);
        let own = self.delay(pair.failures, max, pair.last_failure, now);
        let from_address = self.delay(address.failures, 4 * max, address.last_failure, now);
        let campaign = if known_address {
            0
        } else {
            self.delay(email.failures, 10 * max, email.last_failure, now)
        };
        own.max(from_address).max(campaign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Throttle = Throttle {
        max_failures: 5,
        window_secs: 900,
    };
    const NOW: i64 = 1_000_000;

    fn failed(n: i64, secs_ago: i64) -> Attempts {
        Attempts {
            failures: n,
            last_failure: Some(NOW - secs_ago),
            last_success: None,
        }
    }

    #[test]
    fn the_guessers_own_pair_slows_down_with_growing_delays() {
        let none = Attempts::default();
        assert_eq!(
            RULES.wait_secs(failed(4, 0), failed(4, 0), failed(4, 0), NOW),
            0
        );
        assert_eq!(
            RULES.wait_secs(failed(5, 0), failed(5, 0), failed(5, 0), NOW),
            60
        );
        assert_eq!(RULES.wait_secs(failed(5, 45), none, none, NOW), 15);
        assert_eq!(RULES.wait_secs(failed(5, 60), none, none, NOW), 0);
        assert_eq!(RULES.wait_secs(failed(6, 0), none, none, NOW), 120);
        assert_eq!(RULES.wait_secs(failed(7, 0), none, none, NOW), 240);
        // Never longer than the window, however many failures.
        assert_eq!(RULES.wait_secs(failed(500, 0), none, none, NOW), 900);
    }

    #[test]
    fn an_attacker_elsewhere_cannot_lock_the_user_out() {
        // 49 failures for the coordinator's e-mail from other addresses: her own
        // address has none, so she signs in.
        let mine = Attempts::default();
        assert_eq!(RULES.wait_secs(mine, mine, failed(49, 0), NOW), 0);
        // A spread-out campaign of 50+ slows the account down from unknown addresses…
        assert_eq!(RULES.wait_secs(mine, mine, failed(50, 0), NOW), 60);
        // …but not from an address where she signed in this month.
        let known = Attempts {
            last_success: Some(NOW - 3 * 24 * 3600),
            ..Default::default()
        };
        assert_eq!(RULES.wait_secs(known, mine, failed(5000, 0), NOW), 0);
        let long_ago = Attempts {
            last_success: Some(NOW - 40 * 24 * 3600),
            ..Default::default()
        };
        assert_eq!(RULES.wait_secs(long_ago, mine, failed(50, 0), NOW), 60);
    }

    #[test]
    fn one_address_trying_many_accounts_slows_down() {
        let fresh = Attempts::default();
        assert_eq!(RULES.wait_secs(fresh, failed(19, 0), fresh, NOW), 0);
        assert_eq!(RULES.wait_secs(fresh, failed(20, 0), fresh, NOW), 60);
        assert_eq!(RULES.wait_secs(fresh, failed(21, 30), fresh, NOW), 90);
    }
}

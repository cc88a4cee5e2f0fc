//! Request rates per peer IP address and per journal (GCRA, the `governor` crate).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::Limits;
use crate::error::Error;
use crate::ids::Id;

/// The rate limiters of one relay process.
pub struct Rates {
    ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    journal: Option<DefaultKeyedRateLimiter<Id>>,
    clock: DefaultClock,
}

/// A limiter of `per_second` with bursts of `burst` (at least the rate), none for a rate of 0.
fn limiter<K>(per_second: u32, burst: u32) -> Option<DefaultKeyedRateLimiter<K>>
where
    K: std::hash::Hash + Eq + Clone,
{
    let rate = NonZeroU32::new(per_second)?;
    let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
    Some(RateLimiter::keyed(
        Quota::per_second(rate).allow_burst(burst),
    ))
}

impl Rates {
    /// Limiters for `limits`' rates.
    pub fn new(limits: &Limits) -> Rates {
        Rates {
            ip: limiter(limits.ip_per_second, limits.ip_burst),
            journal: limiter(limits.journal_per_second, limits.journal_burst),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request from `ip` about `journal`; over either rate it is
    /// `rate_limited`, with the seconds until one would be taken again.
    pub fn check(&self, ip: Option<IpAddr>, journal: Option<&Id>) -> Result<(), Error> {
        if let (Some(limiter), Some(ip)) = (&self.ip, ip) {
            limiter.check_key(&ip).map_err(|n| self.refusal(n))?;
        }
        if let (Some(limiter), Some(journal)) = (&self.journal, journal) {
            limiter.check_key(journal).map_err(|n| self.refusal(n))?;
        }
        Ok(())
    }

    fn refusal(&self, not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> Error {
        let wait = not_until.wait_time_from(self.clock.now());
        Error::RateLimited {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    }

    /// Forgets the addresses and journals whose budget is full again, so the tables
    /// hold only who was active lately.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.ip {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.journal {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(ip_burst: u32, journal_burst: u32) -> Rates {
        Rates::new(&Limits {
            ip_per_second: 1,
            ip_burst,
            journal_per_second: 1,
            journal_burst,
            ..Limits::default()
        })
    }

    #[test]
    fn a_burst_over_the_rate_is_refused_per_address() {
        let rates = rates(3, 100);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            rates.check(Some(a), None).unwrap();
        }
        match rates.check(Some(a), None) {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=2).contains(&retry_after_secs))
            }
            other => panic!("expected rate_limited, got {other:?}"),
        }
        rates
            .check(Some(b), None)
            .expect("another address is not held back");
    }

    #[test]
    fn a_journal_has_its_own_budget_and_a_rate_of_0_is_off() {
        let rates = rates(100, 2);
        let j1 = Id::parse("journal", &"1".repeat(32)).unwrap();
        let j2 = Id::parse("journal", &"2".repeat(32)).unwrap();
        rates.check(None, Some(&j1)).unwrap();
        rates.check(None, Some(&j1)).unwrap();
        assert!(matches!(
            rates.check(None, Some(&j1)),
            Err(Error::RateLimited { .. })
        ));
        rates.check(None, Some(&j2)).unwrap();

        let off = Rates::new(&Limits {
            ip_per_second: 0,
            journal_per_second: 0,
            ..Limits::default()
        });
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..10_000 {
            off.check(Some(a), Some(&j1)).unwrap();
        }
    }
}

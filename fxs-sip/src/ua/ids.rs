//! Tags, branches, Call-IDs, cnonces and jitter from one seeded generator,
//! so a run repeats exactly for the same `rng_seed`.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::transaction::MAGIC_COOKIE;

/// Source of every random token the user agent writes.
#[derive(Debug)]
pub(crate) struct IdGen {
    rng: SmallRng,
    host: String,
}

impl IdGen {
    /// A generator seeded with `seed`; `host` goes after the `@` of Call-IDs.
    pub(crate) fn new(seed: u64, host: String) -> IdGen {
        IdGen {
            rng: SmallRng::seed_from_u64(seed),
            host,
        }
    }

    /// A From/To tag: 48 random bits (RFC 3261 §19.3 asks for at least 32).
    pub(crate) fn tag(&mut self) -> String {
        format!("{:012x}", self.rng.r#gen::<u64>() >> 16)
    }

    /// A branch: the magic cookie and 64 random bits (RFC 3261 §8.1.1.7).
    pub(crate) fn branch(&mut self) -> String {
        format!("{MAGIC_COOKIE}{:016x}", self.rng.r#gen::<u64>())
    }

    /// A Call-ID: 64 random bits `@` our host (RFC 3261 §8.1.1.4).
    pub(crate) fn call_id(&mut self) -> String {
        format!("{:016x}@{}", self.rng.r#gen::<u64>(), self.host)
    }

    /// A digest client nonce (RFC 2617 §3.2.2).
    pub(crate) fn cnonce(&mut self) -> String {
        format!("{:016x}", self.rng.r#gen::<u64>())
    }

    /// A uniformly random fraction in `[low, high)`.
    pub(crate) fn fraction(&mut self, low: f64, high: f64) -> f64 {
        if high > low {
            self.rng.gen_range(low..high)
        } else {
            low
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_tokens_and_branches_carry_the_cookie() {
        let mut a = IdGen::new(42, "10.0.0.1".into());
        let mut b = IdGen::new(42, "10.0.0.1".into());
        assert_eq!(a.tag(), b.tag());
        let branch = a.branch();
        assert_eq!(branch, b.branch());
        assert!(branch.starts_with("z9hG4bK") && branch.len() == 23);
        let call_id = a.call_id();
        assert!(call_id.ends_with("@10.0.0.1"));
        assert_eq!(call_id, b.call_id());
        let f = a.fraction(0.5, 0.9);
        assert!((0.5..0.9).contains(&f));
    }
}

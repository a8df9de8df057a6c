//! The RFC 3261 §17 timers, the fixed table each transaction keeps them in,
//! and the queue that finds the earliest deadline of the whole user agent.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::time::Instant;

/// The transaction timers of RFC 3261 §17 (summary in its Table 4) and
/// RFC 6026 §8 (Timers L and M). Timer C belongs to proxies and is absent.
///
/// Values with the defaults T1 = 500 ms, T2 = 4 s, T4 = 5 s are in
/// spec/sip.md §2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum SipTimer {
    /// When an INVITE client transaction retransmits the INVITE over UDP:
    /// T1, doubling without cap (§17.1.1.2).
    A = 0,
    /// When an INVITE client transaction gives up waiting for any response:
    /// 64·T1 (§17.1.1.2).
    B = 1,
    /// When an INVITE client transaction in Completed stops absorbing
    /// retransmissions of a non-2xx final response: 32 s over UDP (§17.1.1.2).
    D = 2,
    /// When a non-INVITE client transaction retransmits over UDP: T1 doubling
    /// to T2, every T2 once a provisional response came (§17.1.2.2).
    E = 3,
    /// When a non-INVITE client transaction gives up: 64·T1 (§17.1.2.2).
    F = 4,
    /// When an INVITE server transaction retransmits its non-2xx final
    /// response: T1 doubling to T2 (§17.2.1).
    G = 5,
    /// When an INVITE server transaction stops waiting for the ACK of its
    /// non-2xx final response: 64·T1 (§17.2.1).
    H = 6,
    /// When an INVITE server transaction in Confirmed stops absorbing ACK
    /// retransmissions: T4 over UDP (§17.2.1).
    I = 7,
    /// When a non-INVITE server transaction stops absorbing request
    /// retransmissions: 64·T1 over UDP (§17.2.2).
    J = 8,
    /// When a non-INVITE client transaction stops absorbing response
    /// retransmissions: T4 over UDP (§17.1.2.2).
    K = 9,
    /// When an INVITE server transaction leaves the Accepted state after
    /// sending a 2xx: 64·T1 (RFC 6026 §8.7).
    L = 10,
    /// When an INVITE client transaction leaves the Accepted state in which it
    /// passes 2xx retransmissions to the TU: 64·T1 (RFC 6026 §8.4).
    M = 11,
}

impl SipTimer {
    /// Every timer, in table order.
    pub(crate) const VALUES: [SipTimer; 12] = [
        SipTimer::A,
        SipTimer::B,
        SipTimer::D,
        SipTimer::E,
        SipTimer::F,
        SipTimer::G,
        SipTimer::H,
        SipTimer::I,
        SipTimer::J,
        SipTimer::K,
        SipTimer::L,
        SipTimer::M,
    ];
}

/// The deadlines of one transaction: one optional instant per [`SipTimer`].
#[derive(Clone, Debug, Default)]
pub(crate) struct TimerTable {
    deadlines: [Option<Instant>; SipTimer::VALUES.len()],
}

impl TimerTable {
    /// Arm (or re-arm) `timer` to fire at `at`.
    pub(crate) fn set(&mut self, timer: SipTimer, at: Instant) {
        self.deadlines[timer as usize] = Some(at);
    }

    /// Disarm `timer`.
    pub(crate) fn stop(&mut self, timer: SipTimer) {
        self.deadlines[timer as usize] = None;
    }

    /// Disarm every timer.
    pub(crate) fn stop_all(&mut self) {
        self.deadlines = [None; SipTimer::VALUES.len()];
    }

    /// The earliest armed deadline.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// The expired timer with the earliest deadline, disarmed; `None` when
    /// nothing is due at `now`.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<SipTimer> {
        let timer = SipTimer::VALUES
            .iter()
            .copied()
            .filter_map(|t| self.deadlines[t as usize].map(|at| (at, t)))
            .filter(|(at, _)| *at <= now)
            .min()?
            .1;
        self.stop(timer);
        Some(timer)
    }
}

/// Earliest-deadline queue over many owners (transactions, calls,
/// registrations), each with at most one current deadline.
///
/// A binary heap with lazy deletion: re-arming an owner pushes a new entry and
/// leaves the old one in the heap; an entry is stale when it no longer equals
/// the owner's current deadline, and stale entries are dropped whenever they
/// reach the top. The top is therefore always current, so
/// [`TimerQueue::next_deadline`] is exact and O(1) without scanning.
#[derive(Debug)]
pub(crate) struct TimerQueue<K: Copy + Eq + Hash + Ord> {
    heap: BinaryHeap<Reverse<(Instant, K)>>,
    current: HashMap<K, Instant>,
}

impl<K: Copy + Eq + Hash + Ord> Default for TimerQueue<K> {
    fn default() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            current: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash + Ord> TimerQueue<K> {
    /// Set the deadline of `key` (`None` cancels it).
    pub(crate) fn set(&mut self, key: K, deadline: Option<Instant>) {
        match deadline {
            Some(at) => {
                if self.current.insert(key, at) != Some(at) {
                    self.heap.push(Reverse((at, key)));
                }
            }
            None => {
                self.current.remove(&key);
            }
        }
        self.prune();
        // Keep the heap from growing without bound when owners re-arm far
        // ahead of time: rebuild it from the current deadlines.
        if self.heap.len() > 2 * self.current.len() + 64 {
            self.heap = self.current.iter().map(|(k, at)| Reverse((*at, *k))).collect();
        }
    }

    /// The earliest deadline of all owners.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Remove and return an owner whose deadline is at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<K> {
        let Reverse((at, key)) = *self.heap.peek()?;
        if at > now {
            return None;
        }
        self.heap.pop();
        self.current.remove(&key);
        self.prune();
        Some(key)
    }

    /// Number of owners with a deadline.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.current.len()
    }

    fn prune(&mut self) {
        while let Some(Reverse((at, key))) = self.heap.peek() {
            if self.current.get(key) == Some(at) {
                break;
            }
            self.heap.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn table_reports_earliest_deadline_and_takes_expired_in_order() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        assert_eq!(table.next_timeout(), None);
        table.set(SipTimer::B, t0 + Duration::from_secs(32));
        table.set(SipTimer::A, t0 + Duration::from_millis(500));
        assert_eq!(table.next_timeout(), Some(t0 + Duration::from_millis(500)));
        assert_eq!(table.take_expired(t0), None);
        assert_eq!(
            table.take_expired(t0 + Duration::from_secs(40)),
            Some(SipTimer::A)
        );
        assert_eq!(
            table.take_expired(t0 + Duration::from_secs(40)),
            Some(SipTimer::B)
        );
        assert_eq!(table.take_expired(t0 + Duration::from_secs(40)), None);
        assert_eq!(table.next_timeout(), None);
    }

    #[test]
    fn queue_top_is_never_a_stale_entry() {
        let t0 = Instant::now();
        let mut q: TimerQueue<u32> = TimerQueue::default();
        q.set(1, Some(t0 + Duration::from_secs(1)));
        q.set(2, Some(t0 + Duration::from_secs(2)));
        // Re-arm 1 later: its old entry is stale and must not show.
        q.set(1, Some(t0 + Duration::from_secs(3)));
        assert_eq!(q.next_deadline(), Some(t0 + Duration::from_secs(2)));
        q.set(2, None);
        assert_eq!(q.next_deadline(), Some(t0 + Duration::from_secs(3)));
        assert_eq!(q.pop_due(t0 + Duration::from_secs(2)), None);
        assert_eq!(q.pop_due(t0 + Duration::from_secs(3)), Some(1));
        assert_eq!(q.next_deadline(), None);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn queue_stays_small_under_repeated_rearming() {
        let t0 = Instant::now();
        let mut q: TimerQueue<u32> = TimerQueue::default();
        for i in 0..10_000u64 {
            q.set(7, Some(t0 + Duration::from_millis(10_000 - i)));
            q.set(8, Some(t0 + Duration::from_millis(20_000 + i)));
        }
        assert!(q.heap.len() <= 2 * q.len() + 64 + 1);
        assert_eq!(q.next_deadline(), Some(t0 + Duration::from_millis(1)));
    }
}

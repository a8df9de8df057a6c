//! The async twin of [`LineInterface`](crate::LineInterface), for drivers
//! that live on an async runtime (a SLIC behind an async SPI bus, a line
//! card reached over a socket).
//!
//! Like `embedded-hal-async`, it re-uses the blocking side's error types
//! ([`ErrorType`], [`Error`](crate::Error), [`LineErrorKind`](crate::LineErrorKind))
//! and the value types ([`LineFeed`], [`LineConfig`], ...), and it depends
//! on no runtime: the methods are plain `async fn`s. The engine stays
//! sans-IO; an async driver loop awaits these calls around it.
//!
//! ```
//! use fxs_hal::asynch::LineInterface;
//! use fxs_hal::{HookState, LineFeed};
//!
//! /// Generic async code: power the line and report whether it is off hook.
//! async fn power_up<L: LineInterface>(line: &mut L) -> Result<bool, L::Error> {
//!     line.set_feed(LineFeed::IDLE).await?;
//!     Ok(line.hook().await? == HookState::OffHook)
//! }
//! # let _ = power_up::<fxs_hal::asynch::Blocking<fxs_hal::sim::SimLine>>;
//! ```

#![allow(async_fn_in_trait)]

use crate::config::{LineConfig, ReversalMode};
pub use crate::line::ErrorType;
use crate::line::{HookEdge, HookState, LineCapabilities, LineFeed, Polarity};

/// One FXS port driven through `async fn`s; the contract (timing, errors,
/// feed states) is that of the blocking [`crate::LineInterface`].
pub trait LineInterface: ErrorType {
    /// What this line's hardware provides.
    fn capabilities(&self) -> LineCapabilities;

    /// Put the line into `feed`.
    async fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error>;

    /// The feed state the line is in now (cached by the driver).
    fn feed(&self) -> LineFeed;

    /// Apply impedance, gains, DC feed, ring signal and reversal mode.
    async fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error>;

    /// Raw hook switch state.
    async fn hook(&mut self) -> Result<HookState, Self::Error>;

    /// Uplink: 10 ms of audio from the line.
    async fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error>;

    /// Downlink: 10 ms of audio towards the phone.
    async fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error>;

    /// Start or stop power ringing (provided: the feed).
    async fn set_ringing(&mut self, on: bool) -> Result<(), Self::Error> {
        self.set_feed(if on { LineFeed::Ringing } else { LineFeed::IDLE })
            .await
    }

    /// Move the feed to `polarity` (provided: abrupt, through the feed).
    async fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        let _ = mode;
        let feed = self.feed().with_polarity(polarity);
        if feed == self.feed() {
            return Ok(());
        }
        self.set_feed(feed).await
    }

    /// Wait for the next hook edge the chip reports. Only the async side
    /// can wait; the provided method reads the raw state and returns it as
    /// an edge that happened now, for drivers without hook events.
    async fn wait_hook_edge(&mut self) -> Result<HookEdge, Self::Error> {
        let state = self.hook().await?;
        Ok(HookEdge {
            state,
            ago: core::time::Duration::ZERO,
        })
    }
}

impl<T: LineInterface + ?Sized> LineInterface for &mut T {
    fn capabilities(&self) -> LineCapabilities {
        T::capabilities(self)
    }
    async fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error> {
        T::set_feed(self, feed).await
    }
    fn feed(&self) -> LineFeed {
        T::feed(self)
    }
    async fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error> {
        T::configure(self, config).await
    }
    async fn hook(&mut self) -> Result<HookState, Self::Error> {
        T::hook(self).await
    }
    async fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error> {
        T::read_frame(self, frame).await
    }
    async fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error> {
        T::write_frame(self, frame).await
    }
    async fn set_ringing(&mut self, on: bool) -> Result<(), Self::Error> {
        T::set_ringing(self, on).await
    }
    async fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        T::set_polarity(self, polarity, mode).await
    }
    async fn wait_hook_edge(&mut self) -> Result<HookEdge, Self::Error> {
        T::wait_hook_edge(self).await
    }
}

/// Every blocking line is also an async line whose futures complete at
/// once (handy for tests and for the simulator).
impl<L: crate::line::LineInterface> LineInterface for Blocking<L> {
    fn capabilities(&self) -> LineCapabilities {
        self.0.capabilities()
    }
    async fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error> {
        self.0.set_feed(feed)
    }
    fn feed(&self) -> LineFeed {
        self.0.feed()
    }
    async fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error> {
        self.0.configure(config)
    }
    async fn hook(&mut self) -> Result<HookState, Self::Error> {
        self.0.hook()
    }
    async fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error> {
        self.0.read_frame(frame)
    }
    async fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error> {
        self.0.write_frame(frame)
    }
    async fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        self.0.set_polarity(polarity, mode)
    }
}

/// Wraps a blocking line so async code can use it.
#[derive(Debug)]
pub struct Blocking<L>(pub L);

impl<L: crate::line::LineInterface> ErrorType for Blocking<L> {
    type Error = L::Error;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::future::Future;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};

    /// Polls a future that never waits (no runtime needed).
    fn ready<F: Future>(f: F) -> F::Output {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the simulated line never waits"),
        }
    }

    async fn ring_then_reverse<L: LineInterface>(line: &mut L) -> Result<LineFeed, L::Error> {
        line.set_ringing(true).await?;
        line.set_polarity(Polarity::Reverse, ReversalMode::Abrupt).await?;
        Ok(line.feed())
    }

    #[test]
    fn async_twin_drives_a_blocking_line_through_the_same_types() {
        let mut line = Blocking(crate::sim::SimLine::new());
        let Ok(feed) = ready(ring_then_reverse(&mut line));
        assert_eq!(feed, LineFeed::RingingReverse);
        let mut by_ref = &mut line;
        let Ok(edge) = ready(<&mut Blocking<_> as LineInterface>::wait_hook_edge(&mut by_ref));
        assert_eq!(edge.state, HookState::OnHook);
        let Ok(()) = ready(line.configure(&LineConfig::default()));
        let mut frame = [1i16; 80];
        let Ok(()) = ready(line.read_frame(&mut frame));
        assert_eq!(frame, [0; 80]);
        assert!(!line.capabilities().is_wideband());
    }
}

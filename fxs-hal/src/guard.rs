//! [`Guarded`]: middleware that refuses impossible settings before they
//! reach a driver.

use core::fmt;

use crate::config::{ConfigError, LineConfig, ReversalMode};
use crate::line::{
    Error, ErrorType, HookEdge, HookState, LineCapabilities, LineErrorKind, LineFeed, LineInterface, Polarity,
};

/// The error of a [`Guarded`] line: a refused request, or the driver's own
/// error.
#[derive(Clone, Debug, PartialEq)]
pub enum GuardedError<E> {
    /// The request was refused before reaching the driver.
    Refused(ConfigError),
    /// The driver failed.
    Driver(E),
}

impl<E: fmt::Debug> fmt::Display for GuardedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardedError::Refused(e) => write!(f, "refused: {e}"),
            GuardedError::Driver(e) => write!(f, "line driver error: {e:?}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for GuardedError<E> {}

impl<E: Error> Error for GuardedError<E> {
    fn kind(&self) -> LineErrorKind {
        match self {
            GuardedError::Refused(_) => LineErrorKind::InvalidSetting,
            GuardedError::Driver(e) => e.kind(),
        }
    }
}

/// Wraps a line and refuses, with a typed [`ConfigError`], what no line
/// should be asked to do:
///
/// - power ringing while the loop is closed
///   ([`ConfigError::RingingWhileOffHook`]): the phone is off hook, the
///   ring would trip at once and ring into the listener's ear;
/// - a configuration that fails [`LineConfig::validate`].
///
/// Everything else passes through unchanged.
///
/// ```
/// use fxs_hal::{ConfigError, Guarded, GuardedError, LineFeed, LineInterface, LineBank};
/// use fxs_hal::sim::SimSlic;
/// use std::time::{Duration, Instant};
///
/// let t0 = Instant::now();
/// let mut slic = SimSlic::new(1, t0);
/// slic.line(0).unwrap().set_feed(LineFeed::IDLE).unwrap();
/// slic.phone_mut(0).lift();
/// slic.tick(t0 + Duration::from_millis(10));
/// let mut line = Guarded::new(slic.line(0).unwrap());
/// assert_eq!(
///     line.set_feed(LineFeed::Ringing),
///     Err(GuardedError::Refused(ConfigError::RingingWhileOffHook))
/// );
/// ```
#[derive(Debug)]
pub struct Guarded<L> {
    inner: L,
}

impl<L: LineInterface> Guarded<L> {
    /// Guard `inner`.
    pub fn new(inner: L) -> Guarded<L> {
        Guarded { inner }
    }

    /// The wrapped line.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// The wrapped line, mutably.
    pub fn inner_mut(&mut self) -> &mut L {
        &mut self.inner
    }

    /// Unwrap.
    pub fn into_inner(self) -> L {
        self.inner
    }
}

impl<L: LineInterface> ErrorType for Guarded<L> {
    type Error = GuardedError<L::Error>;
}

impl<L: LineInterface> LineInterface for Guarded<L> {
    fn capabilities(&self) -> LineCapabilities {
        self.inner.capabilities()
    }

    fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error> {
        if feed.is_ringing() && !self.inner.feed().is_ringing() {
            let hook = self.inner.hook().map_err(GuardedError::Driver)?;
            if hook == HookState::OffHook {
                return Err(GuardedError::Refused(ConfigError::RingingWhileOffHook));
            }
        }
        self.inner.set_feed(feed).map_err(GuardedError::Driver)
    }

    fn feed(&self) -> LineFeed {
        self.inner.feed()
    }

    fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error> {
        config.validate().map_err(GuardedError::Refused)?;
        self.inner.configure(config).map_err(GuardedError::Driver)
    }

    fn hook(&mut self) -> Result<HookState, Self::Error> {
        self.inner.hook().map_err(GuardedError::Driver)
    }

    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error> {
        self.inner.read_frame(frame).map_err(GuardedError::Driver)
    }

    fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error> {
        self.inner.write_frame(frame).map_err(GuardedError::Driver)
    }

    fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        self.inner
            .set_polarity(polarity, mode)
            .map_err(GuardedError::Driver)
    }

    fn poll_hook_edge(&mut self) -> Result<Option<HookEdge>, Self::Error> {
        self.inner.poll_hook_edge().map_err(GuardedError::Driver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimLine;

    #[test]
    fn ringing_an_on_hook_line_passes_and_an_off_hook_line_is_refused() {
        let mut line = Guarded::new(SimLine::new());
        line.set_feed(LineFeed::IDLE).unwrap();
        line.set_ringing(true).unwrap();
        assert_eq!(line.feed(), LineFeed::Ringing);
        line.set_ringing(false).unwrap();
        line.inner_mut().set_loop_closed(true);
        let err = line.set_feed(LineFeed::RingingReverse).unwrap_err();
        assert_eq!(err, GuardedError::Refused(ConfigError::RingingWhileOffHook));
        assert_eq!(err.kind(), LineErrorKind::InvalidSetting);
        assert_eq!(line.feed(), LineFeed::IDLE, "the driver never saw the request");
    }

    #[test]
    fn invalid_configuration_is_refused_with_the_field_named() {
        let mut line = Guarded::new(SimLine::new());
        let mut config = LineConfig::default();
        config.dc_feed.loop_current_ma = 80.0;
        let err = line.configure(&config).unwrap_err();
        assert!(err.to_string().contains("dc_feed.loop_current_ma"), "{err}");
        line.configure(&LineConfig::for_country("GB").unwrap()).unwrap();
        assert_eq!(line.inner().config().impedance, crate::Impedance::Z320_1050_230n);
    }
}

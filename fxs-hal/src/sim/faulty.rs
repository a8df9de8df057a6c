//! [`FaultyLine`]: middleware that makes any line fail on demand, and
//! [`FaultySlic`], a [`SimSlic`](super::SimSlic) whose ports can fail.

use core::fmt;
use core::ops::{Deref, DerefMut};

use super::{SimLine, SimSlic};
use crate::bank::LineBank;
use crate::config::{LineConfig, ReversalMode};
use crate::line::{
    Error, ErrorType, HookEdge, HookState, LineCapabilities, LineErrorKind, LineFeed, LineInterface, Polarity,
};

/// The error of a [`FaultyLine`]: an injected fault or the wrapped line's
/// own error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultyError<E> {
    /// A fault injected with [`FaultyLine::fail_next`] or
    /// [`FaultyLine::fail`].
    Injected {
        /// The kind reported.
        kind: LineErrorKind,
        /// The method that failed (`"hook"`, `"read_frame"`, ...).
        operation: &'static str,
    },
    /// The wrapped line failed.
    Inner(E),
}

impl<E: fmt::Debug> fmt::Display for FaultyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultyError::Injected { kind, operation } => write!(f, "injected fault in {operation}: {kind}"),
            FaultyError::Inner(e) => write!(f, "line driver error: {e:?}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for FaultyError<E> {}

impl<E: Error> Error for FaultyError<E> {
    fn kind(&self) -> LineErrorKind {
        match self {
            FaultyError::Injected { kind, .. } => *kind,
            FaultyError::Inner(e) => e.kind(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Injection {
    kind: LineErrorKind,
    persistent: bool,
}

/// Wraps a line and makes its hardware calls fail on demand (smoltcp's
/// `FaultInjector` idea): a port whose driver dies (device gone, SPI
/// fault, thermal shutdown) for testing the engine's out-of-service path.
///
/// A fault of a kind that [`is_line_fault`](LineErrorKind::is_line_fault)
/// first opens the wrapped line, as a real driver must.
///
/// ```
/// use fxs_hal::sim::{FaultyLine, SimLine};
/// use fxs_hal::{Error, LineErrorKind, LineFeed, LineInterface};
///
/// let mut line = FaultyLine::new(SimLine::new());
/// line.set_feed(LineFeed::IDLE).unwrap();
/// line.fail_next(LineErrorKind::Bus);
/// assert_eq!(line.hook().unwrap_err().kind(), LineErrorKind::Bus);
/// assert!(line.hook().is_ok(), "a one-shot fault clears itself");
/// line.fail(LineErrorKind::DeviceGone);
/// assert!(line.write_frame(&[0; 80]).is_err());
/// line.recover();
/// assert!(line.write_frame(&[0; 80]).is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct FaultyLine<L> {
    inner: L,
    injection: Option<Injection>,
    faults_reported: u64,
}

impl<L: LineInterface> FaultyLine<L> {
    /// A wrapper that passes everything through until told to fail.
    pub fn new(inner: L) -> FaultyLine<L> {
        FaultyLine {
            inner,
            injection: None,
            faults_reported: 0,
        }
    }

    /// The next hardware call fails with `kind`, then the line works again.
    pub fn fail_next(&mut self, kind: LineErrorKind) {
        self.injection = Some(Injection {
            kind,
            persistent: false,
        });
    }

    /// Every hardware call fails with `kind` until [`recover`](Self::recover).
    pub fn fail(&mut self, kind: LineErrorKind) {
        self.injection = Some(Injection {
            kind,
            persistent: true,
        });
    }

    /// Stop failing.
    pub fn recover(&mut self) {
        self.injection = None;
    }

    /// `true` while a fault is armed.
    #[must_use]
    pub fn is_failing(&self) -> bool {
        self.injection.is_some()
    }

    /// Errors injected so far.
    #[must_use]
    pub fn faults_reported(&self) -> u64 {
        self.faults_reported
    }

    /// The wrapped line.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// The wrapped line, mutably (bypasses the fault).
    pub fn inner_mut(&mut self) -> &mut L {
        &mut self.inner
    }

    /// Unwrap.
    pub fn into_inner(self) -> L {
        self.inner
    }

    fn check(&mut self, operation: &'static str) -> Result<(), FaultyError<L::Error>> {
        let Some(inj) = self.injection else {
            return Ok(());
        };
        if !inj.persistent {
            self.injection = None;
        }
        if inj.kind.is_line_fault() {
            let _ = self.inner.set_feed(LineFeed::Open);
        }
        self.faults_reported += 1;
        Err(FaultyError::Injected {
            kind: inj.kind,
            operation,
        })
    }
}

impl<L: LineInterface> ErrorType for FaultyLine<L> {
    type Error = FaultyError<L::Error>;
}

impl<L: LineInterface> LineInterface for FaultyLine<L> {
    fn capabilities(&self) -> LineCapabilities {
        self.inner.capabilities()
    }

    fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error> {
        self.check("set_feed")?;
        self.inner.set_feed(feed).map_err(FaultyError::Inner)
    }

    fn feed(&self) -> LineFeed {
        self.inner.feed()
    }

    fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error> {
        self.check("configure")?;
        self.inner.configure(config).map_err(FaultyError::Inner)
    }

    fn hook(&mut self) -> Result<HookState, Self::Error> {
        self.check("hook")?;
        self.inner.hook().map_err(FaultyError::Inner)
    }

    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error> {
        self.check("read_frame")?;
        self.inner.read_frame(frame).map_err(FaultyError::Inner)
    }

    fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error> {
        self.check("write_frame")?;
        self.inner.write_frame(frame).map_err(FaultyError::Inner)
    }

    fn set_ringing(&mut self, on: bool) -> Result<(), Self::Error> {
        self.check("set_ringing")?;
        self.inner.set_ringing(on).map_err(FaultyError::Inner)
    }

    fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        self.check("set_polarity")?;
        self.inner
            .set_polarity(polarity, mode)
            .map_err(FaultyError::Inner)
    }

    fn poll_hook_edge(&mut self) -> Result<Option<HookEdge>, Self::Error> {
        self.check("poll_hook_edge")?;
        self.inner.poll_hook_edge().map_err(FaultyError::Inner)
    }
}

/// A [`SimSlic`] seen as a bank of [`FaultyLine`]s: the same ports and
/// phones, but each port can be made to fail
/// ([`SimSlic::faulty_line_mut`]). It dereferences to the [`SimSlic`] for
/// ticks and phones.
#[derive(Debug)]
pub struct FaultySlic(pub SimSlic);

impl Deref for FaultySlic {
    type Target = SimSlic;
    fn deref(&self) -> &SimSlic {
        &self.0
    }
}

impl DerefMut for FaultySlic {
    fn deref_mut(&mut self) -> &mut SimSlic {
        &mut self.0
    }
}

impl LineBank for FaultySlic {
    type Line = FaultyLine<SimLine>;

    fn port_count(&self) -> usize {
        self.0.port_count()
    }

    fn line(&mut self, index: usize) -> Option<&mut FaultyLine<SimLine>> {
        self.0.faulty_line_mut(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn line_faults_open_the_line_before_reporting() {
        let mut line = FaultyLine::new(SimLine::new());
        line.set_feed(LineFeed::IDLE).unwrap();
        line.fail_next(LineErrorKind::ThermalShutdown);
        let err = line.read_frame(&mut [0; 80]).unwrap_err();
        assert_eq!(
            err,
            FaultyError::Injected {
                kind: LineErrorKind::ThermalShutdown,
                operation: "read_frame"
            }
        );
        assert_eq!(line.feed(), LineFeed::Open);
        assert_eq!(line.faults_reported(), 1);
        assert!(err.to_string().contains("read_frame"));
    }

    #[test]
    fn faulty_slic_fails_one_port_and_keeps_the_others() {
        let t0 = Instant::now();
        let mut slic = FaultySlic(SimSlic::new(2, t0));
        slic.faulty_line_mut(1).unwrap().fail(LineErrorKind::DeviceGone);
        slic.tick(t0);
        assert!(slic.line(0).unwrap().hook().is_ok());
        assert_eq!(
            slic.line(1).unwrap().hook().unwrap_err().kind(),
            LineErrorKind::DeviceGone
        );
        assert_eq!(slic.port_count(), 2);
        assert!(slic.line(2).is_none());
        slic.faulty_line_mut(1).unwrap().recover();
        assert!(slic.line(1).unwrap().hook().is_ok());
    }
}

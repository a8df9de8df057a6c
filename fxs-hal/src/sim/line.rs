//! [`SimLine`]: the SLIC side of one simulated port.

use core::convert::Infallible;

use fxs_tones::FRAME_SAMPLES;

use crate::line::{ErrorType, HookState, LineCapabilities, LineFeed, LineInterface};

/// One simulated FXS port as the gateway sees it: the SLIC end of a loop
/// with a [`SimPhone`](super::SimPhone) at the other end.
///
/// It stores the feed state, the phone's loop closure, the last downlink
/// frame the gateway wrote and the phone's current uplink frame. The
/// electrical model is the simple one of line-electrical.md §1-§2:
///
/// - Loop current flows only when the phone is off hook and the feed supplies
///   battery ([`LineFeed::detects_loop`]); in [`LineFeed::Open`],
///   [`hook`](LineInterface::hook) reads on hook whatever the phone does. A
///   new line starts open, like a SLIC after reset; the engine puts it into
///   [`LineFeed::IDLE`].
/// - Off hook during [`LineFeed::Ringing`] reads off hook (the ring trip);
///   the feed stays ringing until the gateway changes it.
/// - Audio flows in both directions only with loop current and a feed whose
///   voice path is open ([`LineFeed::carries_audio`]). Otherwise
///   [`read_frame`](LineInterface::read_frame) yields silence and the phone
///   hears silence.
/// - A downlink frame is heard once, at the next [`SimSlic::tick`](super::SimSlic::tick);
///   a tick with no frame written plays silence (an underrun).
///
/// Frames of the wrong length are not an error here (the error type is
/// [`Infallible`]): `read_frame` fills the first 80 samples and zeroes the
/// rest, `write_frame` keeps the first 80 samples and pads with silence.
#[derive(Clone, Debug)]
pub struct SimLine {
    feed: LineFeed,
    /// The phone's hook switch, as last applied by the phone's tick.
    loop_closed: bool,
    /// The phone's mouth for the current tick.
    uplink: [i16; FRAME_SAMPLES],
    /// The last frame the gateway wrote.
    downlink: [i16; FRAME_SAMPLES],
    /// `downlink` was written since the phone last heard it.
    downlink_fresh: bool,
    frames_read: u64,
    frames_written: u64,
}

impl SimLine {
    /// An open line with the phone on hook and no audio.
    #[must_use]
    pub fn new() -> SimLine {
        SimLine {
            feed: LineFeed::Open,
            loop_closed: false,
            uplink: [0; FRAME_SAMPLES],
            downlink: [0; FRAME_SAMPLES],
            downlink_fresh: false,
            frames_read: 0,
            frames_written: 0,
        }
    }

    /// `true` when the phone is off hook and the feed supplies DC, so loop
    /// current flows.
    #[must_use]
    pub fn has_loop_current(&self) -> bool {
        self.loop_closed && self.feed.detects_loop()
    }

    /// `true` when audio passes between the PCM side and the phone: loop
    /// current and an open voice path.
    #[must_use]
    pub fn carries_audio(&self) -> bool {
        self.has_loop_current() && self.feed.carries_audio()
    }

    /// The last downlink frame the gateway wrote (zeros before the first).
    #[must_use]
    pub fn downlink(&self) -> &[i16; FRAME_SAMPLES] {
        &self.downlink
    }

    /// How many times the gateway called `read_frame`.
    #[must_use]
    pub fn frames_read(&self) -> u64 {
        self.frames_read
    }

    /// How many times the gateway called `write_frame`.
    #[must_use]
    pub fn frames_written(&self) -> u64 {
        self.frames_written
    }

    /// Phone side: set the hook switch as the line sees it.
    pub(crate) fn set_loop_closed(&mut self, closed: bool) {
        self.loop_closed = closed;
    }

    /// Phone side: what the phone's ear receives this tick (the last frame
    /// written, if the voice path is up and a frame was written since the
    /// previous tick; else silence). Consumes the downlink frame.
    pub(crate) fn take_heard(&mut self, out: &mut [i16; FRAME_SAMPLES]) {
        if self.downlink_fresh && self.carries_audio() {
            *out = self.downlink;
        } else {
            out.fill(0);
        }
        self.downlink_fresh = false;
    }

    /// Phone side: the phone's mouth audio for this tick.
    pub(crate) fn uplink_mut(&mut self) -> &mut [i16; FRAME_SAMPLES] {
        &mut self.uplink
    }
}

impl Default for SimLine {
    fn default() -> SimLine {
        SimLine::new()
    }
}

impl ErrorType for SimLine {
    type Error = Infallible;
}

impl LineInterface for SimLine {
    fn capabilities(&self) -> LineCapabilities {
        LineCapabilities::narrowband()
    }

    fn set_feed(&mut self, feed: LineFeed) -> Result<(), Infallible> {
        self.feed = feed;
        Ok(())
    }

    fn feed(&self) -> LineFeed {
        self.feed
    }

    fn hook(&mut self) -> Result<HookState, Infallible> {
        Ok(if self.has_loop_current() {
            HookState::OffHook
        } else {
            HookState::OnHook
        })
    }

    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Infallible> {
        self.frames_read += 1;
        let n = frame.len().min(FRAME_SAMPLES);
        let (head, tail) = frame.split_at_mut(n);
        if self.carries_audio() {
            head.copy_from_slice(&self.uplink[..n]);
        } else {
            head.fill(0);
        }
        tail.fill(0);
        Ok(())
    }

    fn write_frame(&mut self, frame: &[i16]) -> Result<(), Infallible> {
        self.frames_written += 1;
        let n = frame.len().min(FRAME_SAMPLES);
        let (head, tail) = self.downlink.split_at_mut(n);
        head.copy_from_slice(&frame[..n]);
        tail.fill(0);
        self.downlink_fresh = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::Polarity;

    fn read(line: &mut SimLine) -> [i16; FRAME_SAMPLES] {
        let mut frame = [1i16; FRAME_SAMPLES];
        let Ok(()) = line.read_frame(&mut frame);
        frame
    }

    #[test]
    fn new_line_is_open_and_reads_on_hook_even_when_the_loop_is_closed() {
        let mut line = SimLine::new();
        assert_eq!(line.feed(), LineFeed::Open);
        line.set_loop_closed(true);
        assert_eq!(line.hook(), Ok(HookState::OnHook));
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        assert_eq!(line.hook(), Ok(HookState::OffHook));
    }

    #[test]
    fn closed_loop_during_ringing_reads_off_hook_as_ring_trip() {
        let mut line = SimLine::new();
        let Ok(()) = line.set_ringing(true);
        line.set_loop_closed(true);
        assert_eq!(line.hook(), Ok(HookState::OffHook));
        assert_eq!(line.feed(), LineFeed::Ringing);
        assert!(!line.carries_audio());
    }

    #[test]
    fn uplink_flows_only_with_loop_current_and_a_voice_path() {
        let mut line = SimLine::new();
        line.uplink_mut().fill(1234);
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        assert_eq!(read(&mut line), [0; FRAME_SAMPLES], "on hook: silence");
        line.set_loop_closed(true);
        assert_eq!(read(&mut line), [1234; FRAME_SAMPLES]);
        let Ok(()) = line.set_feed(LineFeed::Standby);
        assert_eq!(read(&mut line), [0; FRAME_SAMPLES], "standby has no audio");
        let Ok(()) = line.set_feed(LineFeed::OnHookTransmission(Polarity::Reverse));
        assert_eq!(read(&mut line), [1234; FRAME_SAMPLES]);
        assert_eq!(line.frames_read(), 4);
    }

    #[test]
    fn downlink_is_heard_once_and_only_when_the_voice_path_is_up() {
        let mut line = SimLine::new();
        let mut heard = [0i16; FRAME_SAMPLES];
        let Ok(()) = line.write_frame(&[500; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        assert_eq!(heard, [0; FRAME_SAMPLES], "open line: nothing heard");

        let Ok(()) = line.set_feed(LineFeed::IDLE);
        line.set_loop_closed(true);
        let Ok(()) = line.write_frame(&[500; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        assert_eq!(heard, [500; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        assert_eq!(heard, [0; FRAME_SAMPLES], "no new frame: underrun is silence");
        assert_eq!(line.downlink(), &[500; FRAME_SAMPLES]);
        assert_eq!(line.frames_written(), 2);
    }

    #[test]
    fn frames_of_the_wrong_length_are_truncated_or_padded() {
        let mut line = SimLine::new();
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        line.set_loop_closed(true);
        line.uplink_mut().fill(9);
        let mut long = [1i16; 100];
        let Ok(()) = line.read_frame(&mut long);
        assert!(long[..80].iter().all(|&s| s == 9));
        assert!(long[80..].iter().all(|&s| s == 0));
        let Ok(()) = line.write_frame(&[3; 10]);
        assert!(line.downlink()[..10].iter().all(|&s| s == 3));
        assert!(line.downlink()[10..].iter().all(|&s| s == 0));
    }
}

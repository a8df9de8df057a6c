//! One FXS port: its call state machine and its per-frame audio work.

use std::net::SocketAddr;
use std::time::Instant;

use fxs_hal::{
    Error as _, HookDebouncer, HookEvent, HookState, LineErrorKind, LineFeed, LineInterface, Polarity,
};
use fxs_media::{Codec, MediaConfig, MediaStream};
use fxs_sip::sdp::{AudioCodecPref, AudioOffer, Direction, NegotiatedAudio, SessionDescription};
use fxs_sip::{CallId, RegistrationId};
use fxs_tones::{
    Digit, DtmfDetector, DtmfEvent, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, ToneKind, TonePlan,
};
use rand::Rng;

use crate::config::{DialingConfig, PortConfig};
use crate::dialplan::{DEFAULT_DIAL_PLAN, Decision, DialPlan};
use crate::event::{CallDirection, CallEndReason, CallRecord, EventKind, PortCounters, PortId};
use crate::gateway::Ctx;

/// Hook debounce before a hook change is believed (line-electrical.md §2).
const HOOK_DEBOUNCE: core::time::Duration = core::time::Duration::from_millis(20);
/// Fixed playout delay of the (skeleton) jitter buffer.
const JITTER_BUFFER_MS: u32 = 60;
/// RTP payload type we offer for RFC 4733 telephone-events.
pub(crate) const TELEPHONE_EVENT_PT: u8 = 101;

/// The call state of a port: what the port waits for, with only the data that
/// state needs.
#[derive(Debug)]
pub(crate) enum CallState {
    /// On hook, nothing going on.
    Idle,
    /// Off hook with dial tone, waiting for the first digit.
    DialTone { since: Instant },
    /// Collecting digits; dial tone is off. `pending` is a number the dial
    /// plan matched, dispatched at its instant unless another digit comes.
    Collecting {
        digits: Vec<Digit>,
        last_digit: Instant,
        pending: Option<(String, Instant)>,
    },
    /// INVITE sent, no provisional response yet.
    Calling { call: CallId, offer: AudioOffer },
    /// The far end alerts; local ringback plays.
    Ringback { call: CallId, offer: AudioOffer },
    /// An incoming call rings the line.
    Ringing {
        call: CallId,
        offer: Option<Box<SessionDescription>>,
        ring: RingCadence,
    },
    /// Answered; media flows.
    Connected { call: CallId, media: Box<ActiveMedia> },
    /// Answered by us without an SDP offer in the INVITE: our offer went in the
    /// 200 and the answer comes with the ACK.
    AwaitingAck { call: CallId, offer: AudioOffer },
    /// The call failed or the far end left: a tone plays until the phone hangs up.
    Disconnected,
    /// The line driver failed; the port is out of service.
    OutOfService,
}

impl CallState {
    /// The SIP call this state belongs to, if any.
    pub(crate) fn call(&self) -> Option<CallId> {
        match self {
            CallState::Calling { call, .. }
            | CallState::Ringback { call, .. }
            | CallState::Ringing { call, .. }
            | CallState::Connected { call, .. }
            | CallState::AwaitingAck { call, .. } => Some(*call),
            _ => None,
        }
    }

    /// A short name, for status displays and logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            CallState::Idle => "idle",
            CallState::DialTone { .. } => "dial_tone",
            CallState::Collecting { .. } => "collecting",
            CallState::Calling { .. } => "calling",
            CallState::Ringback { .. } => "ringback",
            CallState::Ringing { .. } => "ringing",
            CallState::Connected { .. } => "connected",
            CallState::AwaitingAck { .. } => "awaiting_ack",
            CallState::Disconnected => "disconnected",
            CallState::OutOfService => "out_of_service",
        }
    }
}

/// A line driver call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineFault {
    /// The `LineInterface` method that failed.
    pub(crate) operation: &'static str,
    /// The driver's classification of the failure.
    pub(crate) kind: LineErrorKind,
}

/// The media of a connected call.
#[derive(Debug)]
pub(crate) struct ActiveMedia {
    stream: MediaStream,
    remote: SocketAddr,
}

/// Software ring cadence: walks the plan's on/off pattern and switches the
/// line feed between ringing and active.
#[derive(Debug)]
pub(crate) struct RingCadence {
    pattern: &'static [u32],
    step: usize,
    step_started: Instant,
}

impl RingCadence {
    fn new(pattern: &'static [u32], now: Instant) -> RingCadence {
        RingCadence {
            pattern,
            step: 0,
            step_started: now,
        }
    }

    /// Advance to `now` and return whether the ringer should be on.
    fn ringing_at(&mut self, now: Instant) -> bool {
        if self.pattern.is_empty() {
            return true;
        }
        loop {
            let len = core::time::Duration::from_millis(u64::from(self.pattern[self.step]));
            if len.is_zero() || now.saturating_duration_since(self.step_started) < len {
                break;
            }
            self.step_started += len;
            self.step = (self.step + 1) % self.pattern.len();
        }
        self.step % 2 == 0
    }
}

/// One FXS port.
pub(crate) struct Port {
    pub(crate) id: PortId,
    pub(crate) config: PortConfig,
    pub(crate) registration: Option<RegistrationId>,
    pub(crate) registered: bool,
    plan: &'static TonePlan,
    dial_plan: DialPlan,
    debouncer: HookDebouncer,
    dtmf: DtmfDetector,
    tone: Option<ToneGenerator>,
    pub(crate) state: CallState,
    /// The record of the call in progress.
    record: Option<CallRecord>,
    pub(crate) counters: PortCounters,
    up: [i16; FRAME_SAMPLES],
    down: [i16; FRAME_SAMPLES],
}

impl Port {
    pub(crate) fn new(id: PortId, config: PortConfig, dialing: &DialingConfig) -> Result<Port, crate::Error> {
        let emergency: Vec<&str> = dialing.emergency_numbers.iter().map(String::as_str).collect();
        let dial_plan = DialPlan::parse(
            config.dial_plan.as_deref().unwrap_or(DEFAULT_DIAL_PLAN),
            &emergency,
            dialing.inter_digit_timeout(),
        )
        .map_err(|e| crate::Error::InvalidConfig {
            field: format!("ports[{}].dial_plan", id.index()),
            problem: e.to_string(),
        })?;
        let plan = TonePlan::for_country(&config.country).map_err(|e| crate::Error::InvalidConfig {
            field: format!("ports[{}].country", id.index()),
            problem: e.to_string(),
        })?;
        Ok(Port {
            id,
            config,
            registration: None,
            registered: false,
            plan,
            dial_plan,
            debouncer: HookDebouncer::new(HOOK_DEBOUNCE),
            dtmf: DtmfDetector::new(SAMPLE_RATE).map_err(crate::Error::Tones)?,
            tone: None,
            state: CallState::Idle,
            record: None,
            counters: PortCounters::default(),
            up: [0; FRAME_SAMPLES],
            down: [0; FRAME_SAMPLES],
        })
    }

    pub(crate) fn is_off_hook(&self) -> bool {
        self.debouncer.state() == HookState::OffHook
    }

    fn play(&mut self, kind: ToneKind) {
        // Plan tones are validated constants, so construction cannot fail;
        // if it ever did, the port stays silent rather than panicking.
        self.tone = ToneGenerator::new(SAMPLE_RATE, self.plan.tone(kind)).ok();
    }

    fn silence(&mut self) {
        self.tone = None;
    }

    /// The audio offer this port makes or answers with.
    pub(crate) fn audio_offer(&self) -> AudioOffer {
        let codec = |c: Codec| AudioCodecPref {
            name: c.sdp_name().to_owned(),
            payload_type: c.static_payload_type().unwrap_or(0),
            clock_rate: c.clock_rate(),
        };
        AudioOffer {
            address: self.config.rtp_addr.ip(),
            port: self.config.rtp_addr.port(),
            codecs: vec![codec(Codec::Pcmu), codec(Codec::Pcma)],
            telephone_event: Some(TELEPHONE_EVENT_PT),
            ptime: 20,
            direction: Direction::SendRecv,
        }
    }

    fn start_record(&mut self, ctx: &Ctx<'_>, direction: CallDirection, remote: String) {
        match direction {
            CallDirection::Outgoing => self.counters.calls_out += 1,
            CallDirection::Incoming => self.counters.calls_in += 1,
        }
        self.record = Some(CallRecord {
            direction,
            remote,
            start: ctx.now,
            answer: None,
            end: ctx.now,
            reason: CallEndReason::LocalHangup,
            codec: None,
            media: None,
        });
    }

    fn end_call(&mut self, ctx: &mut Ctx<'_>, reason: CallEndReason) {
        ctx.event(self.id, EventKind::CallEnded { reason });
        if let Some(mut record) = self.record.take() {
            record.end = ctx.now;
            record.reason = reason;
            record.media = self.media_stats();
            if record.answer.is_none() {
                self.counters.unanswered += 1;
            }
            ctx.event(self.id, EventKind::CallRecord(Box::new(record)));
        }
    }

    fn go_idle(&mut self) {
        self.silence();
        self.state = CallState::Idle;
    }

    fn disconnect(&mut self, ctx: &mut Ctx<'_>, tone: ToneKind) {
        if !self.is_off_hook() {
            self.go_idle();
            return;
        }
        self.play(tone);
        ctx.event(
            self.id,
            if tone == ToneKind::Busy {
                EventKind::Busy
            } else {
                EventKind::Reorder
            },
        );
        self.state = CallState::Disconnected;
    }

    fn connect(&mut self, ctx: &mut Ctx<'_>, call: CallId, negotiated: &NegotiatedAudio) {
        let Some(codec) = Codec::from_sdp_name(&negotiated.codec.name) else {
            ctx.ua.hangup(ctx.now, call);
            self.end_call(ctx, CallEndReason::Rejected(488));
            self.disconnect(ctx, ToneKind::Reorder);
            return;
        };
        // `..default()` keeps this valid as MediaConfig gains fields.
        #[allow(clippy::needless_update)]
        let config = MediaConfig {
            codec,
            payload_type: negotiated.codec.payload_type,
            ptime_ms: negotiated.ptime.clamp(10, 60) / 10 * 10,
            ssrc: ctx.rng.r#gen(),
            initial_sequence: ctx.rng.r#gen(),
            initial_timestamp: ctx.rng.r#gen(),
            jitter_buffer_ms: JITTER_BUFFER_MS,
            ..MediaConfig::default()
        };
        match MediaStream::new(config) {
            Ok(stream) => {
                self.silence();
                self.counters.answered += 1;
                if let Some(r) = &mut self.record {
                    r.answer = Some(ctx.now);
                    r.codec = Some(codec.sdp_name().to_owned());
                }
                ctx.event(
                    self.id,
                    EventKind::Answered {
                        codec: codec.sdp_name().to_owned(),
                        payload_type: negotiated.codec.payload_type,
                    },
                );
                self.state = CallState::Connected {
                    call,
                    media: Box::new(ActiveMedia {
                        stream,
                        remote: negotiated.remote,
                    }),
                };
            }
            Err(_) => {
                ctx.ua.hangup(ctx.now, call);
                self.end_call(ctx, CallEndReason::Rejected(488));
                self.disconnect(ctx, ToneKind::Reorder);
            }
        }
    }

    // ----- hook -----------------------------------------------------------

    fn on_hook_event(&mut self, ctx: &mut Ctx<'_>, event: HookEvent) {
        match event {
            HookEvent::OffHook => {
                ctx.event(self.id, EventKind::OffHook);
                match core::mem::replace(&mut self.state, CallState::Idle) {
                    CallState::Idle => {
                        // A fresh detector: no half-seen digit from an earlier call.
                        if let Ok(dtmf) = DtmfDetector::new(SAMPLE_RATE) {
                            self.dtmf = dtmf;
                        }
                        self.play(ToneKind::Dial);
                        ctx.event(self.id, EventKind::DialTone);
                        self.state = CallState::DialTone { since: ctx.now };
                    }
                    CallState::Ringing { call, offer, .. } => {
                        self.answer_incoming(ctx, call, offer.map(|o| *o))
                    }
                    other => self.state = other,
                }
            }
            HookEvent::OnHook => {
                ctx.event(self.id, EventKind::OnHook);
                if let Some(call) = self.state.call() {
                    ctx.ua.hangup(ctx.now, call);
                    let reason = match self.state {
                        CallState::Calling { .. } | CallState::Ringback { .. } => CallEndReason::Cancelled,
                        _ => CallEndReason::LocalHangup,
                    };
                    self.end_call(ctx, reason);
                }
                if !matches!(self.state, CallState::OutOfService) {
                    self.go_idle();
                }
            }
        }
    }

    fn answer_incoming(&mut self, ctx: &mut Ctx<'_>, call: CallId, offer: Option<SessionDescription>) {
        let local = self.audio_offer();
        match offer {
            Some(offer) => match fxs_sip::sdp::answer_audio(&offer, &local) {
                Ok((answer, negotiated)) => {
                    ctx.ua.answer(ctx.now, call, answer);
                    self.connect(ctx, call, &negotiated);
                }
                Err(_) => {
                    ctx.ua
                        .reject(ctx.now, call, fxs_sip::StatusCode::NOT_ACCEPTABLE_HERE);
                    self.end_call(ctx, CallEndReason::Rejected(488));
                    self.disconnect(ctx, ToneKind::Reorder);
                }
            },
            None => {
                let sdp = local.to_sdp(ctx.rng.r#gen::<u32>().into(), 1);
                ctx.ua.answer(ctx.now, call, sdp);
                self.silence();
                self.state = CallState::AwaitingAck { call, offer: local };
            }
        }
    }

    // ----- SIP -------------------------------------------------------------

    /// An incoming call addressed to this port.
    pub(crate) fn incoming_call(
        &mut self,
        ctx: &mut Ctx<'_>,
        call: CallId,
        from: String,
        offer: Option<SessionDescription>,
    ) {
        if !matches!(self.state, CallState::Idle) || self.is_off_hook() {
            ctx.ua.reject(ctx.now, call, fxs_sip::StatusCode::BUSY_HERE);
            self.counters.refused_busy += 1;
            ctx.event(self.id, EventKind::IncomingRefused { status: 486 });
            return;
        }
        self.start_record(ctx, CallDirection::Incoming, from.clone());
        ctx.ua.ringing(ctx.now, call);
        ctx.event(self.id, EventKind::IncomingCall { from });
        self.state = CallState::Ringing {
            call,
            offer: offer.map(Box::new),
            ring: RingCadence::new(self.plan.ring_cadence_ms, ctx.now),
        };
    }

    pub(crate) fn progress(&mut self, ctx: &mut Ctx<'_>, call: CallId) {
        if let CallState::Calling { call: c, .. } = &self.state {
            if *c == call {
                if let CallState::Calling { call, offer } =
                    core::mem::replace(&mut self.state, CallState::Idle)
                {
                    self.play(ToneKind::Ringback);
                    ctx.event(self.id, EventKind::Ringback);
                    self.state = CallState::Ringback { call, offer };
                }
            }
        }
    }

    pub(crate) fn answered(&mut self, ctx: &mut Ctx<'_>, call: CallId, sdp: Option<SessionDescription>) {
        let offer = match &self.state {
            CallState::Calling { call: c, offer } | CallState::Ringback { call: c, offer } if *c == call => {
                offer.clone()
            }
            CallState::AwaitingAck { call: c, offer } if *c == call => offer.clone(),
            _ => return, // answered incoming calls are connected when answered
        };
        let negotiated = sdp
            .as_ref()
            .ok_or(())
            .and_then(|answer| fxs_sip::sdp::accept_answer(answer, &offer).map_err(|_| ()));
        match negotiated {
            Ok(n) => self.connect(ctx, call, &n),
            Err(()) => {
                ctx.ua.hangup(ctx.now, call);
                self.end_call(ctx, CallEndReason::Rejected(488));
                self.disconnect(ctx, ToneKind::Reorder);
            }
        }
    }

    pub(crate) fn ended(&mut self, ctx: &mut Ctx<'_>, call: CallId, reason: fxs_sip::EndReason) {
        if self.state.call() != Some(call) {
            return;
        }
        let reason = match reason {
            fxs_sip::EndReason::LocalHangup => CallEndReason::LocalHangup,
            fxs_sip::EndReason::RemoteHangup => CallEndReason::RemoteHangup,
            fxs_sip::EndReason::Cancelled => CallEndReason::Cancelled,
            fxs_sip::EndReason::Rejected(s) => CallEndReason::Rejected(s.0),
            fxs_sip::EndReason::Timeout => CallEndReason::Timeout,
            fxs_sip::EndReason::TransportError => CallEndReason::TransportError,
        };
        self.end_call(ctx, reason);
        match self.state {
            // The next frame puts the line back to the idle feed.
            CallState::Ringing { .. } => self.go_idle(),
            _ => {
                let busy = matches!(reason, CallEndReason::Rejected(486 | 600));
                self.disconnect(ctx, if busy { ToneKind::Busy } else { ToneKind::Reorder });
            }
        }
    }

    // ----- digits ----------------------------------------------------------

    fn on_digit(&mut self, ctx: &mut Ctx<'_>, digit: Digit) {
        let mut digits = match &mut self.state {
            CallState::DialTone { .. } => {
                self.silence();
                Vec::new()
            }
            CallState::Collecting { digits, .. } => core::mem::take(digits),
            _ => return,
        };
        digits.push(digit);
        let decision = self.dial_plan.decide(&digits);
        if digit == Digit::Hash && ctx.dialing.hash_terminates && decision == Decision::Reject {
            // `#` ends the number when no pattern has a use for it.
            digits.pop();
            return match self.dial_plan.finish(&digits) {
                Some(number) => self.dispatch(ctx, number),
                None => self.refuse(ctx, &digits),
            };
        }
        ctx.event(self.id, EventKind::DigitCollected { digit });
        match decision {
            Decision::Dispatch(number) => self.dispatch(ctx, number),
            Decision::DispatchAfter(number, wait) => {
                self.state = CallState::Collecting {
                    digits,
                    last_digit: ctx.now,
                    pending: Some((number, ctx.now + wait)),
                };
            }
            Decision::Wait => {
                self.state = CallState::Collecting {
                    digits,
                    last_digit: ctx.now,
                    pending: None,
                };
            }
            Decision::Reject => self.refuse(ctx, &digits),
        }
    }

    /// The digits cannot become a number of the dial plan.
    fn refuse(&mut self, ctx: &mut Ctx<'_>, digits: &[Digit]) {
        self.counters.dial_plan_rejects += 1;
        ctx.event(
            self.id,
            EventKind::DialPlanRejected {
                digits: digits.iter().map(|d| d.as_char()).collect(),
            },
        );
        self.disconnect(ctx, ToneKind::Reorder);
    }

    fn dispatch(&mut self, ctx: &mut Ctx<'_>, number: String) {
        let registration = match self.registration {
            Some(r) if !number.is_empty() => r,
            _ => {
                self.disconnect(ctx, ToneKind::Reorder);
                return;
            }
        };
        ctx.event(
            self.id,
            EventKind::Digits {
                number: number.clone(),
            },
        );
        self.start_record(ctx, CallDirection::Outgoing, number.clone());
        let host = match ctx.domain.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(a)) => fxs_sip::Host::Ipv4(a),
            Ok(std::net::IpAddr::V6(a)) => fxs_sip::Host::Ipv6(a),
            Err(_) => fxs_sip::Host::Domain(ctx.domain.to_owned()),
        };
        let target = fxs_sip::Uri::sip(Some(&number), host, None);
        let offer = self.audio_offer();
        let sdp = offer.to_sdp(ctx.rng.r#gen::<u32>().into(), 1);
        let call = ctx.ua.invite(ctx.now, registration, target, sdp);
        ctx.calls.insert(call, self.id.index());
        self.state = CallState::Calling { call, offer };
    }

    // ----- the frame tick ---------------------------------------------------

    /// Run one 10 ms frame against the line: hook, uplink, timers, downlink.
    pub(crate) fn frame<L: LineInterface>(
        &mut self,
        ctx: &mut Ctx<'_>,
        line: &mut L,
    ) -> Result<(), LineFault> {
        let raw = line.hook().map_err(|e| LineFault {
            operation: "hook",
            kind: e.kind(),
        })?;
        if let Some(event) = self.debouncer.update(ctx.now, raw) {
            self.on_hook_event(ctx, event);
        }

        line.read_frame(&mut self.up).map_err(|e| LineFault {
            operation: "read_frame",
            kind: e.kind(),
        })?;
        if matches!(
            self.state,
            CallState::DialTone { .. } | CallState::Collecting { .. }
        ) {
            self.dtmf.process(&self.up);
            while let Some(event) = self.dtmf.poll_event() {
                if let DtmfEvent::Start { digit, .. } = event {
                    self.on_digit(ctx, digit);
                }
            }
        } else if let CallState::Connected { media, .. } = &mut self.state {
            media.stream.handle_pcm(&self.up);
            let mut buf = Vec::new();
            while media.stream.poll_rtp(&mut buf) {
                ctx.transmit(self.config.rtp_addr, media.remote, core::mem::take(&mut buf));
            }
        }

        // Timers that run on the frame clock.
        let first_digit_expired = matches!(&self.state,
            CallState::DialTone { since } if ctx.now.saturating_duration_since(*since) >= ctx.dialing.first_digit_timeout());
        let collection_ended = match &self.state {
            CallState::Collecting {
                pending: Some((_, at)),
                ..
            } => ctx.now >= *at,
            CallState::Collecting { last_digit, .. } => {
                ctx.now.saturating_duration_since(*last_digit) >= ctx.dialing.inter_digit_timeout()
            }
            _ => false,
        };
        if first_digit_expired {
            self.disconnect(ctx, ToneKind::Reorder);
        } else if collection_ended {
            if let CallState::Collecting { digits, pending, .. } =
                core::mem::replace(&mut self.state, CallState::Idle)
            {
                match pending.map(|(n, _)| n).or_else(|| self.dial_plan.finish(&digits)) {
                    Some(number) => self.dispatch(ctx, number),
                    None => self.refuse(ctx, &digits),
                }
            }
        }

        // Ringing cadence (software cadence; ring trip is the debounced off-hook).
        let off_hook = self.is_off_hook();
        let want_feed = match &mut self.state {
            CallState::Ringing { ring, .. } if !off_hook => {
                if ring.ringing_at(ctx.now) {
                    LineFeed::Ringing
                } else {
                    LineFeed::Active(Polarity::Forward)
                }
            }
            _ => LineFeed::Active(Polarity::Forward),
        };
        if line.feed() != want_feed {
            line.set_feed(want_feed).map_err(|e| LineFault {
                operation: "set_feed",
                kind: e.kind(),
            })?;
        }

        // Downlink.
        match (&mut self.state, &mut self.tone) {
            (CallState::Connected { media, .. }, _) => media.stream.poll_pcm(&mut self.down),
            (_, Some(tone)) => tone.generate(&mut self.down),
            _ => self.down.fill(0),
        }
        line.write_frame(&self.down).map_err(|e| LineFault {
            operation: "write_frame",
            kind: e.kind(),
        })?;
        Ok(())
    }

    /// A datagram arrived on this port's RTP socket.
    pub(crate) fn rtp(&mut self, now: Instant, data: &[u8]) {
        if let CallState::Connected { media, .. } = &mut self.state {
            // A bad packet is dropped and counted by the stream; it cannot hurt the call.
            let _ = media.stream.handle_rtp(now, data);
        }
    }

    /// Media statistics of the current call, if connected.
    pub(crate) fn media_stats(&self) -> Option<fxs_media::MediaStats> {
        match &self.state {
            CallState::Connected { media, .. } => Some(media.stream.stats()),
            _ => None,
        }
    }

    /// The line driver failed: the port leaves service, and its call ends.
    pub(crate) fn fail(&mut self, ctx: &mut Ctx<'_>, fault: LineFault) {
        if let Some(call) = self.state.call() {
            ctx.ua.hangup(ctx.now, call);
            self.end_call(ctx, CallEndReason::LineFault);
        }
        self.silence();
        self.state = CallState::OutOfService;
        ctx.event(
            self.id,
            EventKind::OutOfService {
                operation: fault.operation,
                kind: fault.kind,
            },
        );
    }

    /// Hang up whatever call is up (gateway shutdown).
    pub(crate) fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(call) = self.state.call() {
            ctx.ua.hangup(ctx.now, call);
            self.end_call(ctx, CallEndReason::Shutdown);
        }
        if !matches!(self.state, CallState::OutOfService) {
            self.go_idle();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    #[test]
    fn ring_cadence_follows_the_pattern_and_repeats() {
        let t0 = Instant::now();
        let mut ring = RingCadence::new(&[2000, 4000], t0);
        assert!(ring.ringing_at(t0));
        assert!(ring.ringing_at(t0 + Duration::from_millis(1990)));
        assert!(!ring.ringing_at(t0 + Duration::from_millis(2000)));
        assert!(!ring.ringing_at(t0 + Duration::from_millis(5990)));
        assert!(ring.ringing_at(t0 + Duration::from_millis(6000)));
        assert!(!ring.ringing_at(t0 + Duration::from_millis(8000)));
    }

    #[test]
    fn ring_cadence_catches_up_after_a_long_gap() {
        let t0 = Instant::now();
        let mut ring = RingCadence::new(&[1000, 4000], t0);
        // 12.5 s later: two full cycles (10 s) plus 2.5 s -> in the off part.
        assert!(!ring.ringing_at(t0 + Duration::from_millis(12_500)));
        assert!(ring.ringing_at(t0 + Duration::from_millis(15_000)));
    }
}

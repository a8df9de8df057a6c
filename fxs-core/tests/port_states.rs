//! The port state machine against a scripted SIP peer and the simulated
//! SLIC, in virtual time: each test plays one path of the call flow and
//! checks the events, the line and the SIP messages the gateway produces.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_core::{
    CallEndReason, DialingConfig, EventKind, Gateway, GatewayConfig, GatewayEvent, Input, Output, PortConfig,
    PortId, SipConfig, Transmit,
};
use fxs_hal::sim::{SimLine, SimSlic};
use fxs_hal::{ErrorType, LineCapabilities, LineErrorKind, LineFeed, LineInterface};
use fxs_sip::sdp::{AudioCodecPref, AudioOffer, Direction, SessionDescription, answer_audio};
use fxs_sip::{Contact, Header, Message, Method, NameAddr, Request, Response, StatusCode, Uri};
use fxs_tones::{CallProgress, Digit};

const SIP: &str = "127.0.0.1:5062";
const SERVER: &str = "127.0.0.1:5060";
const PEER_RTP: &str = "127.0.0.1:30000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn config(ports: usize) -> GatewayConfig {
    GatewayConfig {
        sip: SipConfig {
            local_addr: addr(SIP),
            server: addr(SERVER),
            domain: "127.0.0.1".into(),
            register_expires: 300,
        },
        ports: (0..ports)
            .map(|i| PortConfig {
                extension: format!("100{}", i + 1),
                auth_user: format!("100{}", i + 1),
                password: "pw".into(),
                country: "US".into(),
                rtp_addr: SocketAddr::new(addr(SIP).ip(), 40000 + 2 * i as u16),
                dial_plan: None,
            })
            .collect(),
        dialing: DialingConfig::default(),
        rng_seed: 9,
    }
}

struct Harness<B> {
    gw: Gateway,
    bank: B,
    now: Instant,
    sip: Vec<Message>,
    rtp_out: Vec<Transmit>,
    events: Vec<GatewayEvent>,
}

trait Bank: fxs_hal::LineBank {
    fn tick(&mut self, _now: Instant) {}
}

impl Bank for SimSlic {
    fn tick(&mut self, now: Instant) {
        SimSlic::tick(self, now);
    }
}

impl<B: Bank> Harness<B> {
    fn new(config: GatewayConfig, bank: B, start: Instant) -> Self {
        let mut h = Harness {
            gw: Gateway::new(config, start).unwrap(),
            bank,
            now: start,
            sip: Vec::new(),
            rtp_out: Vec::new(),
            events: Vec::new(),
        };
        h.drain();
        h
    }

    fn drain(&mut self) {
        loop {
            match self.gw.poll_output() {
                Output::Transmit(t) if t.source == addr(SIP) => {
                    assert_eq!(t.destination, addr(SERVER), "all SIP goes to the server here");
                    self.sip
                        .push(Message::parse(&t.payload).expect("the gateway writes valid SIP"));
                }
                Output::Transmit(t) => self.rtp_out.push(t),
                Output::Event(e) => self.events.push(e),
                Output::Timeout(_) => break,
            }
        }
    }

    fn tick(&mut self) {
        self.now += Duration::from_millis(10);
        self.bank.tick(self.now);
        self.gw.handle_input(Input::Timeout(self.now));
        self.gw.handle_frames(self.now, &mut self.bank);
        self.drain();
    }

    fn run(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            self.tick();
        }
    }

    fn deliver(&mut self, msg: &Message) {
        let bytes = msg.to_bytes();
        self.gw.handle_input(Input::Datagram {
            now: self.now,
            local: addr(SIP),
            remote: addr(SERVER),
            data: &bytes,
        });
        self.drain();
    }

    /// The SIP requests sent so far with this method, removed from the log.
    fn take_requests(&mut self, method: Method) -> Vec<Request> {
        let mut taken = Vec::new();
        self.sip.retain(|m| match m {
            Message::Request(r) if r.method == method => {
                taken.push(r.clone());
                false
            }
            _ => true,
        });
        taken
    }

    fn take_responses(&mut self) -> Vec<Response> {
        let mut taken = Vec::new();
        self.sip.retain(|m| match m {
            Message::Response(r) => {
                taken.push(r.clone());
                false
            }
            _ => true,
        });
        taken
    }

    fn kinds(&self, port: u16) -> Vec<EventKind> {
        self.events
            .iter()
            .filter(|e| e.port == Some(PortId(port)))
            .map(|e| e.kind.clone())
            .collect()
    }

    /// Answer every pending REGISTER with 200 OK.
    fn accept_registrations(&mut self) {
        for req in self.take_requests(Method::Register) {
            let mut ok = Response::for_request(&req, StatusCode::OK, Some("reg"));
            ok.headers.push(Header::Expires(300));
            self.deliver(&Message::Response(ok));
        }
    }
}

fn peer_sdp(offer: &SessionDescription) -> SessionDescription {
    let rtp = addr(PEER_RTP);
    let local = AudioOffer {
        address: rtp.ip(),
        port: rtp.port(),
        codecs: vec![AudioCodecPref {
            name: "PCMA".into(),
            payload_type: 8,
            clock_rate: 8000,
        }],
        telephone_event: Some(101),
        ptime: 20,
        direction: Direction::SendRecv,
    };
    answer_audio(offer, &local).expect("the gateway offers PCMA").0
}

fn respond(req: &Request, status: StatusCode, body: Option<&SessionDescription>) -> Message {
    let mut resp = Response::for_request(req, status, Some("peer"));
    resp.headers
        .push(Header::Contact(Contact::Addresses(vec![NameAddr::new(
            Uri::parse(&format!("sip:1002@{SERVER}")).unwrap(),
        )])));
    if let Some(sdp) = body {
        resp.headers
            .push(Header::ContentType(fxs_sip::MediaType::new("application", "sdp")));
        resp.body = sdp.to_string().into_bytes();
    }
    Message::Response(resp)
}

fn sim_harness(ports: usize) -> Harness<SimSlic> {
    let start = Instant::now();
    let mut h = Harness::new(config(ports), SimSlic::new(ports, start), start);
    h.tick();
    h.accept_registrations();
    h
}

#[test]
fn registration_is_reported_per_port() {
    let h = sim_harness(2);
    assert!(h.kinds(1).contains(&EventKind::Registered { expires: 300 }));
    assert!(h.kinds(2).contains(&EventKind::Registered { expires: 300 }));
    assert!(
        h.gw.status()
            .iter()
            .all(|s| s.registered && s.call_state == "idle")
    );
}

#[test]
fn outgoing_call_walks_every_state_and_the_remote_bye_gives_reorder() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(500));
    assert!(h.kinds(1).contains(&EventKind::DialTone));
    assert_eq!(h.gw.status()[0].call_state, "dial_tone");
    assert_eq!(h.bank.phone(0).hearing(), CallProgress::Dial);

    h.bank.phone_mut(0).dial("1002#").unwrap();
    h.run(Duration::from_millis(800));
    assert!(
        h.kinds(1)
            .contains(&EventKind::DigitCollected { digit: Digit::D1 })
    );
    assert!(h.kinds(1).contains(&EventKind::Digits {
        number: "1002".into()
    }));
    assert_eq!(h.gw.status()[0].call_state, "calling");
    let invites = h.take_requests(Method::Invite);
    assert_eq!(invites.len(), 1);
    let invite = &invites[0];
    assert_eq!(invite.uri.to_string(), "sip:1002@127.0.0.1");
    let offer = SessionDescription::parse(std::str::from_utf8(&invite.body).unwrap()).unwrap();

    h.deliver(&respond(invite, StatusCode::RINGING, None));
    h.run(Duration::from_millis(2500));
    assert!(h.kinds(1).contains(&EventKind::Ringback));
    assert_eq!(h.gw.status()[0].call_state, "ringback");
    assert_eq!(h.bank.phone(0).hearing(), CallProgress::Ringback);

    h.deliver(&respond(invite, StatusCode::OK, Some(&peer_sdp(&offer))));
    assert!(h.kinds(1).contains(&EventKind::Answered {
        codec: "PCMA".into(),
        payload_type: 8
    }));
    assert_eq!(h.take_requests(Method::Ack).len(), 1);
    h.run(Duration::from_millis(200));
    assert_eq!(h.gw.status()[0].call_state, "connected");
    // RTP flows from the port's socket to the peer's address: 20 ms packets.
    assert!(
        (9..=11).contains(&h.rtp_out.len()),
        "{} packets in 200 ms",
        h.rtp_out.len()
    );
    assert!(
        h.rtp_out
            .iter()
            .all(|t| t.destination == addr(PEER_RTP) && t.source.port() == 40000)
    );

    // The far end hangs up.
    let mut bye = Request::new(Method::Bye, Uri::parse(&format!("sip:1001@{SIP}")).unwrap());
    let invite_hdrs = &invite.headers;
    bye.headers.push(Header::Via(fxs_sip::Via {
        transport: fxs_sip::Transport::Udp,
        host: fxs_sip::Host::from_socket_addr(addr(SERVER)),
        port: Some(5060),
        params: vec![fxs_sip::Param::new("branch", Some("z9hG4bKbye1"))],
    }));
    let mut from = invite_hdrs.to().unwrap().clone();
    from.set_tag("peer");
    bye.headers.push(Header::From(from));
    bye.headers.push(Header::To(invite_hdrs.from().unwrap().clone()));
    bye.headers
        .push(Header::CallId(invite_hdrs.call_id().unwrap().to_owned()));
    bye.headers.push(Header::CSeq(fxs_sip::CSeq {
        seq: 1,
        method: Method::Bye,
    }));
    bye.headers.push(Header::MaxForwards(70));
    h.deliver(&Message::Request(bye));
    let responses = h.take_responses();
    assert!(
        responses.iter().any(|r| r.status == StatusCode::OK),
        "BYE answered 200"
    );
    assert!(h.kinds(1).contains(&EventKind::CallEnded {
        reason: CallEndReason::RemoteHangup
    }));
    assert!(h.kinds(1).contains(&EventKind::Reorder));
    h.run(Duration::from_millis(800));
    assert_eq!(h.gw.status()[0].call_state, "disconnected");
    assert_eq!(h.bank.phone(0).hearing(), CallProgress::Reorder);

    h.bank.phone_mut(0).hang_up();
    h.run(Duration::from_millis(100));
    assert_eq!(h.gw.status()[0].call_state, "idle");
    assert!(h.kinds(1).contains(&EventKind::OnHook));
}

#[test]
fn busy_callee_gives_busy_tone() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(400));
    h.bank.phone_mut(0).dial("1002#").unwrap();
    h.run(Duration::from_millis(800));
    let invite = h.take_requests(Method::Invite).remove(0);
    h.deliver(&respond(&invite, StatusCode::BUSY_HERE, None));
    assert!(h.kinds(1).contains(&EventKind::CallEnded {
        reason: CallEndReason::Rejected(486)
    }));
    assert!(h.kinds(1).contains(&EventKind::Busy));
    h.run(Duration::from_millis(1500));
    assert_eq!(h.bank.phone(0).hearing(), CallProgress::Busy);
    // The non-2xx final response is acknowledged hop by hop.
    assert_eq!(h.take_requests(Method::Ack).len(), 1);
}

#[test]
fn hanging_up_before_any_answer_cancels_the_invite() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(400));
    h.bank.phone_mut(0).dial("1002#").unwrap();
    h.run(Duration::from_millis(800));
    let invite = h.take_requests(Method::Invite).remove(0);
    h.deliver(&respond(&invite, StatusCode::RINGING, None));
    h.bank.phone_mut(0).hang_up();
    h.run(Duration::from_millis(100));
    assert!(h.kinds(1).contains(&EventKind::CallEnded {
        reason: CallEndReason::Cancelled
    }));
    assert_eq!(h.gw.status()[0].call_state, "idle");
    let cancels = h.take_requests(Method::Cancel);
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].headers.call_id(), invite.headers.call_id());
}

#[test]
fn no_digit_within_the_first_digit_timeout_gives_reorder() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(14_900));
    assert!(!h.kinds(1).contains(&EventKind::Reorder));
    h.run(Duration::from_millis(200));
    assert!(h.kinds(1).contains(&EventKind::Reorder));
    assert!(h.take_requests(Method::Invite).is_empty());
}

fn incoming_invite(h: &Harness<SimSlic>, user: &str) -> Request {
    let offer = AudioOffer {
        address: addr(PEER_RTP).ip(),
        port: addr(PEER_RTP).port(),
        codecs: vec![AudioCodecPref {
            name: "PCMU".into(),
            payload_type: 0,
            clock_rate: 8000,
        }],
        telephone_event: None,
        ptime: 20,
        direction: Direction::SendRecv,
    }
    .to_sdp(1, 1);
    let text = format!(
        "INVITE sip:{user}@{SIP} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {SERVER};branch=z9hG4bKin{n}\r\n\
         Max-Forwards: 69\r\n\
         From: \"Door\" <sip:2000@127.0.0.1>;tag=caller\r\n\
         To: <sip:{user}@127.0.0.1>\r\n\
         Call-ID: in{n}@peer\r\n\
         CSeq: 1 INVITE\r\n\
         Contact: <sip:2000@{SERVER}>\r\n\
         Content-Type: application/sdp\r\n\r\n{offer}",
        n = h.events.len()
    );
    match Message::parse(text.as_bytes()).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => unreachable!(),
    }
}

#[test]
fn incoming_call_rings_with_the_country_cadence_and_is_answered_by_lifting() {
    let mut h = sim_harness(2);
    let invite = incoming_invite(&h, "1002");
    h.deliver(&Message::Request(invite));
    let statuses: Vec<u16> = h.take_responses().iter().map(|r| r.status.0).collect();
    assert_eq!(statuses, vec![100, 180]);
    assert!(
        h.kinds(2)
            .iter()
            .any(|k| matches!(k, EventKind::IncomingCall { from } if from.contains("Door")))
    );

    // US cadence: 2 s on, 4 s off.
    h.run(Duration::from_millis(1000));
    assert!(h.bank.phone(1).is_ringing());
    h.run(Duration::from_millis(1500));
    assert!(!h.bank.phone(1).is_ringing());
    h.run(Duration::from_millis(4000));
    assert!(h.bank.phone(1).is_ringing());
    assert_eq!(h.bank.phone(1).ring_count(), 2);
    assert_eq!(h.bank.phone(0).ring_count(), 0, "only the called port rings");

    // Ring trip: lifting answers with 200 OK and an SDP answer.
    h.bank.phone_mut(1).lift();
    h.run(Duration::from_millis(100));
    assert!(!h.bank.phone(1).is_ringing());
    let ok = h
        .take_responses()
        .into_iter()
        .find(|r| r.status == StatusCode::OK)
        .expect("200 OK");
    let answer = SessionDescription::parse(std::str::from_utf8(&ok.body).unwrap()).unwrap();
    assert_eq!(answer.media[0].port, 40002);
    assert!(h.kinds(2).contains(&EventKind::Answered {
        codec: "PCMU".into(),
        payload_type: 0
    }));
    assert_eq!(h.gw.status()[1].call_state, "connected");
}

#[test]
fn second_call_to_a_busy_port_is_refused_with_486() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(300));
    let invite = incoming_invite(&h, "1001");
    h.deliver(&Message::Request(invite));
    let statuses: Vec<u16> = h.take_responses().iter().map(|r| r.status.0).collect();
    assert!(statuses.contains(&486), "{statuses:?}");
    assert!(h.kinds(1).contains(&EventKind::IncomingRefused { status: 486 }));
    assert_eq!(
        h.gw.status()[0].call_state,
        "dial_tone",
        "the port's own state is untouched"
    );
}

#[test]
fn call_to_an_unknown_extension_is_refused_with_404() {
    let mut h = sim_harness(1);
    let invite = incoming_invite(&h, "4711");
    h.deliver(&Message::Request(invite));
    let statuses: Vec<u16> = h.take_responses().iter().map(|r| r.status.0).collect();
    assert!(statuses.contains(&404), "{statuses:?}");
}

/// A line whose driver can be made to fail.
struct FlakyLine {
    line: SimLine,
    broken: bool,
}

impl ErrorType for FlakyLine {
    type Error = LineErrorKind;
}

impl LineInterface for FlakyLine {
    fn capabilities(&self) -> LineCapabilities {
        self.line.capabilities()
    }
    fn set_feed(&mut self, feed: LineFeed) -> Result<(), LineErrorKind> {
        let _ = self.line.set_feed(feed);
        Ok(())
    }
    fn feed(&self) -> LineFeed {
        self.line.feed()
    }
    fn hook(&mut self) -> Result<fxs_hal::HookState, LineErrorKind> {
        if self.broken {
            return Err(LineErrorKind::Bus);
        }
        Ok(fxs_hal::HookState::OnHook)
    }
    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), LineErrorKind> {
        frame.fill(0);
        Ok(())
    }
    fn write_frame(&mut self, _frame: &[i16]) -> Result<(), LineErrorKind> {
        Ok(())
    }
}

impl Bank for Vec<FlakyLine> {}

#[test]
fn a_failing_line_driver_takes_only_its_port_out_of_service() {
    let start = Instant::now();
    let lines: Vec<FlakyLine> = (0..2)
        .map(|_| FlakyLine {
            line: SimLine::new(),
            broken: false,
        })
        .collect();
    let mut h = Harness::new(config(2), lines, start);
    h.run(Duration::from_millis(50));
    h.bank[1].broken = true;
    h.run(Duration::from_millis(50));
    assert!(h.kinds(2).contains(&EventKind::OutOfService {
        operation: "hook",
        kind: LineErrorKind::Bus
    }));
    assert_eq!(h.gw.status()[1].call_state, "out_of_service");
    assert_eq!(h.gw.status()[0].call_state, "idle");
    // The port stays out of service: the failure is reported once.
    h.run(Duration::from_millis(100));
    let reports = h
        .kinds(2)
        .iter()
        .filter(|k| matches!(k, EventKind::OutOfService { .. }))
        .count();
    assert_eq!(reports, 1);
}

fn plan_harness(plan: &str) -> Harness<SimSlic> {
    let start = Instant::now();
    let mut c = config(1);
    c.ports[0].dial_plan = Some(plan.into());
    let mut h = Harness::new(c, SimSlic::new(1, start), start);
    h.tick();
    h.accept_registrations();
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(400));
    h
}

#[test]
fn a_unique_dial_plan_match_is_dispatched_without_waiting() {
    let mut h = plan_harness("{ 1xxx | 9xxxxxxx }");
    h.bank.phone_mut(0).dial("1002").unwrap();
    // Four digits take 4 x 140 ms; the INVITE follows the last one at once.
    h.run(Duration::from_millis(700));
    assert!(h.kinds(1).contains(&EventKind::Digits {
        number: "1002".into()
    }));
    assert_eq!(h.take_requests(Method::Invite).len(), 1);
}

#[test]
fn a_substitution_rewrites_the_called_number() {
    let mut h = plan_harness("{ <0:49>x+ }");
    h.bank.phone_mut(0).dial("0301234#").unwrap();
    h.run(Duration::from_millis(1500));
    let invite = h.take_requests(Method::Invite).remove(0);
    assert_eq!(invite.uri.user.as_deref(), Some("49301234"));
}

#[test]
fn digits_outside_the_dial_plan_get_reorder_at_once() {
    let mut h = plan_harness("{ 1xxx | 9xxxxxxx }");
    h.bank.phone_mut(0).dial("5").unwrap();
    h.run(Duration::from_millis(300));
    assert!(
        h.kinds(1)
            .contains(&EventKind::DialPlanRejected { digits: "5".into() })
    );
    assert!(h.kinds(1).contains(&EventKind::Reorder));
    assert!(h.take_requests(Method::Invite).is_empty());
}

#[test]
fn an_emergency_number_is_dialed_even_if_the_plan_has_no_pattern_for_it() {
    let mut h = plan_harness("{ 1xxx }");
    h.bank.phone_mut(0).dial("911").unwrap();
    h.run(Duration::from_millis(600));
    let invite = h.take_requests(Method::Invite).remove(0);
    assert_eq!(invite.uri.user.as_deref(), Some("911"));
}

fn records(h: &Harness<SimSlic>, port: u16) -> Vec<fxs_core::CallRecord> {
    h.kinds(port)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::CallRecord(r) => Some(*r),
            _ => None,
        })
        .collect()
}

#[test]
fn an_answered_call_leaves_a_call_record_with_media_figures() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(400));
    h.bank.phone_mut(0).dial("1002#").unwrap();
    h.run(Duration::from_millis(800));
    let invite = h.take_requests(Method::Invite).remove(0);
    let offer = SessionDescription::parse(std::str::from_utf8(&invite.body).unwrap()).unwrap();
    h.run(Duration::from_millis(1000));
    let answered_at = h.now;
    h.deliver(&respond(&invite, StatusCode::OK, Some(&peer_sdp(&offer))));
    h.run(Duration::from_millis(2000));
    h.bank.phone_mut(0).hang_up();
    h.run(Duration::from_millis(100));

    let dispatched_at = h
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Digits { .. }))
        .map(|e| e.at)
        .unwrap();
    let recs = records(&h, 1);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.direction, fxs_core::CallDirection::Outgoing);
    assert_eq!(r.remote, "1002");
    assert_eq!(r.reason, CallEndReason::LocalHangup);
    assert_eq!(r.codec.as_deref(), Some("PCMA"));
    assert_eq!(r.start, dispatched_at);
    assert_eq!(r.answer, Some(answered_at));
    let talk = r.talk_time().as_millis();
    assert!((2000..=2030).contains(&talk), "{talk} ms");
    let media = r.media.expect("media figures");
    assert!((99..=102).contains(&media.packets_sent), "{media:?}");
    let status = &h.gw.status()[0];
    assert_eq!(status.counters.calls_out, 1);
    assert_eq!(status.counters.answered, 1);
    assert_eq!(status.counters.unanswered, 0);
}

#[test]
fn unanswered_and_refused_calls_are_counted() {
    let mut h = sim_harness(1);
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(400));
    h.bank.phone_mut(0).dial("1002#").unwrap();
    h.run(Duration::from_millis(800));
    let invite = h.take_requests(Method::Invite).remove(0);
    h.deliver(&respond(&invite, StatusCode::BUSY_HERE, None));
    // While the phone is off hook hearing busy, a call comes in: refused.
    let incoming = incoming_invite(&h, "1001");
    h.deliver(&Message::Request(incoming));
    h.bank.phone_mut(0).hang_up();
    h.run(Duration::from_millis(100));
    h.bank.phone_mut(0).lift();
    h.run(Duration::from_millis(400));
    h.bank.phone_mut(0).dial("5#").unwrap();
    h.run(Duration::from_millis(500));
    let invite = h.take_requests(Method::Invite).remove(0);
    h.deliver(&respond(&invite, StatusCode::NOT_FOUND, None));

    let recs = records(&h, 1);
    assert_eq!(recs.len(), 2, "{recs:?}");
    assert_eq!(recs[0].reason, CallEndReason::Rejected(486));
    assert_eq!(recs[1].reason, CallEndReason::Rejected(404));
    assert_eq!(recs[1].remote, "5");
    assert!(recs.iter().all(|r| r.answer.is_none() && r.media.is_none()));
    let c = h.gw.status()[0].counters;
    assert_eq!(
        (c.calls_out, c.answered, c.unanswered, c.refused_busy),
        (2, 0, 2, 1),
        "{c:?}"
    );
}

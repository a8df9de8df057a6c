//! Scripted scenarios: what the simulated people do, and what they must
//! observe. A scenario is a list of [`Step`]s run in order; each step is an
//! action (done at once, or over a time for `wait`) or an expectation (must
//! hold within its time limit).

use std::time::Duration;

/// Default time limit of an expectation (5 s).
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(5);
/// Level of the test tones the phones talk, in dBm0.
pub const TALK_LEVEL_DBM0: f32 = -10.0;
/// Accepted error of a heard frequency, in Hz.
pub const HEARD_FREQ_TOLERANCE_HZ: f32 = 10.0;
/// Accepted error of a heard level against the talked level, in dB.
pub const HEARD_LEVEL_TOLERANCE_DB: f32 = 3.0;

/// Something a simulated person does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Lift the handset.
    OffHook,
    /// Put the handset down.
    OnHook,
    /// Dial digits by DTMF.
    Dial {
        /// Digits (`0-9`, `*`, `#`, `A-D`).
        digits: String,
    },
    /// Talk a test tone for a while (does not block the next step).
    Talk {
        /// Tone frequency in Hz.
        freq_hz: f32,
        /// How long, in seconds.
        seconds: f32,
    },
    /// Do nothing for a while (blocks the next step).
    Wait {
        /// How long, in seconds.
        seconds: f32,
    },
}

/// Something a simulated person or the gateway must observe.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// The port's registration succeeded.
    Registered,
    /// The phone hears dial tone.
    DialTone,
    /// The phone hears ringback.
    Ringback,
    /// The phone hears busy tone.
    Busy,
    /// The phone hears reorder.
    Reorder,
    /// The phone hears nothing.
    Silence,
    /// The phone rings.
    Ringing,
    /// The gateway reports the port's call answered.
    Answered,
    /// The phone hears a tone (of this frequency, if given; and of this
    /// level, if given).
    Heard {
        /// Expected frequency in Hz.
        freq_hz: Option<f32>,
        /// Expected level in dBm0.
        level_dbm0: Option<f32>,
    },
    /// The port is idle: phone on hook, no call.
    Idle,
}

impl Expect {
    /// The check's name, as printed when it fails.
    pub fn name(&self) -> &'static str {
        match self {
            Expect::Registered => "registered",
            Expect::DialTone => "dial_tone",
            Expect::Ringback => "ringback",
            Expect::Busy => "busy",
            Expect::Reorder => "reorder",
            Expect::Silence => "silence",
            Expect::Ringing => "ringing",
            Expect::Answered => "answered",
            Expect::Heard { .. } => "heard",
            Expect::Idle => "idle",
        }
    }
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// Do something.
    Action(Action),
    /// Check something.
    Expect(Expect),
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Port, 1-based.
    pub port: u16,
    /// What to do or check.
    pub kind: StepKind,
    /// Time limit of an expectation.
    pub within: Duration,
}

impl Step {
    /// An action on `port`.
    pub fn action(port: u16, action: Action) -> Step {
        Step {
            port,
            kind: StepKind::Action(action),
            within: DEFAULT_WITHIN,
        }
    }

    /// An expectation on `port` with the default time limit.
    pub fn expect(port: u16, expect: Expect) -> Step {
        Step::expect_within(port, expect, DEFAULT_WITHIN)
    }

    /// An expectation on `port` with time limit `within`.
    pub fn expect_within(port: u16, expect: Expect, within: Duration) -> Step {
        Step {
            port,
            kind: StepKind::Expect(expect),
            within,
        }
    }
}

/// The tone port `port` talks in the built-in scenarios: distinct per port,
/// clear of DTMF and call-progress frequencies.
pub fn talk_freq(port: u16) -> f32 {
    match port % 4 {
        1 => 1000.0,
        2 => 1500.0,
        3 => 2200.0,
        _ => 2700.0,
    }
}

/// One call: `caller` dials `number`; if `callee` is one of our ports, it
/// rings, is answered (auto-answer) and both sides check they hear each
/// other's tone for `talk`; then the caller hangs up and both return to idle.
pub fn call_steps(caller: u16, number: &str, callee: Option<u16>, talk: Duration) -> Vec<Step> {
    let talk_s = talk.as_secs_f32();
    let mut steps = vec![
        Step::expect_within(caller, Expect::Registered, Duration::from_secs(10)),
        Step::action(caller, Action::OffHook),
        Step::expect_within(caller, Expect::DialTone, Duration::from_secs(2)),
        Step::action(
            caller,
            Action::Dial {
                digits: number.to_owned(),
            },
        ),
    ];
    // Digits take 140 ms each, then the 4 s inter-digit timeout places the call.
    let dial_time = Duration::from_millis(140 * number.len() as u64) + Duration::from_secs(5);
    match callee {
        Some(callee) => {
            steps.push(Step::expect_within(
                callee,
                Expect::Ringing,
                dial_time + Duration::from_secs(5),
            ));
            steps.push(Step::expect_within(
                caller,
                Expect::Ringback,
                Duration::from_secs(5),
            ));
            steps.push(Step::expect_within(
                caller,
                Expect::Answered,
                Duration::from_secs(15),
            ));
            steps.push(Step::expect_within(
                callee,
                Expect::Answered,
                Duration::from_secs(2),
            ));
            steps.push(Step::action(
                caller,
                Action::Talk {
                    freq_hz: talk_freq(caller),
                    seconds: talk_s,
                },
            ));
            steps.push(Step::action(
                callee,
                Action::Talk {
                    freq_hz: talk_freq(callee),
                    seconds: talk_s,
                },
            ));
            let heard = |freq| Expect::Heard {
                freq_hz: Some(freq),
                level_dbm0: Some(TALK_LEVEL_DBM0),
            };
            steps.push(Step::expect_within(caller, heard(talk_freq(callee)), talk));
            steps.push(Step::expect_within(callee, heard(talk_freq(caller)), talk));
            steps.push(Step::action(caller, Action::Wait { seconds: talk_s }));
            steps.push(Step::action(caller, Action::OnHook));
            steps.push(Step::expect_within(
                callee,
                Expect::Reorder,
                Duration::from_secs(5),
            ));
            steps.push(Step::action(callee, Action::OnHook));
            steps.push(Step::expect_within(callee, Expect::Idle, Duration::from_secs(2)));
        }
        None => {
            steps.push(Step::expect_within(
                caller,
                Expect::Answered,
                dial_time + Duration::from_secs(30),
            ));
            steps.push(Step::action(
                caller,
                Action::Talk {
                    freq_hz: talk_freq(caller),
                    seconds: talk_s,
                },
            ));
            steps.push(Step::expect_within(
                caller,
                Expect::Heard {
                    freq_hz: None,
                    level_dbm0: None,
                },
                talk,
            ));
            steps.push(Step::action(caller, Action::Wait { seconds: talk_s }));
            steps.push(Step::action(caller, Action::OnHook));
        }
    }
    steps.push(Step::expect_within(caller, Expect::Idle, Duration::from_secs(2)));
    steps
}

/// The default scenario of `sim-gateway`: port 1 calls 1002 (port 2).
pub fn default_scenario(talk: Duration) -> Vec<Step> {
    let mut steps = vec![Step::expect_within(
        2,
        Expect::Registered,
        Duration::from_secs(10),
    )];
    steps.extend(call_steps(1, "1002", Some(2), talk));
    steps
}

//! Scenario files for `sim-gateway --scenario FILE`.
//!
//! A scenario file is a list of `[[step]]` tables, run in order. Each has a
//! `port` (1-based) and either an `action` or an `expect`:
//!
//! ```toml
//! [[step]]
//! port = 1
//! action = "off_hook"
//!
//! [[step]]
//! port = 1
//! expect = "dial_tone"
//! within = 2          # seconds, default 5
//!
//! [[step]]
//! port = 1
//! action = "dial"
//! digits = "1002#"
//! mode = "dtmf"       # or "pulse"
//! ```
//!
//! Actions: `off_hook`, `on_hook`, `flash`, `dial` (`digits`, optional
//! `mode`), `talk` (optional `freq_hz`, `seconds`), `wait` (`seconds`).
//! Expectations: `registered`, `dial_tone`, `stutter_dial_tone`, `ringback`,
//! `busy`, `reorder`, `ringing`, `call_waiting_tone`, `silence`, `answered`,
//! `heard` (optional `freq_hz`, `level_dbm0`), `caller_id` (optional
//! `number`, `name`), `mwi_on`, `mwi_off`, `idle`; each with `within`.
//!
//! A step this build cannot carry out yet (named in the error) is refused
//! when the file is loaded, never skipped.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::scenario::{Action, DEFAULT_WITHIN, Expect, Step, StepKind, talk_freq};
use crate::setup::SetupError;

/// Default talk time of a `talk` action without `seconds`.
const DEFAULT_TALK_SECONDS: f32 = 3.0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    step: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    port: u16,
    action: Option<String>,
    expect: Option<String>,
    digits: Option<String>,
    mode: Option<String>,
    freq_hz: Option<f32>,
    level_dbm0: Option<f32>,
    seconds: Option<f32>,
    within: Option<f32>,
    number: Option<String>,
    name: Option<String>,
}

fn bad(step: usize, field: &str, problem: impl Into<String>) -> SetupError {
    SetupError::Field {
        field: format!("step[{step}].{field}"),
        problem: problem.into(),
    }
}

const ACTIONS: &str = "off_hook, on_hook, flash, dial, talk, wait";
const EXPECTATIONS: &str = "registered, dial_tone, stutter_dial_tone, ringback, busy, reorder, ringing, \
     call_waiting_tone, silence, answered, heard, caller_id, mwi_on, mwi_off, idle";

fn seconds(n: usize, field: &str, v: f32) -> Result<f32, SetupError> {
    if v.is_finite() && (0.0..=3600.0).contains(&v) {
        Ok(v)
    } else {
        Err(bad(
            n,
            field,
            format!("{v} is out of range: allowed 0-3600 seconds"),
        ))
    }
}

/// Parse a scenario from TOML text; `path` names it in errors; `ports` is the
/// number of configured ports.
pub fn parse(text: &str, path: &str, ports: usize) -> Result<Vec<Step>, SetupError> {
    let file: File = toml::from_str(text).map_err(|e| SetupError::Syntax {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    if file.step.is_empty() {
        return Err(SetupError::Field {
            field: "step".into(),
            problem: "the scenario has no [[step]] table".into(),
        });
    }
    let mut steps = Vec::with_capacity(file.step.len());
    for (i, raw) in file.step.into_iter().enumerate() {
        let n = i + 1;
        if raw.port == 0 || usize::from(raw.port) > ports {
            return Err(bad(
                n,
                "port",
                format!("{} is not a port: allowed 1-{ports}", raw.port),
            ));
        }
        let within = match raw.within {
            Some(w) => Duration::from_secs_f32(seconds(n, "within", w)?),
            None => DEFAULT_WITHIN,
        };
        if (raw.number.is_some() || raw.name.is_some()) && raw.expect.as_deref() != Some("caller_id") {
            let field = if raw.number.is_some() { "number" } else { "name" };
            return Err(bad(n, field, "only for expect = \"caller_id\""));
        }
        let kind = match (raw.action.as_deref(), raw.expect.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    n,
                    "action",
                    "a step has either `action` or `expect`, not both",
                ));
            }
            (None, None) => return Err(bad(n, "action", "a step needs `action` or `expect`")),
            (Some(action), None) => StepKind::Action(match action {
                "off_hook" => Action::OffHook,
                "on_hook" => Action::OnHook,
                "dial" => {
                    let digits = raw
                        .digits
                        .clone()
                        .ok_or_else(|| bad(n, "digits", "`dial` needs `digits`"))?;
                    if digits.is_empty() || !digits.chars().all(|c| fxs_tones::Digit::from_char(c).is_some())
                    {
                        return Err(bad(
                            n,
                            "digits",
                            format!("{digits:?}: allowed DTMF digits 0-9 * # A-D"),
                        ));
                    }
                    match raw.mode.as_deref() {
                        None | Some("dtmf") => {}
                        Some("pulse") => {
                            return Err(bad(
                                n,
                                "mode",
                                "\"pulse\" dialing is not supported by this build yet",
                            ));
                        }
                        Some(other) => {
                            return Err(bad(n, "mode", format!("{other:?}: allowed \"dtmf\", \"pulse\"")));
                        }
                    }
                    Action::Dial { digits }
                }
                "talk" => Action::Talk {
                    freq_hz: match raw.freq_hz {
                        Some(f) if f.is_finite() && (100.0..=3800.0).contains(&f) => f,
                        Some(f) => {
                            return Err(bad(
                                n,
                                "freq_hz",
                                format!("{f} is out of range: allowed 100-3800 Hz"),
                            ));
                        }
                        None => talk_freq(raw.port),
                    },
                    seconds: seconds(n, "seconds", raw.seconds.unwrap_or(DEFAULT_TALK_SECONDS))?,
                },
                "wait" => Action::Wait {
                    seconds: seconds(
                        n,
                        "seconds",
                        raw.seconds
                            .ok_or_else(|| bad(n, "seconds", "`wait` needs `seconds`"))?,
                    )?,
                },
                "flash" => return Err(bad(n, "action", "\"flash\" is not supported by this build yet")),
                other => return Err(bad(n, "action", format!("{other:?}: allowed {ACTIONS}"))),
            }),
            (None, Some(expect)) => StepKind::Expect(match expect {
                "registered" => Expect::Registered,
                "dial_tone" => Expect::DialTone,
                "ringback" => Expect::Ringback,
                "busy" => Expect::Busy,
                "reorder" => Expect::Reorder,
                "ringing" => Expect::Ringing,
                "silence" => Expect::Silence,
                "answered" => Expect::Answered,
                "idle" => Expect::Idle,
                "heard" => Expect::Heard {
                    freq_hz: raw.freq_hz,
                    level_dbm0: raw.level_dbm0,
                },
                "stutter_dial_tone" | "call_waiting_tone" | "caller_id" | "mwi_on" | "mwi_off" => {
                    return Err(bad(
                        n,
                        "expect",
                        format!("{expect:?} is not supported by this build yet"),
                    ));
                }
                other => return Err(bad(n, "expect", format!("{other:?}: allowed {EXPECTATIONS}"))),
            }),
        };
        steps.push(Step {
            port: raw.port,
            kind,
            within,
        });
    }
    Ok(steps)
}

/// Read and parse a scenario file.
pub fn load(path: &Path, ports: usize) -> Result<Vec<Step>, SetupError> {
    let text = std::fs::read_to_string(path).map_err(|source| SetupError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, &path.display().to_string(), ports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_with_defaults() {
        let steps = parse(
            "[[step]]\nport = 1\naction = \"off_hook\"\n[[step]]\nport = 1\nexpect = \"dial_tone\"\nwithin = 2\n\
             [[step]]\nport = 2\naction = \"talk\"\n[[step]]\nport = 1\nexpect = \"heard\"\nfreq_hz = 1500\n",
            "s.toml",
            2,
        )
        .unwrap();
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[0].kind, StepKind::Action(Action::OffHook));
        assert_eq!(steps[1].within, Duration::from_secs(2));
        assert_eq!(
            steps[2].kind,
            StepKind::Action(Action::Talk {
                freq_hz: 1500.0,
                seconds: 3.0
            })
        );
        assert_eq!(steps[3].within, DEFAULT_WITHIN);
    }

    fn err(text: &str) -> String {
        parse(text, "s.toml", 2).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_step_and_the_field() {
        assert!(
            err("[[step]]\nport = 3\naction = \"off_hook\"\n").starts_with("step[1].port: 3 is not a port")
        );
        assert!(
            err("[[step]]\nport = 1\naction = \"jump\"\n").starts_with("step[1].action: \"jump\": allowed")
        );
        assert!(
            err("[[step]]\nport = 1\nexpect = \"dial_tone\"\n[[step]]\nport = 1\naction = \"dial\"\n")
                .starts_with("step[2].digits")
        );
        assert!(
            err("[[step]]\nport = 1\naction = \"dial\"\ndigits = \"12x\"\n").starts_with("step[1].digits")
        );
        assert!(err("[[step]]\nport = 1\nexpect = \"idle\"\nwithin = -1\n").starts_with("step[1].within"));
        assert!(err("[[step]]\nport = 1\n").starts_with("step[1].action"));
        assert!(
            err("[[step]]\nport = 1\nexpect = \"ringing\"\nnumber = \"1\"\n").starts_with("step[1].number")
        );
        assert!(err("").starts_with("step: the scenario has no"));
        assert!(
            err("[[step]]\nport = 1\naction = \"wait\"\nsecond = 1\n").contains("unknown field `second`")
        );
    }

    #[test]
    fn steps_this_build_cannot_check_are_refused_not_skipped() {
        assert!(
            err("[[step]]\nport = 1\nexpect = \"caller_id\"\n").contains("not supported by this build yet")
        );
        assert!(err("[[step]]\nport = 1\naction = \"flash\"\n").contains("not supported by this build yet"));
        assert!(
            err("[[step]]\nport = 1\naction = \"dial\"\ndigits = \"1\"\nmode = \"pulse\"\n")
                .contains("not supported by this build yet")
        );
    }
}

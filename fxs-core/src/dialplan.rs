//! Dial plans in the syntax gateway administrators know from Grandstream and
//! Cisco ATAs, e.g. `{ x+# | 911 | 1xxxxxxxxxx | <8:1650>xxxxxxx | *xx | [2-9]xxxxxx }`.
//!
//! # Syntax
//!
//! A plan is a list of patterns separated by `|`, optionally inside `{ }` or
//! `( )`; white space is ignored. In a pattern:
//!
//! | element | matches |
//! |---|---|
//! | `0`-`9`, `*`, `#`, `A`-`D` | that digit |
//! | `x` (or `X`) | any of `0`-`9` |
//! | `[2-9]`, `[135]`, `[1-35*]` | one digit of the set (ranges of digits) |
//! | `.` after an element | that element zero or more times |
//! | `+` after an element | that element one or more times |
//! | `<from:to>` | the digits `from` (literal) are dialed and `to` is sent instead; either side may be empty (`<:1>` prepends 1, `<9:>` strips 9) |
//! | `S<n>` or `T<n>` at the end | once this pattern matches, wait `n` seconds for more digits before dispatching (`S0`: dispatch at once) |
//! | `!` at the end | the pattern is barred: a number matching it is refused |
//!
//! # Decisions
//!
//! After each digit, [`DialPlan::decide`] says what to do with the digits so
//! far:
//! - a number matching an emergency number is dispatched at once, whatever
//!   the plan says;
//! - a full match of a pattern that no other pattern could extend is
//!   dispatched at once (unique match);
//! - a full match that other patterns could still extend waits for the
//!   inter-digit timeout (or the pattern's own `S`/`T` timer) and is then
//!   dispatched;
//! - digits that some pattern could still complete wait for more digits;
//! - digits no pattern can ever match are refused (reorder).
//!
//! When collection ends by `#` or a timeout, [`DialPlan::finish`] gives the
//! number to call, if any pattern matches fully.

use core::fmt;
use core::time::Duration;

use fxs_tones::Digit;

/// A dial plan that does not parse, with the position of the defect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialPlanError {
    /// Character offset of the defect in the plan text.
    pub position: usize,
    /// What is wrong.
    pub problem: &'static str,
}

impl fmt::Display for DialPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.position, self.problem)
    }
}

impl std::error::Error for DialPlanError {}

/// A set of digits (bit `Digit::event_code()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DigitSet(u16);

impl DigitSet {
    const ANY_DECIMAL: DigitSet = DigitSet(0x03ff);

    fn single(d: Digit) -> DigitSet {
        DigitSet(1 << d.event_code())
    }

    fn contains(self, d: Digit) -> bool {
        self.0 & (1 << d.event_code()) != 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repeat {
    Once,
    ZeroOrMore,
    OneOrMore,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Element {
    /// One digit of the set, repeated as given; matched digits are copied to
    /// the output.
    Digits(DigitSet, Repeat),
    /// These literal digits are dialed; `to` is sent instead.
    Substitute { from: Vec<Digit>, to: String },
}

/// One pattern of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    elements: Vec<Element>,
    /// Wait this long after a full match before dispatching.
    timer: Option<Duration>,
    barred: bool,
}

/// How a pattern relates to a digit string.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PatternMatch {
    /// The number to send if the digits match the pattern fully.
    full: Option<String>,
    /// Whether more digits could still (also) match the pattern.
    extendable: bool,
}

impl Pattern {
    fn matches(&self, digits: &[Digit]) -> PatternMatch {
        let mut result = PatternMatch {
            full: None,
            extendable: false,
        };
        let mut out = String::new();
        walk(&self.elements, digits, &mut out, &mut result);
        result
    }
}

/// Explore every way `elements` can consume `digits`, recording a full match
/// (the first found, leftmost-longest by element order) and whether the
/// pattern could continue past the end of the digits.
fn walk(elements: &[Element], digits: &[Digit], out: &mut String, result: &mut PatternMatch) {
    let Some((first, rest)) = elements.split_first() else {
        if digits.is_empty() && result.full.is_none() {
            result.full = Some(out.clone());
        }
        return;
    };
    if digits.is_empty() {
        // Digits exhausted with elements left: more digits could follow,
        // unless every remaining element may match nothing.
        if elements_can_consume(elements) {
            result.extendable = true;
        }
        if elements.iter().all(can_be_empty) {
            let mut tail = out.clone();
            for e in elements {
                if let Element::Substitute { from, to } = e {
                    if from.is_empty() {
                        tail.push_str(to);
                    }
                }
            }
            if result.full.is_none() {
                result.full = Some(tail);
            }
        }
        return;
    }
    let len = out.len();
    match first {
        Element::Digits(set, repeat) => {
            let (min, unbounded) = match repeat {
                Repeat::Once => (1, false),
                Repeat::ZeroOrMore => (0, true),
                Repeat::OneOrMore => (1, true),
            };
            let max_run = digits.iter().take_while(|d| set.contains(**d)).count();
            let max = if unbounded { max_run } else { max_run.min(1) };
            // Longest run first, so the full match found first is the greedy one.
            for n in (min..=max).rev() {
                out.truncate(len);
                out.extend(digits[..n].iter().map(|d| d.as_char()));
                walk(rest, &digits[n..], out, result);
            }
            if unbounded && max_run == digits.len() {
                result.extendable = true;
            }
            if max_run == 0 && min > 0 {
                // Nothing to take here: this path ends.
            }
        }
        Element::Substitute { from, to } => {
            let n = from.len().min(digits.len());
            if digits[..n] == from[..n] {
                if n < from.len() {
                    result.extendable = true; // a prefix of the literal so far
                } else {
                    out.push_str(to);
                    walk(rest, &digits[n..], out, result);
                }
            }
        }
    }
    out.truncate(len);
}

fn can_be_empty(e: &Element) -> bool {
    match e {
        Element::Digits(_, r) => *r == Repeat::ZeroOrMore,
        Element::Substitute { from, .. } => from.is_empty(),
    }
}

fn elements_can_consume(elements: &[Element]) -> bool {
    elements.iter().any(|e| match e {
        Element::Digits(..) => true,
        Element::Substitute { from, .. } => !from.is_empty(),
    })
}

/// What to do with the digits collected so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Call this number now.
    Dispatch(String),
    /// Call this number unless another digit comes within this time.
    DispatchAfter(String, Duration),
    /// Wait for more digits (up to the inter-digit timeout).
    Wait,
    /// No pattern can match: refuse (reorder tone).
    Reject,
}

/// A compiled dial plan with its emergency numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialPlan {
    patterns: Vec<Pattern>,
    emergency: Vec<Vec<Digit>>,
    inter_digit: Duration,
}

/// The plan used when a port configures none: any digits, dispatched by `#`
/// or the inter-digit timeout.
pub const DEFAULT_DIAL_PLAN: &str = "{ x+ | *x+ | #x+ | [*#] }";

impl DialPlan {
    /// Compile `plan`. `emergency` numbers (e.g. `911`, `112`) are always
    /// allowed and dispatched at once; `inter_digit` is the wait after a full
    /// match that could still be extended.
    pub fn parse(plan: &str, emergency: &[&str], inter_digit: Duration) -> Result<DialPlan, DialPlanError> {
        let mut patterns = Vec::new();
        let body = strip_braces(plan)?;
        let mut offset = body.0;
        for alt in body.1.split('|') {
            let trimmed_start = alt.len() - alt.trim_start().len();
            patterns.push(parse_pattern(alt.trim(), offset + trimmed_start)?);
            offset += alt.len() + 1;
        }
        let mut numbers = Vec::new();
        for number in emergency {
            let digits: Option<Vec<Digit>> = number.chars().map(Digit::from_char).collect();
            match digits {
                Some(d) if !d.is_empty() => numbers.push(d),
                _ => {
                    return Err(DialPlanError {
                        position: 0,
                        problem: "an emergency number must be 1 or more DTMF digits",
                    });
                }
            }
        }
        Ok(DialPlan {
            patterns,
            emergency: numbers,
            inter_digit,
        })
    }

    /// Decide what to do after the digits collected so far.
    pub fn decide(&self, digits: &[Digit]) -> Decision {
        if let Some(e) = self.emergency.iter().find(|e| e.as_slice() == digits) {
            return Decision::Dispatch(e.iter().map(|d| d.as_char()).collect());
        }
        let emergency_prefix = self
            .emergency
            .iter()
            .any(|e| e.len() > digits.len() && e.starts_with(digits));
        let mut full: Option<(&Pattern, String)> = None;
        let mut extendable = emergency_prefix;
        for p in &self.patterns {
            let m = p.matches(digits);
            if m.extendable {
                extendable = true;
            }
            if let Some(number) = m.full {
                if full.is_none() {
                    full = Some((p, number));
                }
            }
        }
        match full {
            Some((p, _)) if p.barred => Decision::Reject,
            Some((p, number)) => match p.timer {
                Some(t) if t.is_zero() => Decision::Dispatch(number),
                Some(t) => Decision::DispatchAfter(number, t),
                None if extendable => Decision::DispatchAfter(number, self.inter_digit),
                None => Decision::Dispatch(number),
            },
            None if extendable => Decision::Wait,
            None => Decision::Reject,
        }
    }

    /// Collection ended (by `#` or a timeout): the number to call, if the
    /// digits match a pattern (or an emergency number) fully.
    pub fn finish(&self, digits: &[Digit]) -> Option<String> {
        match self.decide(digits) {
            Decision::Dispatch(n) | Decision::DispatchAfter(n, _) => Some(n),
            Decision::Wait | Decision::Reject => None,
        }
    }
}

fn strip_braces(plan: &str) -> Result<(usize, &str), DialPlanError> {
    let start = plan.len() - plan.trim_start().len();
    let t = plan.trim();
    if t.is_empty() {
        return Err(DialPlanError {
            position: 0,
            problem: "the dial plan is empty",
        });
    }
    let (open, close) = match t.as_bytes()[0] {
        b'{' => ('{', '}'),
        b'(' => ('(', ')'),
        _ => return Ok((start, t)),
    };
    if !t.ends_with(close) {
        return Err(DialPlanError {
            position: start + t.len(),
            problem: if open == '{' {
                "missing closing '}'"
            } else {
                "missing closing ')'"
            },
        });
    }
    Ok((start + 1, &t[1..t.len() - 1]))
}

fn parse_pattern(text: &str, base: usize) -> Result<Pattern, DialPlanError> {
    let err = |i: usize, problem| DialPlanError {
        position: base + i,
        problem,
    };
    let chars: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| !c.is_whitespace()).collect();
    if chars.is_empty() {
        return Err(err(0, "empty pattern (two '|' in a row, or a '|' at an end)"));
    }
    let mut elements = Vec::new();
    let mut timer = None;
    let mut barred = false;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        match c {
            'x' | 'X' => {
                elements.push(Element::Digits(DigitSet::ANY_DECIMAL, Repeat::Once));
                i += 1;
            }
            '[' => {
                let mut set = 0u16;
                let mut j = i + 1;
                let mut prev: Option<Digit> = None;
                loop {
                    let Some(&(p, c)) = chars.get(j) else {
                        return Err(err(pos, "unclosed '['"));
                    };
                    match c {
                        ']' => break,
                        '-' => {
                            let (Some(lo), Some(&(hp, hc))) = (prev, chars.get(j + 1)) else {
                                return Err(err(p, "a range needs a digit on each side of '-'"));
                            };
                            let hi = Digit::from_char(hc).ok_or_else(|| err(hp, "not a digit in a range"))?;
                            let (lo_v, hi_v) = (decimal(lo), decimal(hi));
                            match (lo_v, hi_v) {
                                (Some(a), Some(b)) if a <= b => {
                                    for v in a..=b {
                                        set |= 1 << v;
                                    }
                                }
                                _ => {
                                    return Err(err(
                                        p,
                                        "a range must go from a lower to a higher decimal digit",
                                    ));
                                }
                            }
                            prev = None;
                            j += 2;
                            continue;
                        }
                        _ => {
                            let d = Digit::from_char(c).ok_or_else(|| err(p, "not a digit inside '[ ]'"))?;
                            set |= 1 << d.event_code();
                            prev = Some(d);
                        }
                    }
                    j += 1;
                }
                if set == 0 {
                    return Err(err(pos, "empty digit set '[]'"));
                }
                elements.push(Element::Digits(DigitSet(set), Repeat::Once));
                i = j + 1;
            }
            '<' => {
                let close = chars[i..]
                    .iter()
                    .position(|&(_, c)| c == '>')
                    .map(|k| i + k)
                    .ok_or_else(|| err(pos, "unclosed '<'"))?;
                let inner: Vec<(usize, char)> = chars[i + 1..close].to_vec();
                let colon = inner
                    .iter()
                    .position(|&(_, c)| c == ':')
                    .ok_or_else(|| err(pos, "a substitution needs ':' as in <8:1650>"))?;
                let mut from = Vec::new();
                for &(p, c) in &inner[..colon] {
                    from.push(
                        Digit::from_char(c)
                            .ok_or_else(|| err(p, "the dialed side of '<:>' must be digits"))?,
                    );
                }
                let mut to = String::new();
                for &(p, c) in &inner[colon + 1..] {
                    if Digit::from_char(c).is_none() && c != '+' {
                        return Err(err(p, "the sent side of '<:>' must be digits or '+'"));
                    }
                    to.push(c);
                }
                elements.push(Element::Substitute { from, to });
                i = close + 1;
            }
            '.' | '+' => {
                let repeat = if c == '.' {
                    Repeat::ZeroOrMore
                } else {
                    Repeat::OneOrMore
                };
                match elements.last_mut() {
                    Some(Element::Digits(_, r @ Repeat::Once)) => *r = repeat,
                    _ => return Err(err(pos, "'.' and '+' must follow a digit, 'x' or '[ ]'")),
                }
                i += 1;
            }
            'S' | 'T' | 's' | 't' => {
                let digits: String = chars[i + 1..]
                    .iter()
                    .map(|&(_, c)| c)
                    .take_while(char::is_ascii_digit)
                    .collect();
                let rest = i + 1 + digits.len();
                let after_ok = rest == chars.len() || (rest + 1 == chars.len() && chars[rest].1 == '!');
                if digits.is_empty() || !after_ok {
                    return Err(err(
                        pos,
                        "a timer is 'S' or 'T' and seconds at the end of a pattern, e.g. S0",
                    ));
                }
                let secs: u64 = digits
                    .parse()
                    .map_err(|_| err(pos, "timer seconds out of range"))?;
                if secs > 60 {
                    return Err(err(pos, "timer seconds out of range: allowed 0-60"));
                }
                timer = Some(Duration::from_secs(secs));
                i = rest;
            }
            '!' => {
                if i + 1 != chars.len() {
                    return Err(err(pos, "'!' (barred) must end a pattern"));
                }
                barred = true;
                i += 1;
            }
            _ => {
                let d = Digit::from_char(c).ok_or_else(|| err(pos, "unexpected character"))?;
                elements.push(Element::Digits(DigitSet::single(d), Repeat::Once));
                i += 1;
            }
        }
    }
    if !elements_can_consume(&elements) {
        return Err(err(0, "a pattern must match at least one digit"));
    }
    Ok(Pattern {
        elements,
        timer,
        barred,
    })
}

fn decimal(d: Digit) -> Option<u8> {
    let c = d.event_code();
    (c <= 9).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(4);

    fn digits(s: &str) -> Vec<Digit> {
        s.chars().map(|c| Digit::from_char(c).unwrap()).collect()
    }

    fn plan(text: &str) -> DialPlan {
        DialPlan::parse(text, &["911"], T).unwrap()
    }

    #[test]
    fn unique_full_match_dispatches_at_once() {
        let p = plan("{ 1xxxxxxxxxx | [2-9]xxxxxx }");
        assert_eq!(p.decide(&digits("5551234")), Decision::Dispatch("5551234".into()));
        assert_eq!(
            p.decide(&digits("16505551234")),
            Decision::Dispatch("16505551234".into())
        );
    }

    #[test]
    fn prefix_of_a_pattern_waits_for_more_digits() {
        let p = plan("{ 1xxxxxxxxxx | [2-9]xxxxxx }");
        assert_eq!(p.decide(&digits("1650")), Decision::Wait);
        assert_eq!(p.decide(&digits("555")), Decision::Wait);
    }

    #[test]
    fn digits_no_pattern_can_match_are_rejected_at_once() {
        let p = plan("{ 1xxxxxxxxxx | [2-9]xxxxxx }");
        assert_eq!(p.decide(&digits("0")), Decision::Reject);
        assert_eq!(p.decide(&digits("55512345")), Decision::Reject);
    }

    #[test]
    fn emergency_number_is_dispatched_even_when_the_plan_forbids_it() {
        let p = DialPlan::parse("{ 9xxx! | [2-8]xxx }", &["911", "112"], T).unwrap();
        assert_eq!(p.decide(&digits("91")), Decision::Wait);
        assert_eq!(p.decide(&digits("911")), Decision::Dispatch("911".into()));
        assert_eq!(p.decide(&digits("112")), Decision::Dispatch("112".into()));
    }

    #[test]
    fn substitution_replaces_the_dialed_prefix() {
        let p = plan("{ <8:1650>xxxxxxx }");
        assert_eq!(
            p.decide(&digits("85551234")),
            Decision::Dispatch("16505551234".into())
        );
        assert_eq!(p.decide(&digits("8")), Decision::Wait);
        assert_eq!(p.decide(&digits("7")), Decision::Reject);
    }

    #[test]
    fn substitution_can_prepend_and_strip() {
        let p = plan("{ <:1>[2-9]xx | <9:>xxxx }");
        assert_eq!(p.decide(&digits("234")), Decision::Dispatch("1234".into()));
        assert_eq!(p.decide(&digits("91234")), Decision::Dispatch("1234".into()));
    }

    #[test]
    fn open_ended_pattern_waits_the_inter_digit_time_after_a_match() {
        let p = plan("{ x+ }");
        assert_eq!(p.decide(&digits("1")), Decision::DispatchAfter("1".into(), T));
        assert_eq!(
            p.decide(&digits("1002")),
            Decision::DispatchAfter("1002".into(), T)
        );
    }

    #[test]
    fn hash_in_a_pattern_ends_the_number() {
        let p = plan("{ x+# | 911 }");
        assert_eq!(p.decide(&digits("1002")), Decision::Wait);
        assert_eq!(p.decide(&digits("1002#")), Decision::Dispatch("1002#".into()));
    }

    #[test]
    fn dot_allows_zero_repetitions() {
        let p = plan("{ 0x. }");
        assert_eq!(p.decide(&digits("0")), Decision::DispatchAfter("0".into(), T));
        assert_eq!(
            p.decide(&digits("0123")),
            Decision::DispatchAfter("0123".into(), T)
        );
    }

    #[test]
    fn vertical_service_codes_match_star_patterns() {
        let p = plan("{ *xx | [2-9]xxxxxx }");
        assert_eq!(p.decide(&digits("*7")), Decision::Wait);
        assert_eq!(p.decide(&digits("*72")), Decision::Dispatch("*72".into()));
    }

    #[test]
    fn pattern_timer_overrides_the_inter_digit_timeout() {
        let p = plan("{ 0S0 | 0xxxxxxxxx | 00x.T8 }");
        assert_eq!(p.decide(&digits("0")), Decision::Dispatch("0".into()));
        let p = plan("{ 00x.T8 | 0xxxxxxxxx }");
        assert_eq!(
            p.decide(&digits("00")),
            Decision::DispatchAfter("00".into(), Duration::from_secs(8))
        );
    }

    #[test]
    fn full_match_that_another_pattern_extends_waits() {
        let p = plan("{ 0 | 0xxxxxxxxx }");
        assert_eq!(p.decide(&digits("0")), Decision::DispatchAfter("0".into(), T));
    }

    #[test]
    fn barred_pattern_rejects_a_match() {
        let p = plan("{ 1900xxxxxxx! | 1xxxxxxxxxx }");
        assert_eq!(p.decide(&digits("19005551234")), Decision::Reject);
        assert_eq!(
            p.decide(&digits("18005551234")),
            Decision::Dispatch("18005551234".into())
        );
    }

    #[test]
    fn the_issue_example_compiles_and_decides() {
        let p = plan("{ x+# | 911 | 1xxxxxxxxxx | <8:1650>xxxxxxx | *xx | [2-9]xxxxxx }");
        assert_eq!(p.decide(&digits("911")), Decision::Dispatch("911".into()));
        assert_eq!(p.decide(&digits("*69")), Decision::Dispatch("*69".into()));
        // Full match of <8:1650>xxxxxxx, but x+# could still extend the digits.
        assert_eq!(
            p.decide(&digits("85551234")),
            Decision::DispatchAfter("16505551234".into(), T)
        );
        assert_eq!(p.finish(&digits("85551234")), Some("16505551234".into()));
        assert_eq!(p.finish(&digits("42")), None);
    }

    #[test]
    fn finish_returns_the_number_of_a_full_match_only() {
        let p = plan("{ [2-9]xxxxxx }");
        assert_eq!(p.finish(&digits("5551234")), Some("5551234".into()));
        assert_eq!(p.finish(&digits("555")), None);
    }

    #[test]
    fn default_plan_accepts_any_number_and_service_codes() {
        let p = plan(DEFAULT_DIAL_PLAN);
        assert_eq!(
            p.decide(&digits("1002")),
            Decision::DispatchAfter("1002".into(), T)
        );
        assert_eq!(p.finish(&digits("*72")), Some("*72".into()));
        assert_eq!(p.finish(&digits("#")), Some("#".into()));
    }

    #[test]
    fn bad_plans_name_the_position_and_the_defect() {
        let cases = [
            ("{ 1xx | [2-9 }", 8, "unclosed '['"),
            ("{ 1xx | [2-9xx }", 12, "not a digit inside"),
            ("{ 1xx || 2 }", 7, "empty pattern"),
            ("{ 1xx | 2 ", 9, "missing closing '}'"),
            ("1xx|<8165>xx", 4, "needs ':'"),
            ("1xx|.2", 4, "must follow"),
            ("1xx|[9-2]", 6, "lower to a higher"),
            ("1xQ", 2, "unexpected character"),
            ("1x!x", 2, "must end a pattern"),
            ("1xS99", 2, "out of range"),
            ("", 0, "empty"),
        ];
        for (text, position, problem) in cases {
            let err = DialPlan::parse(text, &[], T).unwrap_err();
            assert_eq!(err.position, position, "{text:?}: {err}");
            assert!(err.problem.contains(problem), "{text:?}: {err}");
        }
    }

    #[test]
    fn bad_emergency_number_is_refused() {
        assert!(DialPlan::parse("x+", &["9 1 1"], T).is_err());
        assert!(DialPlan::parse("x+", &[""], T).is_err());
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn digit() -> impl Strategy<Value = Digit> {
        (0u8..16).prop_map(|c| Digit::from_event_code(c).unwrap())
    }

    proptest! {
        /// A literal pattern matches exactly itself and nothing else.
        #[test]
        fn literal_pattern_matches_only_itself(number in proptest::collection::vec(digit(), 1..12),
                                               other in proptest::collection::vec(digit(), 1..12)) {
            let text: String = number.iter().map(|d| d.as_char()).collect();
            let p = DialPlan::parse(&text, &[], Duration::from_secs(4)).unwrap();
            prop_assert_eq!(p.decide(&number), Decision::Dispatch(text.clone()));
            if other != number {
                let d = p.decide(&other);
                if number.starts_with(&other) {
                    prop_assert_eq!(d, Decision::Wait);
                } else {
                    prop_assert_eq!(d, Decision::Reject);
                }
            }
        }

        /// `x` patterns of length n dispatch exactly n decimal digits.
        #[test]
        fn x_pattern_counts_digits(n in 1usize..12, len in 1usize..14) {
            let p = DialPlan::parse(&"x".repeat(n), &[], Duration::from_secs(4)).unwrap();
            let dialed: Vec<Digit> = (0..len).map(|i| Digit::from_event_code((i % 10) as u8).unwrap()).collect();
            let d = p.decide(&dialed);
            match len.cmp(&n) {
                core::cmp::Ordering::Less => prop_assert_eq!(d, Decision::Wait),
                core::cmp::Ordering::Equal => prop_assert!(matches!(d, Decision::Dispatch(_))),
                core::cmp::Ordering::Greater => prop_assert_eq!(d, Decision::Reject),
            }
        }

        /// Parsing never panics on arbitrary text.
        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = DialPlan::parse(&text, &[], Duration::from_secs(4));
        }
    }
}

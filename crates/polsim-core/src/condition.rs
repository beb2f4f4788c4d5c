//! Condition operators: how one condition is judged against the request context.
//!
//! [`evaluate`] returns a [`CondOutcome`]: whether the condition holds and a [`Why`] code. No
//! text is built here; [`Why::describe`] turns the code into words when a report needs them.

use crate::ir::{Cmp, Condition, OpFamily, SetQualifier, Typed};
use crate::pattern::Glob;
use crate::request::{Env, Value};
use crate::values::{parse_date, Decimal};
use std::net::IpAddr;

/// Why a condition holds or fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// `Null`: the key is absent.
    NullAbsent,
    /// `Null`: the key is present.
    NullPresent,
    /// The key is absent and the operator ends in IfExists.
    AbsentIfExists,
    /// `ForAnyValue` with no request values.
    AnyValueEmpty,
    /// `ForAllValues` with no request values.
    AllValuesEmpty,
    /// `ForAnyValue`: the request value at this place satisfies it.
    AnyValueHit(usize),
    /// `ForAnyValue`: no request value satisfies it.
    AnyValueMiss,
    /// `ForAllValues`: every request value satisfies it.
    AllValuesHit,
    /// `ForAllValues`: the request value at this place does not.
    AllValuesMiss(usize),
    /// The key is absent, so a negated operator holds (AWS).
    AbsentNegatedHolds,
    /// The key is absent and every operator without an if-exists form is false (CAM).
    AbsentNegatedFails,
    /// The key is absent.
    Absent,
    /// The key has no values and the operator ends in IfExists.
    EmptyIfExists,
    /// The key is multi-valued and the operator has no set qualifier.
    MultiWithoutQualifier,
    /// A negated operator: the value matches none of the policy values.
    NoneMatched,
    /// The value matches a policy value.
    Matched,
    /// A negated operator: the value is among the policy values.
    Among,
    /// The value matches no policy value.
    NotMatched,
}

impl Why {
    /// A few words: why the condition holds or fails, given the request's values.
    pub fn describe(self, values: Option<Value<'_>>) -> String {
        let nth = |i: usize| {
            values
                .and_then(|v| v.iter().nth(i))
                .unwrap_or_default()
                .to_string()
        };
        let one = || {
            values
                .and_then(|v| v.iter().next())
                .unwrap_or_default()
                .to_string()
        };
        match self {
            Why::NullAbsent => "the key is absent".into(),
            Why::NullPresent => "the key is present".into(),
            Why::AbsentIfExists => "the key is absent and the operator ends in IfExists".into(),
            Why::AnyValueEmpty => "ForAnyValue with no request values is false".into(),
            Why::AllValuesEmpty => "ForAllValues with no request values is true".into(),
            Why::AnyValueHit(i) => format!("request value `{}` satisfies it", nth(i)),
            Why::AnyValueMiss => "no request value satisfies it".into(),
            Why::AllValuesHit => "every request value satisfies it".into(),
            Why::AllValuesMiss(i) => format!("request value `{}` does not satisfy it", nth(i)),
            Why::AbsentNegatedHolds => "the key is absent, so a negated operator holds".into(),
            Why::AbsentNegatedFails => "the key is absent, and in this cloud every operator without an if-exists form is false then".into(),
            Why::Absent => "the key is absent from the request".into(),
            Why::EmptyIfExists => "the key has no values and the operator ends in IfExists".into(),
            Why::MultiWithoutQualifier => "the key is multi-valued and the operator has no ForAnyValue/ForAllValues qualifier".into(),
            Why::NoneMatched => format!("request value `{}` matches none of the policy values", one()),
            Why::Matched => format!("request value `{}` matches a policy value", one()),
            Why::Among => format!("request value `{}` is among the policy values", one()),
            Why::NotMatched => format!("request value `{}` matches no policy value", one()),
        }
    }
}

/// The verdict on one condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CondOutcome {
    /// Whether the condition holds.
    pub holds: bool,
    /// Why.
    pub why: Why,
    /// Whether the key is absent from the request.
    pub absent: bool,
    /// Whether a policy variable in the values had no value.
    pub unresolved: bool,
}

/// How keys are looked up and variables substituted for one evaluation.
#[derive(Debug, Clone, Copy)]
pub struct KeyLookup<'a> {
    /// The request context, caller-derived keys included.
    pub env: Env<'a>,
    /// Whether `${...}` variables are substituted (AWS 2012-10-17, CAM).
    pub variables: bool,
    /// Whether a negated operator holds when the key is absent (AWS: yes; CAM: no).
    pub negated_missing: bool,
}

/// Judges one condition.
pub fn evaluate(cond: &Condition, env: &KeyLookup<'_>) -> CondOutcome {
    let value = env.env.get(&cond.key);
    let op = cond.op;
    let mut out = CondOutcome {
        holds: false,
        why: Why::Absent,
        absent: value.is_none(),
        unresolved: false,
    };

    if op.family == OpFamily::Null {
        let absent = value.is_none_or(Value::is_empty);
        out.holds = cond.values.iter().any(|p| {
            if p.text.eq_ignore_ascii_case("true") {
                absent
            } else if p.text.eq_ignore_ascii_case("false") {
                !absent
            } else {
                false
            }
        });
        out.why = if absent {
            Why::NullAbsent
        } else {
            Why::NullPresent
        };
        return out;
    }

    let mut unresolved = false;
    let single = |s: &str, unresolved: &mut bool| -> bool {
        let mut hit = |v: &crate::ir::ConditionValue| -> Option<bool> {
            match &v.typed {
                Some(t) => Some(matches(t, op.family, s)),
                None => {
                    // Policy variables: substitute, then read the value for this request.
                    let lookup = |k: &str| {
                        if env.variables {
                            env.env.single(k).map(str::to_string)
                        } else {
                            None
                        }
                    };
                    let typed = if op.family == OpFamily::StringLike {
                        v.template
                            .resolve(lookup, false)
                            .ok()
                            .map(|g| Typed::Like(g.into_owned()))
                    } else {
                        v.template
                            .resolve_text(lookup)
                            .ok()
                            .map(|t| Typed::from_text(op.family, t))
                    };
                    match typed {
                        Some(t) => Some(matches(&t, op.family, s)),
                        None => {
                            *unresolved = true;
                            None
                        }
                    }
                }
            }
        };
        if op.negated {
            cond.values.iter().all(|v| hit(v) != Some(true))
        } else {
            cond.values.iter().any(|v| hit(v) == Some(true))
        }
    };

    let (holds, why) = match op.set {
        Some(q) => {
            let empty = value.is_none_or(Value::is_empty);
            if empty {
                match q {
                    SetQualifier::ForAnyValue if value.is_none() && op.if_exists => {
                        (true, Why::AbsentIfExists)
                    }
                    SetQualifier::ForAnyValue => (false, Why::AnyValueEmpty),
                    SetQualifier::ForAllValues => (true, Why::AllValuesEmpty),
                }
            } else {
                let vals = value.map(Value::iter).into_iter().flatten();
                match q {
                    SetQualifier::ForAnyValue => {
                        let mut found = None;
                        for (i, s) in vals.enumerate() {
                            if single(s, &mut unresolved) {
                                found = Some(i);
                                break;
                            }
                        }
                        match found {
                            Some(i) => (true, Why::AnyValueHit(i)),
                            None => (false, Why::AnyValueMiss),
                        }
                    }
                    SetQualifier::ForAllValues => {
                        let mut miss = None;
                        for (i, s) in vals.enumerate() {
                            if !single(s, &mut unresolved) {
                                miss = Some(i);
                                break;
                            }
                        }
                        match miss {
                            None => (true, Why::AllValuesHit),
                            Some(i) => (false, Why::AllValuesMiss(i)),
                        }
                    }
                }
            }
        }
        None => match value {
            None if op.if_exists => (true, Why::AbsentIfExists),
            None if op.negated && env.negated_missing => (true, Why::AbsentNegatedHolds),
            None if op.negated => (false, Why::AbsentNegatedFails),
            None => (false, Why::Absent),
            Some(Value::Many(v)) if v.is_empty() && op.if_exists => (true, Why::EmptyIfExists),
            Some(Value::Many(_)) => (false, Why::MultiWithoutQualifier),
            Some(Value::One(s)) => {
                let ok = single(s, &mut unresolved);
                match (ok, op.negated) {
                    (true, true) => (true, Why::NoneMatched),
                    (true, false) => (true, Why::Matched),
                    (false, true) => (false, Why::Among),
                    (false, false) => (false, Why::NotMatched),
                }
            }
        },
    };
    out.holds = holds;
    out.why = why;
    out.unresolved = unresolved;
    out
}

/// Whether request value `s` matches typed policy value `p` under `family`.
fn matches(p: &Typed, family: OpFamily, s: &str) -> bool {
    match (p, family) {
        (Typed::Folded(p), _) => folded_eq(s, p),
        (Typed::Text(p), OpFamily::Bool) => {
            (s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"))
                && s.eq_ignore_ascii_case(p)
        }
        (Typed::Text(p), _) => s == p,
        (Typed::Like(g), _) => g.matches(s),
        (Typed::Number(p), OpFamily::Numeric(cmp)) => {
            Decimal::parse(s).is_some_and(|v| compare(cmp, Some(v.cmp(p))))
        }
        (Typed::Date(p), OpFamily::Date(cmp)) => {
            parse_date(s).is_some_and(|v| compare(cmp, Some(v.cmp(p))))
        }
        (Typed::Net(net), _) => s.trim().parse::<IpAddr>().is_ok_and(|ip| net.contains(&ip)),
        (Typed::Arn(globs), _) => arn_like(globs, s),
        _ => false,
    }
}

/// Whether `s` lowercased is `folded` (already lowercased), without allocating when `s` is
/// ASCII (where lowercasing is byte by byte); other text is lowercased as `str::to_lowercase`
/// does (final sigma included).
fn folded_eq(s: &str, folded: &str) -> bool {
    if s.is_ascii() {
        s.len() == folded.len()
            && s.bytes()
                .zip(folded.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        s.to_lowercase() == folded
    }
}

fn compare(cmp: Cmp, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    matches!(
        (cmp, ord),
        (Cmp::Eq, Some(Equal))
            | (Cmp::Lt, Some(Less))
            | (Cmp::Le, Some(Less | Equal))
            | (Cmp::Gt, Some(Greater))
            | (Cmp::Ge, Some(Greater | Equal))
    )
}

#[cfg(test)]
fn arn_globs(pattern: &str) -> Vec<Glob> {
    pattern.splitn(6, ':').map(Glob::new).collect()
}

/// `ArnLike`: colon-separated segments compared one by one, case-sensitively; a value that is
/// not an ARN never matches.
fn arn_like(globs: &[Glob], value: &str) -> bool {
    if globs.len() != 6 || !value.starts_with("arn:") || value.splitn(6, ':').count() != 6 {
        return false;
    }
    globs
        .iter()
        .zip(value.splitn(6, ':'))
        .all(|(g, p)| g.matches(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let g = arn_globs("arn:aws:someservice:*:111122223333:finance/*");
        assert!(arn_like(
            &g,
            "arn:aws:someservice:us-east-2:111122223333:finance/doc.txt"
        ));
        assert!(!arn_like(
            &g,
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/doc.txt"
        ));
        assert!(!arn_like(&g, "not-an-arn"));
    }

    #[test]
    fn folded_equality_agrees_with_to_lowercase() {
        for (s, p) in [
            ("Prod", "prod"),
            ("PROD", "prod"),
            ("prod", "prod"),
            ("prod ", "prod"),
            ("pro", "prod"),
            ("", ""),
            ("ÉTÉ", "été"),
            ("ΟΔΟΣ", "οδος"),
            ("ΟΔΟΣ", "οδoς"),
            // Final sigma: `to_lowercase` writes `ς` at the end of a word.
            ("ΟΔΟΣ", "ΟΔΟΣ".to_lowercase().as_str()),
        ] {
            assert_eq!(folded_eq(s, p), s.to_lowercase() == p, "{s:?} vs {p:?}");
        }
    }
}

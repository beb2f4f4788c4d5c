//! Condition operators: how one condition is judged against the request context.

use crate::ir::{Cmp, Condition, OpFamily, SetQualifier};
use crate::pattern::Glob;
use crate::request::{Context, CtxValue};
use std::net::IpAddr;

/// The verdict on one condition, with what the explanation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CondVerdict {
    /// Whether the condition holds.
    pub holds: bool,
    /// The request's values for the key; `None` when the key is absent.
    pub request: Option<Vec<String>>,
    /// Why it holds or fails, in a few words.
    pub reason: String,
    /// Policy variables in the values that had no value.
    pub unresolved: Vec<String>,
}

/// How keys are looked up and variables substituted for one evaluation.
pub struct KeyLookup<'a> {
    /// The request context, caller-derived keys included.
    pub context: &'a Context,
    /// Whether key names must agree in case (Tencent CAM).
    pub case_sensitive: bool,
    /// Whether `${...}` variables are substituted (AWS 2012-10-17).
    pub variables: bool,
    /// Whether a negated operator holds when the key is absent (AWS: yes; CAM: no).
    pub negated_missing: bool,
}

impl KeyLookup<'_> {
    fn var(&self, key: &str) -> Option<String> {
        self.context.get_single(key, self.case_sensitive)
    }
}

/// Judges one condition.
pub fn evaluate(cond: &Condition, env: &KeyLookup<'_>) -> CondVerdict {
    let value = env.context.get(&cond.key, env.case_sensitive);
    let request = value.map(CtxValue::values);
    let op = cond.op;
    let mut unresolved = Vec::new();

    if op.family == OpFamily::Null {
        let absent = match value {
            None => true,
            Some(CtxValue::One(s)) => s.is_empty(),
            Some(CtxValue::Many(v)) => v.is_empty(),
        };
        let holds = cond
            .values
            .iter()
            .any(|p| match p.text.to_ascii_lowercase().as_str() {
                "true" => absent,
                "false" => !absent,
                _ => false,
            });
        let reason = if absent {
            "the key is absent"
        } else {
            "the key is present"
        };
        return CondVerdict {
            holds,
            request,
            reason: reason.into(),
            unresolved,
        };
    }

    // The policy values after variable substitution; `None` for a variable without a value.
    let policy: Vec<Option<PolicyValue>> = cond
        .values
        .iter()
        .map(|v| {
            // Templates also carry `${*}`, `${?}` and `${$}`, which must become their characters
            // even when the value has no real variable.
            if env.variables {
                if op.family == OpFamily::StringLike {
                    // A substituted value's own `*` and `?` stay literal.
                    return match v.template.resolve(|k| env.var(k), false) {
                        Ok(glob) => Some(PolicyValue::Like(glob.into_owned())),
                        Err(key) => {
                            unresolved.push(key);
                            None
                        }
                    };
                }
                match v.template.resolve_text(|k| env.var(k)) {
                    Ok(text) => Some(PolicyValue::new(op.family, text)),
                    Err(key) => {
                        unresolved.push(key);
                        None
                    }
                }
            } else {
                Some(PolicyValue::new(op.family, v.template.text.clone()))
            }
        })
        .collect();

    let single = |s: &str| -> bool {
        if op.negated {
            policy
                .iter()
                .all(|p| p.as_ref().is_none_or(|p| !p.matches(op.family, s)))
        } else {
            policy
                .iter()
                .any(|p| p.as_ref().is_some_and(|p| p.matches(op.family, s)))
        }
    };

    let (holds, reason): (bool, String) = match op.set {
        Some(q) => {
            let values: Vec<&str> = match value {
                None => Vec::new(),
                Some(CtxValue::One(s)) if s.is_empty() => Vec::new(),
                Some(CtxValue::One(s)) => vec![s.as_str()],
                Some(CtxValue::Many(v)) => v.iter().map(String::as_str).collect(),
            };
            if values.is_empty() {
                match q {
                    SetQualifier::ForAnyValue if value.is_none() && op.if_exists => {
                        (true, "the key is absent and the operator ends in IfExists".into())
                    }
                    SetQualifier::ForAnyValue => (
                        false,
                        "ForAnyValue with no request values is false".into(),
                    ),
                    SetQualifier::ForAllValues => (
                        true,
                        "ForAllValues with no request values is true".into(),
                    ),
                }
            } else {
                match q {
                    SetQualifier::ForAnyValue => {
                        let hit = values.iter().find(|s| single(s));
                        match hit {
                            Some(s) => (true, format!("request value `{s}` satisfies it")),
                            None => (false, "no request value satisfies it".into()),
                        }
                    }
                    SetQualifier::ForAllValues => {
                        let miss = values.iter().find(|s| !single(s));
                        match miss {
                            None => (true, "every request value satisfies it".into()),
                            Some(s) => (false, format!("request value `{s}` does not satisfy it")),
                        }
                    }
                }
            }
        }
        None => match value {
            None if op.if_exists => (true, "the key is absent and the operator ends in IfExists".into()),
            None if op.negated && env.negated_missing => (true, "the key is absent, so a negated operator holds".into()),
            None if op.negated => (false, "the key is absent, and in this cloud every operator without an if-exists form is false then".into()),
            None => (false, "the key is absent from the request".into()),
            Some(CtxValue::Many(v)) if v.is_empty() && op.if_exists => {
                (true, "the key has no values and the operator ends in IfExists".into())
            }
            Some(CtxValue::Many(_)) => (
                false,
                "the key is multi-valued and the operator has no ForAnyValue/ForAllValues qualifier"
                    .into(),
            ),
            Some(CtxValue::One(s)) => {
                if single(s) && op.negated {
                    (true, format!("request value `{s}` matches none of the policy values"))
                } else if single(s) {
                    (true, format!("request value `{s}` matches a policy value"))
                } else if op.negated {
                    (false, format!("request value `{s}` is among the policy values"))
                } else {
                    (false, format!("request value `{s}` matches no policy value"))
                }
            }
        },
    };
    CondVerdict {
        holds,
        request,
        reason,
        unresolved,
    }
}

/// A policy value prepared for one operator family.
enum PolicyValue {
    Text(String),
    Like(Glob),
    Number(f64),
    Date(i64),
    Net(ipnet::IpNet),
    Arn(Vec<Glob>),
    Invalid,
}

impl PolicyValue {
    fn new(family: OpFamily, text: String) -> PolicyValue {
        match family {
            OpFamily::StringLike => PolicyValue::Like(Glob::new(&text)),
            OpFamily::StringEqualsIgnoreCase => PolicyValue::Text(text.to_lowercase()),
            OpFamily::Numeric(_) => text
                .trim()
                .parse::<f64>()
                .map_or(PolicyValue::Invalid, PolicyValue::Number),
            OpFamily::Date(_) => parse_date(&text).map_or(PolicyValue::Invalid, PolicyValue::Date),
            OpFamily::Ip => parse_net(&text).map_or(PolicyValue::Invalid, PolicyValue::Net),
            OpFamily::Arn => PolicyValue::Arn(arn_globs(&text)),
            _ => PolicyValue::Text(text),
        }
    }

    fn matches(&self, family: OpFamily, s: &str) -> bool {
        match (self, family) {
            (PolicyValue::Text(p), OpFamily::StringEqualsIgnoreCase) => s.to_lowercase() == *p,
            (PolicyValue::Text(p), OpFamily::Bool) => {
                let s = s.to_ascii_lowercase();
                (s == "true" || s == "false") && s == p.to_ascii_lowercase()
            }
            (PolicyValue::Text(p), _) => s == p,
            (PolicyValue::Like(g), _) => g.matches(s),
            (PolicyValue::Number(p), OpFamily::Numeric(cmp)) => s
                .trim()
                .parse::<f64>()
                .is_ok_and(|v| compare(cmp, v.partial_cmp(p))),
            (PolicyValue::Date(p), OpFamily::Date(cmp)) => {
                parse_date(s).is_some_and(|v| compare(cmp, Some(v.cmp(p))))
            }
            (PolicyValue::Net(net), _) => {
                s.trim().parse::<IpAddr>().is_ok_and(|ip| net.contains(&ip))
            }
            (PolicyValue::Arn(globs), _) => arn_like(globs, s),
            _ => false,
        }
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

/// Reads a CIDR; a bare address means a single host (/32 or /128).
pub fn parse_net(text: &str) -> Option<ipnet::IpNet> {
    let t = text.trim();
    if let Ok(net) = t.parse::<ipnet::IpNet>() {
        return Some(net);
    }
    t.parse::<IpAddr>().ok().map(ipnet::IpNet::from)
}

/// Reads a date as milliseconds since the epoch: W3C ISO 8601 (with or without time, zone and
/// fraction) or epoch seconds.
pub fn parse_date(text: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok().and_then(|s| s.checked_mul(1000));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y%m%dT%H%M%S%#z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(t, fmt) {
            return Some(d.timestamp_millis());
        }
    }
    let naive = t.strip_suffix('Z').unwrap_or(t);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y%m%dT%H%M%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Some(d.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(naive, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_millis());
    }
    None
}

fn arn_globs(pattern: &str) -> Vec<Glob> {
    pattern.splitn(6, ':').map(Glob::new).collect()
}

/// `ArnLike`: colon-separated segments compared one by one, case-sensitively; a value that is
/// not an ARN never matches.
fn arn_like(globs: &[Glob], value: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts.first() != Some(&"arn") || globs.len() != 6 {
        return false;
    }
    globs.iter().zip(parts).all(|(g, p)| g.matches(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1735689600"), Some(1_735_689_600_000));
        assert_eq!(parse_date("2025-01-01T00:00:00Z"), Some(1_735_689_600_000));
        assert_eq!(parse_date("2025-01-01"), Some(1_735_689_600_000));
        assert_eq!(
            parse_date("2025-01-01T01:00:00+01:00"),
            Some(1_735_689_600_000)
        );
        assert_eq!(
            parse_date("2025-01-01T00:00:00.000Z"),
            Some(1_735_689_600_000)
        );
        assert_eq!(parse_date("not a date"), None);
    }

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
    fn nets() {
        let n = parse_net("203.0.113.0").unwrap();
        assert!(n.contains(&"203.0.113.0".parse::<IpAddr>().unwrap()));
        assert!(!n.contains(&"203.0.113.1".parse::<IpAddr>().unwrap()));
        let v6 = parse_net("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains(&"2001:db8:1234:5678::1".parse::<IpAddr>().unwrap()));
    }
}

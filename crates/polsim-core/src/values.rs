//! Typed scalar values read from policy and request text: exact decimal numbers for
//! `Numeric*` conditions, dates, IP networks.
//!
//! Policies and requests write numbers as text; comparing them as `f64` makes
//! `9007199254740993` equal `9007199254740992` and lets `inf` or `NaN` through. A [`Decimal`]
//! keeps every digit and compares exactly.

use std::cmp::Ordering;
use std::net::IpAddr;

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

/// The largest exponent accepted (`1e400` is refused rather than expanded).
const MAX_EXPONENT: i64 = 400;

/// A decimal number: sign, integer digits without leading zeros, fraction digits without
/// trailing zeros. Zero has no digits and no sign.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    /// Reads `-12`, `3.50`, `+7`, `1e3`, `2.5E-2` (surrounding white space allowed). `None` for
    /// anything else (`inf`, `NaN`, `0x10`, `1,000`, empty text).
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (negative, t) = match t.as_bytes().first()? {
            b'-' => (true, t.get(1..)?),
            b'+' => (false, t.get(1..)?),
            _ => (false, t),
        };
        let (mantissa, exponent) = match t.find(['e', 'E']) {
            Some(i) => {
                let e = t.get(i + 1..)?;
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let v: i64 = e.parse().ok()?;
                if v.abs() > MAX_EXPONENT {
                    return None;
                }
                (t.get(..i)?, v)
            }
            None => (t, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut digits = format!("{int}{frac}");
        // The decimal point sits after `point` digits.
        let mut point = i64::try_from(int.len()).ok()? + exponent;
        if point < 0 {
            let pad = usize::try_from(-point).ok()?;
            digits.insert_str(0, &"0".repeat(pad));
            point = 0;
        }
        let point = usize::try_from(point).ok()?;
        if point > digits.len() {
            digits.push_str(&"0".repeat(point - digits.len()));
        }
        let (i, f) = digits.split_at(point);
        let int = i.trim_start_matches('0').to_string();
        let frac = f.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        Some(Decimal {
            negative: negative && !zero,
            int,
            frac,
        })
    }

    /// How many digits the number has after the point.
    pub fn scale(&self) -> usize {
        self.frac.len()
    }

    /// The number as plain decimal text (`-12.5`, `0`), which [`Decimal::parse`] reads back.
    pub fn to_text(&self) -> String {
        let int = if self.int.is_empty() { "0" } else { &self.int };
        let sign = if self.negative { "-" } else { "" };
        if self.frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{}", self.frac)
        }
    }

    /// The number plus (`up`) or minus one unit in the `places`-th digit after the point
    /// (`places` at least [`Decimal::scale`]): the neighbours `polsim diff` tries on either side
    /// of a `Numeric*` bound, with no other policy bound between them.
    pub fn nudged(&self, up: bool, places: usize) -> Decimal {
        let places = places.max(self.frac.len());
        let mut frac = self.frac.clone();
        frac.push_str(&"0".repeat(places - self.frac.len()));
        let digits: Vec<u8> = format!("{}{frac}", self.int)
            .bytes()
            .map(|b| b - b'0')
            .collect();
        let away_from_zero = up != self.negative;
        let zero = digits.iter().all(|d| *d == 0);
        let (negative, magnitude) = if away_from_zero || zero {
            (if zero { !up } else { self.negative }, add_one(&digits))
        } else {
            (self.negative, sub_one(&digits))
        };
        let text: String = magnitude.iter().map(|d| char::from(b'0' + d)).collect();
        let split = text.len().saturating_sub(places);
        let (i, f) = text.split_at(split);
        let int = i.trim_start_matches('0').to_string();
        let frac = f.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        Decimal {
            negative: negative && !zero,
            int,
            frac,
        }
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

/// Adds one to a big-endian list of decimal digits.
fn add_one(digits: &[u8]) -> Vec<u8> {
    let mut out = digits.to_vec();
    for d in out.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return out;
        }
    }
    out.insert(0, 1);
    out
}

/// Subtracts one from a big-endian list of decimal digits that is not zero.
fn sub_one(digits: &[u8]) -> Vec<u8> {
    let mut out = digits.to_vec();
    for d in out.iter_mut().rev() {
        if *d == 0 {
            *d = 9;
        } else {
            *d -= 1;
            break;
        }
    }
    out
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn exact_comparison() {
        assert!(d("9007199254740993") > d("9007199254740992"));
        assert_eq!(d("3.50"), d("3.5"));
        assert_eq!(d("-0"), d("0.000"));
        assert_eq!(d("1e3"), d("1000"));
        assert_eq!(d("2.5E-2"), d("0.025"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("0.1") < d("0.10001"));
        assert!(d("10") > d("9.999"));
        assert_eq!(d(" 7 "), d("+7"));
    }

    #[test]
    fn nudged_neighbours_are_one_unit_away() {
        assert_eq!(d("5").nudged(true, 1).to_text(), "5.1");
        assert_eq!(d("5").nudged(false, 1).to_text(), "4.9");
        assert_eq!(d("0").nudged(false, 0).to_text(), "-1");
        assert_eq!(d("0").nudged(true, 2).to_text(), "0.01");
        assert_eq!(d("-1.5").nudged(true, 1).to_text(), "-1.4");
        assert_eq!(d("-1.5").nudged(false, 1).to_text(), "-1.6");
        assert_eq!(d("0.1").nudged(false, 1).to_text(), "0");
        assert_eq!(d("9.99").nudged(true, 2).to_text(), "10");
        assert_eq!(d("-0.1").nudged(true, 1).to_text(), "0");
        for (s, k) in [("3", 0), ("2.25", 3), ("-7", 1), ("0", 1)] {
            let x = d(s);
            assert!(x.nudged(true, k) > x && x.nudged(false, k) < x, "{s}");
            assert_eq!(d(&x.to_text()), x);
        }
    }

    #[test]
    fn refuses_non_numbers() {
        for s in [
            "inf", "NaN", "", "-", "1,000", "0x10", "1e", "1e999", "1.2.3", ".",
        ] {
            assert!(Decimal::parse(s).is_none(), "{s}");
        }
    }

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
    fn nets() {
        let n = parse_net("203.0.113.0").unwrap();
        assert!(n.contains(&"203.0.113.0".parse::<IpAddr>().unwrap()));
        assert!(!n.contains(&"203.0.113.1".parse::<IpAddr>().unwrap()));
        let v6 = parse_net("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains(&"2001:db8:1234:5678::1".parse::<IpAddr>().unwrap()));
    }
}

//! Exact decimal numbers for `Numeric*` conditions.
//!
//! Policies and requests write numbers as text; comparing them as `f64` makes
//! `9007199254740993` equal `9007199254740992` and lets `inf` or `NaN` through. A [`Decimal`]
//! keeps every digit and compares exactly.

use std::cmp::Ordering;

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

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
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
    fn refuses_non_numbers() {
        for s in [
            "inf", "NaN", "", "-", "1,000", "0x10", "1e", "1e999", "1.2.3", ".",
        ] {
            assert!(Decimal::parse(s).is_none(), "{s}");
        }
    }
}

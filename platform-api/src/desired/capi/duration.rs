//! Durations as Kubernetes writes them (Go's `time.ParseDuration` syntax, e.g. `1h30m`,
//! `90s`, `1.5m`), and their conversion to the whole seconds CAPI v1beta2 stores.

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Nanoseconds per unit, longest unit names first so that `ms` is not read as `m`.
const UNITS: &[(&str, i128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),  // micro sign
    ("\u{3bc}s", 1_000), // Greek small letter mu
    ("ms", 1_000_000),
    ("s", NANOS_PER_SECOND),
    ("m", 60 * NANOS_PER_SECOND),
    ("h", 3_600 * NANOS_PER_SECOND),
];

/// Parses a duration into nanoseconds. A sign may lead; each term is a decimal number (with
/// an optional fraction) and a unit; `0` alone needs no unit. Errors name what is wrong.
pub fn parse_nanos(input: &str) -> Result<i64, String> {
    let (negative, mut rest) = match input.as_bytes().first() {
        Some(b'-') => (true, &input[1..]),
        Some(b'+') => (false, &input[1..]),
        _ => (false, input),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(format!("{input:?} is not a duration"));
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(f) => {
                let len = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
                f.split_at(len)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!("{input:?} is not a duration: a number is missing"));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, scale)| *scale)
            .ok_or_else(|| {
                if unit.is_empty() {
                    format!("{input:?} is not a duration: a unit is missing (use ns, us, ms, s, m or h)")
                } else {
                    format!("{input:?} is not a duration: unknown unit {unit:?} (use ns, us, ms, s, m or h)")
                }
            })?;
        let too_long = || format!("{input:?} is too long a duration");
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| too_long())?
        };
        let mut term = whole.checked_mul(scale).ok_or_else(too_long)?;
        // Digits past nanosecond precision cannot change the result.
        let mut place = scale;
        for digit in frac_part.bytes() {
            place /= 10;
            if place == 0 {
                break;
            }
            term += i128::from(digit - b'0') * place;
        }
        total = total.checked_add(term).ok_or_else(too_long)?;
        if total > i128::from(i64::MAX) {
            return Err(too_long());
        }
        rest = after;
    }
    let total = if negative { -total } else { total };
    i64::try_from(total).map_err(|_| format!("{input:?} is too long a duration"))
}

/// Whole seconds of a non-negative duration, as CAPI's v1beta1→v1beta2 conversion computes
/// them: the fraction is dropped and anything longer than `i32::MAX` seconds is capped.
pub fn timeout_seconds(input: &str) -> Result<i32, String> {
    let nanos = parse_nanos(input)?;
    if nanos < 0 {
        return Err(format!("{input:?} is negative"));
    }
    let seconds = i128::from(nanos) / NANOS_PER_SECOND;
    Ok(i32::try_from(seconds).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_durations() {
        for (text, nanos) in [
            ("0", 0),
            ("0s", 0),
            ("30s", 30 * NANOS_PER_SECOND as i64),
            ("1m30s", 90 * NANOS_PER_SECOND as i64),
            ("1h0m0s", 3_600 * NANOS_PER_SECOND as i64),
            ("1.5m", 90 * NANOS_PER_SECOND as i64),
            (".5s", 500_000_000),
            ("1.s", NANOS_PER_SECOND as i64),
            ("500ms", 500_000_000),
            ("10us", 10_000),
            ("10\u{b5}s", 10_000),
            ("10\u{3bc}s", 10_000),
            ("7ns", 7),
            ("-2s", -2 * NANOS_PER_SECOND as i64),
            ("+2s", 2 * NANOS_PER_SECOND as i64),
            ("1.0000000019s", 1_000_000_001),
        ] {
            assert_eq!(parse_nanos(text), Ok(nanos), "{text}");
        }
    }

    #[test]
    fn rejects_what_kubernetes_rejects() {
        for text in [
            "", "-", "s", "10", "1d", "1.5", ".s", "1h-2m", "1 h", "1e3s", "3000000h",
        ] {
            assert!(parse_nanos(text).is_err(), "{text:?} should not parse");
        }
    }

    #[test]
    fn seconds_truncate_and_must_not_be_negative() {
        assert_eq!(timeout_seconds("1m30s"), Ok(90));
        assert_eq!(timeout_seconds("1999ms"), Ok(1));
        assert_eq!(timeout_seconds("0"), Ok(0));
        assert_eq!(timeout_seconds("2562047h"), Ok(i32::MAX));
        assert!(timeout_seconds("-1s").unwrap_err().contains("negative"));
    }
}

//! The one syntax for durations on the workspace's command lines, humantime-style: one or more
//! whole numbers each followed by a unit, largest first or not (`30s`, `500ms`, `10m`, `1h30m`).
//! Units: `ms`, `s`, `m`, `h`. A bare `0` is zero; any other number needs its unit, so `5` is
//! never read as seconds by one command and minutes by another.

#![warn(missing_docs)]

use std::time::Duration;

/// Parses `text` (surrounding white space ignored) as a clap `value_parser` takes it; the error
/// names the text and the syntax.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(duration_arg::parse("1h30m"), Ok(Duration::from_secs(5400)));
/// assert_eq!(duration_arg::parse("500ms"), Ok(Duration::from_millis(500)));
/// assert!(duration_arg::parse("5").is_err());
/// ```
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration such as 30s, 500ms, 10m or 1h30m");
    let mut rest = text.trim();
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let term = match &rest[..unit_len] {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number.checked_mul(60).ok_or_else(bad)?),
            "h" => Duration::from_secs(number.checked_mul(3600).ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        total = total.checked_add(term).ok_or_else(bad)?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::time::Duration;

    #[test]
    fn every_unit_and_combinations() {
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse(" 10m "), Ok(Duration::from_secs(600)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1m30s500ms"), Ok(Duration::from_millis(90_500)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn refused() {
        for text in [
            "",
            "5",
            "soon",
            "-1s",
            "1.5s",
            "1d",
            "s",
            "1h 30m",
            "99999999999999999999h",
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.contains("30s, 500ms"), "{e}");
        }
    }
}

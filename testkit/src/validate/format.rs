//! Keywords that only apply to strings or to numbers (as in OpenAPI: `pattern` on an
//! int-or-string node is ignored for an integer value), and the `format`s Kubernetes
//! checks. Unknown formats are accepted, as Kubernetes does.

use serde_json::{Map, Number, Value};

use super::SchemaError;
use super::object::short;

pub(crate) fn check_string(
    text: &str,
    s: &Map<String, Value>,
    path: &str,
    errs: &mut Vec<SchemaError>,
) {
    let mut err = |message: String| errs.push(SchemaError::new(path, message));
    // Kubernetes counts characters (runes), not bytes.
    let len = text.chars().count() as u64;
    if let Some(min) = s.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        let what = if len == 0 {
            "must not be empty"
        } else {
            "is too short"
        };
        err(format!(
            "{what}: has {len} character(s), minLength is {min}"
        ));
    }
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        err(format!(
            "is too long: has {len} characters, maxLength is {max}"
        ));
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        match super::compile_pattern(pattern) {
            Ok(re) if re.is_match(text) => {}
            Ok(_) => err(format!(
                "value {} does not match the pattern {pattern:?}",
                short(&Value::String(text.to_string()))
            )),
            Err(e) => err(format!(
                "the schema's pattern {pattern:?} does not compile: {e}"
            )),
        }
    }
    if let Some(format) = s.get("format").and_then(Value::as_str)
        && let Some(problem) = string_format_problem(format, text)
    {
        err(format!(
            "value {} is not a valid {format}: {problem}",
            short(&Value::String(text.to_string()))
        ));
    }
}

pub(crate) fn check_number(
    n: &Number,
    s: &Map<String, Value>,
    path: &str,
    errs: &mut Vec<SchemaError>,
) {
    let mut err = |message: String| errs.push(SchemaError::new(path, message));
    let x = n.as_f64().unwrap_or(f64::NAN);
    // OpenAPI v3.0: `exclusiveMinimum`/`exclusiveMaximum` are booleans modifying the bound.
    if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
        let exclusive = s.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
        if x < min || (exclusive && x == min) {
            let op = if exclusive { ">" } else { ">=" };
            err(format!("must be {op} {min}, got {n}"));
        }
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
        let exclusive = s.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
        if x > max || (exclusive && x == max) {
            let op = if exclusive { "<" } else { "<=" };
            err(format!("must be {op} {max}, got {n}"));
        }
    }
    if let Some(m) = s.get("multipleOf").and_then(Value::as_f64)
        && m > 0.0
        && (x / m).fract().abs() > 1e-9
    {
        err(format!("must be a multiple of {m}, got {n}"));
    }
    // Only integers are range-checked; a fractional value already failed `type: integer`.
    if !n.is_f64() {
        let as_i64 = n.as_i64();
        match s.get("format").and_then(Value::as_str) {
            Some("int32") if as_i64.is_none_or(|i| i32::try_from(i).is_err()) => err(format!(
                "{n} is out of range for format int32 ({}..={})",
                i32::MIN,
                i32::MAX
            )),
            Some("int64") if as_i64.is_none() => {
                err(format!("{n} is out of range for format int64"))
            }
            _ => {}
        }
    }
}

/// Why `text` is not a valid `format`, or `None` if it is (or the format is not checked).
pub(crate) fn string_format_problem(format: &str, text: &str) -> Option<String> {
    let ok = match format {
        "date-time" | "datetime" => is_rfc3339(text),
        "date" => is_date(text),
        "byte" => is_base64(text),
        "uuid" => is_uuid(text),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "cidr" => is_cidr(text),
        "hostname" => is_hostname(text),
        "duration" => is_duration(text),
        _ => true,
    };
    (!ok).then(|| {
        match format {
            "date-time" | "datetime" => "expected RFC 3339, e.g. 2024-01-31T12:00:00Z",
            "date" => "expected YYYY-MM-DD",
            "byte" => "expected standard base64",
            "duration" => "expected a duration such as 1h30m",
            _ => "wrong syntax",
        }
        .to_string()
    })
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(y), digits(m), digits(d)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_rfc3339(s: &str) -> bool {
    let Some((date, rest)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, None)
    } else {
        match rest.rfind(['+', '-']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => return false,
        }
    };
    if let Some(off) = offset {
        let Some((h, m)) = off.split_once(':') else {
            return false;
        };
        if h.len() != 2
            || m.len() != 2
            || digits(h).is_none_or(|h| h > 23)
            || digits(m).is_none_or(|m| m > 59)
        {
            return false;
        }
    }
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (time, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = parts[..] else { return false };
    [h, m, sec].iter().all(|p| p.len() == 2)
        && digits(h).is_some_and(|h| h <= 23)
        && digits(m).is_some_and(|m| m <= 59)
        && digits(sec).is_some_and(|s| s <= 60)
}

fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    s.len().is_multiple_of(4)
        && s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Some(bits) = digits(bits) else {
        return false;
    };
    if ip.parse::<std::net::Ipv4Addr>().is_ok() {
        bits <= 32
    } else {
        ip.parse::<std::net::Ipv6Addr>().is_ok() && bits <= 128
    }
}

/// RFC 1123 host name, allowing non-ASCII letters as the OpenAPI `hostname` format does.
fn is_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 255
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// One or more `<number><unit>` groups (Go durations, plus d/w as OpenAPI allows).
fn is_duration(s: &str) -> bool {
    let s = s.trim().strip_prefix(['-', '+']).unwrap_or(s.trim());
    if s.is_empty() {
        return false;
    }
    if s == "0" {
        return true;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return false;
        }
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let known = [
            "ns", "us", "µs", "μs", "ms", "s", "m", "h", "d", "w", "sec", "min", "hour", "hours",
            "day", "days", "week", "weeks",
        ];
        if !known.contains(&unit) {
            return false;
        }
        rest = rest[unit_len..].trim_start();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert!(is_rfc3339("2024-02-29T23:59:60Z"));
        assert!(is_rfc3339("2024-01-31T12:00:00.123+02:00"));
        assert!(!is_rfc3339("2023-02-29T00:00:00Z"));
        assert!(!is_rfc3339("2024-01-31 12:00:00Z"));
        assert!(!is_rfc3339("2024-01-31T12:00:00"));
        assert!(!is_rfc3339("2024-01-31T12:00:00.Z"));
    }

    #[test]
    fn other_formats() {
        assert!(is_duration("1h30m") && is_duration("0s") && !is_duration("1x"));
        assert!(is_cidr("10.0.0.0/8") && !is_cidr("10.0.0.0/33"));
        assert!(is_base64("ZmFrZQ==") && !is_base64("ZmFrZQ="));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_hostname("api.example.com") && !is_hostname("-bad.example"));
    }
}

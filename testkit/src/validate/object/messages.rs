//! How values, schemas and unknown fields are worded in error messages.

use serde_json::{Map, Value};

pub(super) fn unknown_field_message(key: &str, props: Option<&Map<String, Value>>) -> String {
    let head = format!(
        "unknown field {key:?}: the schema does not declare it, so an apiserver would \
         silently drop it; remove it or fix its name"
    );
    let Some(props) = props.filter(|p| !p.is_empty()) else {
        return format!("{head} (this object declares no fields)");
    };
    if let Some(best) = closest(key, props.keys().map(String::as_str)) {
        return format!("{head} (did you mean {best:?}?)");
    }
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    if names.len() <= 12 {
        format!("{head} (declared here: {})", names.join(", "))
    } else {
        format!("{head} ({} fields are declared here)", names.len())
    }
}

/// The declared name most like `key`: the same ignoring case, or one edit away (two for
/// longer names), counting a swap of neighbours as one edit.
fn closest<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = key.to_lowercase();
    let limit = if key.chars().count() > 5 { 2 } else { 1 };
    names
        .map(|n| (edit_distance(&lower, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// A value in an error message, cut to a readable length.
pub(crate) fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

pub(super) fn short_schema(s: &Value) -> String {
    let mut s = s.clone();
    if let Some(map) = s.as_object_mut() {
        map.remove("description");
    }
    short(&s)
}

pub(crate) fn describe(v: &Value) -> String {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match v {
        Value::Array(_) | Value::Object(_) => kind.to_string(),
        _ => format!("{kind} {}", short(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let names = ["dnsDomain", "labels", "aws", "agent"];
        assert_eq!(closest("dnsDomian", names.into_iter()), Some("dnsDomain"));
        assert_eq!(closest("lables", names.into_iter()), Some("labels"));
        assert_eq!(closest("maas", names.into_iter()), None);
        assert_eq!(closest("AWS", names.into_iter()), Some("aws"));
    }
}

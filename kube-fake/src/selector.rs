//! Label selectors (`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`) and field
//! selectors (`metadata.name`, `metadata.namespace` and per-type labels; `=`, `==`, `!=`).

use serde_json::Value;

use crate::status::ApiError;

#[derive(Clone, Debug, PartialEq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label or field selector; an empty one matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    reqs: Vec<Req>,
}

/// Splits on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (vec![], String::new(), 0);
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn set_values(rest: &str) -> Option<Vec<String>> {
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl Selector {
    pub fn parse_labels(s: &str) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::bad_request(format!(
                "unable to parse requirement: invalid label selector {s:?}"
            ))
        };
        let mut reqs = vec![];
        for term in split_top(s) {
            if let Some((k, rest)) = term.split_once(" notin ") {
                reqs.push(Req::NotIn(
                    k.trim().into(),
                    set_values(rest).ok_or_else(bad)?,
                ));
            } else if let Some((k, rest)) = term.split_once(" in ") {
                reqs.push(Req::In(k.trim().into(), set_values(rest).ok_or_else(bad)?));
            } else if let Some((k, v)) = term.split_once("!=") {
                reqs.push(Req::Ne(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = term.split_once("==") {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = term.split_once('=') {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some(k) = term.strip_prefix('!') {
                reqs.push(Req::NotExists(k.trim().into()));
            } else if term.contains(char::is_whitespace) {
                return Err(bad());
            } else {
                reqs.push(Req::Exists(term));
            }
        }
        Ok(Selector { reqs })
    }

    /// Parses a field selector; `allowed` are the field labels of the resource type.
    pub fn parse_fields(s: &str, allowed: &[String]) -> Result<Self, ApiError> {
        let mut reqs = vec![];
        for term in split_top(s) {
            let (k, v, ne) = if let Some((k, v)) = term.split_once("!=") {
                (k, v, true)
            } else if let Some((k, v)) = term.split_once("==") {
                (k, v, false)
            } else if let Some((k, v)) = term.split_once('=') {
                (k, v, false)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                )));
            };
            let k = k.trim();
            let known =
                k == "metadata.name" || k == "metadata.namespace" || allowed.iter().any(|a| a == k);
            if !known {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {k}"
                )));
            }
            reqs.push(if ne {
                Req::Ne(k.into(), v.trim().into())
            } else {
                Req::Eq(k.into(), v.trim().into())
            });
        }
        Ok(Selector { reqs })
    }

    /// Matches `metadata.labels` of `obj`.
    pub fn matches_labels(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        self.matches(|k| {
            labels
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    }

    /// Matches dotted field paths of `obj` (a missing field reads as "").
    pub fn matches_fields(&self, obj: &Value) -> bool {
        self.matches(|k| {
            let ptr = format!("/{}", k.replace('.', "/"));
            Some(match obj.pointer(&ptr) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            })
        })
    }

    fn matches(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        self.reqs.iter().all(|r| match r {
            Req::Eq(k, v) => get(k).as_deref() == Some(v.as_str()),
            Req::Ne(k, v) => get(k).as_deref() != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }
}

/// The label and field selectors of one list or watch request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filter {
    pub namespace: Option<String>,
    pub labels: Selector,
    pub fields: Selector,
}

impl Filter {
    pub fn matches(&self, obj: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && obj.pointer("/metadata/namespace").and_then(Value::as_str) != Some(ns.as_str())
        {
            return false;
        }
        self.labels.matches_labels(obj) && self.fields.matches_fields(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_forms() {
        let o = json!({"metadata": {"labels": {"app": "web", "tier": "front"}}});
        for (sel, want) in [
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app=db", false),
            ("app!=db", true),
            ("app in (db, web)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("missing notin (x)", true),
            ("", true),
        ] {
            assert_eq!(
                Selector::parse_labels(sel).unwrap().matches_labels(&o),
                want,
                "{sel}"
            );
        }
    }

    #[test]
    fn field_forms() {
        let o = json!({"metadata": {"name": "a", "namespace": "ns"}, "type": "Opaque"});
        let allowed = vec!["type".to_string()];
        assert!(
            Selector::parse_fields("metadata.name=a", &allowed)
                .unwrap()
                .matches_fields(&o)
        );
        assert!(
            !Selector::parse_fields("metadata.name!=a", &allowed)
                .unwrap()
                .matches_fields(&o)
        );
        assert!(
            Selector::parse_fields("type==Opaque", &allowed)
                .unwrap()
                .matches_fields(&o)
        );
        assert_eq!(
            Selector::parse_fields("spec.x=1", &allowed)
                .unwrap_err()
                .code,
            400
        );
    }
}

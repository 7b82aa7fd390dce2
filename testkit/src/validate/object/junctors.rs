//! `allOf`, `anyOf`, `oneOf` and `not`: each branch is walked in value mode, and a failed
//! junctor says which branches failed and why.

use serde_json::{Map, Value};

use super::super::SchemaError;
use super::{Mode, Walker, short_schema};

impl Walker {
    pub(super) fn check_junctors(&mut self, v: &Value, s: &Map<String, Value>, path: &str) {
        if let Some(Value::Array(all)) = s.get("allOf") {
            for branch in all {
                let found = branch_errors(v, branch, path);
                self.errs.extend(found);
            }
        }
        if let Some(Value::Array(any)) = s.get("anyOf") {
            let results: Vec<_> = any.iter().map(|b| branch_errors(v, b, path)).collect();
            if !results.iter().any(Vec::is_empty) {
                self.err(
                    path,
                    format!(
                        "must satisfy at least one anyOf alternative: {}",
                        summarize(&results)
                    ),
                );
            }
        }
        if let Some(Value::Array(one)) = s.get("oneOf") {
            let results: Vec<_> = one.iter().map(|b| branch_errors(v, b, path)).collect();
            let passing: Vec<usize> = (0..results.len())
                .filter(|&i| results[i].is_empty())
                .collect();
            match passing.len() {
                1 => {}
                0 => self.err(
                    path,
                    format!(
                        "must satisfy exactly one oneOf alternative, satisfies none: {}",
                        summarize(&results)
                    ),
                ),
                _ => self.err(
                    path,
                    format!(
                        "must satisfy exactly one oneOf alternative, satisfies {passing:?} (0-based); remove fields so only one applies"
                    ),
                ),
            }
        }
        if let Some(not) = s.get("not")
            && branch_errors(v, not, path).is_empty()
        {
            self.err(
                path,
                format!("must not satisfy the `not` schema {}", short_schema(not)),
            );
        }
    }
}

fn branch_errors(v: &Value, branch: &Value, path: &str) -> Vec<SchemaError> {
    let mut walker = Walker {
        errs: Vec::new(),
        mode: Mode::Value,
    };
    walker.check(v, branch, path, false);
    walker.errs
}

fn summarize(results: &[Vec<SchemaError>]) -> String {
    results
        .iter()
        .enumerate()
        .map(|(i, errs)| match errs.first() {
            Some(e) => format!("({i}) {e}"),
            None => format!("({i}) ok"),
        })
        .collect::<Vec<_>>()
        .join("; or ")
}

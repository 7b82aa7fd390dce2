//! CRD `pattern`s are evaluated by the apiserver with Go's `regexp` (RE2 syntax). The
//! regex crate has the same RE2 model; the differences that matter for CRD patterns are
//! that Go's `\d`, `\w`, `\s` (and their negations) are ASCII-only while Rust's are
//! Unicode, so those escapes are rewritten to explicit ASCII classes before compiling.
//! Compiled patterns are cached because the same schema is used for many objects.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

/// Compiles a Go-syntax pattern (cached). The error text says what is wrong.
pub(crate) fn compile(pattern: &str) -> Result<Arc<Regex>, String> {
    type Cache = Mutex<HashMap<String, Result<Arc<Regex>, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(pattern) {
        return hit.clone();
    }
    let compiled = Regex::new(&go_to_rust(pattern))
        .map(Arc::new)
        .map_err(|e| e.to_string());
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(pattern.to_string(), compiled.clone());
    compiled
}

/// Rewrites the Perl class escapes to their ASCII meaning (Go semantics); everything else
/// is passed through unchanged.
pub(crate) fn go_to_rust(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut in_class = false;
    // Just after `[` or `[^`, a `]` is a literal and does not close the class.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let replacement = match (e, in_class) {
                    ('d', false) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', false) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('s', false) => Some(r"[\t\n\f\r ]"),
                    ('S', false) => Some(r"[^\t\n\f\r ]"),
                    ('d', true) => Some("0-9"),
                    ('D', true) => Some("[:^digit:]"),
                    ('w', true) => Some("0-9A-Za-z_"),
                    ('W', true) => Some("[:^word:]"),
                    ('s', true) => Some(r"\t\n\f\r "),
                    ('S', true) => Some("[:^space:]"),
                    _ => None,
                };
                match replacement {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
                class_start = false;
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push(c);
                if chars.clone().next() == Some('^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                continue;
            }
            '[' if in_class && chars.clone().next() == Some(':') => {
                // A POSIX class such as `[:alpha:]` inside a bracket: copy it whole.
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
                class_start = false;
            }
            ']' if in_class && !class_start => {
                in_class = false;
                out.push(c);
            }
            _ => {
                out.push(c);
                class_start = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes() {
        assert_eq!(go_to_rust(r"^\d+\w$"), "^[0-9]+[0-9A-Za-z_]$");
        assert_eq!(go_to_rust(r"[\d.]"), "[0-9.]");
        assert_eq!(go_to_rust(r"[]\d]"), "[]0-9]");
        assert_eq!(go_to_rust(r"\\d"), r"\\d");
        let re = compile(r"^\d+$").unwrap();
        assert!(re.is_match("123") && !re.is_match("١٢٣"));
    }
}

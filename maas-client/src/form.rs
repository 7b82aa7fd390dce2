//! Building the key/value pairs MAAS takes as query strings and form bodies.
//!
//! Unset options are left out rather than sent empty: MAAS treats an empty
//! value differently from a missing one for several fields (e.g. `zone=`
//! is "no such zone", not "any zone").

use std::fmt::Display;

#[derive(Debug, Default)]
pub(crate) struct Pairs(Vec<(&'static str, String)>);

impl Pairs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Always sent.
    pub fn put(mut self, key: &'static str, value: impl Display) -> Self {
        self.0.push((key, value.to_string()));
        self
    }

    /// Sent when set and not empty.
    pub fn opt<T: Display>(mut self, key: &'static str, value: Option<T>) -> Self {
        if let Some(v) = value {
            let text = v.to_string();
            if !text.is_empty() {
                self.0.push((key, text));
            }
        }
        self
    }

    /// Sent as `true` when set; MAAS's default for these flags is false.
    pub fn flag(mut self, key: &'static str, on: bool) -> Self {
        if on {
            self.0.push((key, "true".to_string()));
        }
        self
    }

    /// Repeated key, one pair per value (MAAS's multi-value form).
    pub fn each<T: Display>(mut self, key: &'static str, values: &[T]) -> Self {
        for v in values {
            self.0.push((key, v.to_string()));
        }
        self
    }

    /// One pair with the values comma-joined, when there are any.
    pub fn joined(mut self, key: &'static str, values: &[String]) -> Self {
        if !values.is_empty() {
            self.0.push((key, values.join(",")));
        }
        self
    }

    pub fn into_vec(self) -> Vec<(&'static str, String)> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_out_what_is_unset() {
        let pairs = Pairs::new()
            .put("type", "lxd")
            .opt("zone", None::<&str>)
            .opt("name", Some(""))
            .opt("cores", Some(2))
            .flag("erase", false)
            .flag("quick_erase", true)
            .each("hostname", &["a", "b"])
            .joined("tags", &["x".to_string(), "y".to_string()])
            .joined("not_tags", &[])
            .into_vec();
        assert_eq!(
            pairs,
            vec![
                ("type", "lxd".to_string()),
                ("cores", "2".to_string()),
                ("quick_erase", "true".to_string()),
                ("hostname", "a".to_string()),
                ("hostname", "b".to_string()),
                ("tags", "x,y".to_string()),
            ]
        );
    }
}

//! Rules 2 and 3: `allOf`/`anyOf`/`oneOf`/`not` only add value checks, and only name
//! fields that the main tree declares too.

use serde_json::{Map, Value};

use super::schema::{Checker, NOT_IN_JUNCTORS, PRESERVE, prop};
use crate::validate::{child, flag};

impl Checker<'_> {
    /// Rules 2 and 3 for the junctors of main-tree node `main`.
    pub(super) fn junctors(&mut self, m: &Map<String, Value>, main: &Value, path: &str, ios: bool) {
        for key in ["allOf", "anyOf", "oneOf"] {
            let Some(list) = m.get(key) else { continue };
            let Some(list) = list.as_array() else {
                self.err(&child(path, key), "must be a list of schemas");
                continue;
            };
            // Rule 3's exception: the int-or-string forms may name the two types.
            if ios && key == "anyOf" && is_int_or_string_any_of(list) {
                continue;
            }
            for (i, branch) in list.iter().enumerate() {
                let is_ios_form = ios
                    && key == "allOf"
                    && i == 0
                    && branch.as_object().is_some_and(|b| {
                        b.len() == 1
                            && b.get("anyOf")
                                .and_then(Value::as_array)
                                .is_some_and(|l| is_int_or_string_any_of(l))
                    });
                if !is_ios_form {
                    self.junctor(branch, Some(main), &format!("{path}.{key}[{i}]"));
                }
            }
        }
        if let Some(not) = m.get("not") {
            self.junctor(not, Some(main), &child(path, "not"));
        }
    }

    /// A node inside a junctor; `main` is the main-tree node at the same place (`None`
    /// when the main tree leaves that place open via preserve-unknown-fields).
    fn junctor(&mut self, s: &Value, main: Option<&Value>, path: &str) {
        let Some(m) = s.as_object() else {
            self.err(path, "must be a schema object");
            return;
        };
        self.common(m, path);
        for key in NOT_IN_JUNCTORS {
            if m.get(*key).is_some_and(|v| v != &Value::Bool(false)) {
                self.err(
                    &child(path, key),
                    "must not be set inside allOf/anyOf/oneOf/not (structural schema); set it in the main schema",
                );
            }
        }
        let main_m = main.and_then(Value::as_object);
        let open = main_m.is_none_or(|mm| flag(mm, PRESERVE));
        if let Some(props) = m.get("properties").and_then(Value::as_object) {
            for (name, ps) in props {
                let counterpart = main_m.and_then(|mm| {
                    mm.get("properties")
                        .and_then(|p| p.get(name))
                        .or_else(|| mm.get("additionalProperties").filter(|a| a.is_object()))
                });
                if counterpart.is_none() && !open {
                    self.err(
                        &prop(path, name),
                        format!("field {name:?} is only declared inside a junctor; declare it in the main schema's properties too"),
                    );
                }
                self.junctor(ps, counterpart, &prop(path, name));
            }
        }
        if let Some(items) = m.get("items") {
            let counterpart = main_m.and_then(|mm| mm.get("items"));
            if counterpart.is_none() && !open {
                self.err(
                    &child(path, "items"),
                    "items are only declared inside a junctor; declare them in the main schema too",
                );
            }
            self.junctor(items, counterpart, &child(path, "items"));
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for (i, branch) in m
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                self.junctor(branch, main, &format!("{path}.{key}[{i}]"));
            }
        }
        if let Some(not) = m.get("not") {
            self.junctor(not, main, &child(path, "not"));
        }
    }
}

fn is_int_or_string_any_of(list: &[Value]) -> bool {
    let only_type = |v: &Value, t: &str| {
        v.as_object()
            .is_some_and(|o| o.len() == 1 && o.get("type").and_then(Value::as_str) == Some(t))
    };
    list.len() == 2
        && ((only_type(&list[0], "integer") && only_type(&list[1], "string"))
            || (only_type(&list[0], "string") && only_type(&list[1], "integer")))
}

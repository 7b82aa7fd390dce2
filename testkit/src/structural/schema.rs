//! The schema rules listed (numbered) in the module docs of `structural`.
//! Paths follow the apiserver's style: `openAPIV3Schema.properties[spec].items`.

use serde_json::{Map, Value};

use crate::validate::{SchemaError, child, compile_pattern, flag, validate_value};

pub(super) const PRESERVE: &str = "x-kubernetes-preserve-unknown-fields";
const EMBEDDED: &str = "x-kubernetes-embedded-resource";
const INT_OR_STRING: &str = "x-kubernetes-int-or-string";
pub(super) const LIST_TYPE: &str = "x-kubernetes-list-type";
pub(super) const MAP_KEYS: &str = "x-kubernetes-list-map-keys";
pub(super) const MAP_TYPE: &str = "x-kubernetes-map-type";
const VALIDATIONS: &str = "x-kubernetes-validations";

const TYPES: &[&str] = &["object", "array", "string", "integer", "number", "boolean"];
pub(super) const SCALARS: &[&str] = &["string", "integer", "number", "boolean"];

/// Rule 5: JSON-Schema features a CRD schema must not use.
const FORBIDDEN: &[&str] = &[
    "$ref",
    "definitions",
    "$schema",
    "id",
    "patternProperties",
    "dependencies",
    "additionalItems",
];

/// The keywords of Kubernetes' JSONSchemaProps; anything else is dropped on decode.
const KNOWN: &[&str] = &[
    "description",
    "type",
    "format",
    "title",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "enum",
    "maxProperties",
    "minProperties",
    "required",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "properties",
    "additionalProperties",
    "externalDocs",
    "example",
    "nullable",
    PRESERVE,
    EMBEDDED,
    INT_OR_STRING,
    LIST_TYPE,
    MAP_KEYS,
    MAP_TYPE,
    VALIDATIONS,
];

/// Rule 3: what a junctor subtree must not set.
pub(super) const NOT_IN_JUNCTORS: &[&str] = &[
    "type",
    "description",
    "default",
    "additionalProperties",
    "nullable",
    PRESERVE,
    EMBEDDED,
    INT_OR_STRING,
    LIST_TYPE,
    MAP_KEYS,
    MAP_TYPE,
    VALIDATIONS,
];

pub(super) fn check_root(s: &Value, path: &str, errs: &mut Vec<SchemaError>) {
    let mut c = Checker { errs };
    if s.get("type").and_then(Value::as_str) != Some("object") {
        c.err(
            &child(path, "type"),
            "the root of the schema must be `type: object`",
        );
    }
    c.main(s, path, true);
}

pub(super) fn prop(path: &str, name: &str) -> String {
    format!("{}[{name}]", child(path, "properties"))
}

pub(super) struct Checker<'a> {
    errs: &'a mut Vec<SchemaError>,
}

impl Checker<'_> {
    pub(super) fn err(&mut self, path: &str, message: impl Into<String>) {
        self.errs.push(SchemaError::new(path, message));
    }

    /// A node of the main tree. `resource` is true at the root, where `metadata` is special.
    fn main(&mut self, s: &Value, path: &str, resource: bool) {
        let Some(m) = s.as_object() else {
            self.err(path, "must be a schema object");
            return;
        };
        self.common(m, path);
        let ios = flag(m, INT_OR_STRING);
        let preserve = flag(m, PRESERVE);
        let ty = m.get("type").and_then(Value::as_str).unwrap_or("");

        // Rule 1 and 6: types.
        if ty.is_empty() && !ios && !preserve {
            self.err(
                &child(path, "type"),
                "must be set (object, array, string, integer, number or boolean); only \
                 x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields nodes may omit it",
            );
        } else if !ty.is_empty() && !TYPES.contains(&ty) {
            self.err(
                &child(path, "type"),
                format!("{ty:?} is not one of {TYPES:?}"),
            );
        }
        if ios && !ty.is_empty() {
            self.err(
                &child(path, "type"),
                "must be empty when x-kubernetes-int-or-string is true",
            );
        }
        match m.get("items") {
            Some(items @ Value::Object(_)) => self.main(items, &child(path, "items"), false),
            Some(_) => self.err(
                &child(path, "items"),
                "must be one schema object, not a list",
            ),
            None if ty == "array" => self.err(
                &child(path, "items"),
                "must be set for `type: array` (structural schema)",
            ),
            None => {}
        }

        // Rule 5: properties vs additionalProperties.
        let props = m.get("properties").and_then(Value::as_object);
        if let Some(props) = props {
            for (name, ps) in props {
                self.main(ps, &prop(path, name), false);
            }
        }
        match m.get("additionalProperties") {
            None | Some(Value::Bool(true)) if props.is_none_or(Map::is_empty) => {}
            Some(Value::Bool(false)) => self.err(
                &child(path, "additionalProperties"),
                "must not be false: Kubernetes prunes undeclared fields instead",
            ),
            Some(_) if props.is_some_and(|p| !p.is_empty()) => self.err(
                &child(path, "additionalProperties"),
                "must not be used together with properties (they are mutually exclusive)",
            ),
            Some(additional @ Value::Object(_)) => {
                self.main(additional, &child(path, "additionalProperties"), false)
            }
            Some(_) => self.err(
                &child(path, "additionalProperties"),
                "must be a schema object (or true)",
            ),
            None => {}
        }

        // Rule 6: embedded resources; rule 4: metadata.
        let embedded = flag(m, EMBEDDED);
        if embedded {
            if ty != "object" {
                self.err(
                    &child(path, "type"),
                    "must be object when x-kubernetes-embedded-resource is true",
                );
            }
            if props.is_none() && !preserve {
                self.err(path, "an embedded resource needs properties or x-kubernetes-preserve-unknown-fields: true");
            }
            if ios {
                self.err(path, "x-kubernetes-embedded-resource and x-kubernetes-int-or-string exclude each other");
            }
        }
        if (resource || embedded)
            && let Some(meta) = props.and_then(|p| p.get("metadata"))
        {
            self.metadata(meta, &prop(path, "metadata"));
        }
        self.main_only(m, ty, path);
        self.list_types(m, ty, path);
        self.junctors(m, s, path, ios);
        if let Some(default) = m.get("default") {
            self.default(default, s, m, path);
        }
    }

    /// Checks that apply to main-tree and junctor nodes alike.
    pub(super) fn common(&mut self, m: &Map<String, Value>, path: &str) {
        for key in m.keys() {
            if FORBIDDEN.contains(&key.as_str()) {
                self.err(
                    &child(path, key),
                    "is not allowed in a CRD schema: schemas must be self-contained, inline it",
                );
            } else if !KNOWN.contains(&key.as_str()) {
                self.err(
                    &child(path, key),
                    "is not a schema keyword Kubernetes knows; an apiserver would drop it (typo?)",
                );
            }
        }
        if m.get("uniqueItems") == Some(&Value::Bool(true)) {
            self.err(
                &child(path, "uniqueItems"),
                "must not be true (Kubernetes forbids it); use x-kubernetes-list-type: set",
            );
        }
        if m.get("type").is_some_and(|t| !t.is_string()) {
            self.err(
                &child(path, "type"),
                "must be a single type name (a string)",
            );
        }
        if m.get(PRESERVE) == Some(&Value::Bool(false)) {
            self.err(&child(path, PRESERVE), "must be true or absent");
        }
        for key in [
            PRESERVE,
            EMBEDDED,
            INT_OR_STRING,
            "nullable",
            "exclusiveMinimum",
            "exclusiveMaximum",
        ] {
            if m.get(key).is_some_and(|v| !v.is_boolean()) {
                self.err(&child(path, key), "must be a boolean");
            }
        }
        if let Some(p) = m.get("pattern") {
            match p.as_str().map(compile_pattern) {
                Some(Ok(_)) => {}
                Some(Err(e)) => self.err(
                    &child(path, "pattern"),
                    format!("does not compile as a regular expression: {e}"),
                ),
                None => self.err(&child(path, "pattern"), "must be a string"),
            }
        }
        self.bounds(m, path);
        match m.get("required") {
            Some(Value::Array(names)) => {
                for (i, n) in names.iter().enumerate() {
                    if !n.is_string() || names[..i].contains(n) {
                        self.err(
                            &child(path, "required"),
                            format!("entry {n} must be a unique field name"),
                        );
                    }
                }
            }
            Some(_) => self.err(&child(path, "required"), "must be a list of field names"),
            None => {}
        }
        if m.get("enum").is_some_and(|e| !e.is_array()) {
            self.err(&child(path, "enum"), "must be a list");
        }
        if let Some(rules) = m.get(VALIDATIONS) {
            self.cel_rules(rules, &child(path, VALIDATIONS));
        }
    }

    /// Counts are non-negative integers and lower bounds do not exceed upper bounds.
    fn bounds(&mut self, m: &Map<String, Value>, path: &str) {
        for (lo, hi) in [
            ("minLength", "maxLength"),
            ("minItems", "maxItems"),
            ("minProperties", "maxProperties"),
        ] {
            for key in [lo, hi] {
                if m.get(key).is_some_and(|v| v.as_u64().is_none()) {
                    self.err(&child(path, key), "must be a non-negative integer");
                }
            }
            if let (Some(a), Some(b)) = (
                m.get(lo).and_then(Value::as_u64),
                m.get(hi).and_then(Value::as_u64),
            ) && a > b
            {
                self.err(
                    &child(path, lo),
                    format!("{lo} {a} is greater than {hi} {b}"),
                );
            }
        }
        for key in ["minimum", "maximum", "multipleOf"] {
            if m.get(key).is_some_and(|v| !v.is_number()) {
                self.err(&child(path, key), "must be a number");
            }
        }
        if let (Some(a), Some(b)) = (
            m.get("minimum").and_then(Value::as_f64),
            m.get("maximum").and_then(Value::as_f64),
        ) && a > b
        {
            self.err(
                &child(path, "minimum"),
                format!("minimum {a} is greater than maximum {b}"),
            );
        }
        if m.get("multipleOf")
            .and_then(Value::as_f64)
            .is_some_and(|x| x <= 0.0)
        {
            self.err(&child(path, "multipleOf"), "must be greater than 0");
        }
    }

    /// Rule 9: well-formed CEL rule entries (the expressions are not compiled).
    fn cel_rules(&mut self, rules: &Value, path: &str) {
        let Some(list) = rules.as_array() else {
            self.err(path, "must be a list of {rule, message} objects");
            return;
        };
        for (i, rule) in list.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let Some(r) = rule.as_object() else {
                self.err(&at, "must be an object with a `rule`");
                continue;
            };
            if r.get("rule")
                .and_then(Value::as_str)
                .is_none_or(|s| s.trim().is_empty())
            {
                self.err(&child(&at, "rule"), "must be a non-empty CEL expression");
            }
            for (key, val) in r {
                let ok = match key.as_str() {
                    "rule" | "message" | "messageExpression" | "fieldPath" => val.is_string(),
                    "optionalOldSelf" => val.is_boolean(),
                    "reason" => matches!(
                        val.as_str(),
                        Some(
                            "FieldValueInvalid"
                                | "FieldValueForbidden"
                                | "FieldValueRequired"
                                | "FieldValueDuplicate"
                        )
                    ),
                    _ => false,
                };
                if !ok {
                    self.err(
                        &child(&at, key),
                        "is not a valid field of a validation rule (or has the wrong type/value)",
                    );
                }
            }
        }
    }

    /// Extra hygiene that only makes sense in the main tree.
    fn main_only(&mut self, m: &Map<String, Value>, ty: &str, path: &str) {
        let props = m.get("properties").and_then(Value::as_object);
        let open = flag(m, PRESERVE) || m.get("additionalProperties").is_some();
        for name in m
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = name.as_str()
                && !open
                && !props.is_some_and(|p| p.contains_key(name))
            {
                self.err(
                    &child(path, "required"),
                    format!("{name:?} is required but not declared in properties, so it would be pruned and no object could satisfy it"),
                );
            }
        }
        if let Some(values) = m.get("enum").and_then(Value::as_array) {
            let nullable = flag(m, "nullable");
            for v in values {
                let ok = match ty {
                    "string" => v.is_string(),
                    "integer" => v.is_i64() || v.is_u64(),
                    "number" => v.is_number(),
                    "boolean" => v.is_boolean(),
                    "object" => v.is_object(),
                    "array" => v.is_array(),
                    _ => true,
                } || (v.is_null() && nullable);
                if !ok {
                    self.err(
                        &child(path, "enum"),
                        format!("value {v} is not of type {ty}"),
                    );
                }
            }
        }
    }

    /// Rule 4: `metadata` may only restrict `name` and `generateName`.
    fn metadata(&mut self, meta: &Value, path: &str) {
        let Some(m) = meta.as_object() else { return };
        for (key, val) in m {
            match key.as_str() {
                "type" if val.as_str() == Some("object") => {}
                "type" => self.err(&child(path, "type"), "metadata must be `type: object`"),
                "description" => {}
                "properties" => {
                    for (name, ps) in val.as_object().into_iter().flatten() {
                        if name != "name" && name != "generateName" {
                            self.err(
                                &prop(path, name),
                                "only metadata.name and metadata.generateName may be restricted; the apiserver validates the rest of metadata itself",
                            );
                        } else if ps.get("type").and_then(Value::as_str) != Some("string") {
                            self.err(&child(&prop(path, name), "type"), "must be string");
                        } else if ps.get("default").is_some() {
                            self.err(&child(&prop(path, name), "default"), "defaults are not allowed in metadata");
                        }
                    }
                }
                _ => self.err(
                    &child(path, key),
                    "only restrictions on metadata.name and metadata.generateName are allowed in metadata",
                ),
            }
        }
    }

    /// Rule 8: the default must survive pruning and pass the node's own schema.
    fn default(&mut self, default: &Value, s: &Value, m: &Map<String, Value>, path: &str) {
        let at = child(path, "default");
        if default.is_null() {
            if !flag(m, "nullable") {
                self.err(&at, "must not be null unless the node is nullable");
            }
            return;
        }
        if let Err(found) = validate_value(default, s) {
            for e in found {
                let inner = if e.path.is_empty() {
                    "the value".to_string()
                } else {
                    e.path.clone()
                };
                self.err(&at, format!("invalid default ({inner}: {}); defaults must pass their schema after pruning", e.message));
            }
        }
    }
}

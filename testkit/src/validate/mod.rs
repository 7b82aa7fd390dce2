//! Strict validation of Kubernetes objects against a CRD `openAPIV3Schema`.
//!
//! What is checked is what an apiserver checks for a custom resource, in the same order:
//! defaults from the schema are applied first (so a missing `required` field that has a
//! default is fine), then the value is validated. On top of that the validator is
//! *strict*: a field that the schema does not declare is an error, because the apiserver
//! would silently prune it and the object would not mean what its author thought. The
//! exceptions are nodes with `x-kubernetes-preserve-unknown-fields: true` or
//! `additionalProperties`. Likewise `null` on a field without `nullable: true` is an
//! error (the apiserver would drop it).
//!
//! `x-kubernetes-validations` (CEL) are evaluated as on a create (transition rules, which need
//! the old object, are not) by [`cel`]; a rule it cannot evaluate is listed by
//! [`cel::CelSchema::skipped`], never silently passed as evaluated. [`cel_rules_at`] lists the
//! rules a node carries.
//!
//! Status: an apiserver ignores `status` on create when the status subresource is
//! enabled, but tests usually render `status` on purpose, so it is validated like any
//! other field when present.

pub mod cel;
mod defaults;
mod format;
mod metadata;
mod object;
mod pattern;

use serde_json::Value;

use crate::crd::Crd;

pub use metadata::{is_dns1123_label, is_dns1123_subdomain, is_label_value, is_qualified_name};

/// One problem found in an object (or, from [`crate::structural`], in a CRD).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", display_path(path))]
pub struct SchemaError {
    /// Where: `spec.template.spec.tags[2]`; a map entry is `spec.labels[key]`; empty at
    /// the root.
    pub path: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl SchemaError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "<root>" } else { path }
}

/// One error per line, for assertion messages.
pub fn format_errors(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Validates a whole object (a resource: `apiVersion`, `kind` and `metadata` are allowed
/// at the root even if the schema omits them; `metadata` is checked with the apiserver's
/// ObjectMeta rules).
pub fn validate(object: &Value, schema: &Value) -> Result<(), Vec<SchemaError>> {
    run(object, schema, true)
}

/// Validates a fragment (e.g. only a `spec`) against the schema of that fragment; no
/// resource-root handling.
pub fn validate_value(value: &Value, schema: &Value) -> Result<(), Vec<SchemaError>> {
    run(value, schema, false)
}

fn run(value: &Value, schema: &Value, resource: bool) -> Result<(), Vec<SchemaError>> {
    let mut value = value.clone();
    defaults::apply(&mut value, schema, resource);
    let mut walker = object::Walker::strict();
    walker.check(&value, schema, "", resource);
    let structural = walker.finish();
    // As the apiserver: a wrong type or an unsupported enum value stops the CEL rules (they
    // would see a value of the wrong shape), and says so at the root when there are rules.
    let blocking = structural.as_ref().err().is_some_and(|errs| {
        errs.iter().any(|e| {
            e.message.starts_with("must be of type") || e.message.starts_with("unsupported value")
        })
    });
    let compiled = cel::CelSchema::compile(schema);
    let cel: Vec<SchemaError> = if compiled.rule_count() == 0 {
        vec![]
    } else if blocking {
        vec![SchemaError::new(
            "",
            "Invalid value: \"object\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        )]
    } else {
        compiled
            .validate(&value, None)
            .into_iter()
            .map(|v| SchemaError::new(v.path.clone(), v.body()))
            .collect()
    };
    match structural {
        Ok(()) if cel.is_empty() => Ok(()),
        Ok(()) => Err(cel),
        Err(mut errors) => {
            errors.extend(cel);
            errors.sort_by(|a, b| a.path.cmp(&b.path));
            Err(errors)
        }
    }
}

/// Applies the schema's `default`s to `value` in place, the way an apiserver defaults a custom
/// resource on write and on read: a missing field (or a `null` on a non-nullable one) whose
/// schema has a `default` gets a copy of it, recursively. With `resource`, `value` is an object
/// root (its `metadata` is left alone); `x-kubernetes-embedded-resource` nodes are treated alike.
pub fn apply_defaults(value: &mut Value, schema: &Value, resource: bool) {
    defaults::apply(value, schema, resource);
}

/// Validates `object` against the version of `crd` named by its `apiVersion`: the group
/// and kind must match the CRD and the version must be served.
pub fn validate_against_crd(object: &Value, crd: &Crd) -> Result<(), Vec<SchemaError>> {
    let mut errors = Vec::new();
    let mut err = |path: &str, message: String| errors.push(SchemaError::new(path, message));
    let expected = crd
        .served_versions()
        .iter()
        .map(|v| crd.api_version(v))
        .collect::<Vec<_>>()
        .join(", ");

    let mut schema = None;
    match object.get("apiVersion").and_then(Value::as_str) {
        None => err(
            "apiVersion",
            format!("is missing or not a string; expected one of: {expected}"),
        ),
        Some(api_version) => {
            let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
            if group != crd.group {
                err(
                    "apiVersion",
                    format!(
                        "group {group:?} of {api_version:?} does not match the CRD group {:?}; expected one of: {expected}",
                        crd.group
                    ),
                );
            }
            match crd.version(version) {
                None => err(
                    "apiVersion",
                    format!(
                        "version {version:?} is not defined by CRD {}; expected one of: {expected}",
                        crd.name
                    ),
                ),
                Some(v) if !v.served => err(
                    "apiVersion",
                    format!(
                        "version {version:?} of CRD {} is not served, so an apiserver rejects it; use one of: {expected}",
                        crd.name
                    ),
                ),
                Some(v) if v.schema.is_null() => err(
                    "apiVersion",
                    format!("version {version:?} of CRD {} has no schema", crd.name),
                ),
                Some(v) => schema = Some(&v.schema),
            }
        }
    }
    match object.get("kind").and_then(Value::as_str) {
        Some(kind) if kind == crd.kind => {}
        other => err(
            "kind",
            format!(
                "is {}, but CRD {} serves kind {:?}",
                other.map_or("missing".to_string(), |k| format!("{k:?}")),
                crd.name,
                crd.kind
            ),
        ),
    }
    scope_errors(object, crd, &mut err);

    if let Some(schema) = schema
        && let Err(found) = validate(object, schema)
    {
        errors.extend(found);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        Err(errors)
    }
}

/// Name and namespace rules that depend on the CRD rather than its schema.
fn scope_errors(object: &Value, crd: &Crd, err: &mut impl FnMut(&str, String)) {
    let meta = object.get("metadata");
    let has = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !has("name") && !has("generateName") {
        err(
            "metadata.name",
            "is required (or metadata.generateName); an apiserver cannot create an unnamed object"
                .to_string(),
        );
    }
    if crd.scope == "Cluster" && has("namespace") {
        err(
            "metadata.namespace",
            format!("must not be set: {} is cluster-scoped", crd.kind),
        );
    }
}

/// The CEL rules (`x-kubernetes-validations[].rule`) on the schema node at `path`
/// (syntax of [`crate::paths::field_paths`]: `spec.services[].servicePublishingStrategy`).
/// These are *not* evaluated by [`validate`]; tests can use this to document the rules
/// they leave to a real apiserver. Empty when the path does not exist.
pub fn cel_rules_at(schema: &Value, path: &str) -> Vec<String> {
    crate::paths::schema_at(schema, path)
        .and_then(|node| node.get("x-kubernetes-validations"))
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .filter_map(|r| r.get("rule").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Path helpers shared by the validator and the structural checker.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

pub(crate) fn map_key(path: &str, key: &str) -> String {
    format!("{path}[{key}]")
}

/// `true` when `schema[key]` is the boolean `true`.
pub(crate) fn flag(schema: &serde_json::Map<String, Value>, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub(crate) use pattern::compile as compile_pattern;

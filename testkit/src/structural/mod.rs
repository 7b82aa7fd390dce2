//! Would an apiserver accept this CRD? Checks for the CRDs we generate, written from the
//! Kubernetes documentation of `apiextensions.k8s.io/v1` and structural schemas.
//!
//! # CRD shape (`apiextensions.k8s.io/v1`)
//! * `apiVersion: apiextensions.k8s.io/v1`, `kind: CustomResourceDefinition`,
//!   `metadata.name` is `<spec.names.plural>.<spec.group>`.
//! * `spec.group` is a DNS subdomain with at least one dot.
//! * `spec.names`: `plural` and `singular` are lowercase DNS-1035 labels, `kind` and
//!   `listKind` are set (their lowercase forms are DNS-1035 labels) and differ,
//!   `shortNames`/`categories` are lowercase labels.
//! * `spec.scope` is `Namespaced` or `Cluster`; `spec.preserveUnknownFields` is not `true`.
//! * `spec.versions`: non-empty, unique DNS-1035 names, `served`/`storage` booleans,
//!   exactly one storage version, each with `schema.openAPIV3Schema` of `type: object`.
//! * `subresources.status` is an object; `subresources.scale` has `specReplicasPath`
//!   under `.spec` and `statusReplicasPath` under `.status` that name integer fields of
//!   the schema, and an optional `labelSelectorPath` under `.spec`/`.status`.
//! * `additionalPrinterColumns`: `name`, `jsonPath`, a `type` of
//!   integer/number/string/boolean/date and a known `format`.
//! * `spec.conversion.strategy` is `None` or `Webhook` (which needs `webhook`).
//!
//! # Schema rules (every version), see `schema.rs`, `junctors.rs`, `lists.rs`
//! 1. Every node of the main tree (root, `properties`, `additionalProperties`, `items`)
//!    has a non-empty `type`, unless it has `x-kubernetes-int-or-string: true` or
//!    `x-kubernetes-preserve-unknown-fields: true`; `type` is one of object, array,
//!    string, integer, number, boolean; arrays have `items` (one schema, not a list).
//! 2. Every field or `items` named inside `allOf`/`anyOf`/`oneOf`/`not` is also declared
//!    in the main tree at the same place.
//! 3. Inside those junctors there is no `type`, `description`, `default`,
//!    `additionalProperties`, `nullable`, nor any `x-kubernetes-*` extension; the only
//!    exception are the two int-or-string forms `anyOf: [{type: integer}, {type: string}]`
//!    and `allOf: [{anyOf: [<same>]}, ...]` next to `x-kubernetes-int-or-string: true`.
//! 4. `metadata` at the root (and in embedded resources) only restricts `name` and
//!    `generateName` (string nodes with value validations, no defaults).
//! 5. No `$ref`, `definitions`, `$schema`, `id`, `patternProperties`, `dependencies`,
//!    `additionalItems`, `uniqueItems: true`, `additionalProperties: false`; and
//!    `properties` and `additionalProperties` are not used together.
//! 6. `x-kubernetes-int-or-string` has no `type`; `x-kubernetes-preserve-unknown-fields`
//!    is `true` or absent; `x-kubernetes-embedded-resource` is on `type: object` with
//!    `properties` or preserve-unknown-fields, and not with int-or-string.
//! 7. `x-kubernetes-list-type` is atomic/set/map and only on arrays; `map` needs
//!    non-empty unique `x-kubernetes-list-map-keys` naming scalar, non-nullable properties
//!    of object items that are required or defaulted; `set` items are scalars or atomic;
//!    map-keys need list-type map. `x-kubernetes-map-type` is granular/atomic on objects.
//! 8. A `default` is not null unless `nullable`, and after its own nested defaults are
//!    applied it has no fields that pruning would drop and it passes the node's schema.
//! 9. `x-kubernetes-validations` are lists of `{rule, message?, messageExpression?,
//!    reason?, fieldPath?, optionalOldSelf?}` with a non-empty `rule` (CEL itself is not
//!    compiled).
//! 10. `pattern` compiles as a Go (RE2) regular expression.
//!
//! Stricter than Kubernetes (good hygiene for generated CRDs, and upstream CRDs pass
//! them): unknown schema keywords are errors (an apiserver drops them), counts such as
//! `minLength` are non-negative integers with min ≤ max, `enum` values match the node's
//! type, and every `required` field is declared (else no object could satisfy it).
//!
//! Not checked: CEL compilation and cost budgets, ratcheting on update, conversion webhook
//! reachability, `selectableFields`.

mod junctors;
mod lists;
mod schema;

use serde_json::Value;

use crate::paths::schema_at;
use crate::validate::{SchemaError, child, index, is_dns1123_label, is_dns1123_subdomain};

/// Checks a whole CRD document (`apiextensions.k8s.io/v1`), see the module docs.
pub fn check_structural(crd: &Value) -> Result<(), Vec<SchemaError>> {
    let mut errs = Vec::new();
    check_shape(crd, &mut errs);
    if let Some(versions) = crd.pointer("/spec/versions").and_then(Value::as_array) {
        for (i, v) in versions.iter().enumerate() {
            let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
            match v.pointer("/schema/openAPIV3Schema") {
                Some(s) => schema::check_root(s, &path, &mut errs),
                None => errs.push(SchemaError::new(
                    path,
                    "is required in apiextensions.k8s.io/v1: add a schema for this version",
                )),
            }
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// Checks only an `openAPIV3Schema` (the schema rules, without the CRD around it).
pub fn check_schema(schema: &Value) -> Result<(), Vec<SchemaError>> {
    let mut errs = Vec::new();
    schema::check_root(schema, "", &mut errs);
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn check_shape(crd: &Value, errs: &mut Vec<SchemaError>) {
    let mut err = |p: &str, m: String| errs.push(SchemaError::new(p, m));
    let s = |ptr: &str| crd.pointer(ptr).and_then(Value::as_str).unwrap_or("");
    if s("/apiVersion") != "apiextensions.k8s.io/v1" {
        err(
            "apiVersion",
            format!("is {:?}; must be apiextensions.k8s.io/v1", s("/apiVersion")),
        );
    }
    if s("/kind") != "CustomResourceDefinition" {
        err(
            "kind",
            format!("is {:?}; must be CustomResourceDefinition", s("/kind")),
        );
    }
    let (group, plural) = (s("/spec/group"), s("/spec/names/plural"));
    if !is_dns1123_subdomain(group) || !group.contains('.') {
        err(
            "spec.group",
            format!("{group:?} must be a DNS subdomain with at least one dot, e.g. example.com"),
        );
    }
    if s("/metadata/name") != format!("{plural}.{group}") {
        err(
            "metadata.name",
            format!(
                "is {:?}; must be <plural>.<group> = {plural}.{group}",
                s("/metadata/name")
            ),
        );
    }
    for key in ["plural", "singular"] {
        let v = s(&format!("/spec/names/{key}"));
        if !is_dns1035_label(v) {
            err(
                &format!("spec.names.{key}"),
                format!("{v:?} must be a lowercase DNS-1035 label (e.g. widgets)"),
            );
        }
    }
    for key in ["kind", "listKind"] {
        let v = s(&format!("/spec/names/{key}"));
        if !is_dns1035_label(&v.to_lowercase()) {
            err(
                &format!("spec.names.{key}"),
                format!("{v:?} must be set to a CamelCase name (e.g. Widget)"),
            );
        }
    }
    if s("/spec/names/kind") == s("/spec/names/listKind") {
        err(
            "spec.names.listKind",
            "must differ from kind (usually <kind>List)".to_string(),
        );
    }
    for key in ["shortNames", "categories"] {
        for (i, v) in crd
            .pointer(&format!("/spec/names/{key}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if !v.as_str().is_some_and(is_dns1035_label) {
                err(
                    &index(&format!("spec.names.{key}"), i),
                    format!("{v} must be a lowercase DNS-1035 label"),
                );
            }
        }
    }
    if !matches!(s("/spec/scope"), "Namespaced" | "Cluster") {
        err(
            "spec.scope",
            format!("is {:?}; must be Namespaced or Cluster", s("/spec/scope")),
        );
    }
    if crd.pointer("/spec/preserveUnknownFields") == Some(&Value::Bool(true)) {
        err("spec.preserveUnknownFields", "must be false in apiextensions.k8s.io/v1 (use x-kubernetes-preserve-unknown-fields in the schema)".to_string());
    }
    if let Some(conv) = crd.pointer("/spec/conversion") {
        match conv.get("strategy").and_then(Value::as_str) {
            Some("None") => {}
            Some("Webhook") if conv.get("webhook").is_some() => {}
            Some("Webhook") => err(
                "spec.conversion.webhook",
                "is required for strategy Webhook".to_string(),
            ),
            other => err(
                "spec.conversion.strategy",
                format!("is {other:?}; must be None or Webhook"),
            ),
        }
    }
    let Some(versions) = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
    else {
        err(
            "spec.versions",
            "must list at least one version".to_string(),
        );
        return;
    };
    let mut names = Vec::new();
    let mut storage = 0;
    for (i, v) in versions.iter().enumerate() {
        let at = index("spec.versions", i);
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        if !is_dns1035_label(name) {
            err(
                &child(&at, "name"),
                format!("{name:?} must be a DNS-1035 label such as v1beta1"),
            );
        }
        if names.contains(&name) {
            err(
                &child(&at, "name"),
                format!("version {name:?} is listed twice"),
            );
        }
        names.push(name);
        for key in ["served", "storage"] {
            if !v.get(key).is_some_and(Value::is_boolean) {
                err(&child(&at, key), "must be set to true or false".to_string());
            }
        }
        if v.get("storage") == Some(&Value::Bool(true)) {
            storage += 1;
        }
        let schema = v.pointer("/schema/openAPIV3Schema");
        check_subresources(
            v.get("subresources"),
            schema,
            &child(&at, "subresources"),
            &mut err,
        );
        check_printer_columns(
            v.get("additionalPrinterColumns"),
            &child(&at, "additionalPrinterColumns"),
            &mut err,
        );
    }
    if storage != 1 {
        err(
            "spec.versions",
            format!("exactly one version must have storage: true, found {storage}"),
        );
    }
}

fn check_subresources(
    sub: Option<&Value>,
    schema: Option<&Value>,
    path: &str,
    err: &mut impl FnMut(&str, String),
) {
    let Some(sub) = sub else { return };
    if let Some(status) = sub.get("status")
        && !status.is_object()
    {
        err(&child(path, "status"), "must be an object ({})".to_string());
    }
    let Some(scale) = sub.get("scale") else {
        return;
    };
    let at = child(path, "scale");
    for (key, roots, required) in [
        ("specReplicasPath", &[".spec."][..], true),
        ("statusReplicasPath", &[".status."][..], true),
        ("labelSelectorPath", &[".spec.", ".status."][..], false),
    ] {
        let Some(p) = scale.get(key).and_then(Value::as_str) else {
            if required {
                err(&child(&at, key), "is required".to_string());
            }
            continue;
        };
        if !roots.iter().any(|r| p.starts_with(r)) {
            err(
                &child(&at, key),
                format!("{p:?} must be a JSON path under {}", roots.join(" or ")),
            );
            continue;
        }
        if key == "labelSelectorPath" {
            continue;
        }
        let node = schema.and_then(|s| schema_at(s, p.trim_start_matches('.')));
        match node.and_then(|n| n.get("type")).and_then(Value::as_str) {
            Some("integer") => {}
            _ if schema.is_none() => {}
            other => err(
                &child(&at, key),
                format!("{p:?} must name an integer field of the schema, found type {other:?}"),
            ),
        }
    }
}

fn check_printer_columns(cols: Option<&Value>, path: &str, err: &mut impl FnMut(&str, String)) {
    for (i, col) in cols
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = index(path, i);
        let get = |k: &str| col.get(k).and_then(Value::as_str);
        if get("name").is_none_or(str::is_empty) {
            err(&child(&at, "name"), "is required".to_string());
        }
        if get("jsonPath").is_none_or(str::is_empty) {
            err(
                &child(&at, "jsonPath"),
                "is required (e.g. .status.phase)".to_string(),
            );
        }
        if !matches!(
            get("type"),
            Some("integer" | "number" | "string" | "boolean" | "date")
        ) {
            err(
                &child(&at, "type"),
                format!(
                    "is {:?}; must be integer, number, string, boolean or date",
                    get("type")
                ),
            );
        }
        if let Some(f) = get("format")
            && !matches!(
                f,
                "int32" | "int64" | "float" | "double" | "byte" | "date" | "date-time" | "password"
            )
        {
            err(
                &child(&at, "format"),
                format!("{f:?} is not a printer-column format"),
            );
        }
    }
}

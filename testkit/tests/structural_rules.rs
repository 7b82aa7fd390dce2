//! Each structural rule, violated once on a small valid CRD.

use serde_json::{Value, json};
use testkit::check_structural;
use testkit::structural::check_schema;

fn widget_crd(spec_schema: Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget"},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1alpha1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": spec_schema,
                        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
                    }
                }}
            }]
        }
    })
}

fn ok_spec() -> Value {
    json!({
        "type": "object",
        "required": ["size"],
        "properties": {
            "size": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true},
            "ports": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "port": {"type": "integer", "default": 80}
                }}
            },
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "mode": {"type": "string", "enum": ["A", "B"], "default": "A"},
            "either": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "oneOf": [{"required": ["a"]}, {"required": ["b"]}]
            }
        }
    })
}

/// Runs the checker on `spec` and returns `path: message` lines.
fn errors_for(spec: Value) -> Vec<String> {
    match check_structural(&widget_crd(spec)) {
        Ok(()) => Vec::new(),
        Err(errs) => errs.iter().map(ToString::to_string).collect(),
    }
}

fn assert_error(spec: Value, path_part: &str, message_part: &str) {
    let errs = errors_for(spec);
    assert!(
        errs.iter()
            .any(|e| e.contains(path_part) && e.contains(message_part)),
        "expected an error at {path_part:?} mentioning {message_part:?}, got {errs:#?}"
    );
}

fn with(mut spec: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    spec.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(key.to_string(), value);
    spec
}

#[test]
fn valid_crd_passes() {
    assert_eq!(errors_for(ok_spec()), Vec::<String>::new());
}

#[test]
fn rule1_missing_type() {
    let spec = with(
        ok_spec(),
        "/properties/untyped",
        json!({"description": "x"}),
    );
    assert_error(
        spec,
        "properties[spec].properties[untyped].type",
        "must be set",
    );
    let spec = with(ok_spec(), "/properties/list", json!({"type": "array"}));
    assert_error(spec, "properties[list].items", "must be set");
    let spec = with(ok_spec(), "/properties/bad", json!({"type": "null"}));
    assert_error(spec, "properties[bad].type", "is not one of");
}

#[test]
fn rule2_junctor_fields_must_be_in_main_tree() {
    let spec = with(
        ok_spec(),
        "/properties/either/anyOf",
        json!([{"properties": {"c": {"minLength": 1}}}]),
    );
    assert_error(
        spec,
        "anyOf[0].properties[c]",
        "only declared inside a junctor",
    );
}

#[test]
fn rule3_junctors_are_value_only() {
    for key in [
        "type",
        "description",
        "default",
        "nullable",
        "additionalProperties",
    ] {
        let branch = json!({"required": ["a"], key: if key == "nullable" { json!(true) } else { json!("string") }});
        let spec = with(ok_spec(), "/properties/either/allOf", json!([branch]));
        assert_error(spec, &format!("allOf[0].{key}"), "must not be set inside");
    }
    // Types in anyOf are only fine in the int-or-string form.
    let spec = with(
        ok_spec(),
        "/properties/either/anyOf",
        json!([{"type": "object"}]),
    );
    assert_error(spec, "anyOf[0].type", "must not be set inside");
    let spec = with(
        ok_spec(),
        "/properties/size/anyOf",
        json!([{"type": "integer"}, {"type": "number"}]),
    );
    assert_error(spec, "anyOf[1].type", "must not be set inside");
    let spec = with(ok_spec(), "/properties/size/type", json!("string"));
    assert_error(spec, "properties[size].type", "must be empty");
}

#[test]
fn rule4_metadata_restrictions() {
    let mut crd = widget_crd(ok_spec());
    let meta = crd
        .pointer_mut("/spec/versions/0/schema/openAPIV3Schema/properties/metadata")
        .unwrap();
    *meta = json!({"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 30},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}}
    }});
    let errs = check_structural(&crd).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.path.ends_with("properties[metadata].properties[labels]")),
        "{errs:#?}"
    );
    assert!(
        !errs.iter().any(|e| e.path.contains("properties[name]")),
        "{errs:#?}"
    );
}

#[test]
fn rule5_forbidden_keywords() {
    assert_error(
        with(
            ok_spec(),
            "/properties/r",
            json!({"$ref": "#/definitions/x"}),
        ),
        "properties[r].$ref",
        "not allowed",
    );
    assert_error(
        with(
            ok_spec(),
            "/additionalProperties",
            json!({"type": "string"}),
        ),
        "properties[spec].additionalProperties",
        "mutually exclusive",
    );
    assert_error(
        with(
            ok_spec(),
            "/properties/labels/additionalProperties",
            json!(false),
        ),
        "additionalProperties",
        "must not be false",
    );
    assert_error(
        with(ok_spec(), "/properties/tags/uniqueItems", json!(true)),
        "uniqueItems",
        "must not be true",
    );
    assert_error(
        with(ok_spec(), "/properties/mode/typo", json!(1)),
        "properties[mode].typo",
        "not a schema keyword",
    );
}

#[test]
fn rule6_extensions() {
    assert_error(
        with(
            ok_spec(),
            "/properties/raw/x-kubernetes-preserve-unknown-fields",
            json!(false),
        ),
        "x-kubernetes-preserve-unknown-fields",
        "must be true or absent",
    );
    let embedded = json!({"type": "object", "x-kubernetes-embedded-resource": true});
    assert_error(
        with(ok_spec(), "/properties/e", embedded),
        "properties[e]",
        "needs properties",
    );
}

#[test]
fn rule7_list_types() {
    // `port` has a default, so it may be a key; without the default it may not.
    let by_port = with(
        ok_spec(),
        "/properties/ports/x-kubernetes-list-map-keys",
        json!(["port"]),
    );
    assert_eq!(errors_for(by_port.clone()), Vec::<String>::new());
    let no_default = with(
        by_port,
        "/properties/ports/items/properties/port",
        json!({"type": "integer"}),
    );
    assert_error(
        no_default,
        "x-kubernetes-list-map-keys",
        "required in the items or have a default",
    );
    let spec = with(ok_spec(), "/properties/ports/items/required", json!([]));
    assert_error(spec, "x-kubernetes-list-map-keys", "must be required");
    assert_error(
        with(
            ok_spec(),
            "/properties/ports/x-kubernetes-list-map-keys",
            json!(["nope"]),
        ),
        "x-kubernetes-list-map-keys",
        "not a property",
    );
    assert_error(
        with(
            ok_spec(),
            "/properties/tags/x-kubernetes-list-map-keys",
            json!(["x"]),
        ),
        "properties[tags].x-kubernetes-list-map-keys",
        "requires x-kubernetes-list-type: map",
    );
    assert_error(
        with(
            ok_spec(),
            "/properties/mode/x-kubernetes-list-type",
            json!("set"),
        ),
        "properties[mode].x-kubernetes-list-type",
        "only allowed on `type: array`",
    );
    let objects = json!({"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "object", "properties": {"a": {"type": "string"}}}});
    assert_error(
        with(ok_spec(), "/properties/objs", objects),
        "properties[objs].items",
        "scalars or atomic",
    );
    assert_error(
        with(
            ok_spec(),
            "/properties/labels/x-kubernetes-map-type",
            json!("weird"),
        ),
        "x-kubernetes-map-type",
        "granular or atomic",
    );
}

#[test]
fn rule8_defaults() {
    assert_error(
        with(ok_spec(), "/properties/mode/default", json!("C")),
        "properties[mode].default",
        "must be one of",
    );
    let obj = json!({"type": "object", "properties": {"a": {"type": "string"}}, "default": {"a": "x", "zz": 1}});
    assert_error(
        with(ok_spec(), "/properties/o", obj),
        "properties[o].default",
        "unknown field \"zz\"",
    );
    let nul = json!({"type": "string", "default": null});
    assert_error(
        with(ok_spec(), "/properties/n", nul),
        "properties[n].default",
        "must not be null",
    );
    // Nested defaults are applied before the default is checked (required + default).
    let nested = json!({"type": "object", "required": ["a"], "default": {},
        "properties": {"a": {"type": "string", "default": "x"}}});
    assert_eq!(
        errors_for(with(ok_spec(), "/properties/o", nested)),
        Vec::<String>::new()
    );
}

#[test]
fn rule9_and_10_cel_shape_and_patterns() {
    assert_error(
        with(
            ok_spec(),
            "/properties/mode/x-kubernetes-validations",
            json!([{"message": "m"}]),
        ),
        "x-kubernetes-validations[0].rule",
        "non-empty CEL",
    );
    assert_error(
        with(ok_spec(), "/properties/mode/pattern", json!("^(a")),
        "properties[mode].pattern",
        "does not compile",
    );
}

#[test]
fn extra_hygiene_rules() {
    assert_error(
        with(ok_spec(), "/required", json!(["size", "ghost"])),
        "properties[spec].required",
        "\"ghost\" is required but not declared",
    );
    assert_error(
        with(ok_spec(), "/properties/mode/enum", json!(["A", 1])),
        "properties[mode].enum",
        "not of type string",
    );
    assert_error(
        with(ok_spec(), "/properties/mode/minLength", json!(5)),
        "properties[mode].default",
        "too short",
    );
    let bad = json!({"type": "string", "minLength": 5, "maxLength": 2});
    assert_error(
        with(ok_spec(), "/properties/s", bad),
        "properties[s].minLength",
        "greater than maxLength",
    );
}

#[test]
fn crd_shape() {
    let mut crd = widget_crd(ok_spec());
    crd["metadata"]["name"] = json!("widget.example.com");
    crd["spec"]["scope"] = json!("Global");
    crd["spec"]["names"]["listKind"] = json!("Widget");
    crd["spec"]["versions"][0]["storage"] = json!(false);
    let errs: Vec<String> = check_structural(&crd)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    for expected in [
        "metadata.name",
        "spec.scope",
        "spec.names.listKind",
        "exactly one version must have storage",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(expected)),
            "missing {expected:?} in {errs:#?}"
        );
    }
    let mut crd = widget_crd(ok_spec());
    crd["spec"]["versions"][0]
        .as_object_mut()
        .unwrap()
        .remove("schema");
    crd["spec"]["versions"][0]["subresources"] = json!({"scale": {"specReplicasPath": ".status.x", "statusReplicasPath": ".status.replicas"}});
    let errs: Vec<String> = check_structural(&crd)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        errs.iter()
            .any(|e| e.contains("openAPIV3Schema: is required")),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("specReplicasPath") && e.contains("under .spec")),
        "{errs:#?}"
    );
}

#[test]
fn scale_paths_must_name_integer_fields() {
    let mut crd = widget_crd(with(
        ok_spec(),
        "/properties/replicas",
        json!({"type": "integer"}),
    ));
    crd["spec"]["versions"][0]["subresources"]["scale"] =
        json!({"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.ready"});
    let errs = check_structural(&crd).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].path.ends_with("statusReplicasPath") && errs[0].message.contains("integer"),
        "{errs:#?}"
    );
}

#[test]
fn check_schema_alone() {
    assert!(
        check_schema(&json!({"type": "object", "properties": {"a": {"type": "string"}}})).is_ok()
    );
    let errs = check_schema(&json!({"type": "string"})).unwrap_err();
    assert_eq!(errs[0].path, "type");
}

//! `field_paths` / `assert_subset` on small schemas, plus the fixture helpers.

use serde_json::json;
use testkit::fixtures::{parse_yaml_docs, shared_dir, upstream, workspace_root};
use testkit::paths::schema_at;
use testkit::validate::validate_value;
use testkit::{Crd, assert_subset, field_paths, validate};

fn theirs() -> serde_json::Value {
    json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "platform": {"type": "object", "properties": {
                        "type": {"type": "string"},
                        "aws": {"type": "object", "properties": {"region": {"type": "string"}}}
                    }},
                    "services": {"type": "array", "items": {"type": "object", "properties": {
                        "service": {"type": "string"},
                        "servicePublishingStrategy": {"type": "object", "properties": {"type": {"type": "string"}}}
                    }}},
                    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}},
                    "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}}},
                    "either": {"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": [{"required": ["a"]}]}
                }
            }
        }
    })
}

#[test]
fn field_paths_lists_every_declared_path() {
    let paths: Vec<String> = field_paths(&theirs()).into_iter().collect();
    assert_eq!(
        paths,
        [
            "spec",
            "spec.either",
            "spec.either.a",
            "spec.matrix",
            "spec.matrix[][].x",
            "spec.nodeSelector",
            "spec.nodeSelector{}",
            "spec.platform",
            "spec.platform.aws",
            "spec.platform.aws.region",
            "spec.platform.type",
            "spec.services",
            "spec.services[].service",
            "spec.services[].servicePublishingStrategy",
            "spec.services[].servicePublishingStrategy.type",
        ]
    );
}

#[test]
fn subset_allows_only_listed_extras() {
    let mut ours = theirs();
    ours["properties"]["spec"]["properties"]["platform"]["properties"]["maas"] =
        json!({"type": "object", "properties": {"dnsDomain": {"type": "string"}}});
    ours["properties"]["spec"]["properties"]["platformExtra"] = json!({"type": "string"});
    ours["properties"]["spec"]["properties"]["services"]["items"]["properties"]["port"] =
        json!({"type": "integer"});

    assert_eq!(assert_subset(&theirs(), &theirs(), &[]), Ok(()));
    // `spec.platform` as a prefix must not cover `spec.platformExtra`.
    assert_eq!(
        assert_subset(&ours, &theirs(), &["spec.platform.maas"]),
        Err(vec![
            "spec.platformExtra".to_string(),
            "spec.services[].port".to_string()
        ])
    );
    assert_eq!(
        assert_subset(
            &ours,
            &theirs(),
            &[
                "spec.platform.maas",
                "spec.platformExtra",
                "spec.services[].port"
            ]
        ),
        Ok(())
    );
    let err = assert_subset(&ours, &theirs(), &[]).unwrap_err();
    assert!(
        err.contains(&"spec.platform.maas.dnsDomain".to_string()),
        "{err:?}"
    );
}

#[test]
fn schema_at_navigates_paths() {
    let s = theirs();
    assert_eq!(
        schema_at(&s, "spec.services[].servicePublishingStrategy.type"),
        Some(&json!({"type": "string"}))
    );
    assert_eq!(
        schema_at(&s, "spec.nodeSelector{}"),
        Some(&json!({"type": "string"}))
    );
    assert_eq!(
        schema_at(&s, "spec.matrix[][].x"),
        Some(&json!({"type": "integer"}))
    );
    assert_eq!(schema_at(&s, "spec.nope"), None);
}

#[test]
fn upstream_field_paths_are_plausible() {
    let hc = Crd::load_cached(upstream(
        "hypershift/hostedclusters-Hypershift-Default.crd.yaml",
    ));
    let paths = field_paths(hc.schema("v1beta1").expect("schema"));
    for p in [
        "spec.platform.type",
        "spec.services[].servicePublishingStrategy.type",
        "status.controlPlaneEndpoint.host",
    ] {
        assert!(paths.contains(p), "{p} missing");
    }
    assert!(paths.len() > 500, "{}", paths.len());
}

#[test]
fn shared_dir_is_next_to_the_workspace() {
    let root = workspace_root();
    assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
    assert!(root.join("testkit").is_dir(), "{}", root.display());
    if std::env::var_os(testkit::fixtures::SHARED_ENV).is_none() {
        assert_eq!(shared_dir(), root.parent().unwrap().join("shared"));
    }
    assert!(
        upstream("SOURCES.yaml").is_file(),
        "{}",
        upstream("SOURCES.yaml").display()
    );
}

#[test]
fn yaml_documents() {
    let docs = parse_yaml_docs("---\na: 1\n---\n---\nb: \"2\"\nc: [x, true]\n---\n").unwrap();
    assert_eq!(docs, [json!({"a": 1}), json!({"b": "2", "c": ["x", true]})]);
    assert!(parse_yaml_docs("a: [").is_err());
}

#[test]
fn fragments_and_roots_differ() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object"}}});
    // At a resource root apiVersion/kind/metadata are allowed without being declared...
    let obj = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a"}, "spec": {}});
    assert_eq!(validate(&obj, &schema), Ok(()));
    // ...but not in a fragment.
    let errs = validate_value(&obj, &schema).unwrap_err();
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["apiVersion", "kind", "metadata"]);
}

#[test]
fn defaults_are_applied_before_required_is_checked() {
    let schema = json!({"type": "object", "required": ["mode"], "properties": {
        "mode": {"type": "string", "default": "A", "enum": ["A"]},
        "nested": {"type": "object", "default": {}, "required": ["x"], "properties": {"x": {"type": "integer", "default": 1}}}
    }});
    assert_eq!(validate_value(&json!({}), &schema), Ok(()));
    let errs = validate_value(&json!({"mode": null}), &schema);
    assert_eq!(
        errs,
        Ok(()),
        "null on a non-nullable defaulted field becomes the default"
    );
}

#[test]
fn junctor_messages_name_each_alternative() {
    let schema = json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "oneOf": [{"required": ["a"]}, {"required": ["b"]}]});
    let none = validate_value(&json!({}), &schema).unwrap_err();
    assert!(
        none[0].message.contains("satisfies none")
            && none[0].message.contains("(0) a: required field"),
        "{none:?}"
    );
    let both = validate_value(&json!({"a": "x", "b": "y"}), &schema).unwrap_err();
    assert!(both[0].message.contains("satisfies [0, 1]"), "{both:?}");
    let not = json!({"type": "string", "not": {"enum": ["forbidden"]}});
    assert!(validate_value(&json!("forbidden"), &not).is_err());
    assert!(validate_value(&json!("fine"), &not).is_ok());
}

#[test]
fn preserve_unknown_and_embedded_resources() {
    let schema = json!({"type": "object", "properties": {
        "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"known": {"type": "integer"}}},
        "obj": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}
    }});
    let ok = json!({"raw": {"known": 1, "anything": {"x": [1]}}, "obj": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {}}});
    assert_eq!(validate_value(&ok, &schema), Ok(()));
    let bad = json!({"raw": {"known": "1"}, "obj": {"metadata": {"name": "Not_Valid"}}});
    let errs = validate_value(&bad, &schema).unwrap_err();
    let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "obj.apiVersion",
            "obj.kind",
            "obj.metadata.name",
            "raw.known"
        ]
    );
}

#[test]
fn string_and_number_keywords() {
    let schema = json!({"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 3},
        "when": {"type": "string", "format": "date-time"},
        "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1},
        "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}, "maxItems": 2},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 1}
    }});
    // maxLength counts characters, not bytes: three umlauts are fine.
    assert_eq!(
        validate_value(
            &json!({"name": "äöü", "when": "2024-01-31T00:00:00Z", "ratio": 1, "set": ["a", "b"], "counts": {"a": 1}}),
            &schema
        ),
        Ok(())
    );
    let errs = validate_value(
        &json!({"name": "abcd", "when": "yesterday", "ratio": 0, "set": ["a", "a", "b"], "counts": {}}),
        &schema,
    )
    .unwrap_err();
    let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let expect = [
        "counts: must have at least 1 field(s), has 0",
        "name: is too long: has 4 characters, maxLength is 3",
        "ratio: must be > 0, got 0",
        "set: must have at most 2 item(s), has 3",
        "set[1]: duplicate of item [0]; list items must be unique",
        "when: value \"yesterday\" is not a valid date-time: expected RFC 3339, e.g. 2024-01-31T12:00:00Z",
    ];
    assert_eq!(shown, expect);
}

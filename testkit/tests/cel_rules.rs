//! `testkit::validate::cel`: rules compiled from a schema in YAML, evaluated on objects in YAML.

use serde_json::Value;
use testkit::validate::cel::CelSchema;

fn yaml(s: &str) -> Value {
    serde_saphyr::from_str(s).unwrap()
}

const SCHEMA: &str = r#"
type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
      - rule: "!has(self.autoScaling) || self.autoScaling.max >= self.autoScaling.min"
        message: max must be at least min
        fieldPath: .autoScaling
      - rule: "!has(self.zone) || !has(self.failureDomain) || self.zone == self.failureDomain"
        message: zone and failureDomain must match
        reason: FieldValueForbidden
    properties:
      type:
        type: string
        x-kubernetes-validations:
          - rule: self == oldSelf
            message: type is immutable
      name:
        type: string
        x-kubernetes-validations:
          - rule: self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') && self.lowerAscii() == self
            messageExpression: "'name ' + self + ' is not a DNS label'"
      zone: {type: string}
      failureDomain: {type: string}
      autoScaling:
        type: object
        properties:
          min: {type: integer}
          max: {type: integer}
      tags:
        type: array
        items: {type: string}
        x-kubernetes-validations:
          - rule: self.all(t, t.startsWith('t-')) && !self.exists(t, t.contains(' '))
            message: tags start with t- and have no spaces
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items:
          type: object
          properties:
            name: {type: string}
            port:
              type: integer
              x-kubernetes-validations:
                - rule: self == oldSelf
                  message: port is immutable
      quantity:
        type: string
        x-kubernetes-validations:
          - rule: quantity(self).isGreaterThan(quantity('1Gi'))
          - rule: "self.size() > ("
"#;

fn schema() -> CelSchema {
    CelSchema::compile(&yaml(SCHEMA))
}

fn messages(new: &str, old: Option<&str>) -> Vec<String> {
    let old = old.map(yaml);
    schema()
        .validate(&yaml(new), old.as_ref())
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn counts_rules_and_keeps_the_ones_it_cannot_evaluate() {
    let s = schema();
    assert_eq!(s.rule_count(), 8);
    let skipped: Vec<&str> = s.skipped().iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "quantity(self).isGreaterThan(quantity('1Gi'))",
            "self.size() > ("
        ]
    );
    assert_eq!(s.skipped()[0].path, "spec.quantity");
    assert!(
        s.skipped()[0].why.contains("quantity"),
        "{:?}",
        s.skipped()[0]
    );
}

#[test]
fn a_valid_object_passes() {
    let ok = "spec: {type: A, name: web-1, zone: z1, failureDomain: z1, autoScaling: {min: 1, max: 3}, tags: [t-a, t-b]}";
    assert_eq!(messages(ok, None), Vec::<String>::new());
}

#[test]
fn broken_rules_are_reported_like_the_apiserver() {
    let bad = "spec: {name: Web_1, zone: z1, failureDomain: z2, autoScaling: {min: 3, max: 1}, tags: [t-a, x]}";
    assert_eq!(
        messages(bad, None),
        [
            r#"spec.autoScaling: Invalid value: "object": max must be at least min"#,
            "spec: Forbidden: zone and failureDomain must match",
            r#"spec.name: Invalid value: "string": name Web_1 is not a DNS label"#,
            r#"spec.tags: Invalid value: "array": tags start with t- and have no spaces"#,
        ]
    );
}

#[test]
fn transition_rules_run_on_update_only() {
    assert!(messages("spec: {type: A}", None).is_empty());
    assert!(messages("spec: {type: A}", Some("spec: {type: A}")).is_empty());
    assert_eq!(
        messages("spec: {type: B}", Some("spec: {type: A}")),
        [r#"spec.type: Invalid value: "string": type is immutable"#]
    );
    // A field that was absent has no old value: setting it is allowed.
    assert!(messages("spec: {type: B}", Some("spec: {}")).is_empty());
}

#[test]
fn list_map_items_are_matched_by_key_for_old_self() {
    let old = "spec: {ports: [{name: a, port: 1}, {name: b, port: 2}]}";
    assert!(
        messages(
            "spec: {ports: [{name: b, port: 2}, {name: a, port: 1}]}",
            Some(old)
        )
        .is_empty()
    );
    assert_eq!(
        messages("spec: {ports: [{name: b, port: 3}]}", Some(old)),
        [r#"spec.ports[0].port: Invalid value: "integer": port is immutable"#]
    );
    // A new item has no old value.
    assert!(messages("spec: {ports: [{name: c, port: 9}]}", Some(old)).is_empty());
}

#[test]
fn unchanged_values_are_ratcheted() {
    let bad = "spec: {autoScaling: {min: 3, max: 1}}";
    assert!(messages(bad, Some(bad)).is_empty());
    let changed = "spec: {autoScaling: {min: 3, max: 1}, zone: z}";
    assert_eq!(messages(changed, Some(bad)).len(), 1);
}

#[test]
fn a_runtime_error_refuses_with_the_rule() {
    let s = CelSchema::compile(&yaml(
        "type: object\nx-kubernetes-validations: [{rule: 'self.spec.x == 1'}]\nproperties: {spec: {type: object}}",
    ));
    let v: Vec<String> = s
        .validate(&yaml("spec: {}"), None)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(v.len(), 1);
    assert!(
        v[0].starts_with(r#"<nil>: Invalid value: "object": no such key: x"#)
            && v[0].ends_with("evaluating rule: self.spec.x == 1"),
        "{v:?}"
    );
    let fine: Vec<_> = s.validate(&yaml("spec: {x: 1}"), None);
    assert!(fine.is_empty(), "{fine:?}");
}

#[test]
fn ip_cidr_url_and_find_extensions() {
    let s = CelSchema::compile(&yaml(
        r#"
type: object
properties:
  ip: {type: string, x-kubernetes-validations: [{rule: "isIP(self) && ip(self).family() == 4"}]}
  net:
    type: string
    x-kubernetes-validations:
      - rule: isCIDR(self) && cidr(self).ip().family() == 6 && cidr(self).prefixLength() <= 125
  url:
    type: string
    x-kubernetes-validations:
      - rule: isURL(self) && url(self).getScheme() == 'https' && url(self).getQuery().size() == 0
      - rule: self.find('#(.+)$') == '' && self.find('@') == ''
"#,
    ));
    assert!(s.skipped().is_empty(), "{:?}", s.skipped());
    let check = |v: &str| -> Vec<String> {
        s.validate(&yaml(v), None)
            .iter()
            .map(|v| v.path.clone())
            .collect()
    };
    assert!(check("{ip: 10.0.0.1, net: 'fd00::/64', url: 'https://example.com/x'}").is_empty());
    assert_eq!(check("{ip: '::1'}"), ["ip"]);
    assert_eq!(check("{ip: 10.0.0.01}"), ["ip"]);
    assert_eq!(check("{net: 10.0.0.0/8}"), ["net"]);
    assert_eq!(check("{net: 'fd00::/127'}"), ["net"]);
    assert_eq!(check("{url: 'http://example.com'}"), ["url"]);
    assert_eq!(check("{url: 'https://example.com/?a=b'}"), ["url"]);
    assert_eq!(check("{url: 'https://u@example.com/#frag'}"), ["url"]);
    assert_eq!(check("{url: 'not a url'}"), ["url"]);
}

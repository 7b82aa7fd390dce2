//! `x-kubernetes-validations` on writes: our CRDs' CEL rules refuse what the kube-apiserver
//! refuses (422 Invalid, the rule's message at the rule's path) and accept the examples.

use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube_fake::FakeApiServer;
use serde_json::{Value, json};

fn workspace_file(rel: &str) -> String {
    let path = format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn example(name: &str) -> Value {
    serde_saphyr::from_str(&workspace_file(&format!("examples/{name}"))).unwrap()
}

fn server() -> FakeApiServer {
    let api = FakeApiServer::new();
    for crd in [
        "hypershift.openshift.io_nodepools.yaml",
        "hypershift.openshift.io_hostedclusters.yaml",
    ] {
        api.register_crd_from_yaml(&workspace_file(&format!("crds/{crd}")))
            .unwrap();
        let plural = crd
            .trim_end_matches(".yaml")
            .rsplit('_')
            .next()
            .unwrap()
            .to_string();
        let skipped = api.skipped_cel_rules(&plural);
        assert!(
            skipped.is_empty(),
            "{crd}: rules not evaluated: {skipped:#?}"
        );
    }
    api.create(
        "namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "clusters"}}),
    )
    .unwrap();
    api
}

fn node_pools(api: &FakeApiServer) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("hypershift.openshift.io", "v1beta1", "NodePool"),
        "nodepools",
    );
    Api::namespaced_with(api.client(), "clusters", &ar)
}

fn invalid<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> String {
    match r {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{s:?}");
            s.message.clone()
        }
        other => panic!("expected 422 Invalid, got {other:?}"),
    }
}

fn dynamic(v: Value) -> DynamicObject {
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn the_examples_are_accepted() {
    let api = server();
    api.create("nodepools", example("nodepool.yaml")).unwrap();
    api.create("nodepools", example("nodepool-lxd.yaml"))
        .unwrap();
    for hc in ["hostedcluster.yaml", "hostedcluster-kamaji.yaml"] {
        let mut obj = example(hc);
        obj["metadata"]["name"] = json!(hc.trim_end_matches(".yaml"));
        api.create("hostedclusters", obj)
            .unwrap_or_else(|e| panic!("{hc}: {e}"));
    }
}

#[tokio::test]
async fn autoscaling_with_max_above_min_is_refused() {
    let api = server();
    let mut np = example("nodepool.yaml");
    let spec = np["spec"].as_object_mut().unwrap();
    spec.remove("replicas");
    spec.insert("autoScaling".into(), json!({"min": 1, "max": 3}));
    let msg = invalid(
        node_pools(&api)
            .create(&PostParams::default(), &dynamic(np.clone()))
            .await,
    );
    assert_eq!(
        msg,
        "NodePool \"my-maas-nodepool\" is invalid: spec: Invalid value: \"object\": spec.autoScaling with max above min is not supported yet (no cluster autoscaler); set min = max or use replicas"
    );
    // min = max is fine.
    np["spec"]["autoScaling"] = json!({"min": 2, "max": 2});
    node_pools(&api)
        .create(&PostParams::default(), &dynamic(np))
        .await
        .unwrap();
}

#[tokio::test]
async fn zone_and_failure_domain_must_agree() {
    let api = server();
    let mut np = example("nodepool.yaml");
    np["spec"]["platform"]["maas"]["failureDomain"] = json!("zone2");
    let msg = invalid(
        node_pools(&api)
            .create(&PostParams::default(), &dynamic(np))
            .await,
    );
    assert!(
        msg.ends_with("is invalid: spec.platform.maas: Invalid value: \"object\": failureDomain and zone differ; for MAAS the failure domain is the zone: set one of them, or make them equal"),
        "{msg}"
    );
    // Direct writes go through the same check.
    let mut np = example("nodepool.yaml");
    np["spec"]["platform"]["maas"]["zone"] = json!("zone9");
    let err = api.create("nodepools", np).unwrap_err();
    assert_eq!(err.code, 422, "{err}");
    assert!(
        err.message.contains("failureDomain and zone differ"),
        "{err}"
    );
}

#[tokio::test]
async fn platform_type_is_immutable_on_update_only() {
    let api = server();
    let nps = node_pools(&api);
    nps.create(&PostParams::default(), &dynamic(example("nodepool.yaml")))
        .await
        .unwrap();
    // Changing the type (and dropping maas so the other rules hold) is refused by the transition rule.
    let patch = json!({"spec": {"platform": {"type": "None", "maas": null}}});
    let msg = invalid(
        nps.patch(
            "my-maas-nodepool",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await,
    );
    assert_eq!(
        msg,
        "NodePool \"my-maas-nodepool\" is invalid: spec.platform.type: Invalid value: \"string\": Type is immutable"
    );
    // An update that keeps the type is fine (the rule holds; the rest is ratcheted).
    let patch = json!({"spec": {"replicas": 5}});
    nps.patch(
        "my-maas-nodepool",
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await
    .unwrap();
    // A dry run is checked too, and stores nothing.
    let dry = PatchParams {
        dry_run: true,
        ..PatchParams::default()
    };
    let patch = json!({"spec": {"clusterName": "other"}});
    let msg = invalid(
        nps.patch("my-maas-nodepool", &dry, &Patch::Merge(&patch))
            .await,
    );
    assert!(
        msg.ends_with("spec.clusterName: Invalid value: \"string\": ClusterName is immutable"),
        "{msg}"
    );
}

#[tokio::test]
async fn several_broken_rules_are_listed_together() {
    let api = server();
    let mut np = example("nodepool.yaml");
    np["spec"]["arch"] = json!("arm64");
    np["spec"]["platform"]["maas"]["failureDomain"] = json!("zone2");
    let msg = invalid(
        node_pools(&api)
            .create(&PostParams::default(), &dynamic(np))
            .await,
    );
    assert!(
        msg.starts_with("NodePool \"my-maas-nodepool\" is invalid: [spec: Invalid value: \"object\": spec.arch other than amd64 is not supported yet, spec.platform.maas: Invalid value: \"object\": failureDomain and zone differ"),
        "{msg}"
    );
}

/// A CRD created through the API is compiled too; a rule that cannot be evaluated is listed,
/// not passed silently as checked.
#[tokio::test]
async fn crds_created_through_the_api_are_checked_and_report_skipped_rules() {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let api = FakeApiServer::new();
    let crd: CustomResourceDefinition = serde_saphyr::from_str(
        r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gauges.example.com}
spec:
  group: example.com
  names: {kind: Gauge, plural: gauges, singular: gauge, listKind: GaugeList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: self.low <= self.high
              message: low must not exceed high
              fieldPath: .low
            - rule: quantity(self.size).isLessThan(quantity('1Gi'))
            properties:
              low: {type: integer}
              high: {type: integer}
              size: {type: string}
"#,
    )
    .unwrap();
    Api::<CustomResourceDefinition>::all(api.client())
        .create(&PostParams::default(), &crd)
        .await
        .unwrap();
    let skipped = api.skipped_cel_rules("gauges");
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0].0, "v1");
    assert!(skipped[0].1.why.contains("quantity"), "{skipped:#?}");

    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Gauge"),
        "gauges",
    );
    let gauges: Api<DynamicObject> = Api::namespaced_with(api.client(), "default", &ar);
    let gauge = |low: i64, high: i64| {
        dynamic(json!({
            "apiVersion": "example.com/v1", "kind": "Gauge",
            "metadata": {"name": format!("g{low}-{high}")},
            "spec": {"low": low, "high": high, "size": "2Gi"},
        }))
    };
    gauges
        .create(&PostParams::default(), &gauge(1, 2))
        .await
        .unwrap();
    let msg = invalid(gauges.create(&PostParams::default(), &gauge(3, 2)).await);
    assert_eq!(
        msg,
        "Gauge \"g3-2\" is invalid: spec.low: Invalid value: \"object\": low must not exceed high"
    );
}

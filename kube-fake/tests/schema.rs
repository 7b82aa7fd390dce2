//! Custom-resource schemas as a real apiserver applies them: storage version and conversion
//! strategy None, pruning of undeclared fields, defaults, strict field validation; and the
//! 404s a real server gives (non-served version, dry run into a missing namespace, a type whose
//! CRD is not installed).

mod common;

use common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
    WatchEvent, WatchParams,
};
use kube_fake::FakeApiServer;
use serde_json::{Value, json};

fn capi_clusters_crd() -> String {
    let path = testkit::upstream("capi/cluster.x-k8s.io_clusters.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cluster_resource(version: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("cluster.x-k8s.io", version, "Cluster"),
        "clusters",
    )
}

fn v1beta1_cluster() -> Value {
    json!({
        "apiVersion": "cluster.x-k8s.io/v1beta1",
        "kind": "Cluster",
        "metadata": {"name": "demo", "namespace": "default"},
        "spec": {
            "controlPlaneRef": {
                "apiVersion": "hypershift.openshift.io/v1beta1",
                "kind": "HostedControlPlane",
                "namespace": "default",
                "name": "demo",
            },
        },
    })
}

fn api_message<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> (u16, String, String) {
    match r {
        Err(kube::Error::Api(s)) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn assert_ref_in_storage_shape(obj: &Value, api_version: &str) {
    assert_eq!(obj["apiVersion"], api_version);
    assert_eq!(
        obj["spec"]["controlPlaneRef"],
        json!({"kind": "HostedControlPlane", "name": "demo"}),
        "apiVersion and namespace are not in the v1beta2 ref, so storage drops them: {obj}"
    );
}

async fn check_capi_round_trip(api: &FakeApiServer) {
    let v1: Api<DynamicObject> =
        Api::namespaced_with(api.client(), "default", &cluster_resource("v1beta1"));
    let v2: Api<DynamicObject> =
        Api::namespaced_with(api.client(), "default", &cluster_resource("v1beta2"));
    let created: DynamicObject = v1
        .create(
            &PostParams::default(),
            &serde_json::from_value(v1beta1_cluster()).unwrap(),
        )
        .await
        .unwrap();
    // The response of the write is the stored object shown in v1beta1.
    assert_ref_in_storage_shape(
        &serde_json::to_value(&created).unwrap(),
        "cluster.x-k8s.io/v1beta1",
    );
    let stored = api.get("clusters", Some("default"), "demo").unwrap();
    assert_ref_in_storage_shape(&stored, "cluster.x-k8s.io/v1beta2");
    for (api_obj, av) in [
        (&v1, "cluster.x-k8s.io/v1beta1"),
        (&v2, "cluster.x-k8s.io/v1beta2"),
    ] {
        let got = api_obj.get("demo").await.unwrap();
        assert_ref_in_storage_shape(&serde_json::to_value(&got).unwrap(), av);
        let listed = api_obj.list(&ListParams::default()).await.unwrap();
        assert_ref_in_storage_shape(&serde_json::to_value(&listed.items[0]).unwrap(), av);
    }

    // A server-side apply in v1beta1 comes back without the fields v1beta2 lacks, every time:
    // a controller that compares what it sent with what it gets sees drift forever.
    let pp = PatchParams::apply("op").force();
    let applied = v1
        .patch("demo", &pp, &Patch::Apply(v1beta1_cluster()))
        .await
        .unwrap();
    assert_ref_in_storage_shape(
        &serde_json::to_value(&applied).unwrap(),
        "cluster.x-k8s.io/v1beta1",
    );
    let rv = api.resource_version();
    v1.patch("demo", &pp, &Patch::Apply(v1beta1_cluster()))
        .await
        .unwrap();
    assert_eq!(api.resource_version(), rv, "re-applying changes nothing");

    // A watch in v1beta1 shows v1beta1.
    let mut events = v1
        .watch(&WatchParams::default().timeout(1), "0")
        .await
        .unwrap()
        .boxed();
    match events.try_next().await.unwrap() {
        Some(WatchEvent::Added(o)) => {
            assert_ref_in_storage_shape(
                &serde_json::to_value(&o).unwrap(),
                "cluster.x-k8s.io/v1beta1",
            );
        }
        other => panic!("expected ADDED, got {other:?}"),
    }
}

#[tokio::test]
async fn capi_cluster_written_in_v1beta1_is_stored_and_read_in_the_v1beta2_shape() {
    let api = FakeApiServer::new();
    api.register_crd_from_yaml(&capi_clusters_crd()).unwrap();
    check_capi_round_trip(&api).await;
}

#[tokio::test]
async fn webhook_conversion_is_treated_as_none() {
    let api = FakeApiServer::new();
    let mut crd: Value = serde_saphyr::from_str(&capi_clusters_crd()).unwrap();
    crd["spec"]["conversion"] = json!({
        "strategy": "Webhook",
        "webhook": {
            "conversionReviewVersions": ["v1", "v1beta1"],
            "clientConfig": {"service": {"namespace": "capi-system", "name": "capi-webhook-service", "path": "/convert"}},
        },
    });
    api.register_crd(crd).unwrap();
    check_capi_round_trip(&api).await;
}

const THINGS_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, default: 3}
              mode: {type: string, default: fast}
              nested:
                type: object
                default: {}
                properties:
                  level: {type: integer, default: 1}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  known:
                    type: object
                    properties:
                      a: {type: string}
              labels:
                type: object
                additionalProperties: {type: string}
              ports:
                type: array
                items:
                  type: object
                  properties:
                    port: {type: integer}
                    protocol: {type: string, default: TCP}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                properties:
                  spec:
                    type: object
                    properties:
                      x: {type: string}
              opaque:
                type: object
          status:
            type: object
            properties:
              ready: {type: boolean}
"#;

fn thing_resource(version: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", version, "Thing"),
        "things",
    )
}

fn thing(spec: Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "example.com/v1", "kind": "Thing",
        "metadata": {"name": "t", "labels": {"keep": "me"}, "annotations": {"a": "b"}},
        "spec": spec,
        "extra": "dropped",
    }))
    .unwrap()
}

fn things_server() -> (FakeApiServer, Api<DynamicObject>) {
    let api = FakeApiServer::new();
    api.register_crd_from_yaml(THINGS_CRD).unwrap();
    let things = Api::namespaced_with(api.client(), "default", &thing_resource("v1"));
    (api, things)
}

#[tokio::test]
async fn pruning_follows_the_structural_schema() {
    let (api, things) = things_server();
    let created = things
        .create(
            &PostParams::default(),
            &thing(json!({
                "size": 5,
                "unknown": true,
                "free": {"anything": {"goes": 1}, "known": {"a": "x", "b": "pruned"}},
                "labels": {"x": "1", "y": "2"},
                "ports": [{"port": 80, "name": "pruned"}, {"port": 443, "protocol": "UDP"}],
                "template": {
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "p", "labels": {"l": "v"}},
                    "spec": {"x": "kept", "y": "pruned"},
                    "other": "pruned",
                },
                "opaque": {"a": 1},
            })),
        )
        .await
        .unwrap();
    let stored = api.get("things", Some("default"), "t").unwrap();
    assert_eq!(stored, serde_json::to_value(&created).unwrap());
    assert!(stored.get("extra").is_none(), "{stored}");
    assert_eq!(stored["metadata"]["labels"], json!({"keep": "me"}));
    assert_eq!(stored["metadata"]["annotations"], json!({"a": "b"}));
    let spec = &stored["spec"];
    assert!(spec.get("unknown").is_none());
    assert_eq!(
        spec["free"],
        json!({"anything": {"goes": 1}, "known": {"a": "x"}}),
        "preserve-unknown-fields keeps unknown fields, declared ones are still pruned inside"
    );
    assert_eq!(spec["labels"], json!({"x": "1", "y": "2"}));
    assert_eq!(
        spec["ports"],
        json!([{"port": 80, "protocol": "TCP"}, {"port": 443, "protocol": "UDP"}])
    );
    assert_eq!(
        spec["template"],
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"l": "v"}}, "spec": {"x": "kept"}}),
        "an embedded resource keeps apiVersion, kind and metadata"
    );
    assert_eq!(
        spec["opaque"],
        json!({}),
        "an object without properties loses its fields"
    );

    // Merge patches and status writes are pruned too.
    let patched = things
        .patch(
            "t",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"bogus": 1, "mode": "slow"}})),
        )
        .await
        .unwrap();
    assert!(patched.data["spec"].get("bogus").is_none());
    assert_eq!(patched.data["spec"]["mode"], "slow");
    let st = things
        .patch_status(
            "t",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": true, "bogus": 1}})),
        )
        .await
        .unwrap();
    assert_eq!(st.data["status"], json!({"ready": true}));
}

#[tokio::test]
async fn builtins_are_not_pruned() {
    let api = FakeApiServer::new();
    let deploys: Api<Deployment> = Api::namespaced(api.client(), "default");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        },
    }))
    .unwrap();
    let created = deploys.create(&PostParams::default(), &d).await.unwrap();
    assert_eq!(created.spec, d.spec);
}

#[tokio::test]
async fn defaults_are_applied_on_write_and_on_read() {
    let (api, things) = things_server();
    let created = things
        .create(&PostParams::default(), &thing(json!({"size": 7})))
        .await
        .unwrap();
    let want = json!({"size": 7, "mode": "fast", "nested": {"level": 1}});
    assert_eq!(created.data["spec"], want);
    assert_eq!(
        api.get("things", Some("default"), "t").unwrap()["spec"],
        want,
        "stored defaulted"
    );

    // A default added to the schema later shows on read, as on a real server (the stored object
    // is not rewritten).
    let mut crd = api
        .get("customresourcedefinitions", None, "things.example.com")
        .unwrap();
    crd["spec"]["versions"][1]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["color"] =
        json!({"type": "string", "default": "blue"});
    api.register_crd(crd).unwrap();
    let got = things.get("t").await.unwrap();
    assert_eq!(got.data["spec"]["color"], "blue");
    assert!(
        api.get("things", Some("default"), "t").unwrap()["spec"]
            .get("color")
            .is_none()
    );
}

#[tokio::test]
async fn a_version_that_is_not_served_answers_404() {
    let (api, _) = things_server();
    let old: Api<DynamicObject> =
        Api::namespaced_with(api.client(), "default", &thing_resource("v1alpha1"));
    assert_eq!(code(old.list(&ListParams::default()).await), 404);
    assert_eq!(code(old.get("t").await), 404);
    let mut o = thing(json!({}));
    o.types.as_mut().unwrap().api_version = "example.com/v1alpha1".into();
    assert_eq!(code(old.create(&PostParams::default(), &o).await), 404);
}

#[tokio::test]
async fn strict_field_validation_rejects_undeclared_fields() {
    let (api, things) = things_server();
    let apply = |spec: Value| {
        Patch::Apply(json!({
            "apiVersion": "example.com/v1", "kind": "Thing",
            "metadata": {"name": "t"}, "spec": spec,
        }))
    };
    let strict = PatchParams::apply("op").validation_strict();
    let (code, reason, message) = api_message(
        things
            .patch("t", &strict, &apply(json!({"size": 1, "foo": 2})))
            .await,
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert!(
        message.contains("failed to create typed patch object (default/t; example.com/v1, Kind=Thing): .spec.foo: field not declared in schema"),
        "{message}"
    );
    assert!(
        api.get("things", Some("default"), "t").is_none(),
        "nothing stored"
    );

    // Without Strict (or with Warn/Ignore) the field is pruned silently.
    for pp in [
        PatchParams::apply("op"),
        PatchParams::apply("op").validation_warn(),
        PatchParams::apply("op").validation_ignore(),
    ] {
        let o = things
            .patch("t", &pp, &apply(json!({"size": 1, "foo": 2})))
            .await
            .unwrap();
        assert_eq!(o.data["spec"]["size"], 1);
        assert!(o.data["spec"].get("foo").is_none());
    }
    // Declared fields pass Strict.
    things
        .patch("t", &strict, &apply(json!({"size": 2})))
        .await
        .unwrap();

    // A merge patch: the patched object is checked (422).
    let merge = PatchParams {
        field_validation: strict.field_validation.clone(),
        ..Default::default()
    };
    let (code, _, message) = api_message(
        things
            .patch("t", &merge, &Patch::Merge(json!({"spec": {"bar": 1}})))
            .await,
    );
    assert_eq!(code, 422);
    assert!(message.contains(r#"unknown field "spec.bar""#), "{message}");

    // A create (POST) is decoded strictly: 400 BadRequest.
    let body = json!({
        "apiVersion": "example.com/v1", "kind": "Thing",
        "metadata": {"name": "u"}, "spec": {"baz": 1},
    });
    let req = http::Request::post(
        "/apis/example.com/v1/namespaces/default/things?fieldValidation=Strict",
    )
    .header("content-type", "application/json")
    .body(serde_json::to_vec(&body).unwrap())
    .unwrap();
    let (code, reason, message) = api_message(api.client().request::<Value>(req).await);
    assert_eq!((code, reason.as_str()), (400, "BadRequest"));
    assert!(
        message.contains(r#"strict decoding error: unknown field "spec.baz""#),
        "{message}"
    );
}

#[tokio::test]
async fn dry_run_into_a_missing_namespace_is_404_like_a_create() {
    let api = FakeApiServer::new();
    let secrets: Api<Secret> = Api::namespaced(api.client(), "clusters");
    let s: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "clusters"},
        "stringData": {"a": "b"},
    }))
    .unwrap();
    for r in [
        secrets
            .create(
                &PostParams {
                    dry_run: true,
                    ..Default::default()
                },
                &s,
            )
            .await,
        secrets.create(&PostParams::default(), &s).await,
        secrets
            .patch(
                "s",
                &PatchParams::apply("cli").force().dry_run(),
                &Patch::Apply(&s),
            )
            .await,
        secrets
            .patch("s", &PatchParams::apply("cli").force(), &Patch::Apply(&s))
            .await,
    ] {
        let (code, reason, message) = api_message(r);
        assert_eq!((code, reason.as_str()), (404, "NotFound"));
        assert_eq!(message, r#"namespaces "clusters" not found"#);
    }
    assert!(api.objects("secrets").is_empty());
    assert!(api.get("namespaces", None, "clusters").is_none());
}

#[tokio::test]
async fn list_of_a_type_whose_crd_is_not_installed_is_404() {
    let api = FakeApiServer::new();
    let clusters: Api<DynamicObject> = Api::all_with(api.client(), &cluster_resource("v1beta2"));
    assert_eq!(code(clusters.list(&ListParams::default()).await), 404);
    // Installing the CRD makes it an (empty) list; deleting it brings the 404 back.
    api.register_crd_from_yaml(&capi_clusters_crd()).unwrap();
    assert!(
        clusters
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    api.delete(
        "customresourcedefinitions",
        None,
        "clusters.cluster.x-k8s.io",
    )
    .unwrap();
    assert_eq!(code(clusters.list(&ListParams::default()).await), 404);
}

#[tokio::test]
async fn warn_field_validation_prunes_and_sends_a_warning_header() {
    use tower::ServiceExt;
    let (api, _) = things_server();
    let body = json!({
        "apiVersion": "example.com/v1", "kind": "Thing",
        "metadata": {"name": "w"}, "spec": {"size": 1, "foo": 2},
    });
    let req =
        http::Request::post("/apis/example.com/v1/namespaces/default/things?fieldValidation=Warn")
            .header("content-type", "application/json")
            .body(kube::client::Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap();
    let resp = api.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 201);
    let warnings: Vec<_> = resp
        .headers()
        .get_all(http::header::WARNING)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(warnings, [r#"299 - "unknown field \"spec.foo\"""#]);
    let stored = api.get("things", Some("default"), "w").unwrap();
    assert!(stored["spec"].get("foo").is_none());
}

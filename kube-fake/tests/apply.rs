//! Server-side apply, no-op writes, generation and the status subresource.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::json;

fn cm_apply(data: serde_json::Value) -> Patch<serde_json::Value> {
    Patch::Apply(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": data}),
    )
}

#[tokio::test]
async fn apply_creates_then_reapply_changes_nothing() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let pp = PatchParams::apply("op").force();
    let first = cms
        .patch("a", &pp, &cm_apply(json!({"x": "1"})))
        .await
        .unwrap();
    let rv = api.resource_version();
    let second = cms
        .patch("a", &pp, &cm_apply(json!({"x": "1"})))
        .await
        .unwrap();
    assert_eq!(
        first.metadata.resource_version,
        second.metadata.resource_version
    );
    assert_eq!(api.resource_version(), rv, "a no-op apply bumps nothing");
    assert_eq!(api.write_count(), 2, "both applies are recorded as writes");

    // A merge patch that changes nothing is a no-op too.
    cms.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"x": "1"}})),
    )
    .await
    .unwrap();
    assert_eq!(api.resource_version(), rv);
}

#[tokio::test]
async fn apply_removes_fields_it_stops_applying_and_keeps_others() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let pp = PatchParams::apply("op");
    cms.patch("a", &pp, &cm_apply(json!({"x": "1", "y": "2"})))
        .await
        .unwrap();
    // Someone else adds a key.
    let other = PatchParams {
        field_manager: Some("kubectl".into()),
        ..Default::default()
    };
    cms.patch("a", &other, &Patch::Merge(json!({"data": {"z": "3"}})))
        .await
        .unwrap();
    let got = cms
        .patch("a", &pp, &cm_apply(json!({"x": "1"})))
        .await
        .unwrap();
    let data = got.data.unwrap();
    assert_eq!(data.keys().collect::<Vec<_>>(), ["x", "z"]);
}

#[tokio::test]
async fn apply_conflicts_without_force() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    cms.patch(
        "a",
        &PatchParams::apply("one"),
        &cm_apply(json!({"x": "1"})),
    )
    .await
    .unwrap();
    let err = cms
        .patch(
            "a",
            &PatchParams::apply("two"),
            &cm_apply(json!({"x": "2"})),
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 409);
            assert!(s.message.contains("conflict with \"one\""), "{}", s.message);
        }
        e => panic!("{e:?}"),
    }
    let got = cms
        .patch(
            "a",
            &PatchParams::apply("two").force(),
            &cm_apply(json!({"x": "2"})),
        )
        .await
        .unwrap();
    assert_eq!(got.data.unwrap()["x"], "2");
}

#[tokio::test]
async fn apply_needs_field_manager_and_types() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let no_kind = Patch::Apply(json!({"metadata": {"name": "a"}, "data": {}}));
    assert_eq!(
        code(cms.patch("a", &PatchParams::apply("op"), &no_kind).await),
        400
    );
    let wrong_name =
        Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}));
    assert_eq!(
        code(cms.patch("a", &PatchParams::apply("op"), &wrong_name).await),
        400
    );
}

#[tokio::test]
async fn dry_run_stores_nothing() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let rv = api.resource_version();
    let got = cms
        .patch(
            "a",
            &PatchParams::apply("op").dry_run(),
            &cm_apply(json!({"x": "1"})),
        )
        .await
        .unwrap();
    assert_eq!(got.data.unwrap()["x"], "1");
    assert!(api.get("configmaps", Some("default"), "a").is_none());
    assert_eq!(api.resource_version(), rv);
    assert!(api.requests()[0].dry_run);
}

#[tokio::test]
async fn generation_follows_spec_only() {
    let api = server();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(api.client(), "default", &widget_resource());
    let pp = PatchParams::apply("op").force();
    let apply = |spec: serde_json::Value, labels: serde_json::Value| {
        Patch::Apply(json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "labels": labels}, "spec": spec}))
    };
    let w = widgets
        .patch("w", &pp, &apply(json!({"size": 1}), json!({})))
        .await
        .unwrap();
    assert_eq!(w.metadata.generation, Some(1));
    let w = widgets
        .patch("w", &pp, &apply(json!({"size": 1}), json!({"a": "b"})))
        .await
        .unwrap();
    assert_eq!(
        w.metadata.generation,
        Some(1),
        "metadata changes keep the generation"
    );
    let w = widgets
        .patch("w", &pp, &apply(json!({"size": 2}), json!({"a": "b"})))
        .await
        .unwrap();
    assert_eq!(w.metadata.generation, Some(2));
    let status = Patch::Merge(json!({"status": {"ready": true}}));
    let w = widgets
        .patch_status("w", &PatchParams::default(), &status)
        .await
        .unwrap();
    assert_eq!(
        w.metadata.generation,
        Some(2),
        "status changes keep the generation"
    );
    assert_eq!(w.data["status"]["ready"], true);
}

#[tokio::test]
async fn status_subresource_separates_spec_and_status() {
    let api = server();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(api.client(), "default", &widget_resource());
    let mut w = widget("w", json!({"size": 1}));
    w.data["status"] = json!({"ready": true});
    let created = widgets.create(&PostParams::default(), &w).await.unwrap();
    assert!(
        created.data.get("status").is_none(),
        "create drops status with a status subresource"
    );

    // Status writes touch only status.
    let patch = Patch::Merge(
        json!({"metadata": {"labels": {"x": "y"}}, "spec": {"size": 9}, "status": {"ready": true}}),
    );
    let got = widgets
        .patch_status("w", &PatchParams::default(), &patch)
        .await
        .unwrap();
    assert_eq!(got.data["spec"]["size"], 1);
    assert_eq!(got.data["status"]["ready"], true);
    assert!(got.metadata.labels.is_none());

    // Main-resource writes ignore status.
    let mut next = got.clone();
    next.data["status"] = json!({"ready": false});
    next.data["spec"]["size"] = json!(2);
    let got = widgets
        .replace("w", &PostParams::default(), &next)
        .await
        .unwrap();
    assert_eq!(got.data["status"]["ready"], true);
    assert_eq!(got.data["spec"]["size"], 2);

    // Status apply, with its own manager, and replace_status with a stale resourceVersion.
    let pp = PatchParams::apply("status-writer").force();
    let st = Patch::Apply(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": {"phase": "Up"}}),
    );
    let got = widgets.patch_status("w", &pp, &st).await.unwrap();
    assert_eq!(got.data["status"]["phase"], "Up");
    assert_eq!(got.data["status"]["ready"], true);
    assert_eq!(
        code(
            widgets
                .replace_status("w", &PostParams::default(), &created)
                .await
        ),
        409
    );

    // The direct accessor.
    api.set_status("widgets", Some("default"), "w", json!({"phase": "Down"}))
        .unwrap();
    assert_eq!(
        api.get("widgets", Some("default"), "w").unwrap()["status"],
        json!({"phase": "Down"})
    );
}

#[tokio::test]
async fn deployments_keep_generation_and_status_apart() {
    let api = server();
    let deploys: Api<Deployment> = Api::namespaced(api.client(), "default");
    let body = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d"}},
                 "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}
    });
    let pp = PatchParams::apply("op").force();
    let d = deploys
        .patch("d", &pp, &Patch::Apply(body.clone()))
        .await
        .unwrap();
    assert_eq!(d.metadata.generation, Some(1));
    let mut body2 = body.clone();
    body2["spec"]["replicas"] = json!(3);
    let d = deploys.patch("d", &pp, &Patch::Apply(body2)).await.unwrap();
    assert_eq!(d.metadata.generation, Some(2));
}

#[tokio::test]
async fn lease_locking_pattern_conflicts_like_a_cluster() {
    use k8s_openapi::api::coordination::v1::Lease;
    let api = server();
    let leases: Api<Lease> = Api::namespaced(api.client(), "default");
    let mut l = Lease::default();
    l.metadata.name = Some("leader".into());
    leases.create(&PostParams::default(), &l).await.unwrap();
    let lock = |who: &str| {
        Patch::Apply(
            json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "spec": {"holderIdentity": who, "leaseDurationSeconds": 15}}),
        )
    };
    let pp = |who: &str| PatchParams {
        field_manager: Some(format!("lease-{who}")),
        ..Default::default()
    };
    leases.patch("leader", &pp("a"), &lock("a")).await.unwrap();
    // A second candidate's soft lock conflicts on holderIdentity.
    assert_eq!(
        code(leases.patch("leader", &pp("b"), &lock("b")).await),
        409
    );
    // The holder releases with a strategic-merge patch of nulls; then the other can lock.
    let release =
        Patch::Strategic(json!({"spec": {"holderIdentity": null, "leaseDurationSeconds": null}}));
    leases.patch("leader", &pp("a"), &release).await.unwrap();
    let got = leases.patch("leader", &pp("b"), &lock("b")).await.unwrap();
    assert_eq!(got.spec.unwrap().holder_identity.as_deref(), Some("b"));
}

#[tokio::test]
async fn strategic_merge_for_builtins_only() {
    let api = server();
    let client = api.client();
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let body = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "finalizers": ["a"]},
        "spec": {"selector": {"matchLabels": {"app": "d"}},
                 "template": {"metadata": {"labels": {"app": "d"}},
                              "spec": {"containers": [{"name": "c", "image": "i1", "ports": [{"containerPort": 80}]}]}}}
    });
    deploys
        .create(
            &PostParams::default(),
            &serde_json::from_value(body).unwrap(),
        )
        .await
        .unwrap();
    let smp = Patch::Strategic(json!({"metadata": {"finalizers": ["b"]},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i2"}]}}}}));
    let d = deploys
        .patch("d", &PatchParams::default(), &smp)
        .await
        .unwrap();
    assert_eq!(d.metadata.finalizers.unwrap(), ["a", "b"]);
    let c = &d.spec.template.spec.unwrap().containers[0];
    assert_eq!(
        (c.image.as_deref(), c.ports.as_ref().map(Vec::len)),
        (Some("i2"), Some(1))
    );

    let widgets: Api<DynamicObject> = Api::namespaced_with(client, "default", &widget_resource());
    widgets
        .create(&PostParams::default(), &widget("w", json!({})))
        .await
        .unwrap();
    let smp = Patch::Strategic(json!({"spec": {"a": 1}}));
    assert_eq!(
        code(widgets.patch("w", &PatchParams::default(), &smp).await),
        415
    );
}

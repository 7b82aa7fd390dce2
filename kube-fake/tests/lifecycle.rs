//! Deletion: finalizers, owner-reference garbage collection, namespace termination.

mod common;

use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Resource;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::json;

#[tokio::test]
async fn finalizer_deletion_timestamp_then_gone() {
    let api = server();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(api.client(), "default", &widget_resource());
    let mut w = widget("w", json!({}));
    w.metadata.finalizers = Some(vec!["example.com/cleanup".into()]);
    widgets.create(&PostParams::default(), &w).await.unwrap();

    let res = widgets.delete("w", &DeleteParams::default()).await.unwrap();
    let pending = res
        .left()
        .expect("pending deletion answers with the object");
    assert!(pending.metadata.deletion_timestamp.is_some());
    let still = widgets.get("w").await.unwrap();
    assert!(still.metadata.deletion_timestamp.is_some());

    // No new finalizers on a deleting object.
    let add = Patch::Merge(json!({"metadata": {"finalizers": ["example.com/cleanup", "other"]}}));
    assert_eq!(
        code(widgets.patch("w", &PatchParams::default(), &add).await),
        422
    );

    // Other updates still work while deleting.
    widgets
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}})),
        )
        .await
        .unwrap();
    assert!(api.get("widgets", Some("default"), "w").is_some());

    // Removing the last finalizer (the JSON patch kube-runtime's finalizer helper sends) deletes it.
    let remove: json_patch_ops::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/metadata/finalizers/0", "value": "example.com/cleanup"},
        {"op": "remove", "path": "/metadata/finalizers/0"}
    ]))
    .unwrap();
    widgets
        .patch("w", &PatchParams::default(), &Patch::Json::<()>(remove))
        .await
        .unwrap();
    assert_eq!(code(widgets.get("w").await), 404);
}

use json_patch as json_patch_ops;

#[tokio::test]
async fn json_patch_test_null_on_missing_path_passes() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let mut c = ConfigMap::default();
    c.metadata.name = Some("a".into());
    cms.create(&PostParams::default(), &c).await.unwrap();
    let add: json_patch_ops::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/metadata/finalizers", "value": null},
        {"op": "add", "path": "/metadata/finalizers", "value": ["f"]}
    ]))
    .unwrap();
    let got = cms
        .patch("a", &PatchParams::default(), &Patch::Json::<()>(add))
        .await
        .unwrap();
    assert_eq!(got.metadata.finalizers, Some(vec!["f".to_string()]));
    let failing: json_patch_ops::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/metadata/finalizers/0", "value": "other"},
        {"op": "remove", "path": "/metadata/finalizers/0"}
    ]))
    .unwrap();
    assert_eq!(
        code(
            cms.patch("a", &PatchParams::default(), &Patch::Json::<()>(failing))
                .await
        ),
        422
    );
}

fn owned_cm(name: &str, owner: &DynamicObject) -> ConfigMap {
    let mut c = ConfigMap::default();
    c.metadata.name = Some(name.into());
    c.metadata.owner_references = Some(vec![
        owner.controller_owner_ref(&widget_resource()).unwrap(),
    ]);
    c
}

#[tokio::test]
async fn owner_deletion_collects_dependents() {
    let api = server();
    let client = api.client();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &widget_resource());
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let owner = widgets
        .create(&PostParams::default(), &widget("w", json!({})))
        .await
        .unwrap();
    let other = widgets
        .create(&PostParams::default(), &widget("w2", json!({})))
        .await
        .unwrap();
    cms.create(&PostParams::default(), &owned_cm("child", &owner))
        .await
        .unwrap();
    // A child with two owners survives the first owner and loses the reference.
    let mut shared = owned_cm("shared", &owner);
    let mut second = other.controller_owner_ref(&widget_resource()).unwrap();
    second.controller = None;
    shared
        .metadata
        .owner_references
        .as_mut()
        .unwrap()
        .push(second);
    cms.create(&PostParams::default(), &shared).await.unwrap();
    let mut orphan = ConfigMap::default();
    orphan.metadata.name = Some("unowned".into());
    cms.create(&PostParams::default(), &orphan).await.unwrap();

    widgets.delete("w", &DeleteParams::default()).await.unwrap();
    assert_eq!(code(cms.get("child").await), 404);
    let shared = cms.get("shared").await.unwrap();
    assert_eq!(shared.metadata.owner_references.unwrap().len(), 1);
    cms.get("unowned").await.unwrap();

    // Orphan propagation leaves dependents.
    cms.create(&PostParams::default(), &owned_cm("kept", &other))
        .await
        .unwrap();
    widgets.delete("w2", &DeleteParams::orphan()).await.unwrap();
    cms.get("kept").await.unwrap();
    // ... until the GC sweeps references that dangle.
    assert!(api.collect_garbage() >= 1);
    assert_eq!(code(cms.get("kept").await), 404);
}

#[tokio::test]
async fn namespace_deletion_empties_it() {
    let api = server();
    let client = api.client();
    let nss: Api<Namespace> = Api::all(client.clone());
    let mut ns = Namespace::default();
    ns.metadata.name = Some("team".into());
    nss.create(&PostParams::default(), &ns).await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "team");
    let mut c = ConfigMap::default();
    c.metadata.name = Some("plain".into());
    cms.create(&PostParams::default(), &c).await.unwrap();
    let widgets: Api<DynamicObject> = Api::namespaced_with(client, "team", &widget_resource());
    let mut w = widget("held", json!({}));
    w.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    widgets.create(&PostParams::default(), &w).await.unwrap();

    nss.delete("team", &DeleteParams::default()).await.unwrap();
    assert_eq!(code(cms.get("plain").await), 404);
    // The held object keeps the namespace terminating; nothing new may be created in it.
    let terminating = nss.get("team").await.unwrap();
    assert_eq!(
        terminating.status.unwrap().phase.as_deref(),
        Some("Terminating")
    );
    c.metadata.name = Some("new".into());
    assert_eq!(code(cms.create(&PostParams::default(), &c).await), 403);

    widgets
        .patch(
            "held",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
    assert_eq!(code(nss.get("team").await), 404);
}

#[tokio::test]
async fn delete_preconditions_and_collection() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    for n in ["a", "b", "c"] {
        let mut c = ConfigMap::default();
        c.metadata.name = Some(n.into());
        c.metadata.labels = Some(
            [(
                "grp".to_string(),
                if n == "c" { "y" } else { "x" }.to_string(),
            )]
            .into(),
        );
        cms.create(&PostParams::default(), &c).await.unwrap();
    }
    let dp = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            uid: Some("wrong".into()),
            resource_version: None,
        }),
        ..Default::default()
    };
    assert_eq!(code(cms.delete("a", &dp).await), 409);
    let lp = kube::api::ListParams::default().labels("grp=x");
    cms.delete_collection(&DeleteParams::default(), &lp)
        .await
        .unwrap();
    assert_eq!(api.objects("configmaps").len(), 1);
}

#[tokio::test]
async fn kube_runtime_event_recorder_publishes_and_repeats() {
    use kube::runtime::events::{Event as KEvent, EventType, Recorder, Reporter};
    let api = server();
    let client = api.client();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &widget_resource());
    let w = widgets
        .create(&PostParams::default(), &widget("w", json!({})))
        .await
        .unwrap();
    let recorder = Recorder::new(
        client,
        Reporter {
            controller: "ctrl".into(),
            instance: None,
        },
    );
    let ev = KEvent {
        type_: EventType::Normal,
        reason: "Synced".into(),
        note: Some("ok".into()),
        action: "Reconcile".into(),
        secondary: None,
    };
    let reference = w.object_ref(&widget_resource());
    recorder.publish(&ev, &reference).await.unwrap();
    recorder.publish(&ev, &reference).await.unwrap();
    let events = api.objects("events.events.k8s.io");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["series"]["count"], 2);
    assert_eq!(events[0]["regarding"]["name"], "w");
}

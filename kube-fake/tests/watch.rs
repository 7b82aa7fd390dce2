//! Watches, kube-runtime's watcher, and a real Controller running whole flows against the fake.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams, WatchEvent,
    WatchParams,
};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::runtime::{Controller, WatchStreamExt, watcher};
use serde_json::json;

fn cm(name: &str, label: &str) -> ConfigMap {
    let mut c = ConfigMap::default();
    c.metadata.name = Some(name.into());
    c.metadata.labels = Some([("app".to_string(), label.to_string())].into());
    c
}

async fn next_event(
    s: &mut (impl futures::Stream<Item = kube::Result<WatchEvent<ConfigMap>>> + Unpin),
) -> (String, String) {
    let ev = tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .expect("event in time")
        .expect("stream open")
        .unwrap();
    let (kind, obj) = match ev {
        WatchEvent::Added(o) => ("ADDED", o),
        WatchEvent::Modified(o) => ("MODIFIED", o),
        WatchEvent::Deleted(o) => ("DELETED", o),
        other => panic!("unexpected {other:?}"),
    };
    (kind.to_string(), obj.metadata.name.unwrap())
}

#[tokio::test]
async fn raw_watch_from_list_resource_version() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    cms.create(&PostParams::default(), &cm("before", "x"))
        .await
        .unwrap();
    let rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut events = cms
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    cms.create(&PostParams::default(), &cm("a", "x"))
        .await
        .unwrap();
    cms.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "v"}})),
    )
    .await
    .unwrap();
    // A no-op write emits nothing.
    cms.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "v"}})),
    )
    .await
    .unwrap();
    cms.delete("a", &DeleteParams::default()).await.unwrap();
    assert_eq!(next_event(&mut events).await, ("ADDED".into(), "a".into()));
    assert_eq!(
        next_event(&mut events).await,
        ("MODIFIED".into(), "a".into())
    );
    assert_eq!(
        next_event(&mut events).await,
        ("DELETED".into(), "a".into())
    );

    // Resuming from the old resourceVersion replays the same history.
    let mut replay = cms
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    assert_eq!(next_event(&mut replay).await, ("ADDED".into(), "a".into()));
    assert_eq!(api.open_watches(), 2);
}

#[tokio::test]
async fn label_selector_transitions_are_added_and_deleted() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let mut events = cms
        .watch(&WatchParams::default().labels("app=web"), "0")
        .await
        .unwrap()
        .boxed();
    cms.create(&PostParams::default(), &cm("a", "db"))
        .await
        .unwrap();
    let relabel = |v: &str| Patch::Merge(json!({"metadata": {"labels": {"app": v}}}));
    cms.patch("a", &PatchParams::default(), &relabel("web"))
        .await
        .unwrap();
    cms.patch("a", &PatchParams::default(), &relabel("db"))
        .await
        .unwrap();
    assert_eq!(next_event(&mut events).await, ("ADDED".into(), "a".into()));
    assert_eq!(
        next_event(&mut events).await,
        ("DELETED".into(), "a".into())
    );
}

#[tokio::test]
async fn watch_ends_at_timeout_and_on_close() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let mut events = cms
        .watch(&WatchParams::default().timeout(1), "0")
        .await
        .unwrap()
        .boxed();
    let end = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap();
    assert!(end.is_none(), "the stream ends after timeoutSeconds");

    let mut events = cms
        .watch(&WatchParams::default(), "0")
        .await
        .unwrap()
        .boxed();
    api.close_watches();
    let end = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap();
    assert!(end.is_none());
}

#[tokio::test]
async fn expired_resource_version_is_410() {
    let api = server();
    api.set_history_limit(2);
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    for n in ["a", "b", "c", "d"] {
        cms.create(&PostParams::default(), &cm(n, "x"))
            .await
            .unwrap();
    }
    let mut events = cms
        .watch(&WatchParams::default(), "1")
        .await
        .unwrap()
        .boxed();
    match events.next().await.unwrap().unwrap() {
        WatchEvent::Error(e) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bookmarks_when_asked() {
    let api = server();
    api.set_bookmark_interval(Duration::from_millis(50));
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let mut events = cms
        .watch(&WatchParams::default(), "0")
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
    {
        WatchEvent::Bookmark(b) => assert_eq!(
            b.metadata.resource_version,
            api.resource_version().to_string()
        ),
        other => panic!("{other:?}"),
    }
}

/// Collects the names a kube-runtime watcher applies, until `want` is seen.
async fn watcher_sees(cfg: watcher::Config, want: &str) {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    cms.create(&PostParams::default(), &cm("early", "x"))
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s2 = seen.clone();
    let task = tokio::spawn(async move {
        let mut stream = watcher(cms, cfg).boxed();
        while let Some(ev) = stream.try_next().await.unwrap() {
            match ev {
                watcher::Event::Apply(o) | watcher::Event::InitApply(o) => {
                    s2.lock().unwrap().push(o.metadata.name.unwrap())
                }
                _ => {}
            }
        }
    });
    let s3 = seen.clone();
    eventually("initial list", move || {
        s3.lock().unwrap().contains(&"early".to_string())
    })
    .await;
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    cms.create(&PostParams::default(), &cm(want, "x"))
        .await
        .unwrap();
    let s4 = seen.clone();
    eventually("object created after start", move || {
        s4.lock().unwrap().contains(&want.to_string())
    })
    .await;
    task.abort();
}

#[tokio::test]
async fn runtime_watcher_sees_objects_created_after_it_started() {
    watcher_sees(watcher::Config::default(), "late").await;
}

#[tokio::test]
async fn runtime_watcher_streaming_list_mode() {
    watcher_sees(watcher::Config::default().streaming_lists(), "late").await;
}

#[tokio::test]
async fn runtime_watcher_survives_closed_watches() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s2 = seen.clone();
    let w = cms.clone();
    let task = tokio::spawn(async move {
        let mut stream = watcher(w, watcher::Config::default())
            .default_backoff()
            .boxed();
        while let Some(ev) = stream.next().await {
            if let Ok(watcher::Event::Apply(o)) = ev {
                s2.lock().unwrap().push(o.metadata.name.unwrap());
            }
        }
    });
    let a2 = api.clone();
    eventually("watch open", move || a2.open_watches() == 1).await;
    api.close_watches();
    cms.create(&PostParams::default(), &cm("after-close", "x"))
        .await
        .unwrap();
    let s3 = seen.clone();
    eventually("event after re-watch", move || {
        s3.lock().unwrap().contains(&"after-close".to_string())
    })
    .await;
    task.abort();
}

#[tokio::test]
async fn controller_reconciles_objects_created_after_start() {
    let api = server();
    let client = api.client();
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let count = Arc::new(AtomicUsize::new(0));
    let ctx = count.clone();
    let ctrl = tokio::spawn(
        Controller::new(cms.clone(), watcher::Config::default())
            .run(
                |obj: Arc<ConfigMap>, ctx: Arc<(AtomicUsize, Api<ConfigMap>)>| async move {
                    ctx.0.fetch_add(1, Ordering::SeqCst);
                    // Mark it handled with a server-side apply (re-applying the same is a no-op).
                    let name = obj.metadata.name.clone().unwrap();
                    let patch = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"seen": "yes"}});
                    ctx.1.patch(&name, &PatchParams::apply("ctrl").force(), &Patch::Apply(patch)).await?;
                    Ok::<_, kube::Error>(Action::await_change())
                },
                |_, _, _| Action::requeue(Duration::from_secs(1)),
                Arc::new((AtomicUsize::new(0), cms.clone())),
            )
            .for_each(move |_| {
                ctx.fetch_add(1, Ordering::SeqCst);
                async {}
            }),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    cms.create(&PostParams::default(), &cm("late", "x"))
        .await
        .unwrap();
    let a2 = api.clone();
    eventually("reconciled", move || {
        a2.get("configmaps", Some("default"), "late")
            .is_some_and(|o| o["data"]["seen"] == "yes")
    })
    .await;
    // The apply changed the object once; the re-reconcile's apply is a no-op, so it settles.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rv = api.resource_version();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(api.resource_version(), rv, "the controller settles");
    assert!(count.load(Ordering::SeqCst) >= 1);
    ctrl.abort();
}

#[tokio::test]
async fn controller_with_finalizer_runs_apply_and_cleanup() {
    const FINALIZER: &str = "example.com/cleanup";
    let api = server();
    let client = api.client();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &widget_resource());
    let cleanups = Arc::new(AtomicUsize::new(0));
    struct Ctx {
        api: Api<DynamicObject>,
        cleanups: Arc<AtomicUsize>,
    }
    let ctx = Arc::new(Ctx {
        api: widgets.clone(),
        cleanups: cleanups.clone(),
    });
    let ctrl = tokio::spawn(
        Controller::new_with(widgets.clone(), watcher::Config::default(), widget_resource())
            .run(
                |obj: Arc<DynamicObject>, ctx: Arc<Ctx>| async move {
                    finalizer(&ctx.api, FINALIZER, obj, |ev| async {
                        match ev {
                            Event::Apply(w) => {
                                let name = w.metadata.name.clone().unwrap();
                                let st = json!({"apiVersion": "example.com/v1", "kind": "Widget",
                                    "metadata": {"name": name}, "status": {"observed": w.metadata.generation}});
                                ctx.api.patch_status(&name, &PatchParams::apply("ctrl").force(), &Patch::Apply(st)).await?;
                            }
                            Event::Cleanup(_) => {
                                ctx.cleanups.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        Ok::<_, kube::Error>(Action::await_change())
                    })
                    .await
                },
                |_, _, _| Action::requeue(Duration::from_millis(100)),
                ctx,
            )
            .for_each(|_| async {}),
    );
    widgets
        .create(&PostParams::default(), &widget("w", json!({"size": 1})))
        .await
        .unwrap();
    let a = api.clone();
    eventually("finalizer added and status written", move || {
        a.get("widgets", Some("default"), "w").is_some_and(|o| {
            o["metadata"]["finalizers"][0] == FINALIZER && o["status"]["observed"] == 1
        })
    })
    .await;
    widgets
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 2}})),
        )
        .await
        .unwrap();
    let a = api.clone();
    eventually("status follows generation", move || {
        a.get("widgets", Some("default"), "w")
            .is_some_and(|o| o["status"]["observed"] == 2)
    })
    .await;
    widgets.delete("w", &DeleteParams::default()).await.unwrap();
    let a = api.clone();
    eventually("cleanup ran and the object is gone", move || {
        a.get("widgets", Some("default"), "w").is_none()
    })
    .await;
    assert_eq!(cleanups.load(Ordering::SeqCst), 1);
    ctrl.abort();
}

#[tokio::test]
async fn metadata_watcher_and_metadata_requests() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    cms.create(&PostParams::default(), &cm("a", "x"))
        .await
        .unwrap();
    let meta = cms.get_metadata("a").await.unwrap();
    assert_eq!(meta.metadata.name.as_deref(), Some("a"));
    assert_eq!(meta.types.unwrap().kind, "PartialObjectMetadata");
    assert_eq!(
        cms.list_metadata(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s2 = seen.clone();
    let w: Api<kube::core::PartialObjectMeta<ConfigMap>> = Api::namespaced(api.client(), "default");
    let task = tokio::spawn(async move {
        let mut stream = watcher(w, watcher::Config::default())
            .applied_objects()
            .boxed();
        while let Some(Ok(o)) = stream.next().await {
            s2.lock().unwrap().push(o.metadata.name.unwrap());
        }
    });
    let s3 = seen.clone();
    eventually("initial", move || {
        s3.lock().unwrap().contains(&"a".to_string())
    })
    .await;
    cms.create(&PostParams::default(), &cm("b", "x"))
        .await
        .unwrap();
    let s4 = seen.clone();
    eventually("live", move || {
        s4.lock().unwrap().contains(&"b".to_string())
    })
    .await;
    task.abort();
}

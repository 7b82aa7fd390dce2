//! CRUD through kube::Api against the fake: built-in types and a registered CRD.

mod common;

use std::collections::BTreeMap;

use common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

fn cm(name: &str, labels: &[(&str, &str)]) -> ConfigMap {
    let mut c = ConfigMap::default();
    c.metadata.name = Some(name.into());
    c.metadata.labels = Some(
        labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    c.data = Some(BTreeMap::from([("k".to_string(), "v".to_string())]));
    c
}

#[tokio::test]
async fn configmap_crud_and_errors() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    let pp = PostParams::default();

    let created = cms.create(&pp, &cm("a", &[])).await.unwrap();
    let meta = &created.metadata;
    assert_eq!(meta.namespace.as_deref(), Some("default"));
    assert!(meta.uid.is_some() && meta.creation_timestamp.is_some());
    assert!(meta.generation.is_none(), "ConfigMaps have no generation");
    let rv1 = meta.resource_version.clone().unwrap();

    assert_eq!(code(cms.create(&pp, &cm("a", &[])).await), 409);
    assert_eq!(code(cms.get("missing").await), 404);
    assert!(cms.get_opt("missing").await.unwrap().is_none());

    // Replace with the current resourceVersion, then with a stale one.
    let mut next = created.clone();
    next.data = Some(BTreeMap::from([("k".to_string(), "w".to_string())]));
    let replaced = cms.replace("a", &pp, &next).await.unwrap();
    assert_ne!(
        replaced.metadata.resource_version.as_deref(),
        Some(rv1.as_str())
    );
    let err = cms.replace("a", &pp, &next).await.unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"));
            assert!(
                s.message.contains("the object has been modified"),
                "{}",
                s.message
            );
        }
        other => panic!("{other:?}"),
    }

    // Merge patch.
    let patched = cms
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"k2": "v2"}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.data.unwrap().len(), 2);

    // Delete: built-ins answer with a Status.
    let res = cms.delete("a", &DeleteParams::default()).await.unwrap();
    assert!(res.is_right());
    assert_eq!(code(cms.get("a").await), 404);
    assert_eq!(code(cms.delete("a", &DeleteParams::default()).await), 404);
}

#[tokio::test]
async fn secret_create_and_list_and_namespace_checks() {
    let api = server();
    let client = api.client();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");
    let mut s = Secret::default();
    s.metadata.name = Some("creds".into());
    s.string_data = Some(BTreeMap::from([("user".into(), "me".into())]));
    s.type_ = Some("Opaque".into());
    secrets.create(&PostParams::default(), &s).await.unwrap();
    let got = secrets.get("creds").await.unwrap();
    assert_eq!(got.type_.as_deref(), Some("Opaque"));
    let list = secrets
        .list(&ListParams::default().fields("type=Opaque"))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
    assert!(list.metadata.resource_version.is_some());

    // A missing namespace is a 404, as on a cluster.
    let other: Api<Secret> = Api::namespaced(client.clone(), "nope");
    assert_eq!(code(other.create(&PostParams::default(), &s).await), 404);
    // Unsupported field selectors are refused.
    assert_eq!(
        code(
            secrets
                .list(&ListParams::default().fields("spec.x=1"))
                .await
        ),
        400
    );
    // Invalid names are refused.
    let mut bad = s.clone();
    bad.metadata.name = Some("Not_Valid".into());
    assert_eq!(
        code(secrets.create(&PostParams::default(), &bad).await),
        422
    );
    let mut colon = s.clone();
    colon.metadata.name = Some("system:x".into());
    assert_eq!(
        code(secrets.create(&PostParams::default(), &colon).await),
        422
    );

    let nss: Api<Namespace> = Api::all(client);
    let names: Vec<_> = nss
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert!(names.contains(&"default".to_string()) && names.contains(&"kube-system".to_string()));
}

#[tokio::test]
async fn generate_name_and_list_across_namespaces() {
    let api = server();
    let client = api.client();
    api.create(
        "namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}),
    )
    .unwrap();
    let mut c = cm("", &[]);
    c.metadata.name = None;
    c.metadata.generate_name = Some("gen-".into());
    let a = Api::<ConfigMap>::namespaced(client.clone(), "default")
        .create(&PostParams::default(), &c)
        .await
        .unwrap();
    assert!(a.metadata.name.unwrap().starts_with("gen-"));
    Api::<ConfigMap>::namespaced(client.clone(), "other")
        .create(&PostParams::default(), &cm("b", &[]))
        .await
        .unwrap();
    let all = Api::<ConfigMap>::all(client)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
}

#[tokio::test]
async fn label_selectors_and_pagination() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    for (n, app) in [("a", "web"), ("b", "db"), ("c", "web"), ("d", "cache")] {
        cms.create(
            &PostParams::default(),
            &cm(n, &[("app", app), ("tier", "x")]),
        )
        .await
        .unwrap();
    }
    let names = |l: kube::core::ObjectList<ConfigMap>| {
        l.items
            .into_iter()
            .filter_map(|c| c.metadata.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            cms.list(&ListParams::default().labels("app=web"))
                .await
                .unwrap()
        ),
        ["a", "c"]
    );
    assert_eq!(
        names(
            cms.list(&ListParams::default().labels("app=web,tier=x"))
                .await
                .unwrap()
        ),
        ["a", "c"]
    );
    assert_eq!(
        names(
            cms.list(&ListParams::default().labels("app in (db,cache)"))
                .await
                .unwrap()
        ),
        ["b", "d"]
    );
    assert_eq!(
        names(
            cms.list(&ListParams::default().labels("app!=web"))
                .await
                .unwrap()
        ),
        ["b", "d"]
    );
    assert!(
        names(
            cms.list(&ListParams::default().labels("app=none"))
                .await
                .unwrap()
        )
        .is_empty()
    );

    let page1 = cms.list(&ListParams::default().limit(3)).await.unwrap();
    let token = page1.metadata.continue_.clone().expect("continue token");
    assert_eq!(page1.items.len(), 3);
    let page2 = cms
        .list(&ListParams::default().limit(3).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(names(page2), ["d"]);
}

#[tokio::test]
async fn custom_resources_through_dynamic_objects() {
    let api = server();
    let client = api.client();
    let widgets: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &widget_resource());
    let created = widgets
        .create(&PostParams::default(), &widget("w1", json!({"size": 1})))
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    assert_eq!(created.data["spec"]["size"], 1);
    assert_eq!(
        widgets
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // Custom resources refuse an unconditional PUT.
    let mut unconditional = created.clone();
    unconditional.metadata.resource_version = None;
    assert_eq!(
        code(
            widgets
                .replace("w1", &PostParams::default(), &unconditional)
                .await
        ),
        422
    );

    // Cluster-scoped CRD.
    let gadgets: Api<DynamicObject> = Api::all_with(client, &gadget_resource());
    let mut g = DynamicObject::new("g1", &gadget_resource());
    g.data = json!({"spec": {"a": 1}});
    gadgets.create(&PostParams::default(), &g).await.unwrap();
    assert!(api.get("gadgets.example.com", None, "g1").is_some());

    // Custom resources answer a delete with the object.
    let res = widgets
        .delete("w1", &DeleteParams::default())
        .await
        .unwrap();
    assert!(res.is_left());
    assert!(api.get("widgets", Some("default"), "w1").is_none());

    // The CRDs are objects too, with the conditions their controller sets.
    let crd = api
        .get("customresourcedefinitions", None, "widgets.example.com")
        .unwrap();
    assert_eq!(crd["status"]["conditions"][1]["type"], "Established");
}

#[tokio::test]
async fn the_projects_real_crds_register() {
    let api = kube_fake::FakeApiServer::new();
    for f in ["hostedclusters", "hostedcontrolplanes", "nodepools"] {
        let path = format!(
            "{}/../crds/hypershift.openshift.io_{f}.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        api.register_crd_from_yaml(&std::fs::read_to_string(path).unwrap())
            .unwrap();
    }
    let hc = api
        .resources()
        .into_iter()
        .find(|r| r.plural == "hostedclusters")
        .unwrap();
    assert!(hc.namespaced && hc.status_subresource);
    assert_eq!(hc.group, "hypershift.openshift.io");
}

#[tokio::test]
async fn requests_are_recorded_and_faults_injected() {
    let api = server();
    let cms: Api<ConfigMap> = Api::namespaced(api.client(), "default");
    cms.create(&PostParams::default(), &cm("a", &[]))
        .await
        .unwrap();
    cms.get("a").await.unwrap();
    let pp = PatchParams::apply("me").force();
    cms.patch(
        "a",
        &pp,
        &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"x": "y"}})),
    )
    .await
    .unwrap();
    let reqs = api.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", "/api/v1/namespaces/default/configmaps")
    );
    assert!(reqs[2].is_apply() && reqs[2].force);
    assert_eq!(reqs[2].field_manager.as_deref(), Some("me"));
    assert_eq!(reqs[2].body.as_ref().unwrap()["data"]["x"], "y");
    assert_eq!(api.write_count(), 2);

    api.clear_requests();
    api.fail_next("GET", "/api/v1/namespaces/default/configmaps/a", 503, 2);
    assert_eq!(code(cms.get("a").await), 503);
    assert_eq!(code(cms.get("a").await), 503);
    cms.get("a").await.unwrap();
    assert_eq!(api.requests().len(), 3);
    assert_eq!(api.write_count(), 0);
}

#[tokio::test]
async fn discovery_answers() {
    let api = server();
    let client = api.client();
    let v = client.apiserver_version().await.unwrap();
    assert_eq!(v.major, "1");
    let groups = client.list_api_groups().await.unwrap();
    assert!(groups.groups.iter().any(|g| g.name == "example.com"));
    let res = client
        .list_api_group_resources("example.com/v1")
        .await
        .unwrap();
    assert!(res.resources.iter().any(|r| r.name == "widgets/status"));
    let core = client.list_core_api_resources("v1").await.unwrap();
    assert!(core.resources.iter().any(|r| r.name == "configmaps"));
}

#[tokio::test]
async fn kube_discovery_runs_both_ways() {
    let api = server();
    for aggregated in [false, true] {
        let d = kube::Discovery::new(api.client());
        let d = if aggregated {
            d.run_aggregated().await
        } else {
            d.run().await
        }
        .unwrap();
        assert!(d.has_group("example.com"), "aggregated={aggregated}");
        let (ar, caps) = d
            .resolve_gvk(&kube::api::GroupVersionKind::gvk(
                "example.com",
                "v1",
                "Widget",
            ))
            .unwrap();
        assert_eq!(ar.plural, "widgets");
        assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
        assert!(
            d.resolve_gvk(&kube::api::GroupVersionKind::gvk("", "v1", "ConfigMap"))
                .is_some()
        );
    }
}

/// As on a real server: `stringData` is merged into `data` and never stored, on create,
/// update and server-side apply alike.
#[tokio::test]
async fn secret_string_data_is_folded_into_data() {
    let api = server();
    let secrets: Api<Secret> = Api::namespaced(api.client(), "default");
    let mut s = Secret::default();
    s.metadata.name = Some("creds".into());
    s.data = Some(BTreeMap::from([(
        "keep".to_string(),
        k8s_openapi::ByteString(b"old".to_vec()),
    )]));
    s.string_data = Some(BTreeMap::from([("key".to_string(), "v1".to_string())]));
    let created = secrets.create(&PostParams::default(), &s).await.unwrap();
    assert_eq!(created.string_data, None);
    let data = created.data.unwrap();
    assert_eq!(data["key"].0, b"v1");
    assert_eq!(data["keep"].0, b"old");

    let patch = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "creds"},
        "stringData": {"key": "v2"}
    });
    let applied = secrets
        .patch(
            "creds",
            &PatchParams::apply("test").force(),
            &Patch::Apply(&patch),
        )
        .await
        .unwrap();
    assert_eq!(applied.string_data, None);
    assert_eq!(applied.data.unwrap()["key"].0, b"v2");
    let stored = api.get("secrets", Some("default"), "creds").unwrap();
    assert!(stored.get("stringData").is_none(), "{stored}");
}

/// RBAC names are path segments, as the API server validates them: colons are fine (as in
/// `system:controller:x`), a slash is not.
#[tokio::test]
async fn rbac_names_may_hold_colons() {
    use k8s_openapi::api::rbac::v1::ClusterRole;
    let api = server();
    let roles: Api<ClusterRole> = Api::all(api.client());
    let mut role = ClusterRole::default();
    role.metadata.name = Some("hosted-cluster:cluster-api:clusters-demo".into());
    roles.create(&PostParams::default(), &role).await.unwrap();
    role.metadata.name = Some("a/b".into());
    assert_eq!(code(roles.create(&PostParams::default(), &role).await), 422);
}

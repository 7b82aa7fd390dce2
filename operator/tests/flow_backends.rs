//! The control-plane namespace of each backend, end to end with a real Controller against
//! kube-fake: HyperShift (the default; CAPI core and the provider run per namespace) and Kamaji
//! (by annotation; nothing runs per namespace). For each: every object exists (the CAPI
//! manager with a real webhook certificate where it runs, none where it does not); the
//! NodePool's bootstrap reference resolves to a live object; `status.kubeconfig` is set once
//! the control plane reports its kubeconfig (simulated: no control plane runs here); deletion
//! leaves nothing, cluster-scoped RBAC included.

#[path = "support/fake.rs"]
mod fake;
mod support;

use fake::{run, server, wait_for, with_kind};
use k8s_openapi::api::core::v1::Secret;
use kube_fake::FakeApiServer;
use platform_api::api::HostedCluster;
use platform_api::desired::capi::manager::{self, WEBHOOK_TLS_SECRET};
use platform_api::desired::capi::webhook_tls::ServingCert;
use platform_api::desired::labels::CONTROL_PLANE_NAMESPACE_REF_LABEL;
use platform_api::desired::{DesiredObject, Role};
use serde_json::{Value, json};

const HC: &str = "hostedclusters";

/// Kamaji's and CAPI's kubeadm bootstrap CRDs, which the kamaji backend's objects need (a
/// management cluster running Kamaji has them).
fn register_kamaji_crds(api: &FakeApiServer) {
    for file in [
        "kamaji/v0.20.0/controlplane.cluster.x-k8s.io_kamajicontrolplanes.yaml",
        "capi/config/v1.13.4/bootstrap-kubeadm/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml",
    ] {
        for crd in testkit::load_yaml_docs(testkit::upstream(file)) {
            api.register_crd(crd).unwrap();
        }
    }
}

fn resource_name(o: &DesiredObject) -> String {
    if o.resource.group.is_empty() {
        o.resource.plural.clone()
    } else {
        format!("{}.{}", o.resource.plural, o.resource.group)
    }
}

fn live(api: &FakeApiServer, o: &DesiredObject) -> Option<Value> {
    api.get(&resource_name(o), o.namespace(), o.name())
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct Setup {
    api: FakeApiServer,
    hc: HostedCluster,
    expected: Vec<DesiredObject>,
}

impl Setup {
    fn new(hc: HostedCluster) -> Self {
        let api = server();
        register_kamaji_crds(&api);
        let secret = support::credentials();
        api.create(
            "secrets",
            with_kind(serde_json::to_value(&secret).unwrap(), "v1", "Secret"),
        )
        .unwrap();
        // The ignition CA HyperShift's control-plane operator would write (read by that
        // backend only; harmless for the other).
        api.create("namespaces", support::control_plane_namespace(&hc))
            .unwrap();
        api.create("secrets", support::ignition_ca_secret(&hc))
            .unwrap();
        api.create(
            HC,
            with_kind(
                serde_json::to_value(&hc).unwrap(),
                "hypershift.openshift.io/v1beta1",
                "HostedCluster",
            ),
        )
        .unwrap();
        api.create(
            "nodepools",
            with_kind(
                serde_json::to_value(support::node_pool()).unwrap(),
                "hypershift.openshift.io/v1beta1",
                "NodePool",
            ),
        )
        .unwrap();
        let expected = support::expected_objects(&hc, &support::node_pool(), &secret);
        Self { api, hc, expected }
    }

    fn cp_ns(&self) -> String {
        self.hc.control_plane_namespace()
    }

    fn hc_obj(&self) -> Option<Value> {
        self.api.get(
            HC,
            self.hc.metadata.namespace.as_deref(),
            self.hc.metadata.name.as_deref().unwrap(),
        )
    }

    fn find(&self, role: Role, kind: &str) -> Option<&DesiredObject> {
        self.expected
            .iter()
            .find(|o| o.role == role && o.kind() == kind)
    }

    async fn wait_all_objects(&self) {
        wait_for(30, "every desired object", || {
            let missing: Vec<String> = self
                .expected
                .iter()
                .filter(|o| live(&self.api, o).is_none())
                .map(|o| o.display_name())
                .collect();
            missing.is_empty().then_some(())
        })
        .await;
    }

    /// The MachineDeployment's bootstrap names a live object: the user-data Secret
    /// (`dataSecretName`) or a bootstrap config template (`configRef`).
    fn bootstrap_resolves(&self) -> String {
        let md = self
            .find(Role::MachineDeployment, "MachineDeployment")
            .unwrap();
        let md = live(&self.api, md).unwrap();
        let bootstrap = &md["spec"]["template"]["spec"]["bootstrap"];
        if let Some(secret) = bootstrap["dataSecretName"].as_str() {
            assert!(
                self.api
                    .get("secrets", Some(&self.cp_ns()), secret)
                    .is_some(),
                "bootstrap.dataSecretName {secret} does not exist"
            );
            return format!("Secret {secret}");
        }
        let config = &bootstrap["configRef"];
        let (kind, name) = (
            config["kind"].as_str().expect("a configRef kind"),
            config["name"].as_str().expect("a configRef name"),
        );
        let target = self
            .expected
            .iter()
            .find(|o| o.kind() == kind && o.name() == name)
            .unwrap_or_else(|| panic!("configRef {kind} {name} is none of ours: {bootstrap}"));
        assert!(
            live(&self.api, target).is_some(),
            "configRef {kind} {name} does not exist"
        );
        format!("{kind} {name}")
    }

    async fn wait_kubeconfig_status(&self) {
        let copy = format!(
            "{}-admin-kubeconfig",
            self.hc.metadata.name.as_deref().unwrap()
        );
        wait_for(20, "status.kubeconfig", || {
            (self.hc_obj()?.pointer("/status/kubeconfig/name")? == copy.as_str()).then_some(())
        })
        .await;
        let secret = self
            .api
            .get("secrets", self.hc.metadata.namespace.as_deref(), &copy)
            .expect("the copy exists next to the HostedCluster");
        assert_eq!(
            secret["data"]["kubeconfig"],
            base64(b"apiVersion: v1\nkind: Config\n")
        );
    }

    fn create_kubeconfig_secret(&self, name: &str, key: &str) {
        self.api
            .create(
                "secrets",
                json!({
                    "apiVersion": "v1", "kind": "Secret",
                    "metadata": { "name": name, "namespace": self.cp_ns() },
                    "data": { key: base64(b"apiVersion: v1\nkind: Config\n") },
                }),
            )
            .unwrap();
    }

    /// Deletes the HostedCluster and checks nothing of it is left: not in the control-plane
    /// namespace (gone), not next to the HostedCluster, not cluster-scoped.
    async fn delete_leaves_nothing(&self) {
        self.api
            .delete(
                HC,
                self.hc.metadata.namespace.as_deref(),
                self.hc.metadata.name.as_deref().unwrap(),
            )
            .unwrap();
        wait_for(30, "HostedCluster gone", || {
            self.hc_obj().is_none().then_some(())
        })
        .await;
        wait_for(10, "control-plane namespace gone", || {
            self.api
                .get("namespaces", None, &self.cp_ns())
                .is_none()
                .then_some(())
        })
        .await;
        let left: Vec<String> = self
            .expected
            .iter()
            .filter(|o| live(&self.api, o).is_some())
            .map(|o| o.display_name())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        let copy = format!(
            "{}-admin-kubeconfig",
            self.hc.metadata.name.as_deref().unwrap()
        );
        assert!(
            self.api
                .get("secrets", self.hc.metadata.namespace.as_deref(), &copy)
                .is_none(),
            "the kubeconfig copy is left behind"
        );
        for plural in [
            "clusterroles.rbac.authorization.k8s.io",
            "clusterrolebindings.rbac.authorization.k8s.io",
        ] {
            let ours: Vec<Value> = self
                .api
                .objects(plural)
                .into_iter()
                .filter(|o| {
                    o["metadata"]["labels"][CONTROL_PLANE_NAMESPACE_REF_LABEL] == self.cp_ns()
                        || o["metadata"]["labels"]["hypershift.openshift.io/cluster"]
                            == self.hc.metadata.name.as_deref().unwrap()
                })
                .collect();
            assert!(ours.is_empty(), "{plural} left behind: {ours:#?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hypershift_namespace_runs_capi_and_brings_up_workers() {
    let s = Setup::new(support::hosted_cluster());
    let op = run(&s.api);
    s.wait_all_objects().await;
    let cp = s.cp_ns();

    // CAPI core runs in the namespace, with cluster-scoped RBAC found by label, and a real
    // certificate for its webhook server (the render placeholder is never applied).
    let cluster_role = manager::cluster_role_name(&cp);
    for plural in [
        "clusterroles.rbac.authorization.k8s.io",
        "clusterrolebindings.rbac.authorization.k8s.io",
    ] {
        let obj = s.api.get(plural, None, &cluster_role).expect(plural);
        assert_eq!(
            obj["metadata"]["labels"][CONTROL_PLANE_NAMESPACE_REF_LABEL],
            cp
        );
        assert!(obj["metadata"]["ownerReferences"].is_null());
    }
    let deployment = s
        .api
        .get("deployments.apps", Some(&cp), manager::MANAGER_NAME)
        .expect("the CAPI manager Deployment");
    assert_eq!(
        deployment["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"],
        WEBHOOK_TLS_SECRET
    );
    let tls: Secret =
        serde_json::from_value(s.api.get("secrets", Some(&cp), WEBHOOK_TLS_SECRET).unwrap())
            .unwrap();
    let cert = ServingCert::from_secret(&tls).expect("a generated certificate, not a placeholder");
    assert!(cert.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(!cert.due(k8s_openapi::jiff::Timestamp::now()));

    let bootstrap = s.bootstrap_resolves();
    assert!(bootstrap.starts_with("Secret "), "{bootstrap}");

    // HyperShift's control-plane operator reports the control plane and its kubeconfig.
    s.create_kubeconfig_secret("admin-kubeconfig", "kubeconfig");
    let hcp = s.find(Role::ControlPlane, "HostedControlPlane").unwrap();
    s.api
        .set_status(
            &resource_name(hcp),
            hcp.namespace(),
            hcp.name(),
            json!({
                "ready": true, "initialized": true,
                "controlPlaneEndpoint": { "host": "api.example.com", "port": 6443 },
                "kubeConfig": { "name": "admin-kubeconfig", "key": "kubeconfig" },
            }),
        )
        .unwrap();
    s.wait_kubeconfig_status().await;
    assert_eq!(
        s.hc_obj().unwrap()["status"]["controlPlaneEndpoint"]["host"],
        "api.example.com"
    );

    // A second reconcile keeps the certificate (it is read back, not made anew).
    let again: Secret =
        serde_json::from_value(s.api.get("secrets", Some(&cp), WEBHOOK_TLS_SECRET).unwrap())
            .unwrap();
    assert_eq!(ServingCert::from_secret(&again), Some(cert));

    s.delete_leaves_nothing().await;
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kamaji_namespace_runs_nothing_and_brings_up_workers() {
    let hc: HostedCluster = support::fixture("hostedcluster-kamaji.yaml");
    let s = Setup::new(hc);
    let op = run(&s.api);
    s.wait_all_objects().await;
    let cp = s.cp_ns();

    // Nothing runs per namespace: no CAPI manager, no provider, no webhook Secret.
    assert!(
        !s.expected
            .iter()
            .any(|o| matches!(o.role, Role::CapiManager | Role::CapiProvider)),
        "{:?}",
        s.expected
            .iter()
            .map(|o| o.display_name())
            .collect::<Vec<_>>()
    );
    assert!(
        s.api
            .get("secrets", Some(&cp), WEBHOOK_TLS_SECRET)
            .is_none()
    );
    assert!(
        s.api
            .objects("deployments.apps")
            .iter()
            .all(|d| d["metadata"]["namespace"] != cp.as_str())
    );

    let bootstrap = s.bootstrap_resolves();
    assert!(
        bootstrap.starts_with("KubeadmConfigTemplate "),
        "{bootstrap}"
    );

    // Kamaji brings the control plane up: it fills in the endpoint, reports initialized and
    // ready, and CAPI's contract puts the kubeconfig in `<cluster>-kubeconfig`.
    let kcp = s.find(Role::ControlPlane, "KamajiControlPlane").unwrap();
    let kcp_live = live(&s.api, kcp).unwrap();
    let cluster = s
        .find(Role::CapiCluster, "Cluster")
        .unwrap()
        .name()
        .to_string();
    assert!(
        kcp_live["metadata"]["labels"]
            .as_object()
            .is_some_and(|l| l.values().any(|v| v == cluster.as_str())),
        "the KamajiControlPlane names its Cluster: {kcp_live}"
    );
    s.create_kubeconfig_secret(&format!("{cluster}-kubeconfig"), "value");
    s.api
        .update_with(&resource_name(kcp), kcp.namespace(), kcp.name(), |o| {
            o["spec"]["controlPlaneEndpoint"] = json!({ "host": "10.0.0.10", "port": 6443 });
        })
        .unwrap();
    s.api
        .set_status(
            &resource_name(kcp),
            kcp.namespace(),
            kcp.name(),
            json!({ "ready": true, "initialization": { "controlPlaneInitialized": true } }),
        )
        .unwrap();
    s.wait_kubeconfig_status().await;
    wait_for(10, "the endpoint from the KamajiControlPlane", || {
        (s.hc_obj()?.pointer("/status/controlPlaneEndpoint/host")? == "10.0.0.10").then_some(())
    })
    .await;

    s.delete_leaves_nothing().await;
    op.stop().await;
}

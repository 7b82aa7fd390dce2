//! The end-to-end suite's harness. The same flows run against a real API server (when
//! `KUBECONFIG_E2E` names a kubeconfig) and against kube-fake, so the suite is exercised on
//! every test run even where no cluster exists. Everything goes through `kube::Client`s: one
//! for the test's own actions, and one for the operator, wrapped in a layer that records every
//! request it makes (to count writes on a real API server too).
#![allow(dead_code)]

use hosted_cluster_operator::events::Events;
use hosted_cluster_operator::install::{self, InstallOptions};
use hosted_cluster_operator::metrics::Metrics;
use hosted_cluster_operator::runtime::controller;
use hosted_cluster_operator::runtime::controller::Options;
use http::Request;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams,
};
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::DesiredObject;
use platform_api::desired::capi::CapiVersion;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

pub const KUBECONFIG_ENV: &str = "KUBECONFIG_E2E";
const TEST_MANAGER: &str = "hosted-cluster-e2e";

/// `(method, path?query)` of every request the operator made.
pub type RequestLog = Arc<Mutex<Vec<(String, String)>>>;

#[derive(Clone)]
pub struct Counting<S> {
    inner: S,
    log: RequestLog,
}

impl<S, B> tower::Service<Request<B>> for Counting<S>
where
    S: tower::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default();
        self.log
            .lock()
            .unwrap()
            .push((req.method().to_string(), target));
        self.inner.call(req)
    }
}

pub struct CountingLayer(pub RequestLog);

impl<S> tower::Layer<S> for CountingLayer {
    type Service = Counting<S>;
    fn layer(&self, inner: S) -> Counting<S> {
        Counting {
            inner,
            log: self.0.clone(),
        }
    }
}

/// Where the suite runs.
pub struct Target {
    /// The upstream CRD set installed: the CAPI storage version it stands for.
    pub set: CapiVersion,
    pub name: &'static str,
    /// The test's own client (not counted).
    pub client: Client,
    /// The operator's client (every request recorded in `log`).
    pub operator_client: Client,
    pub log: RequestLog,
    /// A namespace of its own for this run's HostedCluster.
    pub namespace: String,
    pub seed: u64,
    /// Keeps an in-memory server alive.
    pub fake: Option<kube_fake::FakeApiServer>,
}

fn seed() -> u64 {
    std::env::var("E2E_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos() as u64
                | 1
        })
}

impl Target {
    /// kube-fake with the CRD set whose CAPI stores `set`.
    pub async fn fake(set: CapiVersion) -> Target {
        super::install_crypto();
        let api = kube_fake::FakeApiServer::new();
        let log: RequestLog = Arc::default();
        let operator_client = kube::client::ClientBuilder::new(api.clone(), "default")
            .with_layer(&CountingLayer(log.clone()))
            .build();
        let seed = seed();
        Target {
            name: "kube-fake",
            set,
            client: api.client(),
            operator_client,
            log,
            namespace: format!("e2e-{:x}", seed % 0xfffff),
            seed,
            fake: Some(api),
        }
    }

    /// For tests: `None`, with the reason printed, when `KUBECONFIG_E2E` is unset.
    pub async fn from_env_or_skip() -> Option<Target> {
        let t = Self::from_env().await;
        if t.is_none() {
            // Straight to the stderr handle: libtest captures println!/eprintln!, and a skip
            // must show in the test log.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "*** SKIPPED e2e: {KUBECONFIG_ENV} is not set (point it at a kubeconfig for a disposable cluster to run the e2e suite) ***"
            );
        }
        t
    }

    /// A real API server from `KUBECONFIG_E2E`, if set.
    pub async fn from_env() -> Option<Target> {
        let path = std::env::var_os(KUBECONFIG_ENV).filter(|p| !p.is_empty())?;
        super::install_crypto();
        let kc = kube::config::Kubeconfig::read_from(&path).expect("KUBECONFIG_E2E is readable");
        let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("KUBECONFIG_E2E is a usable kubeconfig");
        let client = Client::try_from(config.clone()).expect("client");
        let log: RequestLog = Arc::default();
        let operator_client = kube::client::ClientBuilder::try_from(config)
            .expect("client")
            .with_layer(&CountingLayer(log.clone()))
            .build();
        let seed = seed();
        Some(Target {
            name: "KUBECONFIG_E2E",
            set: super::crd_sets::from_env(),
            client,
            operator_client,
            log,
            namespace: format!("e2e-{:x}", seed % 0xfffff),
            seed,
            fake: None,
        })
    }

    pub fn writes(&self) -> Vec<(String, String)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _)| m != "GET")
            .cloned()
            .collect()
    }

    /// Requests that read (GET, not watches): a reconcile served from caches makes none.
    pub fn reads(&self) -> Vec<(String, String)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p)| m == "GET" && !p.contains("watch="))
            .cloned()
            .collect()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }

    /// Deterministic from the printed seed, so a failing run can be repeated (`E2E_SEED`).
    pub fn random(&mut self, below: u64) -> u64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed % below.max(1)
    }
}

fn dynamic_api(client: &Client, v: &Value, namespaced: bool) -> (Api<DynamicObject>, String) {
    let (group, version) = match v["apiVersion"].as_str().unwrap().split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), v["apiVersion"].as_str().unwrap().to_string()),
    };
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(
        &group,
        &version,
        v["kind"].as_str().unwrap(),
    ));
    let name = v["metadata"]["name"].as_str().unwrap().to_string();
    let api = match v["metadata"]["namespace"].as_str() {
        Some(ns) if namespaced => Api::namespaced_with(client.clone(), ns, &ar),
        _ => Api::all_with(client.clone(), &ar),
    };
    (api, name)
}

/// Server-side apply of one document with the test's field manager.
pub async fn apply(client: &Client, v: &Value, namespaced: bool) {
    let (api, name) = dynamic_api(client, v, namespaced);
    api.patch(
        &name,
        &PatchParams::apply(TEST_MANAGER).force(),
        &Patch::Apply(v),
    )
    .await
    .unwrap_or_else(|e| panic!("applying {} {name}: {e}", v["kind"]));
}

/// Our CRDs (as `install --render` prints them), the upstream CAPI and provider CRDs, each
/// applied and waited for until Established.
pub async fn install_crds(client: &Client, set: CapiVersion) {
    let registry = platform_api::registry().unwrap();
    let mut crds: Vec<Value> = install::objects(&InstallOptions::default(), registry)
        .into_iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
        .collect();
    crds.extend(super::crd_sets::crds(set));
    for crd in &crds {
        let mut crd = crd.clone();
        if let Some(m) = crd["metadata"].as_object_mut() {
            m.remove("creationTimestamp");
        }
        crd.as_object_mut().unwrap().remove("status");
        apply(client, &crd, false).await;
    }
    for crd in &crds {
        let (api, name) = dynamic_api(client, crd, false);
        wait(30, &format!("CRD {name} Established"), || {
            let api = api.clone();
            let name = name.clone();
            async move {
                let o = api.get_opt(&name).await.ok()??;
                o.data["status"]["conditions"]
                    .as_array()?
                    .iter()
                    .any(|c| c["type"] == "Established" && c["status"] == "True")
                    .then_some(())
            }
        })
        .await;
    }
}

/// Polls every 50 ms until `check` returns Some, or panics after `secs`.
pub async fn wait<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs}s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The fixtures from `examples/`, moved into the target's namespace.
pub struct Fixture {
    pub hc: HostedCluster,
    pub np: NodePool,
    pub secret: Secret,
    /// The CAPI version the operator writes on the target (the stored one).
    pub capi: CapiVersion,
}

impl Fixture {
    pub fn new(t: &Target) -> Self {
        let mut fx = Self::in_namespace(&t.namespace);
        fx.capi = t.set;
        fx
    }

    pub fn in_namespace(namespace: &str) -> Self {
        let mut hc = super::hosted_cluster();
        let mut np = super::node_pool();
        let mut secret = super::credentials();
        hc.metadata.namespace = Some(namespace.into());
        np.metadata.namespace = Some(namespace.into());
        secret.metadata.namespace = Some(namespace.into());
        Self {
            hc,
            np,
            secret,
            capi: super::CAPI,
        }
    }

    /// Every object the operator should create (from the builder it uses).
    pub fn expected(&self) -> Vec<DesiredObject> {
        super::expected_objects_in(&self.hc, &self.np, &self.secret, self.capi)
    }

    pub async fn create(&self, client: &Client) {
        let ns = self.hc.metadata.namespace.clone().unwrap();
        apply(
            client,
            &json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name": ns}}),
            false,
        )
        .await;
        // The ignition server's CA, which HyperShift's control-plane operator would write in
        // the control-plane namespace: the NodePool's user data waits for it.
        let cp_ns = self.hc.control_plane_namespace();
        apply(
            client,
            &json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name": cp_ns}}),
            false,
        )
        .await;
        apply(client, &super::ignition_ca_secret(&self.hc), true).await;
        for (v, kind, api_version) in [
            (serde_json::to_value(&self.secret).unwrap(), "Secret", "v1"),
            (
                serde_json::to_value(&self.hc).unwrap(),
                "HostedCluster",
                "hypershift.openshift.io/v1beta1",
            ),
            (
                serde_json::to_value(&self.np).unwrap(),
                "NodePool",
                "hypershift.openshift.io/v1beta1",
            ),
        ] {
            let mut v = v;
            v["apiVersion"] = api_version.into();
            v["kind"] = kind.into();
            apply(client, &v, true).await;
        }
    }

    pub fn hc_api(&self, client: &Client) -> Api<HostedCluster> {
        Api::namespaced(
            client.clone(),
            self.hc.metadata.namespace.as_deref().unwrap(),
        )
    }

    pub async fn hc_live(&self, client: &Client) -> Option<HostedCluster> {
        self.hc_api(client)
            .get_opt(self.hc.metadata.name.as_deref().unwrap())
            .await
            .unwrap()
    }
}

pub fn object_api(client: &Client, o: &DesiredObject) -> Api<DynamicObject> {
    match o.namespace() {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &o.resource),
        None => Api::all_with(client.clone(), &o.resource),
    }
}

pub async fn live(client: &Client, o: &DesiredObject) -> Option<DynamicObject> {
    object_api(client, o).get_opt(o.name()).await.ok().flatten()
}

pub struct Operator {
    task: tokio::task::JoinHandle<()>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub metrics: Arc<Metrics>,
}

impl Operator {
    /// Runs the operator in-process with `client`, polling converging clusters every 200 ms.
    pub async fn start(client: &Client) -> Operator {
        Self::start_with(client, Duration::from_millis(200), 4, Options::default()).await
    }

    pub async fn start_with(
        client: &Client,
        poll: Duration,
        concurrency: u16,
        options: Options,
    ) -> Operator {
        let client = client.clone();
        let (ctrl, mut ctx) = controller::build(&client, options, Events::Off)
            .await
            .expect("API discovery");
        ctx.poll_interval = poll;
        ctx.deletion_poll = Duration::from_millis(100);
        let metrics = ctx.metrics.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(controller::run(ctrl, Arc::new(ctx), concurrency, async {
            let _ = rx.await;
        }));
        Operator {
            task,
            stop: Some(tx),
            metrics,
        }
    }

    /// Reconciles finished so far.
    pub fn reconciles(&self) -> u64 {
        self.metrics.reconciles_total()
    }

    /// Waits until `more` reconciles finished after `since`, then a little longer for
    /// anything they set off.
    pub async fn settle(&self, since: u64, more: u64) {
        wait(60, "reconciles", || async {
            (self.reconciles() >= since + more).then_some(())
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    /// Graceful stop (SIGTERM): in-flight reconciles finish.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.task).await;
    }

    /// A crash: the task is dropped wherever it is, mid-request included.
    pub async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

fn condition(hc: &HostedCluster, type_: &str) -> Option<(String, String)> {
    hc.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.clone(), c.reason.clone()))
}

pub async fn wait_objects(t: &Target, fx: &Fixture) {
    let want = fx.expected();
    wait(60, "every expected object", || {
        let want = want.clone();
        let client = t.client.clone();
        async move {
            for o in &want {
                live(&client, o).await?;
            }
            Some(())
        }
    })
    .await;
}

/// Plays the external control-plane controller and the infrastructure provider: reports the
/// endpoint and readiness on the HostedControlPlane and the infrastructure object.
pub async fn simulate_control_plane(t: &Target, fx: &Fixture) {
    use platform_api::desired::Role;
    let want = fx.expected();
    let patch = |v: Value| Patch::Merge(json!({ "status": v }));
    for o in &want {
        let status = match o.role {
            Role::ControlPlane => {
                json!({"ready": true, "initialized": true, "controlPlaneEndpoint": {"host": "api.e2e.example.com", "port": 6443}})
            }
            Role::InfraCluster => json!({"ready": true}),
            _ => continue,
        };
        object_api(&t.client, o)
            .patch_status(o.name(), &PatchParams::default(), &patch(status))
            .await
            .unwrap_or_else(|e| panic!("status of {}: {e}", o.display_name()));
    }
}

pub async fn wait_available(t: &Target, fx: &Fixture) {
    wait(60, "Available=True", || async {
        let hc = fx.hc_live(&t.client).await?;
        (condition(&hc, "Available")? == ("True".into(), "AsExpected".into())).then_some(())
    })
    .await;
}

/// Triggers a reconcile without changing anything the operator reads (an annotation on the
/// credentials Secret) and returns the operator's writes and reads during the reconcile it
/// causes.
pub async fn resync(
    t: &Target,
    fx: &Fixture,
    op: &Operator,
) -> (Vec<(String, String)>, Vec<(String, String)>) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    t.clear_log();
    let before = op.reconciles();
    let secrets: Api<Secret> = Api::namespaced(
        t.client.clone(),
        fx.secret.metadata.namespace.as_deref().unwrap(),
    );
    secrets
        .patch(
            fx.secret.metadata.name.as_deref().unwrap(),
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"annotations": {"e2e/touched": t.seed.to_string()}}}),
            ),
        )
        .await
        .unwrap();
    op.settle(before, 1).await;
    (t.writes(), t.reads())
}

pub async fn delete_and_wait(t: &Target, fx: &Fixture, running: bool) {
    fx.hc_api(&t.client)
        .delete(
            fx.hc.metadata.name.as_deref().unwrap(),
            &DeleteParams::default(),
        )
        .await
        .unwrap();
    if running {
        wait_deleted(t, fx).await;
    }
}

pub async fn wait_deleted(t: &Target, fx: &Fixture) {
    wait(60, "the HostedCluster to be gone", || async {
        fx.hc_live(&t.client).await.is_none().then_some(())
    })
    .await;
}

/// After deletion: nothing of ours is left except what a terminating namespace still holds.
pub async fn assert_torn_down(t: &Target, fx: &Fixture) {
    let nps: Api<NodePool> = Api::namespaced(
        t.client.clone(),
        fx.np.metadata.namespace.as_deref().unwrap(),
    );
    assert!(
        nps.get_opt(fx.np.metadata.name.as_deref().unwrap())
            .await
            .unwrap()
            .is_none(),
        "NodePool left behind"
    );
    for o in fx.expected() {
        if let Some(l) = live(&t.client, &o).await {
            // Namespace deletion is asynchronous on a real cluster: terminating is enough.
            let ns_terminating = match o.namespace() {
                Some(ns) => {
                    let nss: Api<k8s_openapi::api::core::v1::Namespace> =
                        Api::all(t.client.clone());
                    nss.get_opt(ns)
                        .await
                        .unwrap()
                        .is_none_or(|n| n.metadata.deletion_timestamp.is_some())
                }
                None => l.metadata.deletion_timestamp.is_some(),
            };
            assert!(ns_terminating, "{} left behind", o.display_name());
        }
    }
}

/// Removes the run's namespace (real clusters are shared between runs).
pub async fn cleanup(t: &Target) {
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(t.client.clone());
    let _ = nss.delete(&t.namespace, &DeleteParams::default()).await;
}

// ---- the flows ----

/// create → every object → control plane reports → Available → a resync writes nothing →
/// delete → everything gone and the finalizer released.
pub async fn flow_create_resync_delete(t: &Target) {
    install_crds(&t.client, t.set).await;
    let fx = Fixture::new(t);
    fx.create(&t.client).await;
    let op = Operator::start(&t.operator_client).await;
    wait_objects(t, &fx).await;
    simulate_control_plane(t, &fx).await;
    wait_available(t, &fx).await;
    let (writes, reads) = resync(t, &fx, &op).await;
    assert!(
        writes.is_empty(),
        "[{} {}] a no-op resync wrote: {writes:#?}",
        t.name,
        t.set
    );
    assert!(
        reads.is_empty(),
        "[{} {}] a no-op resync read from the API instead of the caches: {reads:#?}",
        t.name,
        t.set
    );
    // A restart with nothing to do writes nothing.
    op.stop().await;
    t.clear_log();
    let op = Operator::start(&t.operator_client).await;
    op.settle(0, 1).await;
    let writes = t.writes();
    assert!(
        writes.is_empty(),
        "[{} {}] a restart with nothing to do wrote: {writes:#?}",
        t.name,
        t.set
    );
    delete_and_wait(t, &fx, true).await;
    assert_torn_down(t, &fx).await;
    op.stop().await;
    cleanup(t).await;
}

/// Kills the operator at random points during create and during delete; a fresh process must
/// converge each time.
pub async fn flow_kill_and_restart(t: &mut Target) {
    println!("[{}] E2E_SEED={}", t.name, t.seed);
    install_crds(&t.client, t.set).await;
    let fx = Fixture::new(t);
    fx.create(&t.client).await;
    for _ in 0..3 {
        let op = Operator::start(&t.operator_client).await;
        tokio::time::sleep(Duration::from_millis(t.random(400))).await;
        op.kill().await;
    }
    let op = Operator::start(&t.operator_client).await;
    wait_objects(t, &fx).await;
    simulate_control_plane(t, &fx).await;
    wait_available(t, &fx).await;
    op.kill().await;

    delete_and_wait(t, &fx, false).await;
    for _ in 0..3 {
        let op = Operator::start(&t.operator_client).await;
        tokio::time::sleep(Duration::from_millis(t.random(300))).await;
        op.kill().await;
    }
    let op = Operator::start(&t.operator_client).await;
    wait_deleted(t, &fx).await;
    assert_torn_down(t, &fx).await;
    op.stop().await;
    cleanup(t).await;
}

//! A conformance suite every platform crate runs from its own tests.
//!
//! [`desired::build`] promises the operator and `render` a few things no single platform can
//! break without breaking both: the same input always gives the same bytes, every object can
//! be found and pruned by its labels, secrets are marked so `render` can hide them, a machine
//! template gets a new name exactly when its spec changes, and validation errors point at a
//! field of the object the user wrote. Those promises hold only if each [`Platform`]
//! implementation keeps its side of the contract, so [`conformance`] checks them against a
//! platform and a set of [`Fixtures`] the platform crate supplies.
//!
//! Enable it as a dev-dependency feature:
//!
//! ```toml
//! [dev-dependencies]
//! platform-api = { path = "../platform-api", features = ["testing"] }
//! ```
//!
//! and call it from a test:
//!
//! ```ignore
//! #[test]
//! fn conforms() {
//!     let fixtures = Fixtures::new(my_hosted_cluster(), vec![my_node_pool()])
//!         .with_credentials(my_credentials())
//!         .template_change("image", |np| set_image(np, "other"))
//!         .invalid_node_pool("spec.platform.mine.image", |np| set_image(np, ""));
//!     platform_api::testing::conformance(&MyPlatform, &fixtures);
//! }
//! ```
//!
//! # Properties
//!
//! Each failure names the property it broke; all failures are collected and reported in one
//! panic.
//!
//! * **identity**: the fixtures are of the platform's type (HostedCluster and every NodePool).
//! * **schemas**: the CRDs assembled with the platform's section schemas are structural
//!   (an API server would accept them), and the fixtures validate against those CRDs.
//! * **valid fixtures**: `validate_hosted_cluster` and `validate_node_pool` accept the fixtures.
//! * **builds**: the fixtures build without errors in both CAPI versions; the namespace comes
//!   first, the HostedControlPlane and CAPI Cluster are there, and the Cluster points at the
//!   platform's infrastructure object.
//! * **deterministic**: building the same input twice (and from a deep copy of it) gives
//!   byte-identical objects, in the same order, with the same warnings.
//! * **metadata**: every object has `apiVersion`, `kind` and a name, carries the cluster
//!   labels and annotations, lives in the control-plane namespace (except cluster-scoped
//!   objects: the namespace itself, the provider's ClusterRole and binding), and a NodePool's
//!   objects carry the NodePool label. `build` sets no owner.
//! * **owner**: after [`DesiredState::set_owner`] (twice) every object except the
//!   cluster-scoped ones and the HostedControlPlane has the owner exactly once; those have none.
//! * **secrets**: with real credentials every Secret is marked `sensitive` and no credential
//!   value appears in an object that is not; without them, `render` mode builds with
//!   placeholders that are not marked sensitive, and operator mode fails with
//!   [`PlatformError::CredentialsNotFound`] naming the Secret the platform asked for.
//! * **teardown**: every object [`Platform::credential_objects`] lists is one the build made.
//! * **validation paths**: generic and fixture-supplied invalid inputs fail with errors whose
//!   paths start at the object root (`spec.…`, `metadata.…`) and include the expected path;
//!   the platform's own `validate_*` report the fixture cases too; a broken NodePool fails
//!   alone while the rest of the cluster is still built.
//! * **templates**: a template is named `<nodepool>-<8 hex digits>`, the MachineDeployment
//!   points at it, a replicas-only change keeps the name, and each fixture template change
//!   produces a new one.
//! * **provider**: the CAPI provider's Role and ClusterRole have no wildcard verbs, resources or API groups, its
//!   Deployment runs as the provider's ServiceAccount, and the disable-machine-management
//!   annotation removes the provider and nothing else.
//! * **hooks**: the control-plane hooks give usable answers (a port in range, a non-empty
//!   Infrastructure platform type).

use crate::api::{ApiEndpoint, HostedCluster, NodePool};
use crate::control_plane::BootstrapTokens;
use crate::crd;
use crate::desired::capi::CapiVersion;
use crate::desired::labels::{
    DISABLE_MACHINE_MANAGEMENT_ANNOTATION, NODE_POOL_LABEL, cluster_annotations, cluster_labels,
};
use crate::desired::provider::PROVIDER_NAME;
use crate::desired::{self, BuildError, ClusterInputs, DesiredState, Role};
use crate::platform::{
    FieldErrors, MissingSecrets, OpenShiftVersion, Platform, PlatformError, PlatformSettings,
    SecretData,
};
use crate::registry::Registry;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use serde_json::Value;
use std::fmt::Display;

mod reference_control_plane;
pub use reference_control_plane::ReferenceControlPlane;

/// A modified copy of a fixture object and what was changed, for messages.
#[derive(Clone, Debug)]
pub struct Variant<T> {
    /// What was changed, e.g. `image`.
    pub description: String,
    /// The changed object.
    pub object: T,
}

/// An invalid copy of a fixture object and the field its error must name.
#[derive(Clone, Debug)]
pub struct Invalid<T> {
    /// The path (from the object root) an error must name, e.g. `spec.platform.maas.zone`.
    /// An error at a deeper path (`<path>.x`, `<path>[0]`) counts too.
    pub path: String,
    /// The invalid object.
    pub object: T,
}

/// What [`conformance`] builds from: a valid cluster of the platform and the edits that must
/// change (or break) it.
///
/// The HostedCluster and NodePools must be valid and complete, as a user would apply them; the
/// first NodePool is the one the edits below start from.
#[derive(Clone, Debug)]
pub struct Fixtures {
    /// A valid HostedCluster of the platform.
    pub hosted_cluster: HostedCluster,
    /// Valid NodePools of that cluster (at least one).
    pub node_pools: Vec<NodePool>,
    /// The content of the Secret [`Platform::credentials_secret_name`] names; `None` for
    /// platforms without credentials.
    pub credentials: Option<SecretData>,
    /// Copies of the first NodePool changed in a field the machine template is built from, so
    /// that each must get a new template name. Empty for platforms without templates.
    pub template_changes: Vec<Variant<NodePool>>,
    /// Copies of the HostedCluster the platform must reject.
    pub invalid_hosted_clusters: Vec<Invalid<HostedCluster>>,
    /// Copies of the first NodePool the platform must reject.
    pub invalid_node_pools: Vec<Invalid<NodePool>>,
}

impl Fixtures {
    /// Fixtures with no credentials and no edits; add them with the `with_*` methods.
    ///
    /// # Panics
    /// When `node_pools` is empty: the NodePool properties need one.
    pub fn new(hosted_cluster: HostedCluster, node_pools: Vec<NodePool>) -> Self {
        assert!(
            !node_pools.is_empty(),
            "conformance fixtures need at least one NodePool"
        );
        Self {
            hosted_cluster,
            node_pools,
            credentials: None,
            template_changes: Vec::new(),
            invalid_hosted_clusters: Vec::new(),
            invalid_node_pools: Vec::new(),
        }
    }

    /// Sets the credentials Secret's content.
    pub fn with_credentials(mut self, credentials: SecretData) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Adds a change to the first NodePool that must roll a new machine template.
    pub fn template_change(
        mut self,
        description: impl Into<String>,
        change: impl FnOnce(&mut NodePool),
    ) -> Self {
        let mut object = self.node_pools[0].clone();
        change(&mut object);
        self.template_changes.push(Variant {
            description: description.into(),
            object,
        });
        self
    }

    /// Adds a change to the HostedCluster that must be rejected with an error at `path`.
    pub fn invalid_hosted_cluster(
        mut self,
        path: impl Into<String>,
        change: impl FnOnce(&mut HostedCluster),
    ) -> Self {
        let mut object = self.hosted_cluster.clone();
        change(&mut object);
        self.invalid_hosted_clusters.push(Invalid {
            path: path.into(),
            object,
        });
        self
    }

    /// Adds a change to the first NodePool that must be rejected with an error at `path`.
    pub fn invalid_node_pool(
        mut self,
        path: impl Into<String>,
        change: impl FnOnce(&mut NodePool),
    ) -> Self {
        let mut object = self.node_pools[0].clone();
        change(&mut object);
        self.invalid_node_pools.push(Invalid {
            path: path.into(),
            object,
        });
        self
    }
}

/// Runs every property listed in the [module docs](self) against `platform`.
///
/// # Panics
/// With the list of every property that failed, if any did.
pub fn conformance(platform: &dyn Platform, fixtures: &Fixtures) {
    let mut suite = Suite {
        platform,
        fixtures,
        failures: Vec::new(),
    };
    suite.identity();
    suite.schemas();
    suite.valid_fixtures();
    // The remaining properties look at built objects; without a build they would only
    // repeat the same failure.
    if suite.builds() {
        suite.deterministic();
        suite.metadata();
        suite.owner();
        suite.secrets();
        suite.teardown();
        suite.templates();
        suite.provider();
    }
    suite.validation_paths();
    suite.hooks();
    if !suite.failures.is_empty() {
        panic!(
            "platform {} fails {} conformance check(s):\n  - {}",
            platform.platform_type(),
            suite.failures.len(),
            suite.failures.join("\n  - ")
        );
    }
}

/// An endpoint for every build, so platforms that copy it into their objects do so.
fn endpoint() -> ApiEndpoint {
    ApiEndpoint {
        host: "api.conformance.example.com".into(),
        port: 6443,
    }
}

/// The owner `set_owner` is tested with.
fn owner() -> OwnerReference {
    OwnerReference {
        api_version: "hypershift.openshift.io/v1beta1".into(),
        kind: "HostedControlPlane".into(),
        name: "conformance".into(),
        uid: "00000000-0000-0000-0000-00000000c0de".into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Everything that makes a built object observable: role, sensitivity and bytes.
fn snapshot(state: &DesiredState) -> Vec<(Role, bool, String)> {
    state
        .objects()
        .map(|o| {
            let json = serde_json::to_string(&o.to_value()).expect("objects serialise");
            (o.role, o.sensitive, json)
        })
        .collect()
}

/// Does `path` name `expected` or a field below it?
fn names(path: &str, expected: &str) -> bool {
    path.strip_prefix(expected)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

fn is_root_path(path: &str) -> bool {
    path.starts_with("spec.") || path.starts_with("metadata.")
}

fn paths(errors: &FieldErrors) -> Vec<&str> {
    errors.0.iter().map(|e| e.path.as_str()).collect()
}

struct Suite<'a> {
    platform: &'a dyn Platform,
    fixtures: &'a Fixtures,
    failures: Vec<String>,
}

impl Suite<'_> {
    fn fail(&mut self, property: &str, message: impl Display) {
        self.failures.push(format!("{property}: {message}"));
    }

    fn check(&mut self, property: &str, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.fail(property, message());
        }
    }

    fn build_with(
        &self,
        hc: &HostedCluster,
        pools: &[NodePool],
        credentials: Option<&SecretData>,
        missing_secrets: MissingSecrets,
        capi: CapiVersion,
    ) -> Result<DesiredState, BuildError> {
        let settings = PlatformSettings::default();
        let endpoint = endpoint();
        desired::build(
            &ClusterInputs {
                hosted_cluster: hc,
                node_pools: pools,
                credentials,
                api_endpoint: Some(&endpoint),
                missing_secrets,
                settings: &settings,
                capi,
                control_plane_status: None,
                control_plane_secrets: &[],
                bootstrap_tokens: &BootstrapTokens::default(),
                capi_webhook_tls: None,
            },
            self.platform,
            &ReferenceControlPlane,
        )
    }

    /// The fixtures as the operator builds them.
    fn build(&self, hc: &HostedCluster, pools: &[NodePool]) -> Result<DesiredState, BuildError> {
        self.build_with(
            hc,
            pools,
            self.fixtures.credentials.as_ref(),
            MissingSecrets::Fail,
            CapiVersion::default(),
        )
    }

    fn fixture_state(&self) -> DesiredState {
        self.build(&self.fixtures.hosted_cluster, &self.fixtures.node_pools)
            .expect("checked by `builds`")
    }

    fn identity(&mut self) {
        let ty = self.platform.platform_type();
        let hc_type = self.fixtures.hosted_cluster.spec.platform.type_.clone();
        self.check("identity", !ty.is_empty(), || {
            "platform_type() is empty".into()
        });
        self.check("identity", hc_type == ty, || {
            format!("the fixture HostedCluster has spec.platform.type {hc_type:?}, not {ty:?}")
        });
        for np in &self.fixtures.node_pools {
            let np_type = &np.spec.platform.type_;
            if np_type != ty {
                let name = np.metadata.name.clone().unwrap_or_default();
                self.fail(
                    "identity",
                    format!(
                        "fixture NodePool {name} has spec.platform.type {np_type:?}, not {ty:?}"
                    ),
                );
            }
        }
    }

    fn schemas(&mut self) {
        let registry = Registry::from_platforms([dyn_clone::clone_box(self.platform)]);
        let registry = match registry {
            Ok(r) => r,
            Err(e) => return self.fail("schemas", e),
        };
        for crd in crd::all(&registry) {
            let value = serde_json::to_value(&crd).expect("CRDs serialise");
            let name = crd.metadata.name.clone().unwrap_or_default();
            if let Err(errors) = testkit::check_structural(&value) {
                self.fail(
                    "schemas",
                    format!(
                        "CRD {name} with this platform's section is not structural:\n{}",
                        testkit::format_errors(&errors)
                    ),
                );
                continue;
            }
            let crd = match testkit::Crd::from_value(&value) {
                Ok(c) => c,
                Err(e) => {
                    self.fail("schemas", format!("CRD {name}: {e:?}"));
                    continue;
                }
            };
            let objects: Vec<(String, Value)> = match crd.kind.as_str() {
                "HostedCluster" => vec![(
                    "the fixture HostedCluster".into(),
                    serde_json::to_value(&self.fixtures.hosted_cluster).expect("serialises"),
                )],
                "NodePool" => self
                    .fixtures
                    .node_pools
                    .iter()
                    .map(|np| {
                        (
                            format!(
                                "fixture NodePool {}",
                                np.metadata.name.as_deref().unwrap_or_default()
                            ),
                            serde_json::to_value(np).expect("serialises"),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (what, object) in objects {
                if let Err(errors) = testkit::validate_against_crd(&object, &crd) {
                    self.fail(
                        "schemas",
                        format!(
                            "{what} does not validate against the CRD the platform contributes to:\n{}",
                            testkit::format_errors(&errors)
                        ),
                    );
                }
            }
        }
    }

    fn valid_fixtures(&mut self) {
        let hc = &self.fixtures.hosted_cluster;
        if let Err(e) = self.platform.validate_hosted_cluster(hc) {
            self.fail(
                "valid fixtures",
                format!("validate_hosted_cluster rejects the fixture:\n{e}"),
            );
        }
        for np in &self.fixtures.node_pools {
            if let Err(e) = self.platform.validate_node_pool(hc, np) {
                let name = np.metadata.name.clone().unwrap_or_default();
                self.fail(
                    "valid fixtures",
                    format!("validate_node_pool rejects fixture NodePool {name}:\n{e}"),
                );
            }
        }
    }

    /// Whether the fixtures build at all; the object properties need a build.
    fn builds(&mut self) -> bool {
        let f = self.fixtures;
        let mut ok = true;
        for capi in CapiVersion::ALL {
            let state = match self.build_with(
                &f.hosted_cluster,
                &f.node_pools,
                f.credentials.as_ref(),
                MissingSecrets::Fail,
                capi,
            ) {
                Ok(s) => s,
                Err(e) => {
                    self.fail("builds", format!("the fixtures do not build ({capi}): {e}"));
                    ok = false;
                    continue;
                }
            };
            for (pool, e) in state.node_pool_errors() {
                self.fail(
                    "builds",
                    format!("NodePool {pool} does not build ({capi}): {e}"),
                );
                ok = false;
            }
            let roles: Vec<Role> = state.cluster_objects.iter().map(|o| o.role).collect();
            self.check("builds", roles.first() == Some(&Role::Namespace), || {
                format!("the first object is not the namespace ({capi}): {roles:?}")
            });
            for role in [Role::ControlPlane, Role::CapiCluster] {
                self.check("builds", roles.contains(&role), || {
                    format!("no {role:?} object ({capi})")
                });
            }
            let infra = state
                .cluster_objects
                .iter()
                .find(|o| o.role == Role::InfraCluster);
            let cluster = state
                .cluster_objects
                .iter()
                .find(|o| o.role == Role::CapiCluster)
                .map(|o| o.to_value());
            if let (Some(infra), Some(cluster)) = (infra, cluster) {
                let named = &cluster["spec"]["infrastructureRef"]["name"];
                self.check("builds", named == infra.name(), || {
                    format!(
                        "the CAPI Cluster's infrastructureRef names {named}, not the platform's {} ({capi})",
                        infra.display_name()
                    )
                });
            }
        }
        ok
    }

    fn deterministic(&mut self) {
        let f = self.fixtures;
        let first = self.fixture_state();
        let second = self.fixture_state();
        let copies = (f.hosted_cluster.clone(), f.node_pools.clone());
        let third = self
            .build(&copies.0, &copies.1)
            .expect("the same input builds");
        let base = snapshot(&first);
        for (what, other) in [("a second build", &second), ("a build from copies", &third)] {
            let other_snapshot = snapshot(other);
            if other_snapshot != base {
                let differs = base
                    .iter()
                    .zip(&other_snapshot)
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| format!("first difference:\n    {}\n    {}", a.2, b.2))
                    .unwrap_or_else(|| "the object counts differ".into());
                self.fail(
                    "deterministic",
                    format!("{what} of the same input differs; {differs}"),
                );
            }
            self.check("deterministic", other.warnings == first.warnings, || {
                format!(
                    "{what} warns differently: {:?} vs {:?}",
                    first.warnings, other.warnings
                )
            });
        }
    }

    fn metadata(&mut self) {
        let hc = &self.fixtures.hosted_cluster;
        let state = self.fixture_state();
        let labels = cluster_labels(hc);
        let annotations = cluster_annotations(hc);
        let ns = state.control_plane_namespace.clone();
        for o in state.objects() {
            let who = o.display_name();
            let v = o.to_value();
            for field in ["apiVersion", "kind"] {
                let set = v[field].as_str().is_some_and(|s| !s.is_empty());
                self.check("metadata", set, || format!("{who} has no {field}"));
            }
            self.check("metadata", !o.name().is_empty(), || {
                format!("{who} has no name")
            });
            let meta = &o.object.metadata;
            for (key, value) in &labels {
                let got = meta.labels.as_ref().and_then(|l| l.get(key));
                self.check("metadata", got == Some(value), || {
                    format!("{who} has label {key}={got:?}, not {value:?}")
                });
            }
            for (key, value) in &annotations {
                let got = meta.annotations.as_ref().and_then(|a| a.get(key));
                self.check("metadata", got == Some(value), || {
                    format!("{who} has annotation {key}={got:?}, not {value:?}")
                });
            }
            if o.role == Role::Namespace {
                self.check(
                    "metadata",
                    o.namespace().is_none() && o.name() == ns,
                    || format!("the namespace object is {who}, not Namespace {ns}"),
                );
            } else if o.cluster_scoped {
                self.check("metadata", o.namespace().is_none(), || {
                    format!("{who} is cluster-scoped but has a namespace")
                });
            } else {
                self.check("metadata", o.namespace() == Some(ns.as_str()), || {
                    format!("{who} is not in the control-plane namespace {ns}")
                });
            }
            self.check("metadata", meta.owner_references.is_none(), || {
                format!("{who} has owner references before set_owner")
            });
        }
        for pool in &state.node_pools {
            for o in pool.result.iter().flatten() {
                let got = o
                    .object
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(NODE_POOL_LABEL));
                self.check("metadata", got == Some(&pool.name), || {
                    format!(
                        "{} has {NODE_POOL_LABEL}={got:?}, not {:?}",
                        o.display_name(),
                        pool.name
                    )
                });
            }
        }
    }

    fn owner(&mut self) {
        let mut state = self.fixture_state();
        let owner = owner();
        state.set_owner(&owner);
        state.set_owner(&owner);
        for o in state.objects() {
            let refs = o.object.metadata.owner_references.as_deref().unwrap_or(&[]);
            let who = o.display_name();
            if o.cluster_scoped || o.role == Role::ControlPlane {
                self.check("owner", refs.is_empty(), || {
                    format!("{who} must not be owned (it is the owner or outside its namespace)")
                });
            } else {
                self.check("owner", refs == std::slice::from_ref(&owner), || {
                    format!("{who} has owner references {refs:?}, not the owner once")
                });
            }
        }
    }

    fn secrets(&mut self) {
        let f = self.fixtures;
        let state = self.fixture_state();
        let secret_values: Vec<String> = f
            .credentials
            .iter()
            .flat_map(|c| c.data.keys().filter_map(|k| c.text(k)))
            .collect();
        for o in state.objects() {
            let who = o.display_name();
            // The CAPI manager's webhook Secret holds no credentials: `build` fills it from
            // its own input (a placeholder here), not from the platform.
            let holds_secrets = (o.kind() == "Secret" && o.role != Role::CapiManager)
                || matches!(o.role, Role::Credentials | Role::SecretEncryption);
            if holds_secrets && f.credentials.is_some() {
                self.check("secrets", o.sensitive, || {
                    format!("{who} is built from the credentials but not marked sensitive")
                });
            }
            if !o.sensitive {
                let text = serde_json::to_string(&o.to_value()).expect("serialises");
                for value in &secret_values {
                    self.check("secrets", !text.contains(value.as_str()), || {
                        format!("{who} is not sensitive but contains a credentials value")
                    });
                }
            }
        }

        let hc = &f.hosted_cluster;
        let capi = CapiVersion::default();
        match self.build_with(hc, &f.node_pools, None, MissingSecrets::Placeholder, capi) {
            Ok(state) => {
                for o in state.objects().filter(|o| o.sensitive) {
                    self.fail(
                        "secrets",
                        format!(
                            "{} holds placeholders only but is marked sensitive (render would hide it)",
                            o.display_name()
                        ),
                    );
                }
            }
            Err(e) => self.fail(
                "secrets",
                format!("render without the credentials Secret (placeholders) fails: {e}"),
            ),
        }

        let operator = self.build_with(hc, &f.node_pools, None, MissingSecrets::Fail, capi);
        let hc_ns = hc.metadata.namespace.clone().unwrap_or_default();
        match (self.platform.credentials_secret_name(hc), operator) {
            (None, Err(e)) => self.fail(
                "secrets",
                format!("the platform names no credentials Secret but fails without one: {e}"),
            ),
            (None, Ok(_)) => {}
            (Some(secret), Ok(_)) => self.fail(
                "secrets",
                format!(
                    "without Secret {hc_ns}/{secret} the operator's build must fail, and it did not"
                ),
            ),
            (
                Some(secret),
                Err(BuildError::Platform(PlatformError::CredentialsNotFound {
                    namespace,
                    name,
                    reference_path,
                    ..
                })),
            ) => {
                self.check("secrets", namespace == hc_ns && name == secret, || {
                    format!("CredentialsNotFound names {namespace}/{name}, not {hc_ns}/{secret}")
                });
                self.check("secrets", is_root_path(&reference_path), || {
                    format!("CredentialsNotFound's reference_path {reference_path:?} is not a path from the object root")
                });
            }
            (Some(_), Err(e)) => self.fail(
                "secrets",
                format!("a missing credentials Secret must be CredentialsNotFound, not: {e}"),
            ),
        }
    }

    fn teardown(&mut self) {
        let hc = &self.fixtures.hosted_cluster;
        let state = self.fixture_state();
        for r in self
            .platform
            .credential_objects(hc, &state.control_plane_namespace)
        {
            let built = state.objects().any(|o| {
                o.api_version() == r.api_version
                    && o.kind() == r.kind
                    && o.namespace() == Some(r.namespace.as_str())
                    && o.name() == r.name
            });
            self.check("teardown", built, || {
                format!(
                    "credential_objects lists {} {} {}/{}, which the build does not create",
                    r.api_version, r.kind, r.namespace, r.name
                )
            });
        }
    }

    /// The template name and MachineDeployment of the first pool, as built from `pool`.
    fn template_of(&mut self, pool: &NodePool, what: &str) -> Option<(String, Value)> {
        let hc = &self.fixtures.hosted_cluster;
        let state = match self.build(hc, std::slice::from_ref(pool)) {
            Ok(s) => s,
            Err(e) => {
                self.fail("templates", format!("{what} does not build: {e}"));
                return None;
            }
        };
        let objects = match &state.node_pools[0].result {
            Ok(o) => o,
            Err(e) => {
                self.fail(
                    "templates",
                    format!("{what}: the NodePool does not build: {e}"),
                );
                return None;
            }
        };
        let template = objects.iter().find(|o| o.role == Role::MachineTemplate)?;
        let md = objects
            .iter()
            .find(|o| o.role == Role::MachineDeployment)
            .map(|o| o.to_value());
        let Some(md) = md else {
            self.fail(
                "templates",
                format!("{what}: a template but no MachineDeployment"),
            );
            return None;
        };
        Some((template.name().to_string(), md))
    }

    fn templates(&mut self) {
        let f = self.fixtures;
        let base_pool = &f.node_pools[0];
        let pool_name = base_pool.metadata.name.clone().unwrap_or_default();
        let Some((name, md)) = self.template_of(base_pool, "the first fixture NodePool") else {
            self.check("templates", f.template_changes.is_empty(), || {
                "the fixtures list template changes but the platform builds no machine template"
                    .into()
            });
            return;
        };
        let hash = name.strip_prefix(&format!("{pool_name}-")).unwrap_or("");
        let hashed = hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        self.check("templates", hashed, || {
            format!("template {name:?} is not named <nodepool>-<8 hex digits>")
        });
        let points_at = |md: &Value, template: &str| {
            md["spec"]["template"]["spec"]["infrastructureRef"]["name"] == template
        };
        self.check("templates", points_at(&md, &name), || {
            format!("the MachineDeployment does not point at template {name}")
        });

        let mut scaled = base_pool.clone();
        let replicas = base_pool.desired_replicas() + 1;
        scaled.spec.replicas = Some(replicas);
        scaled.spec.auto_scaling = None;
        if let Some((scaled_name, scaled_md)) = self.template_of(&scaled, "a replicas change") {
            self.check("templates", scaled_name == name, || {
                format!("a replicas-only change renamed the template {name} to {scaled_name}")
            });
            self.check(
                "templates",
                scaled_md["spec"]["replicas"] == replicas,
                || format!("the MachineDeployment does not follow replicas {replicas}"),
            );
        }
        for change in &f.template_changes {
            let what = format!("template change {:?}", change.description);
            match self.template_of(&change.object, &what) {
                Some((changed, md)) => {
                    self.check("templates", changed != name, || {
                        format!("{what} kept the template name {name}; templates are immutable, so it must roll a new one")
                    });
                    self.check("templates", points_at(&md, &changed), || {
                        format!("{what}: the MachineDeployment does not point at the new template {changed}")
                    });
                }
                None => self.fail("templates", format!("{what} builds no template")),
            }
        }
    }

    fn provider(&mut self) {
        let f = self.fixtures;
        let state = self.fixture_state();
        let provider: Vec<_> = state
            .objects()
            .filter(|o| o.role == Role::CapiProvider)
            .collect();
        if provider.is_empty() {
            return;
        }
        for o in &provider {
            let v = o.to_value();
            match o.kind() {
                "Role" | "ClusterRole" => {
                    for rule in v["rules"].as_array().into_iter().flatten() {
                        for field in ["verbs", "resources", "apiGroups"] {
                            let wild = rule[field]
                                .as_array()
                                .is_some_and(|l| l.iter().any(|x| x == "*"));
                            self.check("provider", !wild, || {
                                format!("the provider Role has a wildcard in {field}: {rule}")
                            });
                        }
                    }
                }
                "Deployment" => {
                    let sa = &v["spec"]["template"]["spec"]["serviceAccountName"];
                    self.check("provider", sa == PROVIDER_NAME, || {
                        format!("the provider Deployment runs as {sa}, not {PROVIDER_NAME}")
                    });
                }
                _ => {}
            }
        }
        let mut hc = f.hosted_cluster.clone();
        hc.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(DISABLE_MACHINE_MANAGEMENT_ANNOTATION.into(), "true".into());
        // Machine management off means neither the provider nor the CAPI manager.
        let keys = |s: &DesiredState, skip_provider: bool| -> Vec<String> {
            s.objects()
                .filter(|o| {
                    !(skip_provider && matches!(o.role, Role::CapiProvider | Role::CapiManager))
                })
                .map(|o| o.display_name())
                .collect()
        };
        match self.build(&hc, &f.node_pools) {
            Ok(disabled) => {
                self.check("provider", keys(&disabled, false) == keys(&state, true), || {
                    format!(
                        "with {DISABLE_MACHINE_MANAGEMENT_ANNOTATION} the objects are {:?}, expected {:?}",
                        keys(&disabled, false),
                        keys(&state, true)
                    )
                });
            }
            Err(e) => self.fail(
                "provider",
                format!("with {DISABLE_MACHINE_MANAGEMENT_ANNOTATION} the build fails: {e}"),
            ),
        }
    }

    fn validation_paths(&mut self) {
        let f = self.fixtures;
        let mut generic_hc = f.hosted_cluster.clone();
        generic_hc.spec.release.image = String::new();
        let mut cases = vec![Invalid {
            path: "spec.release.image".to_string(),
            object: generic_hc,
        }];
        cases.extend(f.invalid_hosted_clusters.iter().cloned());
        for (i, case) in cases.iter().enumerate() {
            let generic = i == 0;
            let what = format!("HostedCluster invalid at {}", case.path);
            match self.build(&case.object, &f.node_pools) {
                Err(BuildError::InvalidHostedCluster { errors, .. }) => {
                    self.expect_paths(&what, &errors, &case.path)
                }
                Err(e) => self.fail(
                    "validation paths",
                    format!("{what}: must fail as InvalidHostedCluster, not: {e}"),
                ),
                Ok(_) => self.fail("validation paths", format!("{what}: builds")),
            }
            if !generic {
                match self.platform.validate_hosted_cluster(&case.object) {
                    Err(errors) => self.expect_paths(
                        &format!("{what} (validate_hosted_cluster)"),
                        &errors,
                        &case.path,
                    ),
                    Ok(()) => self.fail(
                        "validation paths",
                        format!("{what}: validate_hosted_cluster accepts it"),
                    ),
                }
            }
        }

        let mut generic_np = f.node_pools[0].clone();
        generic_np.spec.cluster_name = "another-cluster".into();
        let mut cases = vec![Invalid {
            path: "spec.clusterName".to_string(),
            object: generic_np,
        }];
        cases.extend(f.invalid_node_pools.iter().cloned());
        let hc = &f.hosted_cluster;
        for (i, case) in cases.iter().enumerate() {
            let generic = i == 0;
            let what = format!("NodePool invalid at {}", case.path);
            // The broken pool goes last, next to the valid ones that must still build.
            let mut pools: Vec<NodePool> = f.node_pools[1..].to_vec();
            pools.push(case.object.clone());
            let state = match self.build(hc, &pools) {
                Ok(s) => s,
                Err(e) => {
                    self.fail(
                        "validation paths",
                        format!("{what}: the whole cluster fails instead of the pool alone: {e}"),
                    );
                    continue;
                }
            };
            let results: Vec<_> = state.node_pools.iter().map(|p| &p.result).collect();
            let (last, others) = results.split_last().expect("at least one pool");
            self.check("validation paths", others.iter().all(|r| r.is_ok()), || {
                format!("{what}: the other NodePools fail too")
            });
            match last {
                Err(PlatformError::Invalid(errors)) => self.expect_paths(&what, errors, &case.path),
                Err(e) => self.fail(
                    "validation paths",
                    format!("{what}: must fail as PlatformError::Invalid, not: {e}"),
                ),
                Ok(_) => self.fail("validation paths", format!("{what}: builds")),
            }
            if !generic {
                match self.platform.validate_node_pool(hc, &case.object) {
                    Err(errors) => self.expect_paths(
                        &format!("{what} (validate_node_pool)"),
                        &errors,
                        &case.path,
                    ),
                    Ok(()) => self.fail(
                        "validation paths",
                        format!("{what}: validate_node_pool accepts it"),
                    ),
                }
            }
        }
    }

    fn expect_paths(&mut self, what: &str, errors: &FieldErrors, expected: &str) {
        let found = paths(errors);
        self.check(
            "validation paths",
            found.iter().any(|p| names(p, expected)),
            || format!("{what}: no error at {expected}; errors are at {found:?}"),
        );
        for p in &found {
            self.check("validation paths", is_root_path(p), || {
                format!("{what}: error path {p:?} does not start at the object root (spec. or metadata.)")
            });
        }
    }

    fn hooks(&mut self) {
        let p = self.platform;
        let port = p.kas_port();
        self.check("hooks", (1..=65535).contains(&port), || {
            format!("kas_port() is {port}")
        });
        let current = OpenShiftVersion {
            major: 4,
            minor: 19,
        };
        for release in [None, Some(current)] {
            let ty = p.infrastructure_platform_type(release);
            self.check("hooks", !ty.is_empty(), || {
                format!("infrastructure_platform_type({release:?}) is empty")
            });
        }
        // Called for their panics only; every value of these types is a valid answer.
        let _ = (p.ingress_publishing_strategy(), p.image_registry_storage());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_fields_and_their_children() {
        assert!(names("spec.platform.x.zone", "spec.platform.x.zone"));
        assert!(names("spec.platform.x.tags[1]", "spec.platform.x.tags"));
        assert!(names("spec.platform.x.ref.name", "spec.platform.x.ref"));
        assert!(!names("spec.platform.x.zoneName", "spec.platform.x.zone"));
        assert!(is_root_path("metadata.name") && !is_root_path("nodepools/a: spec.x"));
    }
}

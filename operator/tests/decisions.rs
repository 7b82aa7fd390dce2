//! Pure decision logic, from the YAML fixtures in `examples/`: planning (validate + build),
//! the apply plan (hash skip, prune, template retention), conditions and NodePool status.

mod support;

use hosted_cluster_operator::apply::live::Live;
use hosted_cluster_operator::apply::{ObjectKey, Records, hash};
use hosted_cluster_operator::reconcile::desired::{Built, build, control_plane};
use hosted_cluster_operator::reconcile::inputs::{Credentials, Inputs};
use hosted_cluster_operator::status::conditions::{self, Cond, merge};
use hosted_cluster_operator::status::hosted_cluster::{
    ClusterFacts, CredentialsFact, InfraFact, Validity, conditions as hc_conditions,
};
use hosted_cluster_operator::status::node_pool::desired_status;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::DynamicObject;
use platform_api::api::{ApiEndpoint, HostedCluster, NodePool};
use platform_api::control_plane::BootstrapTokens;
use platform_api::desired::{DesiredObject, Role};
use platform_api::platform::{PlatformSettings, SecretData};
use serde_json::json;
use std::collections::BTreeSet;

fn inputs(pools: Vec<NodePool>, with_secret: bool) -> Inputs {
    let secret = support::credentials();
    let credentials = if with_secret {
        Credentials::Found(SecretData::from_secret(&secret))
    } else {
        Credentials::Missing {
            namespace: "clusters".into(),
            name: secret.metadata.name.clone().unwrap(),
        }
    };
    let tokens = pools.iter().fold(BootstrapTokens::default(), |t, np| {
        t.with(np.metadata.name.clone().unwrap(), support::TEST_TOKEN)
    });
    Inputs {
        node_pools: pools,
        credentials,
        control_plane: None,
        control_plane_status: None,
        control_plane_secrets: vec![support::ignition_ca()],
        bootstrap_tokens: tokens,
        capi_webhook_tls: None,
    }
}

/// The diff step without any earlier apply (as after a restart).
fn apply_diff(
    desired: &[DesiredObject],
    live: &Live,
    keep: &BTreeSet<String>,
) -> hosted_cluster_operator::apply::Diff {
    hosted_cluster_operator::apply::diff::diff(desired, live, &Records::default(), keep)
}

fn built(hc: &HostedCluster, pools: Vec<NodePool>, with_secret: bool) -> Built {
    let platform = platform_api::platform_for(&hc.spec.platform.type_).unwrap();
    let settings = PlatformSettings::default();
    let backend = control_plane(hc, &settings).unwrap();
    build(
        hc,
        &inputs(pools, with_secret),
        platform.as_ref(),
        backend.as_ref(),
        &settings,
        support::CAPI,
    )
    .unwrap()
}

fn stamped(p: &Built) -> Vec<DesiredObject> {
    p.state
        .as_ref()
        .unwrap()
        .objects()
        .cloned()
        .map(|mut o| {
            hash::stamp(&mut o);
            o
        })
        .collect()
}

/// What the API server would hold after applying `objects`.
fn live_from(objects: &[DesiredObject]) -> Live {
    let mut live = Live::default();
    for o in objects {
        // What the API server stores for what we send (Secret stringData lands in data).
        let stored = hosted_cluster_operator::apply::drift::as_stored(&o.to_value());
        let mut obj: DynamicObject = serde_json::from_value(stored).unwrap();
        obj.metadata.uid = Some(format!("uid-{}", o.name()));
        live.insert(&o.resource, obj);
    }
    live
}

#[test]
fn fixtures_build_every_role_in_creation_order() {
    let p = built(&support::hosted_cluster(), vec![support::node_pool()], true);
    assert_eq!(p.validity, Validity::Valid);
    let roles: Vec<Role> = p
        .state
        .as_ref()
        .unwrap()
        .objects()
        .map(|o| o.role)
        .collect();
    assert_eq!(roles.first(), Some(&Role::Namespace));
    assert_eq!(roles[1], Role::ControlPlane);
    // Roles never go backwards: namespace → control plane → credentials → infra → CAPI
    // Cluster → provider → template → bootstrap → MachineDeployment.
    assert!(roles.windows(2).all(|w| w[0] <= w[1]), "{roles:?}");
    for role in [
        Role::Credentials,
        Role::InfraCluster,
        Role::CapiCluster,
        Role::CapiProvider,
        Role::MachineTemplate,
        Role::Bootstrap,
        Role::MachineDeployment,
    ] {
        assert!(roles.contains(&role), "missing {role:?} in {roles:?}");
    }
}

#[test]
fn missing_credentials_block_the_build_and_name_the_secret() {
    let p = built(
        &support::hosted_cluster(),
        vec![support::node_pool()],
        false,
    );
    assert!(p.state.is_none(), "nothing is applied without credentials");
    let name = support::credentials().metadata.name.unwrap();
    assert_eq!(
        p.credentials,
        CredentialsFact::Missing {
            namespace: "clusters".into(),
            name: name.clone()
        }
    );
    let facts = ClusterFacts {
        validity: p.validity,
        credentials: p.credentials,
        infra: InfraFact::NotCreated,
        control_plane_ready: None,
        endpoint: None,
        kubeconfig: None,
        invalid_node_pools: vec![],
    };
    let conds = hc_conditions(&facts);
    let c = conds
        .iter()
        .find(|c| c.type_ == conditions::PLATFORM_CREDENTIALS_FOUND)
        .unwrap();
    assert_eq!(
        (c.status, c.reason.as_str()),
        ("False", "PlatformCredentialsNotFound")
    );
    assert!(
        c.message.contains(&format!("clusters/{name}")),
        "{}",
        c.message
    );
    let a = conds
        .iter()
        .find(|c| c.type_ == conditions::AVAILABLE)
        .unwrap();
    assert_eq!(
        (a.status, a.reason.as_str()),
        ("False", "PlatformCredentialsNotFound")
    );
}

#[test]
fn invalid_hosted_cluster_is_a_condition_not_an_error() {
    let mut hc = support::hosted_cluster();
    hc.spec.release.image = String::new();
    let p = built(&hc, vec![], true);
    assert!(p.state.is_none());
    match &p.validity {
        Validity::Invalid { reason, message } => {
            assert_eq!(reason, "InvalidHostedCluster");
            assert!(message.contains("spec.release.image"), "{message}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn hash_is_stable_and_sees_changes() {
    let hc = support::hosted_cluster();
    let a = stamped(&built(&hc, vec![support::node_pool()], true));
    let b = stamped(&built(&hc, vec![support::node_pool()], true));
    let ha: Vec<String> = a.iter().map(hash::desired_hash).collect();
    let hb: Vec<String> = b.iter().map(hash::desired_hash).collect();
    assert_eq!(ha, hb, "same inputs, same hashes");
    // The annotation itself is not part of the hash (stamping twice changes nothing).
    let mut again = a[0].clone();
    assert_eq!(hash::stamp(&mut again), ha[0]);

    let mut np = support::node_pool();
    np.spec.replicas = Some(5);
    let c = stamped(&built(&hc, vec![np], true));
    let changed: Vec<String> = a
        .iter()
        .zip(&c)
        .filter(|(x, y)| hash::desired_hash(x) != hash::desired_hash(y))
        .map(|(x, _)| x.kind().to_string())
        .collect();
    assert_eq!(
        changed,
        vec!["MachineDeployment"],
        "only the scaled MD changes"
    );
}

/// The pipeline stamps the roots before the owner is known and the rest after: every object
/// ends with one hash that is still its own (the owner does not reach the roots) and the rest
/// carry the owner.
#[test]
fn owner_and_hash_are_stamped_once_each() {
    use hosted_cluster_operator::reconcile::owner;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    let hc = support::hosted_cluster();
    let mut state = built(&hc, vec![support::node_pool()], true).state.unwrap();
    let roots = owner::stamp_roots(&mut state);
    let kinds: Vec<&str> = roots.iter().map(|o| o.kind()).collect();
    assert_eq!(kinds, ["Namespace", "HostedControlPlane"]);
    let owner = OwnerReference {
        api_version: "hypershift.openshift.io/v1beta1".into(),
        kind: "HostedControlPlane".into(),
        name: "hcp".into(),
        uid: "hcp-uid".into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    };
    let objects = owner::stamp(&mut state, Some(&owner));
    for o in &objects {
        let stamped = o
            .object
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(hosted_cluster_operator::names::DESIRED_HASH_ANNOTATION));
        assert_eq!(
            stamped,
            Some(&hash::desired_hash(o)),
            "{}",
            o.display_name()
        );
        let owned = o.object.metadata.owner_references.is_some();
        // Roots, and cluster-scoped objects (no namespaced owner can reach them).
        let unowned = o.cluster_scoped || o.role == Role::ControlPlane;
        assert_eq!(owned, !unowned, "{}", o.display_name());
    }
    let values = |os: &[DesiredObject]| os.iter().map(DesiredObject::to_value).collect::<Vec<_>>();
    assert_eq!(
        values(&objects[..2]),
        values(&roots),
        "the roots as ensure applied them"
    );
}

#[test]
fn nothing_to_do_when_live_hashes_match() {
    let objects = stamped(&built(
        &support::hosted_cluster(),
        vec![support::node_pool()],
        true,
    ));
    let live = live_from(&objects);
    let p = apply_diff(&objects, &live, &BTreeSet::new());
    assert!(p.is_noop(), "apply {:?} prune {:?}", p.apply.len(), p.prune);
    assert_eq!(p.unchanged.len(), objects.len());
}

#[test]
fn everything_applies_in_order_against_an_empty_cluster() {
    let objects = stamped(&built(
        &support::hosted_cluster(),
        vec![support::node_pool()],
        true,
    ));
    let p = apply_diff(&objects, &Live::default(), &BTreeSet::new());
    let order: Vec<ObjectKey> = p.apply.iter().map(ObjectKey::of_desired).collect();
    let want: Vec<ObjectKey> = objects.iter().map(ObjectKey::of_desired).collect();
    assert_eq!(order, want);
    assert!(p.prune.is_empty());
}

#[test]
fn a_new_template_rolls_and_the_old_one_waits_for_machine_sets() {
    let hc = support::hosted_cluster();
    let old = stamped(&built(&hc, vec![support::node_pool()], true));
    let mut np = support::node_pool();
    let section = np.spec.platform.sections.values_mut().next().unwrap();
    section["minCpu"] = json!(16);
    let new = stamped(&built(&hc, vec![np], true));
    let old_tpl = old
        .iter()
        .find(|o| o.role == Role::MachineTemplate)
        .unwrap();
    let new_tpl = new
        .iter()
        .find(|o| o.role == Role::MachineTemplate)
        .unwrap();
    assert_ne!(old_tpl.name(), new_tpl.name(), "templates are hash-named");

    let mut live = live_from(&old);
    // A MachineSet of the old rollout still points at the old template: keep it.
    live.machine_set_refs
        .insert((old_tpl.kind().to_string(), old_tpl.name().to_string()));
    let p = apply_diff(&new, &live, &BTreeSet::new());
    let applied: Vec<&str> = p.apply.iter().map(|o| o.kind()).collect();
    assert_eq!(applied.len(), 2, "{applied:?}");
    assert!(applied.contains(&"MachineDeployment"));
    assert!(
        p.prune.is_empty(),
        "old template still in use: {:?}",
        p.prune
    );

    // Once no MachineSet uses it, it is pruned.
    live.machine_set_refs.clear();
    let p = apply_diff(&new, &live, &BTreeSet::new());
    assert_eq!(p.prune, vec![ObjectKey::of_desired(old_tpl)]);
}

/// The provider's cluster-scoped RBAC is pruned with the rest of the provider when it is no
/// longer wanted; the control-plane Namespace, cluster-scoped too, never is.
#[test]
fn cluster_scoped_provider_rbac_is_pruned_but_never_the_namespace() {
    let hc = support::hosted_cluster();
    let with_provider = stamped(&built(&hc, vec![], true));
    assert!(
        with_provider
            .iter()
            .any(|o| o.kind() == "ClusterRole" && o.cluster_scoped && o.namespace().is_none())
    );
    let mut unmanaged = hc.clone();
    unmanaged
        .metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(
            platform_api::desired::labels::DISABLE_MACHINE_MANAGEMENT_ANNOTATION.into(),
            "true".into(),
        );
    let without = stamped(&built(&unmanaged, vec![], true));
    let p = apply_diff(&without, &live_from(&with_provider), &BTreeSet::new());
    let mut pruned: Vec<&str> = p.prune.iter().map(|k| k.kind.as_str()).collect();
    pruned.sort();
    assert_eq!(
        pruned,
        // The provider's and the CAPI manager's (with its webhook Secret).
        [
            "ClusterRole",
            "ClusterRole",
            "ClusterRoleBinding",
            "ClusterRoleBinding",
            "Deployment",
            "Deployment",
            "Role",
            "Role",
            "RoleBinding",
            "RoleBinding",
            "Secret",
            "ServiceAccount",
            "ServiceAccount"
        ]
    );
    assert!(p.prune.iter().all(|k| k.kind != "Namespace"));
}

#[test]
fn removed_pool_is_pruned_md_first_but_an_invalid_pool_is_kept() {
    let hc = support::hosted_cluster();
    let with_pool = stamped(&built(&hc, vec![support::node_pool()], true));
    let without = stamped(&built(&hc, vec![], true));
    let live = live_from(&with_pool);

    let p = apply_diff(&without, &live, &BTreeSet::new());
    let kinds: Vec<&str> = p.prune.iter().map(|k| k.kind.as_str()).collect();
    // The MachineDeployment, the template and the two bootstrap Secrets.
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert_eq!(kinds[0], "MachineDeployment", "dependants go first");

    // The same pool with a validation error: its objects stay.
    let mut bad = support::node_pool();
    bad.spec.release.image = String::new();
    let pl = built(&hc, vec![bad.clone()], true);
    let errors: BTreeSet<String> = pl
        .state
        .as_ref()
        .unwrap()
        .node_pool_errors()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(errors, BTreeSet::from([bad.metadata.name.clone().unwrap()]));
    let p = apply_diff(&stamped(&pl), &live, &errors);
    assert!(p.prune.is_empty(), "{:?}", p.prune);
}

#[test]
fn unknown_platform_condition() {
    let facts = ClusterFacts {
        validity: Validity::UnknownPlatform("spec.platform.type: unknown platform type".into()),
        credentials: CredentialsFact::Unknown,
        infra: InfraFact::NotCreated,
        control_plane_ready: None,
        endpoint: None,
        kubeconfig: None,
        invalid_node_pools: vec![],
    };
    let conds = hc_conditions(&facts);
    let v = &conds[0];
    assert_eq!(
        (v.type_.as_str(), v.status, v.reason.as_str()),
        (conditions::VALID_CONFIGURATION, "False", "UnknownPlatform")
    );
    assert_eq!(
        conds
            .iter()
            .find(|c| c.type_ == "Available")
            .unwrap()
            .status,
        "False"
    );
}

#[test]
fn available_needs_control_plane_and_infrastructure() {
    let mut facts = ClusterFacts {
        validity: Validity::Valid,
        credentials: CredentialsFact::Found {
            name: "s".into(),
            legacy: vec![],
        },
        infra: InfraFact::Ready(false),
        control_plane_ready: Some(true),
        endpoint: Some(ApiEndpoint {
            host: "api.example.com".into(),
            port: 6443,
        }),
        kubeconfig: None,
        invalid_node_pools: vec![],
    };
    let avail = |f: &ClusterFacts| {
        let c = hc_conditions(f);
        let a = c.iter().find(|c| c.type_ == "Available").unwrap().clone();
        (a.status, a.reason)
    };
    assert_eq!(avail(&facts), ("False", "WaitingForInfrastructure".into()));
    facts.infra = InfraFact::Ready(true);
    assert_eq!(avail(&facts), ("True", "AsExpected".into()));
    facts.control_plane_ready = Some(false);
    assert_eq!(avail(&facts), ("False", "WaitingForControlPlane".into()));
    // An invalid NodePool shows in ValidConfiguration but does not take the cluster down.
    facts.control_plane_ready = Some(true);
    facts.invalid_node_pools = vec!["workers".into()];
    assert_eq!(avail(&facts).0, "True");
    let c = hc_conditions(&facts);
    assert_eq!(c[0].reason, "InvalidNodePool");
}

#[test]
fn merge_keeps_transition_time_unless_status_changes() {
    let t0 = Time(k8s_openapi::jiff::Timestamp::from_second(1_000).unwrap());
    let t1 = Time(k8s_openapi::jiff::Timestamp::from_second(2_000).unwrap());
    let first = merge(&[], &[Cond::yes("A", "R", "m")], Some(1), &t0);
    let same = merge(&first, &[Cond::yes("A", "R", "m")], Some(1), &t1);
    assert_eq!(first, same, "unchanged input, identical status: no write");
    let flipped = merge(&first, &[Cond::no("A", "R2", "m")], Some(2), &t1);
    assert_eq!(flipped[0].last_transition_time, t1);
    assert_eq!(flipped[0].observed_generation, Some(2));
    // Conditions of other writers stay.
    let mut foreign = first.clone();
    foreign[0].type_ = "SomeoneElse".into();
    let merged = merge(&foreign, &[Cond::yes("A", "R", "m")], Some(1), &t0);
    assert_eq!(merged.len(), 2);
}

#[test]
fn node_pool_status_mirrors_the_machine_deployment() {
    let np = support::node_pool();
    let md: DynamicObject = serde_json::from_value(json!({
        "apiVersion": support::CAPI.api_version(),
        "kind": "MachineDeployment",
        "metadata": { "name": np.metadata.name, "namespace": "clusters-x" },
        "status": {
            "replicas": 3, "readyReplicas": 2, "availableReplicas": 2,
            "conditions": [{ "type": "Available", "status": "False", "reason": "WaitingForAvailableMachines", "message": "1 short" }]
        }
    }))
    .unwrap();
    let now = Time(k8s_openapi::jiff::Timestamp::from_second(1_000).unwrap());
    let s = desired_status(&np, None, Some(&md), &now);
    assert_eq!(s.replicas, 2);
    let ready = s.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("False", "WaitingForMachines")
    );
    let mirrored = s
        .conditions
        .iter()
        .find(|c| c.type_ == "MachineDeploymentAvailable")
        .unwrap();
    assert_eq!(mirrored.reason, "WaitingForAvailableMachines");

    let s = desired_status(&np, Some(("InvalidSpec", "no image".into())), None, &now);
    let v = s
        .conditions
        .iter()
        .find(|c| c.type_ == "ValidConfiguration")
        .unwrap();
    assert_eq!(
        (v.status.as_str(), v.reason.as_str()),
        ("False", "InvalidSpec")
    );
}

#[test]
fn paused_until_follows_hypershift() {
    use hosted_cluster_operator::reconcile::pause::{Pause, pause};
    use k8s_openapi::jiff::Timestamp;
    let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    assert_eq!(pause(None, now), Pause::Active);
    assert_eq!(pause(Some("false"), now), Pause::Active);
    assert_eq!(pause(Some("true"), now), Pause::Indefinitely);
    assert_eq!(pause(Some("2025-12-31T00:00:00Z"), now), Pause::Active);
    assert_eq!(
        pause(Some("2026-01-02T00:00:00Z"), now),
        Pause::Until("2026-01-02T00:00:00Z".parse().unwrap())
    );
    assert!(matches!(pause(Some("tomorrow"), now), Pause::Invalid(_)));
}

#[test]
fn infra_readiness_follows_both_capi_contracts() {
    use hosted_cluster_operator::status::hosted_cluster::infra_reports_ready;
    use serde_json::json;
    assert!(infra_reports_ready(&json!({"status": {"ready": true}})));
    assert!(infra_reports_ready(
        &json!({"status": {"initialization": {"provisioned": true}}})
    ));
    assert!(!infra_reports_ready(&json!({"status": {"ready": false}})));
    assert!(!infra_reports_ready(&json!({"status": {}})));
    assert!(!infra_reports_ready(&json!({})));
}

#[test]
fn a_live_object_edited_by_hand_is_applied_again() {
    let objects = stamped(&built(
        &support::hosted_cluster(),
        vec![support::node_pool()],
        true,
    ));
    let mut live = live_from(&objects);
    let key = live
        .objects
        .keys()
        .find(|k| k.kind == "Deployment")
        .unwrap()
        .clone();
    let deployment = &mut live.objects.get_mut(&key).unwrap().object;
    deployment.data["spec"]["replicas"] = serde_json::json!(0);
    let p = apply_diff(&objects, &live, &BTreeSet::new());
    let applied: Vec<&str> = p.apply.iter().map(|o| o.kind()).collect();
    assert_eq!(
        applied,
        ["Deployment"],
        "only the edited object is re-applied"
    );
}

/// Issue 11: a credentials Secret in a deprecated format is said until it is migrated.
#[test]
fn legacy_credentials_are_reported_until_migrated() {
    let mut facts = ClusterFacts {
        validity: Validity::Valid,
        credentials: CredentialsFact::Found {
            name: "s".into(),
            legacy: vec!["rename endpoint to MAAS_ENDPOINT".into()],
        },
        infra: InfraFact::Ready(true),
        control_plane_ready: Some(true),
        endpoint: None,
        kubeconfig: None,
        invalid_node_pools: vec![],
    };
    let legacy = |f: &ClusterFacts| {
        hc_conditions(f)
            .into_iter()
            .find(|c| c.type_ == "LegacyCredentials")
            .map(|c| (c.status, c.message))
    };
    let (status, message) = legacy(&facts).expect("condition");
    assert_eq!(status, "True");
    assert!(message.contains("migrate credentials") && message.contains("rename endpoint"));
    facts.credentials = CredentialsFact::Found {
        name: "s".into(),
        legacy: vec![],
    };
    assert_eq!(legacy(&facts).unwrap().0, "False");
    facts.credentials = CredentialsFact::NotRequired;
    assert_eq!(legacy(&facts), None);
}

//! The shared platform conformance suite (`platform_api::testing`), run on the `None` platform.
//! A copy of this crate keeps this test: it is how a new platform learns what `build` expects.
//!
//! `None` builds no infrastructure objects and no machine templates, so it lists no template
//! changes and no invalid sections of its own; the suite still checks the generic properties.

use platform_api::api::PlatformSpec;
use platform_api::manifests::{ClusterTemplate, Publishing};
use platform_api::testing::{Fixtures, conformance};
use platform_none::{NonePlatform, PLATFORM_TYPE};
use std::collections::BTreeMap;

#[test]
fn none_conforms() {
    let template = ClusterTemplate {
        name: "example".into(),
        namespace: "clusters".into(),
        infra_id: "example-x7k2q".into(),
        release_image: "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64".into(),
        base_domain: "example.com".into(),
        pull_secret_name: "example-pull-secret".into(),
        ssh_key_name: None,
        etcd_encryption_key_name: None,
        publishing: Publishing::LoadBalancerAndRoutes,
        node_pool_name: "example-workers".into(),
        node_pool_replicas: 2,
        annotations: BTreeMap::new(),
    };
    let platform = PlatformSpec::of_type(PLATFORM_TYPE);
    let fixtures = Fixtures::new(
        template.hosted_cluster(platform.clone()),
        vec![template.node_pool(platform)],
    );
    conformance(&NonePlatform, &fixtures);
}

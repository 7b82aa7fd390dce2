//! The objects a user creates (as opposed to what the operator derives): a HostedCluster, its
//! first NodePool, and the Secrets they reference. `hosted-cluster create cluster <platform>`
//! fills [`ClusterTemplate`] from flags and adds the platform's sections.

use crate::api::common::{LocalObjectReference, Release};
use crate::api::etcd::{AesCbcSpec, EtcdSpec, SecretEncryptionSpec, SecretEncryptionType};
use crate::api::hosted_cluster::{DnsSpec, HostedClusterSpec};
use crate::api::networking::ClusterNetworking;
use crate::api::node_pool::{NodePoolManagement, NodePoolSpec, UpgradeType};
use crate::api::services::{
    NodePortPublishingStrategy, ServicePublishingStrategy, ServicePublishingStrategyMapping,
    ServiceType,
};
use crate::api::{HostedCluster, NodePool, PlatformSpec};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// Put on Secrets the CLI created, so `destroy` removes them and nothing the user made.
pub const SAFE_TO_DELETE_LABEL: &str = "hypershift.openshift.io/safe-to-delete-with-cluster";

/// How control-plane services are published to the hosted cluster's nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Publishing {
    /// APIServer behind a LoadBalancer Service; OAuth, Konnectivity and Ignition as Routes.
    LoadBalancerAndRoutes,
    /// Every service as a NodePort on this address (management cluster without load balancers).
    NodePort {
        /// The management-cluster address the nodes reach the services on.
        address: String,
    },
}

/// The platform-independent answers of `create cluster`: what it needs to write a HostedCluster
/// and its first NodePool. The platform adds its own sections ([`PlatformSpec`]).
#[derive(Clone, Debug)]
pub struct ClusterTemplate {
    /// Name of the HostedCluster.
    pub name: String,
    /// Namespace of the HostedCluster, its NodePool and its Secrets.
    pub namespace: String,
    /// `spec.infraID`: names the cluster's infrastructure objects.
    pub infra_id: String,
    /// The OpenShift release image of the cluster and the pool.
    pub release_image: String,
    /// `spec.dns.baseDomain`.
    pub base_domain: String,
    /// The Secret holding the pull secret.
    pub pull_secret_name: String,
    /// The Secret holding the SSH public key, if the nodes get one.
    pub ssh_key_name: Option<String>,
    /// The Secret holding the AES-CBC key, if Secrets are encrypted at rest.
    pub etcd_encryption_key_name: Option<String>,
    /// How the control-plane services are published.
    pub publishing: Publishing,
    /// Name of the first NodePool.
    pub node_pool_name: String,
    /// Its replicas.
    pub node_pool_replicas: i32,
    /// Annotations of the HostedCluster (e.g. a provider image override).
    pub annotations: BTreeMap<String, String>,
}

impl ClusterTemplate {
    /// The four services every hosted cluster publishes, as [`Publishing`] says.
    pub fn services(&self) -> Vec<ServicePublishingStrategyMapping> {
        let all = [
            ServiceType::APIServer,
            ServiceType::OAuthServer,
            ServiceType::Konnectivity,
            ServiceType::Ignition,
        ];
        all.into_iter()
            .map(|svc| {
                let strategy = match (&self.publishing, svc) {
                    (Publishing::NodePort { address }, _) => ServicePublishingStrategy {
                        node_port: Some(NodePortPublishingStrategy {
                            address: address.clone(),
                            port: None,
                        }),
                        ..ServicePublishingStrategy::of(
                            crate::api::services::PublishingStrategyType::NodePort,
                        )
                    },
                    (Publishing::LoadBalancerAndRoutes, ServiceType::APIServer) => {
                        ServicePublishingStrategy::load_balancer()
                    }
                    (Publishing::LoadBalancerAndRoutes, _) => ServicePublishingStrategy::route(),
                };
                ServicePublishingStrategyMapping::new(svc, strategy)
            })
            .collect()
    }

    fn meta(&self, name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: Some(self.namespace.clone()),
            ..Default::default()
        }
    }

    /// The HostedCluster, with `platform` as its `spec.platform` and HyperShift's defaults for
    /// what the template does not say.
    pub fn hosted_cluster(&self, platform: PlatformSpec) -> HostedCluster {
        let spec = HostedClusterSpec {
            release: Release {
                image: self.release_image.clone(),
            },
            control_plane_release: None,
            cluster_id: None,
            infra_id: Some(self.infra_id.clone()),
            platform,
            channel: None,
            dns: DnsSpec {
                base_domain: self.base_domain.clone(),
                ..Default::default()
            },
            networking: ClusterNetworking::default(),
            services: self.services(),
            pull_secret: LocalObjectReference::new(&self.pull_secret_name),
            ssh_key: self.ssh_key_name.as_ref().map(LocalObjectReference::new),
            issuer_url: None,
            service_account_signing_key: None,
            etcd: EtcdSpec::default(),
            secret_encryption: self.etcd_encryption_key_name.as_ref().map(|k| {
                SecretEncryptionSpec {
                    type_: SecretEncryptionType::AesCbc,
                    aescbc: Some(AesCbcSpec {
                        active_key: LocalObjectReference::new(k),
                        backup_key: None,
                    }),
                }
            }),
            additional_trust_bundle: None,
            fips: Some(false),
            controller_availability_policy: None,
            infrastructure_availability_policy: None,
            olm_catalog_placement: None,
            node_selector: BTreeMap::new(),
            tolerations: Vec::new(),
            labels: BTreeMap::new(),
            paused_until: None,
        };
        let mut hc = HostedCluster::new(&self.name, spec);
        hc.metadata = self.meta(&self.name);
        if !self.annotations.is_empty() {
            hc.metadata.annotations = Some(self.annotations.clone());
        }
        hc
    }

    /// The first NodePool, replacing its machines on upgrade, with `platform` as its
    /// `spec.platform`.
    pub fn node_pool(&self, platform: PlatformSpec) -> NodePool {
        let spec = NodePoolSpec {
            cluster_name: self.name.clone(),
            release: Release {
                image: self.release_image.clone(),
            },
            platform,
            replicas: Some(self.node_pool_replicas),
            management: NodePoolManagement {
                upgrade_type: UpgradeType::Replace,
                replace: None,
                in_place: None,
                auto_repair: Some(false),
            },
            auto_scaling: None,
            config: Vec::new(),
            node_drain_timeout: None,
            node_volume_detach_timeout: None,
            node_labels: BTreeMap::new(),
            taints: Vec::new(),
            paused_until: None,
            tuning_config: Vec::new(),
            arch: None,
        };
        let mut np = NodePool::new(&self.node_pool_name, spec);
        np.metadata = self.meta(&self.node_pool_name);
        np
    }

    /// The namespace of the HostedCluster, for `create` to make sure it exists.
    pub fn namespace_object(&self) -> Namespace {
        Namespace {
            metadata: ObjectMeta {
                name: Some(self.namespace.clone()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// A Secret the CLI creates on the user's behalf, labelled so `destroy` may remove it.
    pub fn owned_secret(&self, name: &str, type_: &str, data: BTreeMap<String, Vec<u8>>) -> Secret {
        let mut meta = self.meta(name);
        meta.labels = Some(self.owned_labels());
        Secret {
            metadata: meta,
            type_: Some(type_.into()),
            data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
            ..Default::default()
        }
    }

    /// Labels of CLI-created Secrets.
    pub fn owned_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (SAFE_TO_DELETE_LABEL.to_string(), "true".to_string()),
            (crate::api::CLUSTER_LABEL.to_string(), self.name.clone()),
        ])
    }
}

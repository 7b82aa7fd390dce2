//! The unit of desired state: one object with the API resource needed to apply it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::core::TypeMeta;
use serde::Serialize;
use std::collections::BTreeMap;

/// What each object is for; the operator orders and reports by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The control-plane namespace.
    Namespace,
    /// The control-plane backend's object (a HostedControlPlane, a KamajiControlPlane): the
    /// owner of everything else in the namespace.
    ControlPlane,
    /// What the control-plane backend runs next to its object in the namespace (an operator
    /// Deployment, its ServiceAccount and RBAC).
    ControlPlaneComponent,
    /// The platform's credentials ([`Platform::credentials`](crate::Platform::credentials)).
    Credentials,
    /// Secret-encryption material ([`Platform::secret_encryption`](crate::Platform::secret_encryption)).
    SecretEncryption,
    /// The CAPI infrastructure cluster ([`Platform::infra_cr`](crate::Platform::infra_cr)).
    InfraCluster,
    /// The CAPI Cluster.
    CapiCluster,
    /// The CAPI core manager of the control-plane namespace: its ServiceAccount, RBAC
    /// (cluster-scoped included) and Deployment ([`capi::manager`](crate::desired::capi::manager)).
    CapiManager,
    /// The CAPI provider's ServiceAccount, Role, RoleBinding and Deployment.
    CapiProvider,
    /// The copy of the hosted cluster's admin kubeconfig in the HostedCluster's namespace
    /// (the only object outside the control-plane namespace, so it has no owner).
    AdminKubeconfig,
    /// A NodePool's machine template ([`Platform::machine_template`](crate::Platform::machine_template)).
    MachineTemplate,
    /// A NodePool's bootstrap objects (token and user-data Secrets, a bootstrap config
    /// template), from the control-plane backend.
    Bootstrap,
    /// A NodePool's MachineDeployment.
    MachineDeployment,
}

/// One object to apply, with the API resource to apply it through.
#[derive(Clone, Debug)]
pub struct DesiredObject {
    /// What the object is for.
    pub role: Role,
    /// Group, version, kind and plural of the object.
    pub resource: ApiResource,
    /// The object itself (metadata and body).
    pub object: DynamicObject,
    /// Holds secret material: left out of `--render` unless asked.
    pub sensitive: bool,
}

impl DesiredObject {
    /// From any typed Kubernetes object with a static type (k8s-openapi types, our CRDs).
    pub fn typed<K>(role: Role, obj: &K) -> Self
    where
        K: kube::Resource<DynamicType = ()> + Serialize,
    {
        let resource = ApiResource::erase::<K>(&());
        let mut value = serde_json::to_value(obj).expect("Kubernetes objects serialise to JSON");
        value["apiVersion"] = resource.api_version.clone().into();
        value["kind"] = resource.kind.clone().into();
        let object: DynamicObject =
            serde_json::from_value(value).expect("a typed object is a valid dynamic object");
        Self {
            role,
            resource,
            object,
            sensitive: false,
        }
    }

    /// From a dynamic object that has `apiVersion` and `kind` set (platform-built CRs).
    pub fn dynamic(role: Role, object: DynamicObject) -> Result<Self, String> {
        let types = object
            .types
            .clone()
            .ok_or("object has no apiVersion/kind")?;
        let gvk = GroupVersionKind::try_from(&types).map_err(|e| e.to_string())?;
        Ok(Self {
            role,
            resource: ApiResource::from_gvk(&gvk),
            object,
            sensitive: false,
        })
    }

    /// Marks the object as holding secret material when `sensitive` is true.
    pub fn sensitive_if(mut self, sensitive: bool) -> Self {
        self.sensitive = sensitive;
        self
    }

    /// `metadata.name` (empty if unset).
    pub fn name(&self) -> &str {
        self.object.metadata.name.as_deref().unwrap_or_default()
    }

    /// `metadata.namespace`; `None` for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        self.object.metadata.namespace.as_deref()
    }

    /// The object's kind.
    pub fn kind(&self) -> &str {
        &self.resource.kind
    }

    /// The object's `apiVersion` (`group/version`, or `version` for the core group).
    pub fn api_version(&self) -> &str {
        &self.resource.api_version
    }

    /// `Kind namespace/name`, for messages.
    pub fn display_name(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{} {ns}/{}", self.kind(), self.name()),
            None => format!("{} {}", self.kind(), self.name()),
        }
    }

    /// The full JSON document (apiVersion, kind, metadata, body).
    pub fn to_value(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.object).expect("dynamic objects serialise");
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "apiVersion".into(),
                self.resource.api_version.clone().into(),
            );
            obj.insert("kind".into(), self.resource.kind.clone().into());
        }
        v
    }

    /// Merges labels and annotations (existing keys win, so a builder can override).
    pub(crate) fn stamp(
        &mut self,
        labels: &BTreeMap<String, String>,
        annotations: &BTreeMap<String, String>,
    ) {
        let meta = &mut self.object.metadata;
        let l = meta.labels.get_or_insert_with(BTreeMap::new);
        for (k, v) in labels {
            l.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let a = meta.annotations.get_or_insert_with(BTreeMap::new);
        for (k, v) in annotations {
            a.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if self.object.types.is_none() {
            self.object.types = Some(TypeMeta {
                api_version: self.resource.api_version.clone(),
                kind: self.resource.kind.clone(),
            });
        }
    }

    /// Adds an owner reference (only meaningful within the owner's namespace).
    pub fn set_owner(&mut self, owner: &OwnerReference) {
        let refs = self
            .object
            .metadata
            .owner_references
            .get_or_insert_with(Vec::new);
        if !refs.iter().any(|r| r.uid == owner.uid) {
            refs.push(owner.clone());
        }
    }
}

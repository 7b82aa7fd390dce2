//! The `kamaji` control-plane backend, for plain Kubernetes hosted clusters.
//!
//! Existing engines do the work: Kamaji's CAPI control-plane provider runs the control plane
//! from a [`KamajiControlPlane`](control_plane), CAPI's kubeadm bootstrap provider makes each
//! node's join data from a [`KubeadmConfigTemplate`](bootstrap), and CAPI core and the
//! infrastructure provider run cluster-wide (installed by `clusterctl`), so nothing is deployed
//! per control-plane namespace. The Kubernetes version comes from an annotation
//! ([`version`]); the admin kubeconfig from CAPI's `<cluster>-kubeconfig` Secret ([`observe`]).
#![warn(missing_docs)]

mod backend;
pub mod bootstrap;
pub mod control_plane;
pub mod observe;
pub mod version;

pub use backend::Kamaji;

/// The backend's registry name and the value of the HostedCluster's control-plane annotation.
pub const CONTROL_PLANE: &str = "kamaji";

platform_api::register_control_plane!(CONTROL_PLANE, || Box::new(Kamaji));

//! Test helpers shared by the workspace's tests.
//!
//! * [`fixtures`]: find `../shared` next to the workspace and load (multi-document) YAML
//!   fixtures as `serde_json::Value`s.
//! * [`schema`]: a light view of a `CustomResourceDefinition` ([`schema::Crd`]), cached
//!   per path because some upstream CRDs are large.
//! * [`mod@validate`]: a strict validator for objects against an `openAPIV3Schema`. It
//!   enforces what a Kubernetes apiserver enforces (minus CEL) and, in addition, reports
//!   every field the schema does not declare, because the apiserver would silently prune
//!   such a field and the manifest would not mean what its author thought.
//! * [`structural`]: checks that a CRD we generate would be accepted by an apiserver
//!   (apiextensions.k8s.io/v1 shape and the structural-schema rules).
//! * [`paths`]: list the field paths a schema declares, to check that our schema is a
//!   subset of an upstream one.
//!
//! The crate deliberately depends on neither kube nor k8s-openapi: everything goes in as
//! `serde_json::Value` so that it stays cheap to build as a dev-dependency.

mod crd;
pub mod fixtures;
pub mod paths;
pub mod structural;
pub mod validate;

/// The CRD model (`Crd`, `CrdVersion`); `schema` is the name tests use for it.
pub mod schema {
    pub use crate::crd::{Crd, CrdError, CrdVersion};
}

pub use crd::{Crd, CrdError, CrdVersion};
pub use fixtures::{load_crd, load_yaml_docs, shared_dir, upstream};
pub use paths::{assert_subset, field_paths};
pub use structural::check_structural;
pub use validate::{SchemaError, format_errors, validate, validate_against_crd};

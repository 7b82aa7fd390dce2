//! The reconcile error: one variant per pipeline step, each wrapping that step's own enum.
//! `reason()` is the inner variant's name: the metric label and the Event reason.

use crate::apply::ApplyError;
use crate::cache::CacheError;
use crate::reconcile::cleanup::CleanupError;
use crate::reconcile::desired::DesiredError;
use crate::reconcile::inputs::ReadError;
use crate::status::StatusError;
use kube::runtime::finalizer;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Desired(#[from] DesiredError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error(transparent)]
    Cleanup(#[from] CleanupError),
    #[error("adding the finalizer failed: {0}; check the operator may patch hostedclusters")]
    AddFinalizerFailed(kube::Error),
    #[error(
        "removing the finalizer failed: {0}; check the operator may patch hostedclusters (it retries)"
    )]
    RemoveFinalizerFailed(kube::Error),
    #[error("the HostedCluster has no name or an invalid finalizer entry: {0}")]
    FinalizerInvalid(String),
}

impl Error {
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Read(e) => e.reason(),
            Error::Desired(e) => e.reason(),
            Error::Cache(e) => e.reason(),
            Error::Apply(e) => e.reason(),
            Error::Status(e) => e.reason(),
            Error::Cleanup(e) => e.reason(),
            Error::AddFinalizerFailed(_) => "AddFinalizerFailed",
            Error::RemoveFinalizerFailed(_) => "RemoveFinalizerFailed",
            Error::FinalizerInvalid(_) => "FinalizerInvalid",
        }
    }
}

impl From<finalizer::Error<Error>> for Error {
    fn from(e: finalizer::Error<Error>) -> Self {
        match e {
            finalizer::Error::ApplyFailed(e) | finalizer::Error::CleanupFailed(e) => e,
            finalizer::Error::AddFinalizer(e) => Error::AddFinalizerFailed(e),
            finalizer::Error::RemoveFinalizer(e) => Error::RemoveFinalizerFailed(e),
            other => Error::FinalizerInvalid(other.to_string()),
        }
    }
}

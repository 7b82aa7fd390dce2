//! When to look at a HostedCluster again, from what its pass found.

use super::cluster::Report;
use super::pause::Pause;
use crate::context::Context;
use crate::status::hosted_cluster::{CredentialsFact, InfraFact, Validity};
use kube::runtime::controller::Action;

/// Never on its own while blocked on the user's input (a change to the HostedCluster, a NodePool
/// or the Secret triggers us); soon while converging; rarely when done.
pub fn action(report: &Report, ctx: &Context) -> Action {
    if let Some(Pause::Until(t)) = &report.paused {
        let left = t.duration_since(k8s_openapi::jiff::Timestamp::now());
        let left = std::time::Duration::try_from(left).unwrap_or_default();
        return Action::requeue(left + std::time::Duration::from_secs(1));
    }
    let Some(f) = &report.facts else {
        return Action::await_change();
    };
    let blocked = f.validity != Validity::Valid
        || matches!(
            f.credentials,
            CredentialsFact::Missing { .. } | CredentialsFact::Invalid { .. }
        );
    if blocked {
        return Action::await_change();
    }
    let converged = report.pools_ready
        && f.control_plane_ready == Some(true)
        && matches!(f.infra, InfraFact::NotRequired | InfraFact::Ready(true));
    if converged {
        Action::requeue(ctx.resync_interval)
    } else {
        Action::requeue(ctx.poll_interval)
    }
}

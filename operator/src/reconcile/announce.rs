//! Pipeline step 7: what apply and prune did, told as metrics and Events on the HostedCluster.

use crate::apply::{Normalised, ObjectKey};
use crate::context::Context;
use k8s_openapi::api::core::v1::ObjectReference;

/// Counts and reports one pass's writes. `applied` and `pruned` are in the order they were made.
pub async fn writes(
    ctx: &Context,
    hc: &ObjectReference,
    applied: &[ObjectKey],
    pruned: &[ObjectKey],
    normalised: &[Normalised],
) {
    for k in applied {
        ctx.metrics.applied(&k.kind);
    }
    for n in normalised {
        for field in &n.fields {
            ctx.metrics.normalised(&n.object.kind, field);
        }
        ctx.events
            .warning(
                hc,
                "ServerNormalizes",
                format!(
                    "the API server does not store {} as applied (fields {}); it is no longer re-applied for them. The server's CRD version or schema differs from what the operator writes: check the CRDs installed",
                    n.object,
                    n.fields.join(", ")
                ),
            )
            .await;
    }
    if !applied.is_empty() {
        ctx.events
            .normal(
                hc,
                "Applied",
                format!("applied {} object(s): {}", applied.len(), list(applied)),
            )
            .await;
    }
    if !pruned.is_empty() {
        ctx.events
            .normal(
                hc,
                "Pruned",
                format!(
                    "deleted {} object(s) no longer desired: {}",
                    pruned.len(),
                    list(pruned)
                ),
            )
            .await;
    }
}

fn list(keys: &[ObjectKey]) -> String {
    keys.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

//! The platform's teardown record: what [`Platform::teardown_record`] read from the live
//! machines while the CAPI Cluster existed, kept in a ConfigMap in the control-plane namespace
//! so the orphaned-machine cleanup still knows it once the machines are gone (and after an
//! operator restart). The ConfigMap also holds when the cleanup first ran, for its give-up
//! timeout.

use super::cleanup::CleanupError;
use crate::context::Context;
use crate::names::FIELD_MANAGER;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use platform_api::Platform;
use platform_api::api::HostedCluster;
use platform_api::desired::labels::cluster_labels;
use std::collections::BTreeMap;
use std::time::Duration;

/// Name of the ConfigMap, in the control-plane namespace.
pub const RECORD_NAME: &str = "teardown-record";
/// Annotation on the record: when the orphaned-machine cleanup first ran (RFC 3339).
pub const CLEANUP_STARTED_ANNOTATION: &str = "hypershift.openshift.io/orphan-cleanup-started";
/// Annotation on the record: when teardown gave up on the cleanup (RFC 3339); later passes do
/// not try again (nor warn again).
pub const CLEANUP_ABANDONED_ANNOTATION: &str = "hypershift.openshift.io/orphan-cleanup-abandoned";
/// How long the orphaned-machine cleanup is retried before teardown goes on without it
/// (`--orphan-cleanup-timeout`): long enough to ride out a MAAS restart, short enough that
/// an unreachable platform does not hold the HostedCluster forever.
pub const DEFAULT_ORPHAN_CLEANUP_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The record as read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub entries: BTreeMap<String, String>,
    pub cleanup_started: Option<Timestamp>,
    /// When teardown gave up on the cleanup.
    pub abandoned: Option<Timestamp>,
}

fn api(ctx: &Context, cp_ns: &str) -> Api<ConfigMap> {
    Api::namespaced(ctx.client.clone(), cp_ns)
}

/// A ConfigMap key: `[-._a-zA-Z0-9]+`, at most 253 characters.
fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Reads the record; none yet is an empty one.
pub async fn read(ctx: &Context, cp_ns: &str) -> Result<Record, CleanupError> {
    let cm = api(ctx, cp_ns)
        .get_opt(RECORD_NAME)
        .await
        .map_err(|source| CleanupError::TeardownRecordFailed { source })?;
    Ok(cm
        .map(|cm| {
            let annotations = cm.metadata.annotations.unwrap_or_default();
            let at = |key: &str| annotations.get(key).and_then(|t| t.parse().ok());
            Record {
                cleanup_started: at(CLEANUP_STARTED_ANNOTATION),
                abandoned: at(CLEANUP_ABANDONED_ANNOTATION),
                entries: cm.data.unwrap_or_default(),
            }
        })
        .unwrap_or_default())
}

/// Asks the platform what to remember of the live objects of its kinds, and adds it to the
/// record. Writes only when something is new (a pass that waits writes nothing).
pub async fn update(
    hc: &HostedCluster,
    ctx: &Context,
    platform: &dyn Platform,
    cp_ns: &str,
) -> Result<(), CleanupError> {
    let kinds = platform.teardown_record_kinds();
    if kinds.is_empty() {
        return Ok(());
    }
    let served = ctx.caches.catalog.current();
    let mut objects: Vec<DynamicObject> = Vec::new();
    for k in &kinds {
        // A kind the server does not serve has no objects.
        let Some((res, true)) = served.newest_in_group(&k.group, &k.kind) else {
            continue;
        };
        let api = crate::apply::api_for(&ctx.client, res, Some(cp_ns));
        match api.list(&ListParams::default()).await {
            Ok(l) => objects.extend(l.items),
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(source) => {
                return Err(CleanupError::DeletionListFailed {
                    kind: k.kind.clone(),
                    source,
                });
            }
        }
    }
    let mut answer = platform.teardown_record(&objects);
    answer.retain(|k, _| {
        let ok = valid_key(k);
        if !ok {
            tracing::warn!(key = %k, "the platform's teardown record has a key that is not a ConfigMap key; skipped");
        }
        ok
    });
    let current = read(ctx, cp_ns).await?;
    let mut merged = current.entries.clone();
    merged.extend(answer);
    if merged == current.entries {
        return Ok(());
    }
    let updated = Record {
        entries: merged,
        ..current
    };
    write(hc, ctx, cp_ns, &updated).await
}

/// Notes when the cleanup first ran; returns that time.
pub async fn cleanup_started(
    hc: &HostedCluster,
    ctx: &Context,
    cp_ns: &str,
    record: &Record,
) -> Result<Timestamp, CleanupError> {
    if let Some(t) = record.cleanup_started {
        return Ok(t);
    }
    let now = Timestamp::now();
    let started = Record {
        cleanup_started: Some(now),
        ..record.clone()
    };
    write(hc, ctx, cp_ns, &started).await?;
    Ok(now)
}

/// Notes that teardown gave up on the cleanup.
pub async fn abandon(
    hc: &HostedCluster,
    ctx: &Context,
    cp_ns: &str,
    record: &Record,
) -> Result<(), CleanupError> {
    let now = Timestamp::now();
    let done = Record {
        cleanup_started: record.cleanup_started.or(Some(now)),
        abandoned: Some(now),
        ..record.clone()
    };
    write(hc, ctx, cp_ns, &done).await
}

async fn write(
    hc: &HostedCluster,
    ctx: &Context,
    cp_ns: &str,
    record: &Record,
) -> Result<(), CleanupError> {
    let annotations: BTreeMap<String, String> = [
        (CLEANUP_STARTED_ANNOTATION, record.cleanup_started),
        (CLEANUP_ABANDONED_ANNOTATION, record.abandoned),
    ]
    .into_iter()
    .filter_map(|(k, t)| t.map(|t| (k.to_string(), t.to_string())))
    .collect();
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(RECORD_NAME.into()),
            namespace: Some(cp_ns.into()),
            labels: Some(cluster_labels(hc)),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        },
        data: Some(record.entries.clone()),
        ..Default::default()
    };
    let mut value = serde_json::to_value(&cm).expect("a ConfigMap serialises");
    value["apiVersion"] = "v1".into();
    value["kind"] = "ConfigMap".into();
    api(ctx, cp_ns)
        .patch(
            RECORD_NAME,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(value),
        )
        .await
        .map(drop)
        .map_err(|source| CleanupError::TeardownRecordFailed { source })
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn config_map_keys() {
        for good in ["abc123", "a.b-c_d"] {
            assert!(valid_key(good), "{good}");
        }
        for bad in ["", "a/b", "a b", &"a".repeat(254)] {
            assert!(!valid_key(bad), "{bad}");
        }
    }
}

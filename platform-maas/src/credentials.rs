//! MAAS credentials: reading the user's Secret (current or legacy format), validating it, and
//! writing the Secret CAPMAAS reads in the control-plane namespace.

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use platform_api::platform::{CredentialsMigration, MissingSecrets, PlatformError, SecretData};
use std::collections::BTreeMap;

/// Keys CAPMAAS reads (and our CLI writes).
pub const ENDPOINT_KEY: &str = "MAAS_ENDPOINT";
pub const API_KEY_KEY: &str = "MAAS_API_KEY";
/// The deprecated format's keys.
pub const LEGACY_ENDPOINT_KEY: &str = "endpoint";
pub const LEGACY_API_KEY_KEY: &str = "api-key";
pub const LEGACY_ZONE_KEY: &str = "zone";
/// Name of the credentials Secret in the control-plane namespace.
pub const CONTROL_PLANE_SECRET_NAME: &str = "maas-credentials";
/// Shown instead of a value when `render` runs without the user's Secret.
pub const PLACEHOLDER_PREFIX: &str = "PLACEHOLDER";

pub use maas_credentials::ApiKey;

/// Normalises a MAAS endpoint to `scheme://host[:port]/<path>/MAAS/` (the MAAS client's rules:
/// `.../MAAS`, `.../MAAS/` and the API root `.../MAAS/api/2.0/` are all accepted).
pub fn normalize_endpoint(raw: &str) -> Result<String, String> {
    maas_credentials::MaasEndpoint::parse(raw)
        .map(|e| e.base_url().to_string())
        .map_err(|e| e.to_string())
}

/// Checks an API key's form; the message says how to fix it.
pub fn parse_api_key(raw: &str) -> Result<ApiKey, String> {
    ApiKey::parse(raw).map_err(|e| e.to_string())
}

/// Credentials read from the user's Secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaasCredentials {
    pub endpoint: String,
    pub api_key: ApiKey,
    /// Only the legacy format carries a zone.
    pub legacy_zone: Option<String>,
    pub legacy_format: bool,
}

impl MaasCredentials {
    /// Reads either format; the current keys win when both are present.
    pub fn from_secret(secret: &SecretData) -> Result<Self, PlatformError> {
        let invalid = |reason: String| PlatformError::CredentialsInvalid {
            namespace: secret.namespace.clone(),
            name: secret.name.clone(),
            reason,
        };
        let (endpoint, key, legacy) = match (secret.text(ENDPOINT_KEY), secret.text(API_KEY_KEY)) {
            (Some(e), Some(k)) => (e, k, false),
            _ => match (
                secret.text(LEGACY_ENDPOINT_KEY),
                secret.text(LEGACY_API_KEY_KEY),
            ) {
                (Some(e), Some(k)) => (e, k, true),
                _ => {
                    return Err(invalid(format!(
                        "it needs keys {ENDPOINT_KEY} and {API_KEY_KEY} (or the legacy {LEGACY_ENDPOINT_KEY} and {LEGACY_API_KEY_KEY}); it has: {}",
                        secret.data.keys().cloned().collect::<Vec<_>>().join(", ")
                    )));
                }
            },
        };
        let endpoint =
            normalize_endpoint(&endpoint).map_err(|e| invalid(format!("{ENDPOINT_KEY} {e}")))?;
        let api_key = parse_api_key(&key).map_err(|e| invalid(format!("{API_KEY_KEY}: {e}")))?;
        let legacy_zone = if legacy {
            secret.text(LEGACY_ZONE_KEY)
        } else {
            None
        };
        Ok(Self {
            endpoint,
            api_key,
            legacy_zone,
            legacy_format: legacy,
        })
    }
}

/// The rewrite of a Secret that still carries the deprecated keys (`endpoint`, `api-key`,
/// `zone`), or `None` when it has none. The values are moved as they are (the operator checks
/// them when it reads the Secret); a legacy zone moves to the HostedCluster's
/// `spec.platform.maas.zone` when that is unset (`cluster_zone`), and is dropped otherwise (it
/// was not used).
pub fn migration(secret: &SecretData, cluster_zone: Option<&str>) -> Option<CredentialsMigration> {
    let has = |k: &str| secret.data.contains_key(k);
    let legacy = [LEGACY_ENDPOINT_KEY, LEGACY_API_KEY_KEY, LEGACY_ZONE_KEY];
    if !legacy.iter().any(|k| has(k)) {
        return None;
    }
    let mut m = CredentialsMigration::default();
    for (old, new) in [
        (LEGACY_ENDPOINT_KEY, ENDPOINT_KEY),
        (LEGACY_API_KEY_KEY, API_KEY_KEY),
    ] {
        let Some(value) = secret.data.get(old) else {
            continue;
        };
        m.remove.push(old.to_string());
        if has(new) {
            m.changes
                .push(format!("remove {old} ({new} is already set and wins)"));
        } else {
            m.set.insert(new.to_string(), value.clone());
            m.changes.push(format!("rename {old} to {new}"));
        }
    }
    if let Some(zone) = secret.text(LEGACY_ZONE_KEY) {
        m.remove.push(LEGACY_ZONE_KEY.to_string());
        // The legacy zone was used only while the current keys were absent.
        let used = !(has(ENDPOINT_KEY) && has(API_KEY_KEY));
        match cluster_zone {
            None if used && !zone.trim().is_empty() => {
                m.hosted_cluster_patch = Some(serde_json::json!({
                    "spec": {"platform": {"maas": {"zone": zone.trim()}}}
                }));
                m.changes.push(format!(
                    "move zone {:?} to the HostedCluster's spec.platform.maas.zone",
                    zone.trim()
                ));
            }
            _ => m
                .changes
                .push("remove zone (not used: the HostedCluster sets its zone)".to_string()),
        }
    }
    Some(m)
}

/// The Secret CAPMAAS reads in the control-plane namespace.
pub fn control_plane_secret(namespace: &str, endpoint: &str, api_key: &str) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(CONTROL_PLANE_SECRET_NAME.into()),
            namespace: Some(namespace.into()),
            ..Default::default()
        },
        type_: Some("Opaque".into()),
        string_data: Some(BTreeMap::from([
            (ENDPOINT_KEY.to_string(), endpoint.to_string()),
            (API_KEY_KEY.to_string(), api_key.to_string()),
        ])),
        ..Default::default()
    }
}

/// The user-facing Secret as `hosted-cluster create` writes it (current format).
pub fn user_secret(
    namespace: &str,
    name: &str,
    endpoint: &str,
    api_key: &ApiKey,
    labels: BTreeMap<String, String>,
) -> Secret {
    let mut s = control_plane_secret(namespace, endpoint, &api_key.expose());
    s.metadata.name = Some(name.into());
    s.metadata.labels = Some(labels);
    s
}

/// Credentials for the builders: real, or placeholders when `render` runs without the Secret.
pub fn resolve(
    credentials: Option<&SecretData>,
    missing: MissingSecrets,
    hc_namespace: &str,
    secret_name: &str,
) -> Result<Option<MaasCredentials>, PlatformError> {
    match (credentials, missing) {
        (Some(s), _) => MaasCredentials::from_secret(s).map(Some),
        (None, MissingSecrets::Placeholder) => Ok(None),
        (None, MissingSecrets::Fail) => Err(PlatformError::CredentialsNotFound {
            namespace: hc_namespace.into(),
            name: secret_name.into(),
            expected_keys: format!("{ENDPOINT_KEY}, {API_KEY_KEY}"),
            reference_path: "spec.platform.maas.identityRef.name".into(),
        }),
    }
}

/// A marked placeholder value naming where the real value comes from.
pub fn placeholder(key: &str, hc_namespace: &str, secret_name: &str) -> String {
    format!(
        "{PLACEHOLDER_PREFIX}: {key} from Secret {hc_namespace}/{secret_name} (not provided to render)"
    )
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    fn legacy() -> SecretData {
        SecretData::new("clusters", "creds")
            .with(LEGACY_ENDPOINT_KEY, "http://m:5240/MAAS")
            .with(LEGACY_API_KEY_KEY, "a:b:c")
            .with(LEGACY_ZONE_KEY, "zone1")
    }

    #[test]
    fn legacy_keys_are_renamed_and_the_zone_moves_to_the_cluster() {
        let m = migration(&legacy(), None).expect("a migration");
        assert_eq!(m.set[ENDPOINT_KEY], b"http://m:5240/MAAS");
        assert_eq!(m.set[API_KEY_KEY], b"a:b:c");
        assert_eq!(m.remove, ["endpoint", "api-key", "zone"]);
        assert_eq!(
            m.hosted_cluster_patch.unwrap()["spec"]["platform"]["maas"]["zone"],
            "zone1"
        );
        assert!(m.changes.iter().all(|c| !c.contains("a:b:c")), "no values");
    }

    #[test]
    fn a_zone_the_cluster_already_sets_is_dropped() {
        let m = migration(&legacy(), Some("zone2")).unwrap();
        assert!(m.hosted_cluster_patch.is_none());
        assert!(m.remove.contains(&"zone".to_string()));
    }

    #[test]
    fn the_migrated_secret_needs_no_migration() {
        let m = migration(&legacy(), None).unwrap();
        let mut after = legacy();
        for k in &m.remove {
            after.data.remove(k);
        }
        after.data.extend(m.set);
        assert_eq!(migration(&after, Some("zone1")), None);
        let from = MaasCredentials::from_secret(&after).unwrap();
        assert!(!from.legacy_format);
    }

    #[test]
    fn leftover_legacy_keys_beside_current_ones_are_removed_not_copied() {
        let s = legacy()
            .with(ENDPOINT_KEY, "http://n:5240/MAAS")
            .with(API_KEY_KEY, "d:e:f");
        let m = migration(&s, None).unwrap();
        assert!(m.set.is_empty());
        assert!(m.hosted_cluster_patch.is_none(), "the zone was not used");
        assert_eq!(m.remove.len(), 3);
    }
}

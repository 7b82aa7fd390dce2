//! MAAS credentials: reading the user's Secret (current or legacy format), validating it, and
//! writing the Secret CAPMAAS reads in the control-plane namespace.

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use platform_api::platform::{MissingSecrets, PlatformError, SecretData};
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

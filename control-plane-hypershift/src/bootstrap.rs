//! A NodePool's bootstrap, as HyperShift's NodePool controller sets it up: a token Secret the
//! ignition server turns into the pool's Ignition payload, and a user-data Secret holding an
//! Ignition pointer config that fetches that payload with the token.
//!
//! Both are named `<kind>-<nodepool>-<config hash>`: a change of what the machines boot
//! (release, configuration) gives new names, so the MachineDeployment rolls new machines
//! and the operator prunes the old Secrets.

use crate::gzip;
use crate::ignition;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use platform_api::api::NodePool;
use platform_api::api::node_pool::UpgradeType;
use platform_api::control_plane::{Bootstrap, NodePoolBootstrap};
use platform_api::desired::{DesiredObject, Role};
use platform_api::platform::{MissingSecrets, NodePoolContext, PlatformError};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Marks a token Secret for the ignition server's token controller.
pub const TOKEN_SECRET_ANNOTATION: &str = "hypershift.openshift.io/ignition-config";
/// `<namespace>/<name>` of the NodePool a bootstrap Secret belongs to.
pub const NODE_POOL_ANNOTATION: &str = "hypershift.openshift.io/nodePool";
/// The pool's upgrade type, on the token Secret.
pub const UPGRADE_TYPE_ANNOTATION: &str = "hypershift.openshift.io/node-pool-upgrade-type";
/// The token Secret's key holding the token.
pub const TOKEN_KEY: &str = "token";
/// What `render` writes instead of a token.
pub const PLACEHOLDER_TOKEN: &str = "PLACEHOLDER-bootstrap-token-generated-by-the-operator";

/// `token-<nodepool>-<hash>`.
pub fn token_secret_name(np: &NodePool) -> String {
    format!("token-{}-{}", pool_name(np), config_hash(np))
}

/// `user-data-<nodepool>-<hash>`: what the MachineDeployment's `dataSecretName` names.
pub fn user_data_secret_name(np: &NodePool) -> String {
    format!("user-data-{}-{}", pool_name(np), config_hash(np))
}

fn pool_name(np: &NodePool) -> &str {
    np.metadata.name.as_deref().unwrap_or_default()
}

/// Eight hex digits over what the machines boot: the release and the configuration the pool
/// names. Replicas and other scaling fields stay out, so scaling rolls nothing.
pub fn config_hash(np: &NodePool) -> String {
    let input = json!({
        "release": np.spec.release.image,
        "config": np.spec.config.iter().map(|c| &c.name).collect::<Vec<_>>(),
    });
    let digest = Sha256::digest(input.to_string().as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The two Secrets and the `dataSecretName` pointing at the user-data one.
///
/// # Errors
/// [`PlatformError::Waiting`] while the operator lacks the token, the ignition endpoint or
/// its CA; `render` gets placeholders instead.
pub fn node_pool_bootstrap(ctx: &NodePoolContext<'_>) -> Result<NodePoolBootstrap, PlatformError> {
    let np = ctx.node_pool;
    let cluster = ctx.cluster;
    let name = pool_name(np);
    let token = match (cluster.bootstrap_tokens.get(name), cluster.missing_secrets) {
        (Some(t), _) => Some(t.to_string()),
        (None, MissingSecrets::Placeholder) => None,
        (None, MissingSecrets::Fail) => {
            return Err(PlatformError::Waiting(format!(
                "the bootstrap token of NodePool {name}"
            )));
        }
    };
    let sensitive = token.is_some();
    let token = token.unwrap_or_else(|| PLACEHOLDER_TOKEN.to_string());
    let (endpoint, ca) = ignition::endpoint_and_ca(cluster)?;
    let pool_key = format!(
        "{}/{name}",
        np.metadata
            .namespace
            .as_deref()
            .or(cluster.hosted_cluster.metadata.namespace.as_deref())
            .unwrap_or_default()
    );
    let hash = config_hash(np);

    let token_secret = secret(
        token_secret_name(np),
        BTreeMap::from([
            (TOKEN_SECRET_ANNOTATION, "true".to_string()),
            (NODE_POOL_ANNOTATION, pool_key.clone()),
            (UPGRADE_TYPE_ANNOTATION, upgrade_type(np).to_string()),
        ]),
        BTreeMap::from([
            (TOKEN_KEY, token.clone().into_bytes()),
            ("release", np.spec.release.image.clone().into_bytes()),
            // The pool's MachineConfig content, compressed and encoded as the ignition server
            // reads it. Pools name no extra configuration yet, so it is empty.
            ("config", STANDARD.encode(gzip::stored(b"")).into_bytes()),
        ]),
    );
    let pointer = pointer_config(&endpoint, &ca, &token, &pool_key, &hash);
    let user_data = secret(
        user_data_secret_name(np),
        BTreeMap::from([(NODE_POOL_ANNOTATION, pool_key)]),
        BTreeMap::from([
            // CAPI providers template user data unless told not to; HyperShift encodes the
            // flag once more, and so do we.
            ("disableTemplating", STANDARD.encode("true").into_bytes()),
            ("value", pointer.to_string().into_bytes()),
        ]),
    );
    Ok(NodePoolBootstrap {
        objects: vec![
            DesiredObject::typed(Role::Bootstrap, &token_secret).sensitive_if(sensitive),
            DesiredObject::typed(Role::Bootstrap, &user_data).sensitive_if(sensitive),
        ],
        bootstrap: Bootstrap::DataSecretName(user_data_secret_name(np)),
    })
}

/// The Ignition 3.2 pointer config: trust the CA, fetch `https://<endpoint>/ignition` with the
/// token as bearer (base64, as the ignition server expects) and the pool's identity.
pub fn pointer_config(
    endpoint: &str,
    ca: &[u8],
    token: &str,
    pool_key: &str,
    hash: &str,
) -> serde_json::Value {
    json!({
        "ignition": {
            "config": {
                "merge": [{
                    "httpHeaders": [
                        { "name": "Authorization", "value": format!("Bearer {}", STANDARD.encode(token)) },
                        { "name": "NodePool", "value": pool_key },
                        { "name": "TargetConfigVersionHash", "value": hash },
                    ],
                    "source": format!("https://{endpoint}/ignition"),
                }],
            },
            "security": {
                "tls": {
                    "certificateAuthorities": [{
                        "source": format!("data:text/plain;base64,{}", STANDARD.encode(ca)),
                    }],
                },
            },
            "version": "3.2.0",
        },
    })
}

fn upgrade_type(np: &NodePool) -> &'static str {
    match np.spec.management.upgrade_type {
        UpgradeType::Replace => "Replace",
        UpgradeType::InPlace => "InPlace",
    }
}

/// A mutable Secret (the token is rotated in place, as in HyperShift).
fn secret(
    name: String,
    annotations: BTreeMap<&str, String>,
    data: BTreeMap<&str, Vec<u8>>,
) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name),
            annotations: Some(
                annotations
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            ..Default::default()
        },
        immutable: Some(false),
        data: Some(
            data.into_iter()
                .map(|(k, v)| (k.to_string(), ByteString(v)))
                .collect(),
        ),
        ..Default::default()
    }
}

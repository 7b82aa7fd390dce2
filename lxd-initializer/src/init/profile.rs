//! The profile MAAS's VMs get: their root disk in our pool, their NIC on our network.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::network::Attachment;
use crate::{Change, LxdClient, LxdError, Step};

/// Default profile name.
pub const DEFAULT_PROFILE: &str = "maas";
const DESCRIPTION: &str = "MAAS VMs (managed by hosted-cluster lxd init)";

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    devices: Map<String, Value>,
}

/// The profile's devices: `root` in `pool`, `eth0` on the network.
pub fn devices(pool: &str, attachment: &Attachment) -> Map<String, Value> {
    let mut devices = Map::new();
    devices.insert(
        "root".into(),
        json!({"type": "disk", "path": "/", "pool": pool}),
    );
    devices.insert("eth0".into(), attachment.nic());
    devices
}

/// Creates the profile, or replaces its devices when they differ (other devices a person added
/// are kept).
pub async fn ensure(
    client: &LxdClient,
    name: &str,
    pool: &str,
    attachment: &Attachment,
) -> Result<Step, LxdError> {
    let path = format!("/1.0/profiles/{name}");
    let what = format!("profile {name:?}");
    let wanted = devices(pool, attachment);
    let detail = format!("root in {pool}, eth0 {}", nic_text(attachment));
    let existing: Option<Profile> = client.get_opt(&format!("read {what}"), &path).await?;
    let Some(profile) = existing else {
        let body =
            json!({"name": name, "description": DESCRIPTION, "config": {}, "devices": wanted});
        client
            .send(
                &format!("create {what}"),
                Method::POST,
                "/1.0/profiles",
                &body,
            )
            .await?;
        return Ok(Step::new("profile", name, Change::Created, detail));
    };
    if wanted
        .iter()
        .all(|(k, v)| profile.devices.get(k) == Some(v))
    {
        return Ok(Step::new("profile", name, Change::Unchanged, detail));
    }
    let mut devices = profile.devices;
    devices.extend(wanted);
    let description = if profile.description.is_empty() {
        DESCRIPTION.to_string()
    } else {
        profile.description
    };
    client
        .send(
            &format!("update {what}"),
            Method::PATCH,
            &path,
            &json!({"description": description, "devices": devices}),
        )
        .await?;
    Ok(Step::new("profile", name, Change::Updated, detail))
}

fn nic_text(attachment: &Attachment) -> String {
    match attachment {
        Attachment::Managed(n) => format!("on network {n}"),
        Attachment::HostBridge(n) => format!("bridged to host bridge {n}"),
    }
}

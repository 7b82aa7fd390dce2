//! The network MAAS's VMs attach to: an LXD-managed bridge, an existing host bridge (such as
//! the `br0` MAAS itself configures on a deployed machine), or macvlan on the interface of the
//! host's default route, so that VMs sit on the same L2 as the host (where MAAS PXE-boots them).

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::names::{self, NETWORK_NAME_MAX};
use crate::{Change, LxdClient, LxdError, Step};

/// How VMs reach the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkSpec {
    /// A bridge: used as it is when the host already has it (not managed by LXD), created as an
    /// LXD-managed bridge otherwise.
    Bridge {
        /// Bridge name, e.g. `br0` or `lxdbr0`.
        name: String,
        /// `ipv4.address` of a bridge LXD creates: a CIDR, `auto` or `none`.
        ipv4: String,
    },
    /// An LXD macvlan network on `parent`.
    Macvlan {
        /// The LXD network's name.
        name: String,
        /// The host interface (the default-route interface unless given).
        parent: String,
    },
}

/// How the MAAS profile's NIC refers to the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attachment {
    /// `network: NAME` (an LXD-managed network).
    Managed(String),
    /// `nictype: bridged, parent: NAME` (a host bridge LXD does not manage).
    HostBridge(String),
}

impl Attachment {
    /// The profile's NIC device.
    pub fn nic(&self) -> Value {
        match self {
            Attachment::Managed(n) => json!({"type": "nic", "name": "eth0", "network": n}),
            Attachment::HostBridge(n) => {
                json!({"type": "nic", "name": "eth0", "nictype": "bridged", "parent": n})
            }
        }
    }
}

#[derive(Deserialize)]
struct Network {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    managed: bool,
    #[serde(default)]
    config: BTreeMap<String, String>,
}

impl NetworkSpec {
    /// The LXD network name.
    pub fn name(&self) -> &str {
        match self {
            NetworkSpec::Bridge { name, .. } | NetworkSpec::Macvlan { name, .. } => name,
        }
    }

    /// Checks the request without asking the daemon.
    pub fn validate(&self) -> Result<(), LxdError> {
        names::check("--network", self.name(), NETWORK_NAME_MAX)?;
        if let NetworkSpec::Macvlan { parent, .. } = self {
            names::check("--macvlan-parent", parent, NETWORK_NAME_MAX)?;
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        match self {
            NetworkSpec::Bridge { .. } => "bridge",
            NetworkSpec::Macvlan { .. } => "macvlan",
        }
    }

    /// The keys we manage. `auto` is resolved by LXD at creation, so it is not compared later.
    fn config(&self) -> BTreeMap<String, String> {
        match self {
            NetworkSpec::Bridge { ipv4, .. } => BTreeMap::from([
                ("ipv4.address".to_string(), ipv4.clone()),
                ("ipv6.address".to_string(), "none".to_string()),
            ]),
            NetworkSpec::Macvlan { parent, .. } => {
                BTreeMap::from([("parent".to_string(), parent.clone())])
            }
        }
    }
}

/// Creates or corrects the network; returns the step and how the profile attaches to it.
pub async fn ensure(
    client: &LxdClient,
    spec: &NetworkSpec,
) -> Result<(Step, Attachment), LxdError> {
    let name = spec.name();
    let path = format!("/1.0/networks/{name}");
    let what = format!("network {name:?}");
    let existing: Option<Network> = client.get_opt(&format!("read {what}"), &path).await?;
    let step = |change, detail: String| Step::new("network", name, change, detail);
    let Some(network) = existing else {
        let body = json!({"name": name, "type": spec.kind(), "config": spec.config()});
        client
            .send(
                &format!("create {what}"),
                Method::POST,
                "/1.0/networks",
                &body,
            )
            .await?;
        let detail = format!("{} {}", spec.kind(), describe(&spec.config()));
        return Ok((
            step(Change::Created, detail),
            Attachment::Managed(name.into()),
        ));
    };
    if !network.managed {
        // A host interface LXD only sees: usable as a bridge parent, never changed by us.
        if network.kind == "bridge" && matches!(spec, NetworkSpec::Bridge { .. }) {
            return Ok((
                step(Change::Unchanged, "host bridge (not managed by LXD)".into()),
                Attachment::HostBridge(name.into()),
            ));
        }
        return Err(LxdError::Conflict {
            what: format!("host interface {name:?}"),
            found: format!("a {} interface LXD does not manage", network.kind),
            wanted: format!("an LXD {} network", spec.kind()),
            fix: "pick another --network name".into(),
        });
    }
    if network.kind != spec.kind() {
        return Err(LxdError::Conflict {
            what,
            found: format!("type {}", network.kind),
            wanted: format!("type {}", spec.kind()),
            fix: "pick another --network name".into(),
        });
    }
    let drift: BTreeMap<String, String> = spec
        .config()
        .into_iter()
        .filter(|(k, v)| v != "auto" && network.config.get(k) != Some(v))
        .collect();
    if drift.is_empty() {
        let detail = format!("{} {}", network.kind, describe(&network.config));
        return Ok((
            step(Change::Unchanged, detail),
            Attachment::Managed(name.into()),
        ));
    }
    client
        .send(
            &format!("update {what}"),
            Method::PATCH,
            &path,
            &json!({"config": drift}),
        )
        .await?;
    Ok((
        step(Change::Updated, describe(&drift)),
        Attachment::Managed(name.into()),
    ))
}

fn describe(config: &BTreeMap<String, String>) -> String {
    config
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

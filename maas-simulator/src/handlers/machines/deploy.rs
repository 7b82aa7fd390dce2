//! `deploy` and `release`: choosing the image a machine boots and giving the machine back.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Perm, machine_for, machine_reply};
use crate::handlers::Call;
use crate::http::{ApiError, Reply};
use crate::state::machines::address_for;
use crate::status::MachineStatus;

/// Ubuntu release numbers, for `ubuntu/24.04` spellings and the default GA kernel.
const UBUNTU_RELEASES: &[(&str, &str)] = &[
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
];

/// Resolve a `distro_series` (and optional `osystem`) against the boot images that can
/// deploy machine `arch`: `noble`, `ubuntu/noble`, `ubuntu/24.04`, `custom/rhcos-4.19` and
/// `rhcos-4.19` all work. Gives (osystem, series).
fn resolve_series(
    call: &Call<'_>,
    requested: &str,
    osystem: Option<&str>,
    arch: &str,
) -> Result<(String, String), ApiError> {
    let base_arch = arch.split('/').next().unwrap_or(arch);
    let mut available: Vec<(String, String)> = call
        .st
        .boot_resources
        .iter()
        .filter(|r| r.deployable() && r.architecture.split('/').next() == Some(base_arch))
        .map(|r| r.os_series())
        .collect();
    available.dedup();
    let (want_os, want_series) = match requested.split_once('/') {
        Some((os, series)) => (Some(os), series),
        None => (osystem, requested),
    };
    let version_of = |series: &str| {
        UBUNTU_RELEASES
            .iter()
            .find(|(name, _)| *name == series)
            .map(|(_, v)| *v)
    };
    available
        .iter()
        .find(|(os, series)| {
            want_os.is_none_or(|w| w == os)
                && (series == want_series || version_of(series) == Some(want_series))
        })
        .cloned()
        .ok_or_else(|| {
            let mut choices: Vec<String> = vec!["''".into()];
            choices.extend(available.iter().map(|(os, s)| format!("'{os}/{s}'")));
            ApiError::field(
                "distro_series",
                format!(
                    "'{requested}' is not a valid distro_series.  It should be one of: {}.",
                    choices.join(", ")
                ),
            )
        })
}

pub(crate) fn deploy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let username = call.username().to_string();
    let status = call.st.machines[index].status;
    if status == MachineStatus::Ready {
        if let Some(owner) = &call.st.machines[index].owner
            && *owner != username
        {
            return Err(ApiError::conflict(
                "Can't allocate a machine belonging to another user.",
            ));
        }
    } else if !status.deployable() {
        return Err(ApiError::conflict(format!(
            "Can't deploy a machine that is in the '{}' state",
            status.name()
        )));
    }
    let requested = call
        .param("distro_series")
        .map_or_else(|| call.st.default_distro_series.clone(), str::to_string);
    let arch = call.st.machines[index].architecture.clone();
    let (osystem, series) = resolve_series(call, &requested, call.param("osystem"), &arch)?;
    let user_data = match call.param("user_data") {
        None => None,
        Some(encoded) => {
            let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
            Some(
                STANDARD
                    .decode(compact)
                    .map_err(|_| ApiError::bad_request("user_data must be base64-encoded."))?,
            )
        }
    };
    let hwe_kernel = call.param("hwe_kernel").map(str::to_string).or_else(|| {
        UBUNTU_RELEASES
            .iter()
            .find(|(name, _)| osystem == "ubuntu" && *name == series)
            .map(|(_, version)| format!("ga-{version}"))
    });
    let agent_name = call.param("agent_name").map(str::to_string);
    let at = call.now + call.opts.deploy_time;
    let m = &mut call.st.machines[index];
    if status == MachineStatus::Ready {
        m.owner = Some(username);
    }
    if let Some(agent_name) = agent_name {
        m.agent_name = agent_name;
    }
    m.osystem = osystem;
    m.distro_series = series;
    m.hwe_kernel = hwe_kernel;
    m.user_data = user_data;
    m.ip = Some(address_for(m.id));
    m.power_on = true;
    m.set_status_until(
        MachineStatus::Deploying,
        "Deploying",
        at,
        MachineStatus::Deployed,
    );
    machine_reply(call, index)
}

pub(crate) fn release(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let status = call.st.machines[index].status;
    if matches!(status, MachineStatus::Ready | MachineStatus::Releasing) {
        // Already released or on its way: MAAS treats a repeated release as success.
        return machine_reply(call, index);
    }
    if !status.releasable() {
        return Err(ApiError::conflict(format!(
            "Machine cannot be released in its current state ('{}').",
            status.name()
        )));
    }
    let at = call.now + call.opts.release_time;
    let m = &mut call.st.machines[index];
    m.power_on = false;
    m.set_status_until(
        MachineStatus::Releasing,
        "Releasing",
        at,
        MachineStatus::Ready,
    );
    machine_reply(call, index)
}

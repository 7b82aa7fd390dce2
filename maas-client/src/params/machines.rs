//! Parameters of the machine calls.

use std::fmt;

use base64::Engine as _;

use super::check_plain;
use crate::form::Pairs;

/// Query for `machines()`. Empty fields are not sent; set fields are ANDed
/// by MAAS, repeated values (hostnames, ids, MACs) are ORed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineFilter {
    pub hostnames: Vec<String>,
    pub system_ids: Vec<String>,
    pub mac_addresses: Vec<String>,
    pub zone: Option<String>,
    pub pool: Option<String>,
    /// Every tag must be on the machine. MAAS's `read` does not document a
    /// tag filter, so the client also checks tags on the answer.
    pub tags: Vec<String>,
    /// Status alias as MAAS's filter takes it, e.g. `ready`, `allocated`,
    /// `deployed`, `deploying`, `failed_deployment`.
    pub status: Option<String>,
    /// VM host name.
    pub pod: Option<String>,
    /// VM host type, `lxd` or `virsh`.
    pub pod_type: Option<String>,
    pub agent_name: Option<String>,
    pub domain: Option<String>,
}

impl MachineFilter {
    pub(crate) fn to_query(&self) -> Vec<(&'static str, String)> {
        Pairs::new()
            .each("hostname", &self.hostnames)
            .each("id", &self.system_ids)
            .each("mac_address", &self.mac_addresses)
            .opt("zone", self.zone.as_deref())
            .opt("pool", self.pool.as_deref())
            .each("tags", &self.tags)
            .opt("status", self.status.as_deref())
            .opt("pod", self.pod.as_deref())
            .opt("pod_type", self.pod_type.as_deref())
            .opt("agent_name", self.agent_name.as_deref())
            .opt("domain", self.domain.as_deref())
            .into_vec()
    }
}

/// Constraints for `allocate()`. All optional; MAAS ANDs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocateConstraints {
    /// Hostname or FQDN of the wanted machine.
    pub name: Option<String>,
    pub system_id: Option<String>,
    /// Minimum CPU count.
    pub cpu_count: Option<u32>,
    /// Minimum memory, MiB.
    pub mem: Option<u64>,
    /// All of these tags (sent comma-joined).
    pub tags: Vec<String>,
    /// None of these tags (sent comma-joined).
    pub not_tags: Vec<String>,
    pub zone: Option<String>,
    pub pool: Option<String>,
    /// VM host name the machine must be on.
    pub pod: Option<String>,
    /// Architecture, e.g. `amd64` or `amd64/generic`.
    pub arch: Option<String>,
    /// Recorded on the machine; lets a controller find what it allocated.
    pub agent_name: Option<String>,
    /// Event log comment.
    pub comment: Option<String>,
}

impl AllocateConstraints {
    pub(crate) fn to_form(&self) -> Result<Vec<(&'static str, String)>, String> {
        for tag in self.tags.iter().chain(&self.not_tags) {
            check_plain("tag", tag)?;
        }
        Ok(Pairs::new()
            .opt("name", self.name.as_deref())
            .opt("system_id", self.system_id.as_deref())
            .opt("cpu_count", self.cpu_count)
            .opt("mem", self.mem)
            .joined("tags", &self.tags)
            .joined("not_tags", &self.not_tags)
            .opt("zone", self.zone.as_deref())
            .opt("pool", self.pool.as_deref())
            .opt("pod", self.pod.as_deref())
            .opt("arch", self.arch.as_deref())
            .opt("agent_name", self.agent_name.as_deref())
            .opt("comment", self.comment.as_deref())
            .into_vec())
    }
}

/// Options for `deploy()`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DeployOptions {
    /// Series, e.g. `jammy` or `22.04`; combined with `osystem` as
    /// `osystem/series` when both are set.
    pub distro_series: Option<String>,
    /// OS, e.g. `ubuntu`. Needs `distro_series`.
    pub osystem: Option<String>,
    /// Raw cloud-init user data; the client base64-encodes it as MAAS
    /// expects. Hidden from `Debug` (it often carries tokens).
    pub user_data: Option<Vec<u8>>,
    pub hwe_kernel: Option<String>,
    pub comment: Option<String>,
    /// Install libvirt and register the machine as a virsh VM host.
    pub install_kvm: bool,
    /// Install LXD and register the machine as an LXD VM host.
    pub register_vmhost: bool,
}

impl DeployOptions {
    pub(crate) fn to_form(&self) -> Result<Vec<(&'static str, String)>, String> {
        let series = match (&self.osystem, &self.distro_series) {
            (Some(os), Some(series)) if !series.contains('/') => Some(format!("{os}/{series}")),
            (Some(_), Some(series)) => Some(series.clone()),
            (None, series) => series.clone(),
            (Some(os), None) => {
                return Err(format!(
                    "osystem {os:?} given without distro_series; MAAS needs the series \
                     (e.g. distro_series: \"jammy\")"
                ));
            }
        };
        let user_data = self
            .user_data
            .as_ref()
            .map(|d| base64::engine::general_purpose::STANDARD.encode(d));
        Ok(Pairs::new()
            .opt("distro_series", series)
            .opt("user_data", user_data)
            .opt("hwe_kernel", self.hwe_kernel.as_deref())
            .opt("comment", self.comment.as_deref())
            .flag("install_kvm", self.install_kvm)
            .flag("register_vmhost", self.register_vmhost)
            .into_vec())
    }
}

impl fmt::Debug for DeployOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeployOptions")
            .field("distro_series", &self.distro_series)
            .field("osystem", &self.osystem)
            .field(
                "user_data",
                &self
                    .user_data
                    .as_ref()
                    .map(|d| format!("<{} bytes>", d.len())),
            )
            .field("hwe_kernel", &self.hwe_kernel)
            .field("comment", &self.comment)
            .field("install_kvm", &self.install_kvm)
            .field("register_vmhost", &self.register_vmhost)
            .finish()
    }
}

/// Options for `release()`. With `erase` alone MAAS overwrites whole disks
/// (slow). `quick_erase`/`secure_erase` also matter without `erase` when
/// the MAAS-wide "erase on release" setting is on, so they are sent as set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseOptions {
    pub erase: bool,
    /// Wipe only the start and end of each disk (with `erase`).
    pub quick_erase: bool,
    /// Use the drive's secure-erase feature when it has one (with `erase`).
    pub secure_erase: bool,
    pub comment: Option<String>,
}

impl ReleaseOptions {
    pub(crate) fn to_form(&self) -> Vec<(&'static str, String)> {
        Pairs::new()
            .flag("erase", self.erase)
            .flag("quick_erase", self.quick_erase)
            .flag("secure_erase", self.secure_erase)
            .opt("comment", self.comment.as_deref())
            .into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_repeats_multi_values() {
        let q = MachineFilter {
            hostnames: vec!["foo".into(), "bar".into()],
            tags: vec!["lxd".into(), "big".into()],
            zone: Some("az1".into()),
            status: Some("ready".into()),
            ..Default::default()
        }
        .to_query();
        assert_eq!(
            q,
            vec![
                ("hostname", "foo".to_string()),
                ("hostname", "bar".to_string()),
                ("zone", "az1".to_string()),
                ("tags", "lxd".to_string()),
                ("tags", "big".to_string()),
                ("status", "ready".to_string()),
            ]
        );
        assert!(MachineFilter::default().to_query().is_empty());
    }

    #[test]
    fn allocate_joins_tags_with_commas() {
        let form = AllocateConstraints {
            cpu_count: Some(2),
            mem: Some(2048),
            tags: vec!["a".into(), "b".into()],
            not_tags: vec!["c".into()],
            ..Default::default()
        }
        .to_form()
        .unwrap();
        assert_eq!(
            form,
            vec![
                ("cpu_count", "2".to_string()),
                ("mem", "2048".to_string()),
                ("tags", "a,b".to_string()),
                ("not_tags", "c".to_string()),
            ]
        );
        let bad = AllocateConstraints {
            tags: vec!["a,b".into()],
            ..Default::default()
        };
        assert!(bad.to_form().unwrap_err().contains("','"));
    }

    #[test]
    fn deploy_base64_encodes_user_data_and_combines_os() {
        let opts = DeployOptions {
            osystem: Some("ubuntu".into()),
            distro_series: Some("jammy".into()),
            user_data: Some(b"#cloud-config\n".to_vec()),
            register_vmhost: true,
            ..Default::default()
        };
        let form = opts.to_form().unwrap();
        assert_eq!(
            form,
            vec![
                ("distro_series", "ubuntu/jammy".to_string()),
                ("user_data", "I2Nsb3VkLWNvbmZpZwo=".to_string()),
                ("register_vmhost", "true".to_string()),
            ]
        );
        let shown = format!("{opts:?}");
        assert!(
            shown.contains("<14 bytes>") && !shown.contains("cloud"),
            "{shown}"
        );
        let only_os = DeployOptions {
            osystem: Some("ubuntu".into()),
            ..Default::default()
        };
        assert!(only_os.to_form().unwrap_err().contains("distro_series"));
    }

    #[test]
    fn release_flags() {
        let form = ReleaseOptions {
            erase: true,
            quick_erase: true,
            comment: Some("bye".into()),
            ..Default::default()
        }
        .to_form();
        assert_eq!(
            form,
            vec![
                ("erase", "true".to_string()),
                ("quick_erase", "true".to_string()),
                ("comment", "bye".to_string()),
            ]
        );
        assert!(ReleaseOptions::default().to_form().is_empty());
    }
}

//! Knobs that change how the simulated MAAS behaves over time, independent of its inventory.

use std::time::Duration;

/// Run-time behaviour of the simulator.
///
/// Durations are simulated wall-clock time: a machine deployed at `t` reads as `Deployed` on
/// the first request at or after `t + deploy_time`. Nothing runs in the background, so a zero
/// duration means "done by the next request".
#[derive(Clone, Debug, PartialEq)]
pub struct SimOptions {
    /// How long a machine stays `Deploying` before it reads as `Deployed`.
    pub deploy_time: Duration,
    /// How long a machine stays `Releasing` before it reads as `Ready` (or disappears, if it
    /// was composed on the fly by `allocate`).
    pub release_time: Duration,
    /// How long `commission` and `compose` (without `skip_commissioning`) keep a machine in
    /// `Commissioning`. Zero makes composed VMs `Ready` at once.
    pub commission_time: Duration,
    /// Answer every `vm-hosts/` and `pods/` call with 410 Gone, as MAAS main does since VM host
    /// support was removed. `allocate` then no longer composes VMs either.
    pub vm_hosts_removed: bool,
    /// Let `machines/?op=allocate` compose a VM on a VM host when no existing machine matches,
    /// as MAAS 3.7 does. Turn off to get a 409 instead.
    pub allocate_composes: bool,
    /// Seed for generated system ids, hostnames and MAC addresses, so runs are reproducible.
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            deploy_time: Duration::from_secs(2),
            release_time: Duration::from_secs(1),
            commission_time: Duration::ZERO,
            vm_hosts_removed: false,
            allocate_composes: true,
            seed: 0x5eed_3737,
        }
    }
}

impl SimOptions {
    /// Options for tests: every state transition completes by the next request.
    pub fn instant() -> Self {
        Self {
            deploy_time: Duration::ZERO,
            release_time: Duration::ZERO,
            commission_time: Duration::ZERO,
            ..Self::default()
        }
    }
}

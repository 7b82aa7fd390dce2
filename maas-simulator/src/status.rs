//! MAAS node status codes (`status` / `status_name` in machine JSON).

use serde::{Deserialize, Serialize};

/// The node statuses MAAS reports, with MAAS's numeric codes.
///
/// In inventory files and in the `status` filter of `GET machines/` a status is written in
/// snake case, e.g. `ready`, `failed_deployment`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MachineStatus {
    New,
    Commissioning,
    FailedCommissioning,
    Missing,
    Ready,
    Reserved,
    Deployed,
    Retired,
    Broken,
    Deploying,
    Allocated,
    FailedDeployment,
    Releasing,
    FailedReleasing,
    DiskErasing,
    FailedDiskErasing,
    RescueMode,
    EnteringRescueMode,
    FailedEnteringRescueMode,
    ExitingRescueMode,
    FailedExitingRescueMode,
    Testing,
    FailedTesting,
}

/// (status, code, display name, snake-case name), in code order.
const TABLE: [(MachineStatus, u8, &str, &str); 23] = {
    use MachineStatus::*;
    [
        (New, 0, "New", "new"),
        (Commissioning, 1, "Commissioning", "commissioning"),
        (
            FailedCommissioning,
            2,
            "Failed commissioning",
            "failed_commissioning",
        ),
        (Missing, 3, "Missing", "missing"),
        (Ready, 4, "Ready", "ready"),
        (Reserved, 5, "Reserved", "reserved"),
        (Deployed, 6, "Deployed", "deployed"),
        (Retired, 7, "Retired", "retired"),
        (Broken, 8, "Broken", "broken"),
        (Deploying, 9, "Deploying", "deploying"),
        (Allocated, 10, "Allocated", "allocated"),
        (
            FailedDeployment,
            11,
            "Failed deployment",
            "failed_deployment",
        ),
        (Releasing, 12, "Releasing", "releasing"),
        (FailedReleasing, 13, "Releasing failed", "failed_releasing"),
        (DiskErasing, 14, "Disk erasing", "disk_erasing"),
        (
            FailedDiskErasing,
            15,
            "Failed disk erasing",
            "failed_disk_erasing",
        ),
        (RescueMode, 16, "Rescue mode", "rescue_mode"),
        (
            EnteringRescueMode,
            17,
            "Entering rescue mode",
            "entering_rescue_mode",
        ),
        (
            FailedEnteringRescueMode,
            18,
            "Failed to enter rescue mode",
            "failed_entering_rescue_mode",
        ),
        (
            ExitingRescueMode,
            19,
            "Exiting rescue mode",
            "exiting_rescue_mode",
        ),
        (
            FailedExitingRescueMode,
            20,
            "Failed to exit rescue mode",
            "failed_exiting_rescue_mode",
        ),
        (Testing, 21, "Testing", "testing"),
        (FailedTesting, 22, "Failed testing", "failed_testing"),
    ]
};

impl MachineStatus {
    fn row(self) -> &'static (MachineStatus, u8, &'static str, &'static str) {
        // The table is in code order and covers every variant.
        &TABLE[self as usize]
    }

    /// MAAS's numeric code (`status`).
    pub fn code(self) -> u8 {
        self.row().1
    }

    /// MAAS's display name (`status_name`).
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The snake-case name used by inventory files and the `status` list filter.
    pub fn key(self) -> &'static str {
        self.row().3
    }

    /// Parse a snake-case status name.
    pub fn from_key(key: &str) -> Option<Self> {
        TABLE.iter().find(|row| row.3 == key).map(|row| row.0)
    }

    /// Statuses from which MAAS starts a release (`RELEASABLE_STATUSES`).
    pub(crate) fn releasable(self) -> bool {
        use MachineStatus::*;
        matches!(
            self,
            Allocated
                | Reserved
                | Broken
                | Deploying
                | Deployed
                | FailedDeployment
                | FailedReleasing
                | FailedDiskErasing
                | RescueMode
                | FailedEnteringRescueMode
                | FailedExitingRescueMode
                | FailedTesting
        )
    }

    /// Statuses from which MAAS allows moving to `Deploying`.
    pub(crate) fn deployable(self) -> bool {
        use MachineStatus::*;
        matches!(self, Allocated | Deployed | FailedDeployment)
    }

    /// Whether commissioning results exist (drives the `*_test_status` fields).
    pub(crate) fn commissioned(self) -> bool {
        !matches!(self, MachineStatus::New | MachineStatus::Commissioning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order() {
        for (index, row) in TABLE.iter().enumerate() {
            assert_eq!(row.0 as usize, index, "{:?}", row.0);
            assert_eq!(usize::from(row.1), index);
            assert_eq!(MachineStatus::from_key(row.3), Some(row.0));
        }
    }

    #[test]
    fn serde_name_matches_key() {
        for row in TABLE {
            let json = serde_json::to_string(&row.0).unwrap();
            assert_eq!(json, format!("\"{}\"", row.3));
        }
    }
}

//! How the CLI shows a HostedCluster's conditions: one line each, `Type=Status (Reason): message`,
//! the form `create cluster --wait`, `create kubeconfig` and `destroy` print.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

/// The condition whose `True` means the hosted cluster is usable (as in HyperShift).
pub const AVAILABLE: &str = "Available";

/// `Type=Status (Reason): message`, leaving out what the condition does not say.
pub fn line(c: &Condition) -> String {
    let mut s = format!("{}={}", c.type_, c.status);
    if !c.reason.is_empty() {
        s.push_str(&format!(" ({})", c.reason));
    }
    if !c.message.is_empty() {
        s.push_str(&format!(": {}", c.message));
    }
    s
}

/// Whether the condition of `type_` is `True`.
pub fn is_true(conditions: &[Condition], type_: &str) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == type_ && c.status == "True")
}

/// The conditions that are not `True`, `Available` first (it is the one a user waits for, and
/// its reason usually names the step that is missing).
pub fn not_true(conditions: &[Condition]) -> Vec<&Condition> {
    let mut found: Vec<&Condition> = conditions.iter().filter(|c| c.status != "True").collect();
    found.sort_by_key(|c| c.type_ != AVAILABLE);
    found
}

/// Every condition as an indented line each, for an error message; says so when there are none
/// (nothing has reconciled the cluster yet).
pub fn listing(conditions: &[Condition]) -> String {
    if conditions.is_empty() {
        return "\n  (no conditions yet: is the operator running?)".to_string();
    }
    conditions
        .iter()
        .map(|c| format!("\n  {}", line(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn cond(type_: &str, status: &str, reason: &str, message: &str) -> Condition {
        Condition {
            type_: type_.into(),
            status: status.into(),
            reason: reason.into(),
            message: message.into(),
            last_transition_time: Time(Default::default()),
            observed_generation: None,
        }
    }

    #[test]
    fn a_line_leaves_out_what_is_empty() {
        assert_eq!(
            line(&cond("Available", "False", "Waiting", "no nodes")),
            "Available=False (Waiting): no nodes"
        );
        assert_eq!(line(&cond("Ready", "True", "", "")), "Ready=True");
    }

    #[test]
    fn available_comes_first_among_the_conditions_not_true() {
        let all = [
            cond("ValidConfiguration", "True", "AsExpected", ""),
            cond("InfrastructureReady", "False", "Waiting", ""),
            cond("Available", "Unknown", "", ""),
        ];
        let types: Vec<&str> = not_true(&all).iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(types, ["Available", "InfrastructureReady"]);
        assert!(is_true(&all, "ValidConfiguration"));
        assert!(!is_true(&all, "Available"));
    }
}

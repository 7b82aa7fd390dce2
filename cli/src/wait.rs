//! Waiting on a HostedCluster: until it is Available (`create cluster --wait`) or gone
//! (`destroy`). Both follow the object through a watch, so a change shows at once, and both stop
//! at a deadline with what was seen last, for the message.

use crate::conditions::{self, AVAILABLE};
use crate::error::{CliError, Result};
use crate::progress::{Progress, Stdout};
use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::Api;
use kube::runtime::{WatchStreamExt, watcher};
use platform_api::api::HostedCluster;
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

/// `create cluster --wait`: follows the new HostedCluster until it is Available, one line per
/// condition as it turns True. On timeout, fails with the last conditions.
pub async fn available(
    clusters: &Api<HostedCluster>,
    name: &str,
    timeout: Duration,
    out: &mut dyn Write,
    stdout: Stdout,
) -> Result<()> {
    let what = describe(clusters, name);
    let waiting = format!(
        "waiting up to {} for {what} to become Available...",
        show_duration(timeout)
    );
    let mut progress = Progress::start(out, stdout, &waiting)?;
    match until_available(clusters, name, timeout, &mut progress).await? {
        Ok(()) => {
            progress.line(&format!("{what} is Available"))?;
            Ok(())
        }
        Err(stalled) if stalled.timed_out => Err(CliError::new(format!(
            "{what} is not Available after {}{}; its conditions:{}",
            show_duration(timeout),
            stalled.error_note(),
            stalled.conditions()
        ))),
        Err(stalled) => Err(CliError::new(format!(
            "{what} was deleted while waiting for it to become Available; its last conditions:{}",
            stalled.conditions()
        ))),
    }
}

/// `destroy`: waits until the operator has torn the HostedCluster down and removed its
/// finalizer. On timeout, fails naming the finalizers it waited for and the last conditions.
pub async fn gone(
    clusters: &Api<HostedCluster>,
    name: &str,
    timeout: Duration,
    out: &mut dyn Write,
    stdout: Stdout,
) -> Result<()> {
    let what = describe(clusters, name);
    let waiting = format!(
        "waiting up to {} for the operator to tear down {what}...",
        show_duration(timeout)
    );
    let mut progress = Progress::start(out, stdout, &waiting)?;
    match until_gone(clusters, name, timeout).await? {
        Ok(()) => {
            progress.line(&format!("{what} is gone"))?;
            Ok(())
        }
        Err(stalled) => {
            let finalizers = stalled
                .last
                .as_ref()
                .and_then(|hc| hc.metadata.finalizers.clone())
                .unwrap_or_default();
            let held = if finalizers.is_empty() {
                String::from("its finalizer")
            } else {
                format!("its finalizer ({})", finalizers.join(", "))
            };
            Err(CliError::new(format!(
                "{what} still exists after {}{}: the operator removes {held} once it has torn down \
                 the control plane and released the infrastructure. The Secrets created with the \
                 cluster are kept, as the teardown may still need them. Check the operator's logs \
                 and the conditions below, then run destroy again:{}",
                show_duration(timeout),
                stalled.error_note(),
                stalled.conditions()
            )))
        }
    }
}

/// `HostedCluster <namespace>/<name>`.
fn describe(clusters: &Api<HostedCluster>, name: &str) -> String {
    format!(
        "HostedCluster {}/{name}",
        clusters.namespace().unwrap_or_default()
    )
}

/// A duration as the flags spell it: `20m`, `90s`, `1h`.
pub fn show_duration(d: Duration) -> String {
    match d.as_secs() {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// A wait that ended without reaching its goal: what was seen of the object last.
#[derive(Debug)]
pub struct Stalled {
    /// The object as last seen; `None` when it was never seen.
    pub last: Option<HostedCluster>,
    /// The last failed watch request, if the API server could not be reached meanwhile.
    pub error: Option<String>,
    /// Whether the deadline passed (otherwise the object went away while waited on).
    pub timed_out: bool,
}

impl Stalled {
    /// The last conditions seen, one indented line each.
    pub fn conditions(&self) -> String {
        let conditions: &[Condition] = self
            .last
            .as_ref()
            .and_then(|hc| hc.status.as_ref())
            .map_or(&[], |s| &s.conditions);
        conditions::listing(conditions)
    }

    /// `; the last request failed: ...` when the watch failed, else nothing.
    pub fn error_note(&self) -> String {
        self.error
            .as_ref()
            .map(|e| format!(" (the last watch request failed: {e})"))
            .unwrap_or_default()
    }
}

/// Follows `name` until `done` returns true for what is seen (`None`: the object does not exist)
/// or `timeout` passes.
async fn watch_until(
    clusters: &Api<HostedCluster>,
    name: &str,
    timeout: Duration,
    mut done: impl FnMut(Option<&HostedCluster>) -> std::io::Result<bool>,
) -> Result<Result<(), Stalled>, std::io::Error> {
    // Backoff: a watch that fails (API server restarting) is retried, not spun on.
    let events = watcher::watch_object(clusters.clone(), name).default_backoff();
    let mut events = std::pin::pin!(events);
    let deadline = tokio::time::sleep(timeout);
    let mut deadline = std::pin::pin!(deadline);
    let mut stalled = Stalled {
        last: None,
        error: None,
        timed_out: true,
    };
    loop {
        tokio::select! {
            () = &mut deadline => return Ok(Err(stalled)),
            event = events.next() => match event {
                Some(Ok(seen)) => {
                    if done(seen.as_ref())? {
                        return Ok(Ok(()));
                    }
                    if let Some(hc) = seen {
                        stalled.last = Some(hc);
                    } else if stalled.last.is_some() {
                        // Seen, then gone: there is nothing left to wait on.
                        stalled.timed_out = false;
                        return Ok(Err(stalled));
                    }
                }
                Some(Err(e)) => stalled.error = Some(e.to_string()),
                // The watch stream does not end on its own; if it does, nothing more will come.
                None => {
                    stalled.timed_out = false;
                    return Ok(Err(stalled));
                }
            },
        }
    }
}

/// Waits until the HostedCluster is `Available=True`, printing each condition as it turns `True`
/// (once; again only if it went not-`True` in between).
pub async fn until_available(
    clusters: &Api<HostedCluster>,
    name: &str,
    timeout: Duration,
    progress: &mut Progress<'_>,
) -> std::io::Result<Result<(), Stalled>> {
    let mut shown: BTreeSet<String> = BTreeSet::new();
    watch_until(clusters, name, timeout, |seen| {
        let Some(hc) = seen else {
            return Ok(false);
        };
        let conditions: &[Condition] = hc.status.as_ref().map_or(&[], |s| &s.conditions);
        shown.retain(|t| conditions::is_true(conditions, t));
        for c in conditions.iter().filter(|c| c.status == "True") {
            if shown.insert(c.type_.clone()) {
                progress.line(&conditions::line(c))?;
            }
        }
        Ok(conditions::is_true(conditions, AVAILABLE))
    })
    .await
}

/// Waits until the HostedCluster no longer exists (the operator removed its finalizer after
/// tearing the cluster down).
pub async fn until_gone(
    clusters: &Api<HostedCluster>,
    name: &str,
    timeout: Duration,
) -> std::io::Result<Result<(), Stalled>> {
    watch_until(clusters, name, timeout, |seen| Ok(seen.is_none())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_show_as_the_flags_spell_them() {
        assert_eq!(show_duration(Duration::from_secs(1200)), "20m");
        assert_eq!(show_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(show_duration(Duration::from_secs(90)), "90s");
    }
}

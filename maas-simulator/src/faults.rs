//! Fault injection per route, so clients can be tested against a MAAS that is busy, slow or
//! flaky. Faults apply before the request is handled, so a faulted request changes nothing.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::API;
use crate::routes::{Verb, split_op_suffix};

/// What to do to a matching request.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 503 with `Retry-After`, as MAAS answers when no rack controller is reachable.
    ServiceUnavailable { retry_after_secs: u32 },
    /// 409; MAAS adds `Retry-After: 5` when a request lost a database conflict.
    Conflict { retry_after_secs: Option<u32> },
    /// Close the connection without sending any response.
    DropConnection,
    /// Wait this long, then handle the request normally.
    Latency(Duration),
    /// 503 with MAAS's "Unable to compose" PodProblem text: the VM host refuses a compose for
    /// capacity (as when another client took the room between listing and composing).
    ComposeRefused,
}

/// A route pattern did not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid fault route {route:?}: {reason}")]
pub struct InvalidRoute {
    pub route: String,
    pub reason: &'static str,
}

/// Which requests a rule applies to: `[METHOD ]PATH[?op=NAME]`.
///
/// `METHOD` is GET, POST, PUT, DELETE or `*` (also the default). `PATH` is absolute
/// (`/MAAS/api/2.0/machines/`) or relative to `/MAAS/api/2.0/` (`machines/*/`); a `*`
/// segment matches any one segment and a final `**` any rest. The trailing slash does not
/// matter. Without `?op=` the rule matches every op; with it, only that op, whether the
/// request gave it as `?op=`, as a `/op-<name>` suffix or in the body.
#[derive(Clone, Debug, PartialEq)]
struct RoutePattern {
    verb: Option<Verb>,
    segments: Vec<String>,
    op: Option<String>,
}

impl RoutePattern {
    fn parse(route: &str) -> Result<Self, InvalidRoute> {
        let fail = |reason| InvalidRoute {
            route: route.to_string(),
            reason,
        };
        let route_trimmed = route.trim();
        let (verb, rest) = match route_trimmed.split_once(' ') {
            Some(("*", rest)) => (None, rest.trim()),
            Some((method, rest)) => (
                Some(Verb::parse(method).ok_or_else(|| fail("unknown HTTP method"))?),
                rest.trim(),
            ),
            None => (None, route_trimmed),
        };
        let (path, op) = match rest.split_once("?op=") {
            Some((path, op)) if !op.is_empty() => (path, Some(op.to_string())),
            Some(_) => return Err(fail("empty op")),
            None if rest.contains('?') => return Err(fail("only ?op=NAME may follow the path")),
            None => (rest, None),
        };
        if path.is_empty() {
            return Err(fail("empty path"));
        }
        let absolute = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{API}{path}")
        };
        let segments: Vec<String> = absolute
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if segments.iter().rev().skip(1).any(|s| s == "**") {
            return Err(fail("** may only be the last segment"));
        }
        Ok(Self { verb, segments, op })
    }

    fn matches(&self, verb: Option<Verb>, segments: &[&str], op: Option<&str>) -> bool {
        if self.verb.is_some() && self.verb != verb {
            return false;
        }
        if self.op.is_some() && self.op.as_deref() != op {
            return false;
        }
        let mut i = 0;
        for want in &self.segments {
            if want == "**" {
                return true;
            }
            match segments.get(i) {
                Some(got) if want == "*" || want == got => i += 1,
                _ => return false,
            }
        }
        i == segments.len()
    }
}

#[derive(Clone, Debug)]
struct Rule {
    pattern: RoutePattern,
    fault: Fault,
    /// `None`: every matching request.
    remaining: Option<u32>,
}

#[derive(Debug, Default)]
struct Table {
    rules: Vec<Rule>,
    injected: u64,
}

/// Handle to the simulator's fault rules; clones share the same rules.
#[derive(Clone, Debug, Default)]
pub struct FaultInjector {
    table: Arc<Mutex<Table>>,
}

/// The faults chosen for one request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Chosen {
    pub latency: Option<Duration>,
    pub fault: Option<Fault>,
}

impl FaultInjector {
    fn table(&self) -> MutexGuard<'_, Table> {
        // A panic while holding this lock cannot leave the table half-updated.
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Add a rule. `times: None` applies it to every matching request until `clear`.
    pub fn inject(
        &self,
        route: &str,
        fault: Fault,
        times: Option<u32>,
    ) -> Result<(), InvalidRoute> {
        let pattern = RoutePattern::parse(route)?;
        self.table().rules.push(Rule {
            pattern,
            fault,
            remaining: times,
        });
        Ok(())
    }

    /// The next `n` matching requests get 503 with `Retry-After: retry_after_secs`.
    pub fn fail_next(
        &self,
        route: &str,
        n: u32,
        retry_after_secs: u32,
    ) -> Result<(), InvalidRoute> {
        self.inject(
            route,
            Fault::ServiceUnavailable { retry_after_secs },
            Some(n),
        )
    }

    /// The next `n` matching requests get 409, with `Retry-After` when given.
    pub fn conflict_next(
        &self,
        route: &str,
        n: u32,
        retry_after_secs: Option<u32>,
    ) -> Result<(), InvalidRoute> {
        self.inject(route, Fault::Conflict { retry_after_secs }, Some(n))
    }

    /// The next `n` matching requests see their connection closed without a response.
    pub fn drop_next(&self, route: &str, n: u32) -> Result<(), InvalidRoute> {
        self.inject(route, Fault::DropConnection, Some(n))
    }

    /// The next `n` matching composes are refused for capacity.
    pub fn refuse_compose_next(&self, route: &str, n: u32) -> Result<(), InvalidRoute> {
        self.inject(route, Fault::ComposeRefused, Some(n))
    }

    /// Every matching request waits `delay` first, until `clear`.
    pub fn add_latency(&self, route: &str, delay: Duration) -> Result<(), InvalidRoute> {
        self.inject(route, Fault::Latency(delay), None)
    }

    /// Remove every rule.
    pub fn clear(&self) {
        self.table().rules.clear();
    }

    /// How many requests got a fault (latency included) so far.
    pub fn injected(&self) -> u64 {
        self.table().injected
    }

    /// Pick the faults for a request and use up one count of each rule that fired: the first
    /// matching latency rule and the first matching failure rule.
    pub(crate) fn take(&self, method: &str, path: &str, op: Option<&str>) -> Chosen {
        let verb = Verb::parse(method);
        let (base, path_op) = match path.strip_prefix(API) {
            Some(rel) => {
                let (base, op) = split_op_suffix(rel);
                (format!("{API}{base}"), op)
            }
            None => (path.to_string(), None),
        };
        let op = path_op.as_deref().or(op);
        let segments: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
        let mut table = self.table();
        let mut chosen = Chosen::default();
        for rule in &mut table.rules {
            if rule.remaining == Some(0) || !rule.pattern.matches(verb, &segments, op) {
                continue;
            }
            let fired = match &rule.fault {
                Fault::Latency(delay) if chosen.latency.is_none() => {
                    chosen.latency = Some(*delay);
                    true
                }
                Fault::Latency(_) => false,
                other if chosen.fault.is_none() => {
                    chosen.fault = Some(other.clone());
                    true
                }
                _ => false,
            };
            if fired && let Some(remaining) = &mut rule.remaining {
                *remaining -= 1;
            }
        }
        table.rules.retain(|r| r.remaining != Some(0));
        if chosen != Chosen::default() {
            table.injected += 1;
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let p = RoutePattern::parse("POST machines/?op=allocate").unwrap();
        assert!(p.matches(
            Some(Verb::Post),
            &["MAAS", "api", "2.0", "machines"],
            Some("allocate")
        ));
        assert!(!p.matches(
            Some(Verb::Get),
            &["MAAS", "api", "2.0", "machines"],
            Some("allocate")
        ));
        assert!(!p.matches(Some(Verb::Post), &["MAAS", "api", "2.0", "machines"], None));
        let p = RoutePattern::parse("machines/*/").unwrap();
        assert!(p.matches(
            Some(Verb::Get),
            &["MAAS", "api", "2.0", "machines", "abc"],
            None
        ));
        assert!(!p.matches(Some(Verb::Get), &["MAAS", "api", "2.0", "machines"], None));
        let p = RoutePattern::parse("* /MAAS/**").unwrap();
        assert!(p.matches(None, &["MAAS", "api", "2.0", "version"], None));
        assert!(RoutePattern::parse("FETCH machines/").is_err());
        assert!(RoutePattern::parse("GET machines/?x=1").is_err());
        assert!(RoutePattern::parse("GET **/machines/").is_err());
    }

    #[test]
    fn counts_and_op_forms() {
        let faults = FaultInjector::default();
        faults
            .fail_next("POST machines/?op=allocate", 1, 7)
            .unwrap();
        faults
            .add_latency("machines/", Duration::from_millis(5))
            .unwrap();
        let chosen = faults.take("POST", "/MAAS/api/2.0/machines/op-allocate", None);
        assert_eq!(
            chosen.fault,
            Some(Fault::ServiceUnavailable {
                retry_after_secs: 7
            })
        );
        assert_eq!(chosen.latency, Some(Duration::from_millis(5)));
        let chosen = faults.take("POST", "/MAAS/api/2.0/machines/", Some("allocate"));
        assert_eq!(chosen.fault, None, "the 503 was for one request only");
        faults.clear();
        assert_eq!(
            faults.take("GET", "/MAAS/api/2.0/machines/", None),
            Chosen::default()
        );
        assert_eq!(faults.injected(), 2);
    }
}

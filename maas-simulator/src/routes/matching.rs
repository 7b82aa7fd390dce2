//! Resolving a request path against the table.

use super::{RESOURCES, Resource};

/// A request path resolved against the table.
pub(crate) struct Matched {
    pub resource: &'static Resource,
    pub params: Vec<(&'static str, String)>,
}

/// Split a `/op-<name>` suffix off a path below the API root: `machines/op-allocate` gives
/// (`machines/`, `allocate`). Paths without one come back unchanged.
pub(crate) fn split_op_suffix(rel: &str) -> (String, Option<String>) {
    let trimmed = rel.strip_suffix('/').unwrap_or(rel);
    match trimmed.rsplit_once('/') {
        Some((base, last)) if last.len() > 3 && last.starts_with("op-") => {
            (format!("{base}/"), Some(last[3..].to_string()))
        }
        None if trimmed.len() > 3 && trimmed.starts_with("op-") => {
            (String::new(), Some(trimmed[3..].to_string()))
        }
        _ => (rel.to_string(), None),
    }
}

/// Match a path below `/MAAS/api/2.0/`. Resource paths need their trailing slash, as in MAAS's
/// URL patterns; the `/op-<name>` form may omit it.
pub(crate) fn match_path(rel: &str) -> Option<Matched> {
    let (base, _) = split_op_suffix(rel);
    let segments: Vec<&str> = base.strip_suffix('/')?.split('/').collect();
    RESOURCES.iter().find_map(|resource| {
        let template: Vec<&str> = resource.path.trim_end_matches('/').split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (want, got) in template.iter().zip(&segments) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !got.is_empty() => {
                    params.push((name, crate::oauth::percent_decode(got)));
                }
                Some(_) => return None,
                None if want == got => {}
                None => return None,
            }
        }
        Some(Matched { resource, params })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_suffix_forms() {
        assert_eq!(
            split_op_suffix("machines/op-allocate"),
            ("machines/".to_string(), Some("allocate".to_string()))
        );
        assert_eq!(
            split_op_suffix("machines/abc/op-deploy/"),
            ("machines/abc/".to_string(), Some("deploy".to_string()))
        );
        assert_eq!(
            split_op_suffix("machines/"),
            ("machines/".to_string(), None)
        );
    }

    #[test]
    fn paths_match_with_params() {
        let m = match_path("machines/abc123/").unwrap();
        assert_eq!(m.resource.name, "MachineHandler");
        assert_eq!(m.params, vec![("system_id", "abc123".to_string())]);
        let m = match_path("pods/3/op-compose").unwrap();
        assert_eq!(m.resource.name, "PodHandler");
        assert!(
            match_path("machines").is_none(),
            "trailing slash is required"
        );
        assert!(
            match_path("resourcepools/1/").is_none(),
            "MAAS uses resourcepool/{{id}}/"
        );
        assert!(match_path("nothing/").is_none());
    }
}

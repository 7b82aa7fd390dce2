//! Syntax of the strings users hand us that are not names: image references, annotation keys
//! and host addresses. Each check returns what is wrong (the caller adds the field or flag), so
//! the CLI, `render` and the operator's flags say the same thing.

use super::validate::{is_dns_domain, is_dns1123_label, is_dns1123_subdomain};

/// What is wrong with an image reference (`[registry[:port]/]repository[:tag][@digest]`), if
/// anything, e.g. `quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64`.
///
/// ```
/// use platform_api::desired::syntax::image_problem;
/// assert_eq!(image_problem("quay.io/org/image:1.0"), None);
/// assert!(image_problem("https://quay.io/org/image").unwrap().contains("https://"));
/// ```
pub fn image_problem(image: &str) -> Option<String> {
    if image.trim().is_empty() {
        return Some("is empty; give an image such as quay.io/org/image:tag".into());
    }
    if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "{image:?} contains whitespace; an image reference has none"
        ));
    }
    if let Some((scheme, _)) = image.split_once("://") {
        return Some(format!(
            "{image:?} starts with {scheme}://; give the image without a scheme, e.g. quay.io/org/image:tag"
        ));
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        if let Some(why) = digest_problem(d) {
            return Some(format!("{image:?}: the digest {why}"));
        }
    }
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.as_bytes()[0] != b'.'
            && t.as_bytes()[0] != b'-'
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !ok {
            return Some(format!(
                "{image:?}: the tag {t:?} is not valid; a tag is 1 to 128 letters, digits, '_', '.' or '-'"
            ));
        }
    }
    let mut parts: Vec<&str> = repo.split('/').collect();
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        let registry = parts.remove(0);
        let (host, port) = match registry.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (registry, None),
        };
        let host_ok = is_dns_domain(host) || host.parse::<std::net::Ipv4Addr>().is_ok();
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
        if !host_ok || !port_ok {
            return Some(format!(
                "{image:?}: the registry {registry:?} is not HOST[:PORT]"
            ));
        }
    }
    for p in &parts {
        if p.is_empty() {
            return Some(format!("{image:?} has an empty repository part"));
        }
        if p.bytes().any(|b| b.is_ascii_uppercase()) {
            return Some(format!("{image:?}: the repository {p:?} must be lowercase"));
        }
        let ok = p.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        }) && p.as_bytes()[0].is_ascii_alphanumeric()
            && p.as_bytes()[p.len() - 1].is_ascii_alphanumeric();
        if !ok {
            return Some(format!(
                "{image:?}: the repository part {p:?} is not lowercase letters and digits separated by '.', '_' or '-'"
            ));
        }
    }
    None
}

fn digest_problem(d: &str) -> Option<String> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Some(format!(
            "{d:?} is not ALGORITHM:HEX, e.g. sha256:<64 hex digits>"
        ));
    };
    let alg_ok = !alg.is_empty()
        && alg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'_' | b'-'));
    let hex_ok = hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    let len_ok = alg != "sha256" || hex.len() == 64;
    if alg_ok && hex_ok && len_ok {
        None
    } else {
        Some(format!(
            "{d:?} is not ALGORITHM:HEX, e.g. sha256:<64 hex digits>"
        ))
    }
}

/// What is wrong with an annotation (or label) key, `[prefix/]name`, if anything: the prefix a
/// DNS subdomain, the name 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a
/// letter or digit.
///
/// ```
/// use platform_api::desired::syntax::annotation_key_problem;
/// assert_eq!(annotation_key_problem("example.com/owner"), None);
/// assert!(annotation_key_problem("bad key").is_some());
/// ```
pub fn annotation_key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if !is_dns1123_subdomain(p) {
            return Some(format!(
                "{key:?}: the prefix {p:?} is not a lowercase DNS subdomain (e.g. example.com)"
            ));
        }
    }
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric();
    if ok {
        None
    } else {
        Some(format!(
            "{key:?} is not a valid key: [PREFIX/]NAME, NAME 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        ))
    }
}

/// What is wrong with a host address (an IP address or a DNS name, no scheme or port), if
/// anything.
///
/// ```
/// use platform_api::desired::syntax::host_problem;
/// assert_eq!(host_problem("10.0.0.5"), None);
/// assert!(host_problem("10.0.0.5:6443").is_some());
/// ```
pub fn host_problem(host: &str) -> Option<String> {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let numeric = !host.is_empty()
        && host
            .split('.')
            .all(|l| l.bytes().all(|b| b.is_ascii_digit()));
    if is_dns_domain(host)
        && !numeric
        && host
            .split('.')
            .all(|l| is_dns1123_label(&l.to_ascii_lowercase()))
    {
        return None;
    }
    Some(format!(
        "{host:?} is not an IP address or DNS name; give the address alone, without scheme or port, e.g. 10.0.0.5 or api.example.com"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        for ok in [
            "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64",
            "registry.local:5000/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ubuntu",
            "localhost/x:1",
            "ghcr.io/example/cluster-api-provider-x:v0.6.1",
        ] {
            assert_eq!(image_problem(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("", "empty"),
            ("a b", "whitespace"),
            ("https://quay.io/x", "https://"),
            ("quay.io/x:", "tag"),
            ("quay.io/x@", "digest"),
            ("quay.io/x@sha256:zz", "digest"),
            ("quay.io/Org/x", "lowercase"),
            ("quay.io//x", "empty repository"),
            ("bad_host.io:99999/x", "registry"),
        ] {
            let why = image_problem(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(why.contains(says), "{bad}: {why}");
        }
    }

    #[test]
    fn annotation_keys() {
        for ok in [
            "a",
            "example.com/x",
            "hosted-cluster.io/control-plane",
            "A_b.c",
        ] {
            assert_eq!(annotation_key_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "-a",
            "example.com/",
            "Example.COM/x",
            "a/b/c",
            "bad key!",
            &"a".repeat(64),
        ] {
            assert!(annotation_key_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn hosts() {
        for ok in ["10.0.0.5", "::1", "api.example.com", "api"] {
            assert_eq!(host_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "10.0.0.5:6443",
            "https://10.0.0.5",
            "bad address",
            "api_host",
            "1.2.3.999",
        ] {
            assert!(host_problem(bad).is_some(), "{bad}");
        }
    }
}

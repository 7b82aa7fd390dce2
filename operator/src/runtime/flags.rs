//! Checks of flag values that clap's types cannot express, each naming its flag.

/// A Kubernetes namespace name (an RFC 1123 label), for `--watch-namespace` and
/// `--lease-namespace`.
pub fn namespace(value: &str) -> Result<String, String> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{value:?} is not a namespace name: at most 63 lower-case letters, digits and '-', \
             starting and ending with a letter or digit"
        ))
    }
}

/// Levels a bare `RUST_LOG` directive may name.
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// Checks `RUST_LOG`: it must parse, and a directive without `=` must be a level (a bare word
/// is otherwise read as a target at every level, so a typo such as `verbose` would silently log
/// nothing extra).
pub fn log_filter(value: &str) -> Result<tracing_subscriber::EnvFilter, String> {
    let bad = |why: String| format!("RUST_LOG {value:?}: {why}");
    for directive in value.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !directive.contains('=')
            && !directive.contains("::")
            && !directive.contains('[')
            && !LEVELS.contains(&directive.to_ascii_lowercase().as_str())
        {
            return Err(bad(format!(
                "{directive:?} is not a level ({}); write TARGET=LEVEL for a target",
                LEVELS.join(", ")
            )));
        }
    }
    tracing_subscriber::EnvFilter::builder()
        .parse(value)
        .map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        assert!(namespace("hypershift").is_ok());
        assert!(namespace("a-1").is_ok());
        for bad in ["", "Bad_NS!", "Bad NS", "-a", "a-", &"a".repeat(64)] {
            assert!(namespace(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn log_filters() {
        for good in [
            "info",
            "warn,kube=debug",
            "hosted_cluster_operator::runtime=trace",
            "INFO",
        ] {
            assert!(log_filter(good).is_ok(), "{good}");
        }
        for bad in ["verbose", "info,kube=loud", "=debug=x"] {
            let e = log_filter(bad).unwrap_err();
            assert!(e.starts_with("RUST_LOG"), "{e}");
        }
    }
}

//! Architecture rules that the compiler cannot check.
//!
//! - One list: `linked-plugins/src/lib.rs` is the only code that names an in-tree platform crate,
//!   one line per platform. Binaries and tests link platforms by naming `linked_plugins`.
//! - Adding a platform touches its crate and that one line (plus Cargo manifests): the example
//!   platform (`examples/*`) is named nowhere else in the tree, yet `create cluster <it>` shows
//!   up in the CLI's help, generated from its registration.
//! - Platform names (MAAS) appear only in their own crates, the list, and the help the CLI
//!   generates from the registry. The one explicit exception is the `maas` tool command of the
//!   CLI (`cli/src/commands/maas/`, see [`MAAS_TOOL_WIRING`]).
//! - Nothing outside the platform crates branches on a platform type.

use std::path::{Path, PathBuf};
use suite::repo_root;

/// Every file under `dir`, skipping build output and hidden directories (`.git`).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                files_under(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut all = Vec::new();
    files_under(dir, &mut all);
    out.extend(
        all.into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "rs")),
    );
}

fn rel(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with("//")
}

/// `word` occurs in `line` as a whole identifier (not as part of a longer one).
fn names(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

const LIST: &str = "linked-plugins/src/lib.rs";

/// The crates the one list links: the identifiers inside `platforms! { ... }`.
fn listed_crates() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join(LIST)).unwrap();
    let start = text
        .find("\nplatforms! {")
        .expect("the list is a `platforms! { ... }` invocation");
    let body = &text[start + "\nplatforms! {".len()..];
    let body = &body[..body.find('}').unwrap()];
    let crates: Vec<String> = body
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    assert!(!crates.is_empty(), "the list links no platform");
    crates
}

/// Workspace directory of each package, by package name (from every Cargo.toml in the tree).
fn package_dirs() -> Vec<(String, String)> {
    let mut files = Vec::new();
    files_under(&repo_root(), &mut files);
    files
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "Cargo.toml"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let package = text.split("[package]").nth(1)?;
            let name = package
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))?
                .trim_matches('"')
                .to_string();
            let dir = rel(p.parent().unwrap());
            Some((name, dir))
        })
        .collect()
}

fn dir_of_crate(krate: &str) -> String {
    let package = krate.replace('_', "-");
    package_dirs()
        .into_iter()
        .find(|(name, _)| *name == package)
        .unwrap_or_else(|| panic!("no package {package} in the tree"))
        .1
}

fn in_dir(rel: &str, dir: &str) -> bool {
    dir.is_empty() || rel.starts_with(&format!("{dir}/"))
}

#[test]
fn only_the_list_names_a_platform_crate_in_code() {
    let crates = listed_crates();
    let list = std::fs::read_to_string(repo_root().join(LIST)).unwrap();
    let mut files = Vec::new();
    rust_files(&repo_root(), &mut files);
    let mut offenders = Vec::new();
    for krate in &crates {
        let own = dir_of_crate(krate);
        let lines_in_list = list.lines().filter(|l| names(l, krate)).count();
        assert_eq!(lines_in_list, 1, "{LIST} names {krate} on one line");
        for f in &files {
            let r = rel(f);
            if r == LIST || in_dir(&r, &own) {
                continue;
            }
            let text = std::fs::read_to_string(f).unwrap();
            for (i, line) in text.lines().enumerate() {
                if names(line, krate) && !is_comment(line) {
                    offenders.push(format!("{r}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "a platform crate named outside {LIST}; link it through linked_plugins instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn binaries_and_tests_link_the_list() {
    let root = repo_root();
    // The places that link platforms name the list itself; every other test reaches it through
    // the suite library (tests/support/lib.rs) or the CLI library.
    for file in [
        "cli/src/lib.rs",
        "operator/src/main.rs",
        "operator/tests/support/mod.rs",
        "tests/support/lib.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(
            text.lines()
                .any(|l| l.trim() == "use linked_plugins as _;" || l.contains("linked_plugins::")),
            "{file} does not name linked_plugins"
        );
    }
    for entry in std::fs::read_dir(root.join("tests")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(
                text.contains("suite::")
                    || text.contains("use suite")
                    || text.contains("linked_plugins"),
                "{} links no platform: name `suite` or `linked_plugins`",
                rel(&p)
            );
        }
    }
}

/// The example platform: the listed crate that lives under `examples/`.
struct Example {
    dir: String,
    /// Package name, crate identifier, and the types it declares.
    identifiers: Vec<String>,
    platform_type: String,
}

fn example_platform() -> Example {
    let (krate, dir) = listed_crates()
        .into_iter()
        .map(|k| {
            let d = dir_of_crate(&k);
            (k, d)
        })
        .find(|(_, d)| d.starts_with("examples/"))
        .expect("the list links the example platform");
    let mut identifiers = vec![krate.replace('_', "-"), krate.clone()];
    let mut platform_type = None;
    let mut files = Vec::new();
    rust_files(&repo_root().join(&dir), &mut files);
    for f in files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["pub", "struct" | "enum" | "trait", name, ..] = words.as_slice() {
                identifiers.push(name.trim_end_matches([';', '{']).to_string());
            }
            if let Some(v) = line.trim().strip_prefix("pub const PLATFORM_TYPE: &str = ") {
                platform_type = Some(v.trim_end_matches(';').trim_matches('"').to_string());
            }
        }
    }
    Example {
        dir,
        identifiers,
        platform_type: platform_type.expect("the example declares PLATFORM_TYPE"),
    }
}

#[test]
fn the_example_platform_is_named_only_by_its_crate_and_one_line_of_the_list() {
    let example = example_platform();
    let mut files = Vec::new();
    files_under(&repo_root(), &mut files);
    let mut offenders = Vec::new();
    let mut in_list = 0;
    for f in files {
        let r = rel(&f);
        // Allowed: the crate itself, Cargo manifests and the lock file (a dependency is declared
        // there), `crds/` (crdgen writes the platform's schema, doc comments included, from its
        // registration), and the README, which points at the example as the crate to copy.
        let name = f.file_name().unwrap().to_string_lossy();
        if in_dir(&r, &example.dir)
            || name == "Cargo.toml"
            || name == "Cargo.lock"
            || r.starts_with("crds/")
            || r == "README.md"
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue; // not text
        };
        for (i, line) in text.lines().enumerate() {
            if example.identifiers.iter().any(|id| names(line, id)) {
                if r == LIST {
                    in_list += 1;
                } else {
                    offenders.push(format!("{r}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the example platform ({}) is named outside its crate and the list:\n{}",
        example.identifiers.join(", "),
        offenders.join("\n")
    );
    assert_eq!(in_list, 1, "{LIST} names the example platform on one line");
}

/// The `create cluster` subcommand the example platform registered.
fn example_cli_name() -> (&'static str, &'static str) {
    let example = example_platform();
    let cli = cli_plugin::platform_clis()
        .unwrap()
        .iter()
        .find(|c| c.platform_type() == example.platform_type)
        .expect("the example platform registers a command-line part");
    (cli.name(), cli.about())
}

#[test]
fn create_cluster_help_lists_the_example_platform_from_its_registration() {
    let (name, about) = example_cli_name();
    let run = suite::cli(&["create", "cluster", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{name} ")) && l.contains(about)),
        "`create cluster --help` does not list {name}:\n{}",
        run.stdout
    );
    let run = suite::cli(&["create", "cluster", name, "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(about) && run.stdout.contains("--release-image"));
}

#[test]
fn create_cluster_example_renders_a_cluster_of_its_type() {
    let (name, _) = example_cli_name();
    let ps = suite::pull_secret_file();
    let run = suite::cli(&[
        "create",
        "cluster",
        name,
        "--name",
        "demo",
        "--release-image",
        "quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64",
        "--pull-secret",
        ps.to_str().unwrap(),
        "--render",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let objects = suite::docs(&run.stdout);
    let hc = objects
        .iter()
        .find(|o| o["kind"] == "HostedCluster")
        .expect("a HostedCluster");
    assert_eq!(
        hc["spec"]["platform"]["type"],
        example_platform().platform_type.as_str()
    );
    for obj in &objects {
        suite::validate_strictly(obj);
    }
}

/// Lines outside the MAAS crates that may name MAAS: the CLI's `maas` tool command (check a
/// MAAS, manage its VM hosts, serve a simulated MAAS). It is not part of the platform axis, it is
/// MAAS's own tooling, and it stays in the CLI (`cli/src/commands/maas/`) because it is a
/// command of the `hosted-cluster` binary; these lines declare and dispatch it.
const MAAS_TOOL_WIRING: &[(&str, &str)] = &[
    ("cli/src/commands/mod.rs", "pub mod maas;"),
    (
        "cli/src/commands/mod.rs",
        "/// Check a MAAS, manage its LXD VM hosts, or serve a simulated MAAS.",
    ),
    ("cli/src/commands/mod.rs", "Maas(maas::MaasCommand),"),
    (
        "cli/src/lib.rs",
        "Command::Maas(cmd) => commands::maas::run(cmd, out, err).await,",
    ),
];

#[test]
fn maas_is_named_only_by_its_crates_and_the_list() {
    let root = repo_root();
    let entries: Vec<String> = listed_crates().iter().map(|c| format!("{c},")).collect();
    let mut offenders = Vec::new();
    // The CLI and the plugin crates: every line, comments too.
    // Platform-api, the operator and kube-fake: code only (their docs may use MAAS as the
    // running example of a platform; a doc comment links nothing).
    // Not scanned: the MAAS crates (platform-maas, maas-*), tests (the cross-crate suite
    // exercises MAAS end to end) and testkit (it validates against CAPMAAS's upstream CRDs).
    for (dir, comments_too) in [
        ("cli/src", true),
        ("cli-plugin/src", true),
        ("linked-plugins/src", true),
        ("examples", true),
        ("platform-api/src", false),
        ("operator/src", false),
        ("kube-fake/src", false),
    ] {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        for f in files {
            let r = rel(&f);
            if r.starts_with("cli/src/commands/maas/") {
                continue; // the MAAS tool command, see MAAS_TOOL_WIRING
            }
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, line) in text.lines().enumerate() {
                let allowed = MAAS_TOOL_WIRING.contains(&(r.as_str(), line.trim()))
                    || (r == LIST && entries.contains(&line.trim().to_string()))
                    || (!comments_too && is_comment(line));
                if line.to_ascii_lowercase().contains("maas") && !allowed {
                    offenders.push(format!("{r}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "MAAS named outside its crates and the one list:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_maas_subcommands_come_from_the_registry() {
    // `create cluster maas` is generated from platform-maas's registration: the help shows it,
    // and the MAAS flags are declared only in platform-maas (the scan above).
    let clis = cli_plugin::platform_clis().unwrap();
    let maas = clis
        .iter()
        .find(|c| c.platform_type() == "MAAS")
        .expect("platform-maas registers its command-line part");
    let run = suite::cli(&["create", "cluster", "--help"]);
    assert!(run.stdout.contains(maas.about()), "{}", run.stdout);
}

#[test]
fn no_branching_on_platform_type_outside_the_registry() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [
        "platform-api/src",
        "cli/src",
        "cli-plugin/src",
        "linked-plugins/src",
        "operator/src",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut offenders = Vec::new();
    for f in files {
        let r = rel(&f);
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let compact: String = line.split_whitespace().collect();
            let branches = compact.contains("match") && compact.contains("platform.type_")
                || compact.contains("type_==\"")
                || compact.contains("platform_type()==\"");
            if branches {
                offenders.push(format!("{r}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "branching on a platform type outside the registry:\n{}",
        offenders.join("\n")
    );
}

// ---- Control-plane backends: the same rules, for the second pluggable axis. ----

/// The backend crates the one list links: the identifiers inside `control_planes! { ... }`.
fn listed_backend_crates() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join(LIST)).unwrap();
    let start = text
        .find("\ncontrol_planes! {")
        .expect("the list has a `control_planes! { ... }` invocation");
    let body = &text[start + "\ncontrol_planes! {".len()..];
    let body = &body[..body.find('}').unwrap()];
    let crates: Vec<String> = body
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    assert!(
        !crates.is_empty(),
        "the list links no control-plane backend"
    );
    crates
}

/// The `CONTROL_PLANE` name a backend crate declares.
fn backend_name(krate: &str) -> String {
    let mut files = Vec::new();
    rust_files(&repo_root().join(dir_of_crate(krate)), &mut files);
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter_map(|l| {
                    l.trim()
                        .strip_prefix("pub const CONTROL_PLANE: &str = ")
                        .map(|v| v.trim_end_matches(';').trim_matches('"').to_string())
                })
                .collect::<Vec<_>>()
        })
        .next()
        .unwrap_or_else(|| panic!("{krate} declares `pub const CONTROL_PLANE: &str`"))
}

#[test]
fn only_the_list_names_a_backend_crate_in_code() {
    let list = std::fs::read_to_string(repo_root().join(LIST)).unwrap();
    let mut files = Vec::new();
    rust_files(&repo_root(), &mut files);
    let mut offenders = Vec::new();
    for krate in listed_backend_crates() {
        let own = dir_of_crate(&krate);
        let lines_in_list = list.lines().filter(|l| names(l, &krate)).count();
        assert_eq!(lines_in_list, 1, "{LIST} names {krate} on one line");
        for f in &files {
            let r = rel(f);
            if r == LIST || in_dir(&r, &own) {
                continue;
            }
            let text = std::fs::read_to_string(f).unwrap();
            for (i, line) in text.lines().enumerate() {
                if names(line, &krate) && !is_comment(line) {
                    offenders.push(format!("{r}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "a backend crate named outside {LIST}; link it through linked_plugins instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_branching_on_a_backend_name_outside_the_registry() {
    let root = repo_root();
    let backends: Vec<String> = listed_backend_crates()
        .iter()
        .map(|k| backend_name(k))
        .collect();
    let mut files = Vec::new();
    for dir in [
        "platform-api/src",
        "cli/src",
        "cli-plugin/src",
        "linked-plugins/src",
        "operator/src",
        "platform-maas/src",
        "examples",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut offenders = Vec::new();
    for f in files {
        let r = rel(&f);
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if is_comment(line) {
                continue;
            }
            let compact: String = line.split_whitespace().collect();
            for name in &backends {
                let quoted = format!("\"{name}\"");
                let branches = compact.contains(&format!("=={quoted}"))
                    || compact.contains(&format!("!={quoted}"))
                    || compact.contains(&format!("{quoted}=>"))
                    || compact.contains(&format!("{quoted}|"));
                if branches {
                    offenders.push(format!("{r}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "branching on a control-plane backend name outside the registry:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn every_listed_backend_is_registered_and_the_first_is_the_default() {
    linked_plugins::check_registered().unwrap();
    let registry = platform_api::control_plane::control_plane_registry().unwrap();
    let crates = listed_backend_crates();
    let names: Vec<String> = crates.iter().map(|k| backend_name(k)).collect();
    for name in &names {
        assert!(
            registry.names().contains(&name.as_str()),
            "{name} is not registered"
        );
    }
    assert_eq!(registry.default_name().unwrap(), names[0]);
    assert_eq!(linked_plugins::DEFAULT_CONTROL_PLANE, names[0]);
}

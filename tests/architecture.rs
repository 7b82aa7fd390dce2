//! Architecture rules that the compiler cannot check:
//! - nothing outside the platform crates branches on or names a platform type;
//! - only the CLI's command wiring names MAAS outside platform-maas (and the MAAS client crates).

use std::path::{Path, PathBuf};
use suite::repo_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Files allowed to name MAAS outside the MAAS crates: the CLI's command wiring.
const WIRING: &[&str] = &[
    "cli/src/commands/mod.rs",
    "cli/src/commands/maas_create.rs",
    "cli/src/commands/create.rs",
    "cli/src/commands/destroy.rs",
    "cli/src/lib.rs",
];

#[test]
fn only_platform_crates_and_cli_wiring_name_maas() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["platform-api", "cli", "operator", "tests", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut offenders = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if WIRING.contains(&rel.as_str())
            || rel.starts_with("tests/")
            || rel.starts_with("cli/src/commands/maas/")
        {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let l = line.to_ascii_lowercase();
            if l.contains("maas") && !l.trim_start().starts_with("//") {
                offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "MAAS named outside platform-maas and the CLI wiring:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_branching_on_platform_type_outside_the_registry() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["platform-api/src", "cli/src", "operator/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut offenders = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let compact: String = line.split_whitespace().collect();
            let branches = compact.contains("match") && compact.contains("platform.type_")
                || compact.contains("type_==\"")
                || compact.contains("platform_type()==\"");
            if branches {
                offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "branching on a platform type outside the registry:\n{}",
        offenders.join("\n")
    );
}

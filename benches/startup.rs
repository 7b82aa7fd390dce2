//! Start-up of the `hosted-cluster` binary against the process floor.
//!
//! Builds a hello-world binary with `rustc -O`, then runs it, `hosted-cluster --version` and
//! the acceptance `create cluster maas ... --render` N times each, interleaved (so that load on
//! the machine hits all three alike), and prints the mean and median wall time of each (spawn
//! to exit) and their ratios to hello-world.
//!
//! ```text
//! cargo bench --bench startup [-- --runs 200]
//! ```
//!
//! Under `cargo bench` it first builds the release binary (`cargo build --release --workspace
//! --bin hosted-cluster`: `--workspace` keeps the workspace-wide feature set, so the built
//! dependencies are reused); `HOSTED_CLUSTER_BIN=path` measures another build instead. The file also
//! compiles on its own (`rustc -O benches/startup.rs`, then it measures
//! `target/release/hosted-cluster`). Not a test: `cargo test` does not run it, and CI only
//! compiles it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HELLO: &str = "fn main() { println!(\"hello, world\"); }\n";

fn main() {
    let runs = runs_from_args().unwrap_or(200);
    let dir = PathBuf::from(option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target/startup-bench"));
    std::fs::create_dir_all(&dir).expect("create the bench directory");
    let cli = match std::env::var_os("HOSTED_CLUSTER_BIN") {
        Some(path) => PathBuf::from(path),
        None => release_binary(),
    };
    assert!(
        cli.exists(),
        "{} does not exist; build it first",
        cli.display()
    );
    let hello = build_hello(&dir);

    let pull_secret = dir.join("pull-secret.json");
    std::fs::write(&pull_secret, "{\"auths\":{}}\n").expect("write the pull secret");
    // The acceptance command of the suite (tests/support), with a dummy pull secret.
    let render: Vec<String> = "create cluster maas --name demo \
        --maas-endpoint http://10.0.0.2:5240/MAAS --maas-api-key ck:tk:ts --maas-zone zone1 \
        --maas-dns-domain custom.maas.local --maas-image ubuntu/jammy \
        --release-image quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64 --render"
        .split_whitespace()
        .map(str::to_string)
        .chain(["--pull-secret".into(), pull_secret.display().to_string()])
        .collect();

    let subjects: [(&str, &Path, Vec<String>); 3] = [
        ("hello-world", &hello, vec![]),
        ("hosted-cluster --version", &cli, vec!["--version".into()]),
        ("create cluster maas --render", &cli, render),
    ];
    for (name, bin, args) in &subjects {
        // Each must work, and one unmeasured run warms the page cache.
        let status = Command::new(bin).args(args).stdout(Stdio::null()).status();
        assert!(
            status.as_ref().is_ok_and(|s| s.success()),
            "{name}: {status:?}"
        );
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); subjects.len()];
    for _ in 0..runs {
        for (i, (_, bin, args)) in subjects.iter().enumerate() {
            let started = Instant::now();
            let status = Command::new(bin)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("spawn");
            times[i].push(started.elapsed());
            assert!(status.success());
        }
    }

    println!("{runs} runs each, interleaved; wall time from spawn to exit");
    println!("binary: {} ({} bytes)", cli.display(), size(&cli));
    let (floor_mean, floor_median) = stats(&mut times[0]);
    for ((name, _, _), t) in subjects.iter().zip(times.iter_mut()) {
        let (mean, median) = stats(t);
        println!(
            "{name:<30} mean {:>7.3} ms  median {:>7.3} ms  ratio to hello-world: mean {:.2}x, median {:.2}x",
            ms(mean),
            ms(median),
            ms(mean) / ms(floor_mean),
            ms(median) / ms(floor_median),
        );
    }
}

/// `target/release/hosted-cluster`, built first when run by cargo.
fn release_binary() -> PathBuf {
    let root = PathBuf::from(option_env!("CARGO_MANIFEST_DIR").unwrap_or("."));
    if let Some(cargo) = std::env::var_os("CARGO") {
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--workspace",
                "--bin",
                "hosted-cluster",
            ])
            .current_dir(&root)
            .status()
            .expect("run cargo");
        assert!(status.success(), "cargo build --release failed: {status}");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target.join("release").join("hosted-cluster")
}

fn runs_from_args() -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--runs")?;
    args.get(i + 1)?.parse().ok()
}

/// `hello-world` built with `rustc -O` in `dir`.
fn build_hello(dir: &Path) -> PathBuf {
    let src = dir.join("hello.rs");
    let bin = dir.join("hello");
    std::fs::write(&src, HELLO).expect("write hello.rs");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(rustc)
        .args(["-O", "--edition", "2021", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("run rustc");
    assert!(status.success(), "rustc failed: {status}");
    bin
}

fn stats(t: &mut [Duration]) -> (Duration, Duration) {
    t.sort_unstable();
    let mean = t.iter().sum::<Duration>() / t.len() as u32;
    (mean, t[t.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

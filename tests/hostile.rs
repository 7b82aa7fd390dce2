//! The hostile suite (issue 11): tables of bad input, one file per area, each case asserting
//! the exit status, that the message names the flag/field/object at fault, and that nothing was
//! written (no output file, no object sent to the cluster, no MAAS state changed).
//!
//! One test binary for every area keeps the build short; each area's table is in
//! `tests/hostile/<area>.rs`. `HOSTILE_FILTER=word` runs only the cases whose id contains it.

// The suite library links every in-tree platform.
use suite as _;

#[path = "hostile/cli.rs"]
mod cli;
#[path = "hostile/client.rs"]
mod client;
#[path = "hostile/files.rs"]
mod files;
#[path = "hostile/render.rs"]
mod render;
#[path = "hostile/simulator.rs"]
mod simulator;

/// Whether the case `id` is selected by `HOSTILE_FILTER`.
pub fn selected(id: &str) -> bool {
    std::env::var("HOSTILE_FILTER").map_or(true, |f| id.contains(&f))
}

/// Runs every case, collecting failures so one run shows them all.
pub fn run_table<C>(area: &str, cases: &[C], mut check: impl FnMut(&C) -> Result<(), String>) {
    let mut failures = Vec::new();
    for case in cases {
        if let Err(e) = check(case) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {area} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

//! Links the `hosted-cluster` binary as a non-PIE executable.
//!
//! As a PIE, the loader applied ~26,800 relative relocations at every start and copied each
//! page of `.data.rel.ro` (~470 KB) it wrote to: most of the start-up time above a hello-world
//! binary went there. A fixed-address executable has those pointers resolved at link time. The
//! cost is ASLR for this one binary (a short-lived command; libraries, stack and heap are still
//! randomised). Only this binary: the library, tests and crdgen link as before.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bin=hosted-cluster=-no-pie");
    }
}

//! Link flags of the `hosted-cluster` binary (only its link step: no dependency is rebuilt).
//!
//! RELR (`-z pack-relative-relocs`): the position-independent binary (ASLR stays on) carries some
//! 27,000 relative relocations, one 24-byte entry each, which the dynamic loader reads and applies
//! at every start. RELR packs them into a bitmap of a few KB, so start-up reads and walks far less.
//! The loader must know RELR: glibc 2.36 or newer (the binary then requires the symbol version
//! `GLIBC_ABI_DT_RELR`, so an older glibc refuses it with a clear message rather than crashing).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=hosted-cluster=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

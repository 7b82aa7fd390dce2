//! The registry finds every linked platform, rejects duplicates, and names the known types when
//! a look-up fails.

use platform_api::registry::{PlatformRegistration, Registry, RegistryError};
// This test binary links the example platform too; naming it keeps its registration.
use platform_none as _;

#[test]
fn maas_and_the_example_platform_are_registered() {
    let registry = platform_api::registry().expect("no duplicate registrations");
    assert_eq!(registry.names(), vec!["MAAS", "None"]);
    assert_eq!(registry.get("MAAS").unwrap().platform_type(), "MAAS");
}

#[test]
fn the_cli_links_maas() {
    // crds::generate runs in the CLI library, which names platform_maas itself.
    let crds = hosted_cluster_cli::crds::generate().unwrap();
    assert!(
        crds[0]
            .1
            .contains("spec.platform.maas is only allowed when type is MAAS")
    );
}

#[test]
fn unknown_platform_lists_known_ones() {
    let err = platform_api::platform_for("AWS")
        .err()
        .expect("AWS is not linked");
    let msg = err.to_string();
    assert!(
        msg.contains("\"AWS\"") && msg.contains("MAAS, None"),
        "{msg}"
    );
}

fn maas() -> Box<dyn platform_api::Platform> {
    Box::new(platform_maas::Maas)
}

#[test]
fn duplicates_are_rejected() {
    let regs = [
        PlatformRegistration {
            name: "MAAS",
            constructor: maas,
        },
        PlatformRegistration {
            name: "MAAS",
            constructor: maas,
        },
    ];
    assert_eq!(
        Registry::from_registrations(&regs).err(),
        Some(RegistryError::Duplicate { name: "MAAS" })
    );
}

#[test]
fn a_registration_name_must_match_the_platform() {
    let regs = [PlatformRegistration {
        name: "Metal",
        constructor: maas,
    }];
    assert_eq!(
        Registry::from_registrations(&regs).err(),
        Some(RegistryError::NameMismatch {
            registered: "Metal",
            reported: "MAAS"
        })
    );
}

#[test]
fn an_empty_registry_says_nothing_is_linked() {
    let registry = Registry::from_registrations(&[]).unwrap();
    let msg = registry.get("MAAS").err().unwrap().to_string();
    assert!(msg.contains("no platform crate is linked"), "{msg}");
}

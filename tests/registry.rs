//! The registries find every linked platform (and its command-line part), reject duplicates,
//! and name the known types when a look-up fails.

use cli_plugin::{CliRegistryError, PlatformCliRegistration, PlatformClis};
use platform_api::registry::{PlatformRegistration, Registry, RegistryError};
// Links the in-tree platforms: the one list, nothing else.
use linked_plugins::PLATFORMS;

fn sorted(names: &[&'static str]) -> Vec<&'static str> {
    let mut names = names.to_vec();
    names.sort();
    names
}

#[test]
fn the_linked_platforms_are_registered() {
    let registry = platform_api::registry().expect("no duplicate registrations");
    assert_eq!(registry.names(), sorted(PLATFORMS));
    assert_eq!(registry.get("MAAS").unwrap().platform_type(), "MAAS");
    linked_plugins::check_registered().unwrap();
}

#[test]
fn each_linked_platform_has_a_command_line_part() {
    let clis = cli_plugin::platform_clis().expect("no duplicate registrations");
    let mut types: Vec<_> = clis.iter().map(|c| c.platform_type()).collect();
    types.sort();
    assert_eq!(types, sorted(PLATFORMS));
    for cli in clis.iter() {
        let registry = platform_api::registry().unwrap();
        assert!(registry.get(cli.platform_type()).is_ok(), "{}", cli.name());
    }
}

#[test]
fn the_cli_links_maas() {
    // crds::generate runs in the CLI library, which names linked_plugins itself.
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
        msg.contains("\"AWS\"") && msg.contains(&sorted(PLATFORMS).join(", ")),
        "{msg}"
    );
}

fn maas() -> Box<dyn platform_api::Platform> {
    platform_api::platform_for("MAAS").unwrap()
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

#[test]
fn a_command_line_part_registered_twice_is_rejected() {
    let maas = cli_plugin::platform_clis().unwrap().get("maas").unwrap();
    let regs = [PlatformCliRegistration(maas), PlatformCliRegistration(maas)];
    assert_eq!(
        PlatformClis::from_registrations(&regs).err(),
        Some(CliRegistryError::Duplicate { name: "maas" })
    );
}

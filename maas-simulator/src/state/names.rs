//! Generated identifiers: system ids, VM hostnames, MAC addresses, digests.

use rand::Rng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};

/// A random alphanumeric string, as MAAS API key parts are.
pub(crate) fn token(rng: &mut StdRng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Letters and digits MAAS-style system ids are drawn from (no look-alikes such as 0/o, 1/l).
const SYSTEM_ID_ALPHABET: &[u8] = b"abcdefghjkmnpqrstwxy3456789";

/// A fresh six-character system id not in `taken`.
pub(crate) fn system_id(rng: &mut StdRng, taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id: String = (0..6)
            .map(|_| char::from(SYSTEM_ID_ALPHABET[rng.random_range(0..SYSTEM_ID_ALPHABET.len())]))
            .collect();
        if !taken(&id) {
            return id;
        }
    }
}

const ADJECTIVES: &[&str] = &[
    "able", "brave", "calm", "clever", "eager", "fair", "fond", "glad", "happy", "keen", "kind",
    "lucky", "merry", "neat", "noble", "polite", "proud", "quick", "sharp", "tidy", "vital",
    "witty",
];
const ANIMALS: &[&str] = &[
    "ant", "bat", "bison", "cat", "cod", "crow", "deer", "eel", "fox", "gnu", "hen", "ibex", "jay",
    "koala", "lark", "mole", "newt", "owl", "pika", "quail", "seal", "yak",
];

/// A two-word hostname like the ones MAAS gives composed machines (`calm-cod`), not in `taken`.
pub(crate) fn petname(rng: &mut StdRng, taken: impl Fn(&str) -> bool) -> String {
    for attempt in 0.. {
        let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
        let animal = ANIMALS[rng.random_range(0..ANIMALS.len())];
        let name = if attempt < 50 {
            format!("{adjective}-{animal}")
        } else {
            format!("{adjective}-{animal}-{}", rng.random_range(10..100))
        };
        if !taken(&name) {
            return name;
        }
    }
    unreachable!("the loop only ends by returning")
}

/// A MAC address with the given three-byte prefix (e.g. LXD's `00:16:3e`).
pub(crate) fn mac(rng: &mut StdRng, prefix: [u8; 3]) -> String {
    let tail: [u8; 3] = rng.random();
    let bytes = [prefix[0], prefix[1], prefix[2], tail[0], tail[1], tail[2]];
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A stable UUID-shaped string for `hardware_uuid`, derived from a seed string.
pub(crate) fn uuid_from(seed: &str) -> String {
    let hex = hex_digest(seed);
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Hex SHA-256 of `text`.
pub(crate) fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// MAAS (Django) hostname validation: labels of letters, digits and inner hyphens.
pub(crate) fn valid_hostname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_names_avoid_taken_ones() {
        let mut rng = StdRng::seed_from_u64(1);
        let first = system_id(&mut rng, |_| false);
        assert_eq!(first.len(), 6);
        let mut rng = StdRng::seed_from_u64(1);
        let second = system_id(&mut rng, |id| id == first);
        assert_ne!(first, second);
        let name = petname(&mut rng, |_| false);
        assert!(valid_hostname(&name), "{name}");
    }

    #[test]
    fn uuid_shape() {
        let uuid = uuid_from("x");
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
    }
}

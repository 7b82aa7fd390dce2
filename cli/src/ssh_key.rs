//! `--ssh-key`: public keys only, in `authorized_keys` form. A private key is refused before it
//! goes anywhere: it would otherwise land in a Secret every node reads.

use base64::Engine;

/// Key types OpenSSH writes into `authorized_keys` (and their certificate forms).
fn is_key_type(t: &str) -> bool {
    t.starts_with("ssh-") || t.starts_with("ecdsa-sha2-") || t.starts_with("sk-")
}

/// Checks the file's text: one or more `authorized_keys` lines (comments and blank lines allowed).
/// The error is the sentence after the flag.
pub fn check(path: &str, bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("PRIVATE KEY") {
        return Err(format!(
            "{path} is a private key; it was not read into anything (no Secret was made from it). \
             Give the public key, e.g. ~/.ssh/id_ed25519.pub"
        ));
    }
    if std::str::from_utf8(bytes).is_err() {
        return Err(format!(
            "{path} is not text; give a public key file in authorized_keys form, e.g. ~/.ssh/id_ed25519.pub"
        ));
    }
    let mut keys = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        // An options prefix (e.g. `no-pty,command="..."`) may precede the key type.
        let at = fields.iter().position(|f| is_key_type(f));
        let ok = at.is_some_and(|at| {
            fields.get(at + 1).is_some_and(|blob| {
                base64::engine::general_purpose::STANDARD
                    .decode(blob)
                    .is_ok_and(|raw| raw.len() > 4)
            })
        });
        if !ok {
            return Err(format!(
                "{path} line {}: not a public key in authorized_keys form (TYPE BASE64 [COMMENT], e.g. ssh-ed25519 AAAA... user@host)",
                i + 1
            ));
        }
        keys += 1;
    }
    if keys == 0 {
        return Err(format!(
            "{path} holds no public key; give a file with authorized_keys lines, e.g. ~/.ssh/id_ed25519.pub"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn public_keys_pass_private_keys_do_not() {
        let public = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZIZWxsb0hvc3RpbGVTdWl0ZUtleU5vdFJlYWwAAAAA me\n";
        assert!(check("k", public).is_ok());
        let with_options = b"# mine\nno-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZIZWxsb0hvc3RpbGVTdWl0ZUtleU5vdFJlYWwAAAAA\n";
        assert!(check("k", with_options).is_ok());
        let private =
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
        let e = check("k", private).unwrap_err();
        assert!(e.contains("not read into anything"), "{e}");
        assert!(!e.contains("abc"), "the key is not echoed");
        assert!(check("k", b"").unwrap_err().contains("no public key"));
        assert!(check("k", b"ssh-rsa !!!\n").unwrap_err().contains("line 1"));
    }
}

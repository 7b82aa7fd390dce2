//! Hostile files the tables point at by name (`@NAME`): written once per test process.

use std::path::PathBuf;
use std::sync::OnceLock;

/// A private key in OpenSSH format (a throwaway, generated for this suite; it unlocks nothing).
pub const OPENSSH_PRIVATE: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBGSGVsbG9Ib3N0aWxlU3VpdGVLZXlOb3RSZWFsAAAAAAAAAAAAAA==\n-----END OPENSSH PRIVATE KEY-----\n";
/// A valid public key line.
pub const PUBLIC_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZIZWxsb0hvc3RpbGVTdWl0ZUtleU5vdFJlYWwAAAAA suite@example\n";

fn dir() -> PathBuf {
    std::env::temp_dir().join(format!("hosted-cluster-hostile-{}", std::process::id()))
}

/// The hostile files, by name.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let big = |n: usize, fill: u8| vec![fill; n];
    let mut big_json = br#"{"auths":{"quay.io":{"auth":""#.to_vec();
    big_json.extend(big(1024 * 1024 + 16, b'a'));
    big_json.extend(br#""}}}"#);
    vec![
        ("ps-ok", br#"{"auths":{"quay.io":{"auth":"ZmFrZTpmYWtl"}}}"#.to_vec()),
        ("ps-empty", Vec::new()),
        ("ps-not-json", b"auths: {}\n".to_vec()),
        ("ps-array", b"[1,2,3]".to_vec()),
        ("ps-no-auths", br#"{"credsStore":"desktop"}"#.to_vec()),
        ("ps-auths-empty", br#"{"auths":{}}"#.to_vec()),
        ("ps-auths-string", br#"{"auths":"quay.io"}"#.to_vec()),
        ("ps-auths-null", br#"{"auths":null}"#.to_vec()),
        ("ps-binary", vec![0, 159, 146, 150, 255, 0, 1]),
        ("ps-huge", big_json),
        ("ps-truncated", br#"{"auths":{"quay.io":{"auth":"#.to_vec()),
        ("ssh-private", OPENSSH_PRIVATE.as_bytes().to_vec()),
        ("ssh-rsa-private", b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAnotarealkeynotarealkeynotarealkey\n-----END RSA PRIVATE KEY-----\n".to_vec()),
        ("ssh-pkcs8-private", b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n".to_vec()),
        ("ssh-pem-public", b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAnotarealkeynotarealkeynotareal=\n-----END PUBLIC KEY-----\n".to_vec()),
        ("ssh-empty", Vec::new()),
        ("ssh-comments-only", b"# no keys here\n\n".to_vec()),
        ("ssh-garbage", b"hello world\n".to_vec()),
        ("ssh-bad-base64", b"ssh-ed25519 !!!not-base64!!! me@host\n".to_vec()),
        ("ssh-type-only", b"ssh-rsa\n".to_vec()),
        ("ssh-binary", vec![0, 1, 2, 255, 254]),
        ("ssh-huge", {
            let mut v = Vec::new();
            while v.len() <= 1024 * 1024 {
                v.extend_from_slice(PUBLIC_KEY.as_bytes());
            }
            v
        }),
        ("ssh-ok-then-private", format!("{PUBLIC_KEY}{OPENSSH_PRIVATE}").into_bytes()),
        ("ssh-ok", PUBLIC_KEY.as_bytes().to_vec()),
        // Nesting deep enough to overflow a recursive parser's stack.
        ("render-deep-list", format!("kind: HostedCluster\nspec: {}\n", "[".repeat(60_000)).into_bytes()),
        ("render-deep-map", format!("kind: HostedCluster\nspec: {}\n", "{a: ".repeat(30_000)).into_bytes()),
        ("render-deep-json", format!("{{\"kind\": \"HostedCluster\", \"spec\": {}1{}}}", "[".repeat(60_000), "]".repeat(60_000)).into_bytes()),
    ]
}

/// The directory holding every hostile file (plus `a-dir/` and a FIFO `fifo`).
pub fn ensure() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = dir();
        std::fs::create_dir_all(d.join("a-dir")).unwrap();
        for (name, bytes) in files() {
            std::fs::write(d.join(name), bytes).unwrap();
        }
        let fifo = d.join("fifo");
        if !fifo.exists() {
            let ok = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "mkfifo failed");
        }
        d
    })
    .clone()
}

/// `@name` → the path of that hostile file; `@@dir` → the directory; anything else as given.
pub fn resolve(arg: &str) -> String {
    match arg.strip_prefix('@') {
        Some("@dir") => ensure().join("a-dir").display().to_string(),
        Some(name) => ensure().join(name).display().to_string(),
        None => arg.to_string(),
    }
}

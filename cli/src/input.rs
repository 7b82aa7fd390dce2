//! Reading the files the user names on the command line: bounded by what the API can hold and
//! refused early when the path is not a regular file, so `/dev/zero`, a FIFO or a directory gives
//! a message naming the flag instead of an endless read.

use std::io::Read;
use std::path::Path;

/// A Secret holds at most 1 MiB of data (the API server's limit on one Secret).
pub const SECRET_LIMIT: u64 = 1024 * 1024;

/// The limit in the words the messages use.
pub fn limit_text(limit: u64) -> String {
    if limit % (1024 * 1024) == 0 {
        format!("{} MiB", limit / (1024 * 1024))
    } else if limit % 1024 == 0 {
        format!("{} KiB", limit / 1024)
    } else {
        format!("{limit} bytes")
    }
}

/// Reads `path` (given with `flag`) if it is a regular file of at most `limit` bytes. The error is
/// the sentence after the flag: what is wrong and what to give instead.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    if path.as_os_str().is_empty() {
        return Err("is empty; give the path of a file".into());
    }
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(format!("{shown} is a directory; give the path of a file"));
    }
    if !kind.is_file() {
        return Err(format!(
            "{shown} is not a regular file ({}); give the path of a file",
            special_kind(&kind)
        ));
    }
    if meta.len() > limit {
        return Err(too_large(&shown.to_string(), limit));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    read_limited(file, limit).map_err(|e| match e {
        Limited::TooLarge => too_large(&shown.to_string(), limit),
        Limited::Io(e) => format!("cannot read {shown}: {e}"),
    })
}

/// As [`read_file`], as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    let bytes = read_file(path, limit)?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

/// Why a bounded read stopped.
pub enum Limited {
    /// More than the limit was there.
    TooLarge,
    /// The read failed.
    Io(std::io::Error),
}

/// Reads at most `limit` bytes, failing when there are more (the file may grow while read, and
/// stdin has no size).
pub fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, Limited> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Limited::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Limited::TooLarge);
    }
    Ok(bytes)
}

fn too_large(shown: &str, limit: u64) -> String {
    format!(
        "{shown} is larger than {} (the most the API can hold); give the right file",
        limit_text(limit)
    )
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_fifos_are_refused_without_reading() {
        assert!(
            read_file(Path::new("/dev/zero"), 10)
                .unwrap_err()
                .contains("a device")
        );
        assert!(
            read_file(Path::new("/"), 10)
                .unwrap_err()
                .contains("a directory")
        );
        assert!(read_file(Path::new(""), 10).unwrap_err().contains("empty"));
    }

    #[test]
    fn reads_are_bounded() {
        let f = std::env::temp_dir().join(format!("input-rs-{}", std::process::id()));
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_file(&f, 10).unwrap(), b"0123456789");
        assert!(
            read_file(&f, 9)
                .unwrap_err()
                .contains("larger than 9 bytes")
        );
        assert!(matches!(
            read_limited(&b"abc"[..], 2),
            Err(Limited::TooLarge)
        ));
        assert_eq!(limit_text(SECRET_LIMIT), "1 MiB");
        assert_eq!(limit_text(256 * 1024), "256 KiB");
    }
}

//! Reading a file feedgen was pointed at (config, ledger, chapters, media):
//! only a regular file, and never more than a cap. A FIFO would block the
//! build and a device never end, so both are refused before they are opened.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// What a file that is not a regular file is, for a message.
pub(crate) fn kind(m: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if m.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// The bytes of the regular file at `path` (symlinks followed), at most
/// `max`; `None` when nothing is there. Anything else is refused before it is
/// opened: a FIFO would block, a device never end.
pub(crate) fn read_regular(path: &Path, max: u64) -> Result<Option<Vec<u8>>, String> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match fs::read_link(path) {
                Ok(to) => Err(format!(
                    "it is a symlink to {}, which does not exist",
                    to.display()
                )),
                Err(_) => Ok(None),
            };
        }
        Err(e) => return Err(e.to_string()),
    };
    if !meta.is_file() {
        return Err(format!("it is {}, not a regular file", kind(&meta)));
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize + 1);
    // One byte past the cap tells a file over it from one exactly at it.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "it is larger than {}, the most feedgen reads of such a file",
            size_text(max)
        ));
    }
    Ok(Some(bytes))
}

/// `max` in the largest whole unit, for a message.
fn size_text(max: u64) -> String {
    match max {
        m if m >= 1 << 20 && m % (1 << 20) == 0 => format!("{} MiB", m >> 20),
        m if m >= 1 << 10 && m % (1 << 10) == 0 => format!("{} KiB", m >> 10),
        m => format!("{m} bytes"),
    }
}

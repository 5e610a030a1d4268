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

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Refused {
    /// A FIFO, a device, a folder …, as [`kind`] names it.
    NotRegular(&'static str),
    /// A symlink to nothing: where it points.
    Dangling(std::path::PathBuf),
    /// Over the cap.
    TooLarge(u64),
    Io(std::io::Error),
}

/// The bytes of the regular file at `path` (symlinks followed), at most
/// `max`; `None` when nothing is there. Anything else is refused before it is
/// opened: a FIFO would block, a device never end.
pub(crate) fn read_capped(path: &Path, max: u64) -> Result<Option<Vec<u8>>, Refused> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match fs::read_link(path) {
                Ok(to) => Err(Refused::Dangling(to)),
                Err(_) => Ok(None),
            };
        }
        Err(e) => return Err(Refused::Io(e)),
    };
    if !meta.is_file() {
        return Err(Refused::NotRegular(kind(&meta)));
    }
    if meta.len() > max {
        return Err(Refused::TooLarge(max));
    }
    let file = File::open(path).map_err(Refused::Io)?;
    // The path may have been replaced since it was looked at.
    match file.metadata() {
        Ok(m) if !m.is_file() => return Err(Refused::NotRegular(kind(&m))),
        Err(e) => return Err(Refused::Io(e)),
        Ok(_) => {}
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize + 1);
    // One byte past the cap tells a file over it from one exactly at it, and
    // holds when the file grows while it is read.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > max {
        return Err(Refused::TooLarge(max));
    }
    Ok(Some(bytes))
}

/// [`read_capped`], with the refusal as a message.
pub(crate) fn read_regular(path: &Path, max: u64) -> Result<Option<Vec<u8>>, String> {
    read_capped(path, max).map_err(|r| match r {
        Refused::NotRegular(what) => format!("it is {what}, not a regular file"),
        Refused::Dangling(to) => {
            format!("it is a symlink to {}, which does not exist", to.display())
        }
        Refused::TooLarge(max) => format!(
            "it is larger than {}, the most feedgen reads of such a file",
            size_text(max)
        ),
        Refused::Io(e) => e.to_string(),
    })
}

/// `max` in the largest whole unit, for a message.
pub(crate) fn size_text(max: u64) -> String {
    match max {
        m if m >= 1 << 30 && m % (1 << 30) == 0 => format!("{} GiB", m >> 30),
        m if m >= 1 << 20 && m % (1 << 20) == 0 => format!("{} MiB", m >> 20),
        m if m >= 1 << 10 && m % (1 << 10) == 0 => format!("{} KiB", m >> 10),
        1 => "1 byte".to_owned(),
        m => format!("{m} bytes"),
    }
}

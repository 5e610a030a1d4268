//! `feedgen new`: the next episode file, from the show's template.

use std::path::PathBuf;

use crate::input::regular_file::read_regular;
use crate::input::{config, discover, episode, project_root};
use crate::{Error, Options};

/// The template. `{number}`, `{host}` and `{date}` are filled in. Fields the
/// podcaster must still fill are left empty so `check` names each of them.
pub(crate) const TEMPLATE: &str = r#"+++
title = ""
# published = {date}T21:00:00+09:00
audio = ""
+++
# {number}

- Hosted by @{host}
- Recording date: 
- Video: 

## Contents

### @{host}

"#;

/// Writes `episodes/NNN.md` with the next free number; returns its path. Never
/// overwrites an existing file.
pub fn new_episode(opts: &Options) -> Result<PathBuf, Error> {
    let root = project_root(&opts.config);
    let (existing, _) = discover(&root)?;
    let numbers: Vec<(u32, usize)> = existing
        .iter()
        .filter_map(|e| episode::number_from_slug(&e.slug).map(|n| (n, e.slug.len())))
        .collect();
    let last = numbers.iter().map(|&(n, _)| n).max().unwrap_or(0);
    let next = last.checked_add(1).ok_or_else(|| {
        Error::Usage(format!(
            "episode {last} is the highest number feedgen can count to; name the new episode by hand"
        ))
    })?;
    // Numbered slugs set the width (`006` → 3); named ones such as
    // `bonus-interview` take no part in numbering.
    let width = numbers.iter().map(|&(_, w)| w).max().unwrap_or(3).max(3);
    let text = match read_regular(&opts.config, 1 << 20) {
        Ok(Some(b)) => String::from_utf8_lossy(&b).into_owned(),
        Ok(None) => {
            return Err(Error::Read {
                path: opts.config.clone(),
                source: std::io::ErrorKind::NotFound.into(),
            })
        }
        Err(m) => {
            return Err(Error::Read {
                path: opts.config.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, m),
            })
        }
    };
    let (show, _) = config::load(crate::diag::FileId(0), &text);
    let host = show
        .hosts
        .first()
        .cloned()
        .or_else(|| show.people.keys().next().cloned())
        .unwrap_or_else(|| "host".into());
    let number = format!("{next:0width$}");
    let body = TEMPLATE
        .replace("{number}", &number)
        .replace("{host}", &host)
        .replace("{date}", &opts.now.date_naive().to_string());
    let path = root.join("episodes").join(format!("{number}.md"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::Write {
            path: path.clone(),
            source: e,
        })?;
    std::io::Write::write_all(&mut f, body.as_bytes()).map_err(|e| Error::Write {
        path: path.clone(),
        source: e,
    })?;
    Ok(path)
}

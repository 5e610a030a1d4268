//! `feedgen new`: the next episode file, from the show's template.

use std::path::PathBuf;

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
    let existing = discover(&root)?;
    let next = existing
        .iter()
        .filter_map(|e| episode::number_from_slug(&e.slug))
        .max()
        .unwrap_or(0)
        + 1;
    let text = std::fs::read_to_string(&opts.config).map_err(|e| Error::Read {
        path: opts.config.clone(),
        source: e,
    })?;
    let (show, _) = config::load(crate::diag::FileId(0), &text);
    let host = show
        .hosts
        .first()
        .cloned()
        .or_else(|| show.people.keys().next().cloned())
        .unwrap_or_else(|| "host".into());
    let width = existing
        .iter()
        .map(|e| e.slug.len())
        .max()
        .unwrap_or(3)
        .max(3);
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

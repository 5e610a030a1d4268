//! How a document is written a chunk at a time: the crate writes the document
//! without items (its [`Frame`], cut where the items go) and, for each chunk,
//! a document holding only those items, from which the items are taken
//! ([`Wrapper`]). Every byte is the crate's; feedgen only cuts and joins.

use super::RenderError;

/// A document cut where its items go: `head`, then the items (chunks joined
/// by `sep`), then `tail`.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub head: Vec<u8>,
    pub sep: &'static [u8],
    pub tail: Vec<u8>,
}

impl Frame {
    /// `doc`, a document without items, cut before the last `marker` in it.
    pub(crate) fn cut_before(
        doc: &[u8],
        marker: &[u8],
        sep: &'static [u8],
    ) -> Result<Frame, RenderError> {
        let at = memchr::memmem::rfind(doc, marker).ok_or_else(|| {
            RenderError::splice(format!("no {}", String::from_utf8_lossy(marker)))
        })?;
        Ok(Frame {
            head: doc[..at].to_vec(),
            sep,
            tail: doc[at..].to_vec(),
        })
    }
}

/// What a crate writes around the items of a document that holds nothing
/// else: its items are what lies between `prefix` and `suffix`.
#[derive(Debug, Clone)]
pub(crate) struct Wrapper {
    prefix: Vec<u8>,
    suffix: &'static [u8],
}

impl Wrapper {
    /// From what the crate writes for such a document without items.
    pub(crate) fn of_empty(empty: &[u8], suffix: &'static [u8]) -> Result<Wrapper, RenderError> {
        let prefix = empty
            .strip_suffix(suffix)
            .ok_or_else(|| RenderError::splice("an empty document does not end as expected"))?;
        Ok(Wrapper {
            prefix: prefix.to_vec(),
            suffix,
        })
    }

    /// The items of `written`, a document of this wrapper holding them.
    pub(crate) fn items(&self, written: &[u8]) -> Result<Vec<u8>, RenderError> {
        written
            .strip_prefix(self.prefix.as_slice())
            .and_then(|rest| rest.strip_suffix(self.suffix))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                RenderError::splice("items were not written where the document holds them")
            })
    }
}

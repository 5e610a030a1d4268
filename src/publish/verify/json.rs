//! The JSON Feed read back with serde_json, an item at a time: the items the
//! feed model holds, in order, each with its id and notes. serde_json checks
//! only what it decodes, so every value is decoded ([`Decoded`], not skipped)
//! and the bytes pass a UTF-8 check on their way.

use std::io::{BufRead, Read};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Expected, Notes};
use crate::render::fingerprint;

/// The members of an item that are checked; the others are decoded and
/// dropped.
#[derive(Default)]
struct ReadItem {
    id: Option<String>,
    content_html: Option<Hashed>,
}

impl<'de> serde::Deserialize<'de> for ReadItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ReadItem, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ReadItem;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an item object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ReadItem, A::Error> {
                use de::Error;
                let mut item = ReadItem::default();
                while let Some(k) = m.next_key::<String>()? {
                    let twice = match k.as_str() {
                        "id" => item.id.replace(m.next_value()?).is_some(),
                        "content_html" => item.content_html.replace(m.next_value()?).is_some(),
                        _ => m.next_value::<Decoded>().map(|_| false)?,
                    };
                    if twice {
                        return Err(A::Error::custom(format!("`{k}` appears twice in an item")));
                    }
                }
                Ok(item)
            }
        }
        d.deserialize_map(V)
    }
}

/// Any JSON value, decoded and dropped. Unlike `IgnoredAny`, which skips
/// strings without reading their escapes, every string is decoded (a lone
/// surrogate escape is an error).
struct Decoded;

impl<'de> serde::Deserialize<'de> for Decoded {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Decoded, D::Error> {
        d.deserialize_any(Decoded)
    }
}

impl<'de> Visitor<'de> for Decoded {
    type Value = Decoded;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Decoded, E> {
        Ok(Decoded)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Decoded, E> {
        Ok(Decoded)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Decoded, E> {
        Ok(Decoded)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Decoded, E> {
        Ok(Decoded)
    }
    fn visit_str<E>(self, _: &str) -> Result<Decoded, E> {
        Ok(Decoded)
    }
    fn visit_unit<E>(self) -> Result<Decoded, E> {
        Ok(Decoded)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Decoded, A::Error> {
        while s.next_element::<Decoded>()?.is_some() {}
        Ok(Decoded)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Decoded, A::Error> {
        while m.next_entry::<Decoded, Decoded>()?.is_some() {}
        Ok(Decoded)
    }
}

/// A string read as its fingerprint, without a copy of it being kept.
struct Hashed(u64);

impl<'de> serde::Deserialize<'de> for Hashed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hashed, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Hashed;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, s: &str) -> Result<Hashed, E> {
                Ok(Hashed(fingerprint(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Passes bytes on only once they are known to be UTF-8; a character split
/// between two reads waits for its rest.
struct Utf8<R> {
    inner: R,
    buf: Vec<u8>,
    /// `buf[start..checked]` is checked and not yet passed on;
    /// `buf[checked..end]` is the start of a character still to complete.
    start: usize,
    checked: usize,
    end: usize,
}

impl<R: Read> Utf8<R> {
    fn new(inner: R) -> Self {
        Utf8 {
            inner,
            buf: vec![0; 1 << 16],
            start: 0,
            checked: 0,
            end: 0,
        }
    }

    /// Reads more and checks it; false at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        self.buf.copy_within(self.checked..self.end, 0);
        self.end -= self.checked;
        self.start = 0;
        self.checked = 0;
        let n = self.inner.read(&mut self.buf[self.end..])?;
        self.end += n;
        match std::str::from_utf8(&self.buf[..self.end]) {
            Ok(_) => self.checked = self.end,
            Err(e) if e.error_len().is_none() && n > 0 => self.checked = e.valid_up_to(),
            Err(e) => {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
            }
        }
        Ok(n > 0)
    }
}

impl<R: Read> Read for Utf8<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.start == self.checked {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.checked - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

/// The document: an object whose `items` array is read by [`ItemsSeq`].
struct Root<'x>(&'x Expected<'x>);

/// The `items` array: how many items it holds, or `None` when it is not an
/// array.
struct ItemsSeq<'x>(&'x Expected<'x>);

impl<'de> Visitor<'de> for Root<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON Feed object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<usize>, A::Error> {
        use de::Error;
        let mut count = None;
        let mut seen = false;
        while let Some(k) = m.next_key::<String>()? {
            if k == "items" {
                // A reader that keeps the first of two would see other items.
                if std::mem::replace(&mut seen, true) {
                    return Err(A::Error::custom("the items array appears twice"));
                }
                count = m.next_value_seed(ItemsSeq(self.0))?;
            } else {
                m.next_value::<Decoded>()?;
            }
        }
        Ok(count)
    }
}

impl<'de> DeserializeSeed<'de> for ItemsSeq<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeq<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an items array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Option<usize>, A::Error> {
        use de::Error;
        let mut n = 0;
        while let Some(got) = s.next_element::<ReadItem>()? {
            if let Some(want) = self.0.items.get(n) {
                if got.id.as_deref() != Some(want.id_iri.as_str()) {
                    return Err(A::Error::custom(format!(
                        "JSON item id {} read back as {:?}",
                        want.id_iri, got.id
                    )));
                }
            }
            if let Some(Hashed(print)) = got.content_html {
                self.0
                    .notes(n, Notes::Full, print)
                    .map_err(A::Error::custom)?;
            }
            n += 1;
        }
        Ok(Some(n))
    }
    // Anything but an array: no items array.
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<usize>, A::Error> {
        while m.next_entry::<Decoded, Decoded>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Option<usize>, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Option<usize>, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Option<usize>, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Option<usize>, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Option<usize>, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Option<usize>, E> {
        Ok(None)
    }
}

/// The JSON Feed must hold exactly the expected items, in order, with their
/// ids and notes.
pub(super) fn json_feed(input: impl BufRead, expected: &Expected<'_>) -> Result<(), String> {
    let items = expected.items;
    let input = std::io::BufReader::with_capacity(1 << 16, Utf8::new(input));
    let mut de = serde_json::Deserializer::from_reader(input);
    let count = de
        .deserialize_map(Root(expected))
        .and_then(|c| de.end().map(|()| c))
        .map_err(|e| format!("JSON Feed does not parse back: {e}"))?;
    let got = count.ok_or("JSON Feed has no items array")?;
    if got != items.len() {
        return Err(format!(
            "JSON Feed has {got} items, expected {}",
            items.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid UTF-8 passes whole however it is cut; a bad byte or a cut-off
    /// character at the end is refused.
    #[test]
    fn the_utf8_check_sees_characters_across_reads() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = out.len().min(self.0.len()).min(1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = "aé日本😀\u{10FFFF}z".repeat(3);
        let mut back = Vec::new();
        Utf8::new(Trickle(text.as_bytes()))
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, text.as_bytes());
        for bad in [&b"ab\xffcd"[..], b"ab\xe6\x97", b"\xc0\x80"] {
            let mut out = Vec::new();
            assert!(
                Utf8::new(Trickle(bad)).read_to_end(&mut out).is_err(),
                "{bad:?}"
            );
        }
    }
}

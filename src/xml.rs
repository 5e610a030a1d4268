//! XML text exactly as the `rss` and `atom_syndication` crates write it through
//! quick-xml, for the item writers that render many items in parallel: text and
//! attribute values escape `<`, `>`, `&`, `'` and `"`; CDATA sections are split
//! after `]]` wherever the text holds `]]>`. Debug builds compare every document
//! assembled from these writers with the crates' own output.

/// The five characters quick-xml's `escape` replaces, by byte.
const fn special() -> [bool; 256] {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'&' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'"' as usize] = true;
    t
}
static SPECIAL: [bool; 256] = special();

/// Appends `s` escaped. In HTML the special characters come every few bytes,
/// too often for copying runs between them to pay, so this is a byte loop
/// writing into room reserved for the worst case (every byte a 6-byte entity).
pub fn escape(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() * 6);
    let len = out.len();
    // SAFETY: at most 6 bytes are written per input byte, and that much room
    // was reserved after `len`; every byte up to the new length is written
    // before `set_len`.
    unsafe {
        let start = out.as_mut_ptr().add(len);
        let mut p = start;
        for &c in b {
            if SPECIAL[c as usize] {
                let e: &[u8] = match c {
                    b'<' => b"&lt;",
                    b'>' => b"&gt;",
                    b'&' => b"&amp;",
                    b'\'' => b"&apos;",
                    _ => b"&quot;",
                };
                std::ptr::copy_nonoverlapping(e.as_ptr(), p, e.len());
                p = p.add(e.len());
            } else {
                *p = c;
                p = p.add(1);
            }
        }
        out.set_len(len + p.offset_from(start) as usize);
    }
}

/// Appends `<name>` + escaped `text` + `</name>`.
pub fn text_element(out: &mut Vec<u8>, name: &str, text: &str) {
    open(out, name, &[]);
    escape(out, text);
    close(out, name);
}

/// Appends `<name a="v" …>` with escaped attribute values, in the order given.
pub fn open(out: &mut Vec<u8>, name: &str, attrs: &[(&str, &str)]) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    push_attrs(out, attrs);
    out.push(b'>');
}

/// Appends `<name a="v" …/>`.
pub fn empty(out: &mut Vec<u8>, name: &str, attrs: &[(&str, &str)]) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    push_attrs(out, attrs);
    out.extend_from_slice(b"/>");
}

fn push_attrs(out: &mut Vec<u8>, attrs: &[(&str, &str)]) {
    for (k, v) in attrs {
        out.push(b' ');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"=\"");
        escape(out, v);
        out.push(b'"');
    }
}

/// Appends `</name>`.
pub fn close(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

/// The end of a CDATA section, searched for once per payload.
static CDATA_END: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"]]>"));

/// Appends `<name>` + `text` as CDATA + `</name>`: a text holding `]]>` becomes
/// several sections, each cut just after `]]`.
pub fn cdata_element(out: &mut Vec<u8>, name: &str, text: &str) {
    cdata_element_with(out, name, &[], text);
}

/// [`cdata_element`] with attributes on the element.
pub fn cdata_element_with(out: &mut Vec<u8>, name: &str, attrs: &[(&str, &str)], text: &str) {
    open(out, name, attrs);
    let mut rest = text;
    loop {
        // One SIMD search for the rare `]]>`: HTML has a `>` every few bytes.
        let cut = CDATA_END.find(rest.as_bytes());
        let (section, next) = match cut {
            Some(at) => rest.split_at(at + 2),
            None => (rest, ""),
        };
        out.extend_from_slice(b"<![CDATA[");
        out.extend_from_slice(section.as_bytes());
        out.extend_from_slice(b"]]>");
        if cut.is_none() {
            break;
        }
        rest = next;
    }
    close(out, name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_quick_xml() {
        let s = "a<b>&'\"c あ";
        let mut out = Vec::new();
        escape(&mut out, s);
        assert_eq!(out, quick_xml::escape::escape(s).as_bytes());
    }

    #[test]
    fn escapes_every_byte_like_quick_xml() {
        let all: String = (0u8..128)
            .map(char::from)
            .chain("あé'\"<>&".chars())
            .collect();
        for s in [all.as_str(), "", "&&&&&&", "'\"'\"", "plain"] {
            let mut out = b"prefix".to_vec();
            escape(&mut out, s);
            assert_eq!(&out[..6], b"prefix");
            assert_eq!(&out[6..], quick_xml::escape::escape(s).as_bytes(), "{s:?}");
        }
    }

    #[test]
    fn cdata_splits_after_brackets() {
        let mut out = Vec::new();
        cdata_element(&mut out, "d", "foo]]>bar]]>x");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<d><![CDATA[foo]]]]><![CDATA[>bar]]]]><![CDATA[>x]]></d>"
        );
        let mut out = Vec::new();
        cdata_element(&mut out, "d", "");
        assert_eq!(out, b"<d><![CDATA[]]></d>");
    }
}

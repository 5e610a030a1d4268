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

/// Appends `s` escaped.
pub fn escape(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if SPECIAL[c as usize] {
            out.extend_from_slice(&b[start..i]);
            out.extend_from_slice(match c {
                b'<' => b"&lt;",
                b'>' => b"&gt;",
                b'&' => b"&amp;",
                b'\'' => b"&apos;",
                _ => b"&quot;",
            });
            start = i + 1;
        }
    }
    out.extend_from_slice(&b[start..]);
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

/// Appends `<name>` + `text` as CDATA + `</name>`: a text holding `]]>` becomes
/// several sections, each cut just after `]]`.
pub fn cdata_element(out: &mut Vec<u8>, name: &str, text: &str) {
    open(out, name, &[]);
    let mut rest = text;
    loop {
        let cut = memchr::memchr_iter(b'>', rest.as_bytes()).find(|&gt| rest[..gt].ends_with("]]"));
        let (section, next) = match cut {
            Some(gt) => rest.split_at(gt),
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

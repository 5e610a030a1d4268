//! A small XML tree, with each element's byte span in the source: what the
//! W3C rules and the schema checks look at.

use std::collections::BTreeMap;

use quick_xml::events::Event;

#[derive(Debug, Default)]
pub struct El {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
    pub children: Vec<El>,
    pub span: std::ops::Range<usize>,
}

impl El {
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.get(k).map(String::as_str)
    }
    pub fn all<'a>(&'a self, name: &str) -> Vec<&'a El> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    pub fn first(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.first(name).map(|e| e.text.as_str())
    }
    /// Pre-order walk; `f` returns whether to descend.
    pub fn walk(&self, f: &mut dyn FnMut(&El) -> bool) {
        for c in &self.children {
            if f(c) {
                c.walk(f);
            }
        }
    }
}

pub fn parse_xml(src: &str) -> El {
    let mut reader = quick_xml::Reader::from_str(src);
    let mut stack = vec![El::default()];
    loop {
        let start = reader.buffer_position() as usize;
        let ev = reader.read_event().expect("well-formed XML");
        let open = |e: &quick_xml::events::BytesStart| El {
            name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.unescape_value().unwrap().into_owned(),
                    )
                })
                .collect(),
            span: start..start,
            ..El::default()
        };
        match ev {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let mut el = open(&e);
                el.span.end = reader.buffer_position() as usize;
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let mut el = stack.pop().unwrap();
                el.span.end = reader.buffer_position() as usize;
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text += &t.unescape().unwrap(),
            Event::CData(c) => {
                stack.last_mut().unwrap().text += std::str::from_utf8(&c.into_inner()).unwrap()
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced XML");
    stack.pop().unwrap()
}

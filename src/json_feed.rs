//! JSON Feed 1.1 (jsonfeed.org/version/1.1) with the same items as the RSS.
//!
//! serde_json escapes control characters; U+2028/U+2029 are escaped too, because
//! JavaScript before ES2019 cannot hold them raw in string literals.

use serde_json::{json, Map, Value};

use crate::model::Feed;

pub fn document(feed: &Feed, feed_json_url: &str) -> Value {
    let show = &feed.show;
    let items: Vec<Value> = feed
        .items
        .iter()
        .map(|i| {
            let mut o = Map::new();
            o.insert("id".into(), json!(i.id_iri));
            if !i.link.is_empty() {
                o.insert("url".into(), json!(i.link));
            }
            o.insert("title".into(), json!(i.title));
            o.insert("content_html".into(), json!(i.content_html));
            if !i.summary_text.is_empty() {
                o.insert("summary".into(), json!(i.summary_text));
            }
            o.insert("date_published".into(), json!(i.published.to_rfc3339()));
            if let Some(img) = &i.image {
                o.insert("image".into(), json!(img));
            }
            if let Some(v) = &i.video {
                o.insert("external_url".into(), json!(v));
            }
            let authors: Vec<Value> = i
                .persons
                .iter()
                .map(|p| {
                    let mut a = Map::new();
                    a.insert("name".into(), json!(p.name));
                    if let Some(h) = &p.href {
                        a.insert("url".into(), json!(h));
                    }
                    if let Some(im) = &p.img {
                        a.insert("avatar".into(), json!(im));
                    }
                    Value::Object(a)
                })
                .collect();
            if !authors.is_empty() {
                o.insert("authors".into(), Value::Array(authors));
            }
            if let Some(e) = &i.enclosure {
                let mut a = Map::new();
                a.insert("url".into(), json!(e.url));
                a.insert("mime_type".into(), json!(e.mime));
                a.insert("size_in_bytes".into(), json!(e.length));
                if let Some(d) = i.duration {
                    a.insert("duration_in_seconds".into(), json!(d));
                }
                o.insert("attachments".into(), json!([Value::Object(a)]));
            }
            Value::Object(o)
        })
        .collect();
    let mut root = Map::new();
    root.insert("version".into(), json!("https://jsonfeed.org/version/1.1"));
    root.insert("title".into(), json!(show.title));
    if !show.link.is_empty() {
        root.insert("home_page_url".into(), json!(show.link));
    }
    root.insert("feed_url".into(), json!(feed_json_url));
    root.insert("description".into(), json!(show.description));
    if let Some(i) = &show.image {
        root.insert("icon".into(), json!(i));
    }
    if !show.language.is_empty() {
        root.insert("language".into(), json!(show.language));
    }
    root.insert("authors".into(), json!([{ "name": show.author }]));
    if let Some(hub) = &show.output.hub {
        root.insert("hubs".into(), json!([{ "type": "WebSub", "url": hub }]));
    }
    root.insert("items".into(), Value::Array(items));
    Value::Object(root)
}

/// Serializes with U+2028/U+2029 escaped.
pub fn to_string(v: &Value) -> String {
    let s = serde_json::to_string_pretty(v).expect("JSON values always serialize");
    if s.contains(['\u{2028}', '\u{2029}']) {
        s.replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_separators_are_escaped() {
        let v = serde_json::json!({"a": "x\u{2028}y\u{2029}"});
        let s = super::to_string(&v);
        assert!(s.contains("x\\u2028y\\u2029"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}

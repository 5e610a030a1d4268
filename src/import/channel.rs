//! The channel of an imported feed into `[podcast]` and `[people]`.

use super::convert::{cut, explicit, rule, with_slash, yes};
use super::notes;
use super::project::*;
use super::source::{SourceFeed, SourcePerson};
use super::summary::Summary;
use super::Findings;
use crate::diag::Rule;

/// The channel into `[podcast]` and `[people]`; returns the hosts' handles.
pub(super) fn channel(
    feed: &SourceFeed,
    feed_url: String,
    config: &mut PodcastToml,
    comments: &mut Vec<String>,
    out: &mut Findings,
    summary: &mut Summary,
) -> Vec<String> {
    let ch = &feed.channel;
    let p = &mut config.podcast;
    let at = out.channel_offset;
    let title = ch.title.trim();
    let title = (!title.is_empty()).then(|| {
        if title.contains('<') && notes::looks_like_html(title) {
            out.push(
                Rule::ImportChanged,
                at,
                format!("the show's title `{title}` holds HTML; its text is kept"),
            );
            notes::plain_text(title)
        } else {
            title.to_string()
        }
    });
    let mut required = |value: Option<String>, field: &str, summary: &mut Summary| match value {
        Some(v) => {
            summary.kept(field);
            v
        }
        None => {
            out.push(
                Rule::ImportLeftOut,
                at,
                format!("the feed has no {field}; podcast.toml needs one before the first build"),
            );
            summary.left(field);
            String::new()
        }
    };
    p.title = required(title, "channel title", summary);
    p.link = required(ch.link.clone(), "channel link", summary);
    p.feed_url = feed_url;
    // `en_US` is how some hosts write `en-US`.
    let language = ch.language.as_ref().map(|l| l.trim().replace('_', "-"));
    p.language = required(language, "channel language", summary);
    p.author = required(
        ch.author.clone().or(ch.owner_name.clone()),
        "channel author",
        summary,
    );
    // A relative artwork URL was relative to the show's page.
    let image = ch.image.as_ref().map(|i| {
        match (url::Url::parse(i), ch.link.as_deref().map(url::Url::parse)) {
            (Err(url::ParseError::RelativeUrlWithoutBase), Some(Ok(base))) => {
                base.join(i).map_or(i.clone(), |u| u.to_string())
            }
            _ => i.clone(),
        }
    });
    p.image = required(image, "channel image", summary);
    p.categories = ch
        .categories
        .iter()
        .map(|c| c.iter().map(|n| n.trim().to_string()).collect())
        .collect();
    if p.categories.is_empty() {
        out.push(
            Rule::ImportLeftOut,
            at,
            "the feed has no itunes:category; podcast.toml needs one before the first build",
        );
    }
    let given = match ch.description.trim() {
        "" => {
            let summary_text = ch.summary.clone().unwrap_or_default();
            if !summary_text.trim().is_empty() {
                out.push(
                    Rule::ImportChanged,
                    at,
                    "the channel has no description; its itunes:summary is taken",
                );
            }
            summary_text
        }
        d => d.to_string(),
    };
    let description = if notes::looks_like_html(&given) {
        summary.converted("channel description");
        out.push(Rule::ImportChanged, at, "the show's description is HTML; podcast.toml keeps its text, as feedgen publishes a plain description");
        notes::plain_text(&given)
    } else if given.trim().is_empty() {
        out.push(
            Rule::ImportLeftOut,
            at,
            "the feed has no description; podcast.toml needs one before the first build",
        );
        summary.left("channel description");
        String::new()
    } else {
        summary.kept("channel description");
        given.trim().to_string()
    };
    p.description = cut(&description, 4000, || {
        out.push(
            Rule::ImportChanged,
            at,
            "the show's description is over 4000 bytes, Apple's limit; it is cut",
        );
    });
    p.copyright = ch.copyright.clone();
    if ch.owner_name.is_some() || ch.owner_email.is_some() {
        p.owner = Some(Owner {
            name: ch.owner_name.clone(),
            email: ch.owner_email.clone(),
        });
    }
    p.explicit = ch.explicit.as_deref().and_then(|e| explicit(e, at, out));
    p.kind = ch.kind.as_ref().map(|k| k.to_ascii_lowercase());
    // The pages live under the show's page, without its query or fragment.
    let page = match url::Url::parse(&p.link) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => p.link.clone(),
    };
    p.episode_url = format!("{}episodes/{{slug}}/", with_slash(&page));
    summary.converted("item link");
    if let Some(g) = &ch.podcast_guid {
        p.guid = Some(g.clone());
        summary.kept("channel podcast:guid");
        let derived = crate::model::derive_podcast_guid(&p.feed_url).to_string();
        if g.trim() != derived {
            rule(config, "guid-mismatch", "allow");
            comments.push(
                "podcast:guid is the show's own from its earlier feed URL, which it keeps for good"
                    .into(),
            );
        }
    }
    let p = &mut config.podcast;
    p.locked = ch.locked.as_ref().and_then(|(v, owner)| {
        let mut t = toml::Table::new();
        t.insert("owner".into(), toml::Value::String(owner.clone()?));
        if !v.eq_ignore_ascii_case("yes") {
            t.insert("locked".into(), toml::Value::Boolean(false));
        }
        Some(toml::Value::Table(t))
    });
    if ch.locked.as_ref().is_some_and(|(_, o)| o.is_none()) {
        out.push(
            Rule::ImportLeftOut,
            at,
            "podcast:locked names no owner, which feedgen needs; it is left out",
        );
    }
    p.funding = ch.funding.clone();
    p.medium = ch.medium.as_ref().map(|m| m.trim().to_ascii_lowercase());
    p.license = ch.license.clone();
    p.location = ch.location.clone();
    p.txt = ch.txt.clone();
    p.update_frequency = ch.update_frequency.clone();
    p.podroll = ch.podroll.clone();
    p.block = ch.block.as_deref().map(yes);
    p.complete = ch.complete.as_deref().map(yes);
    if let Some(url) = &ch.new_feed_url {
        out.push(Rule::ImportLeftOut, at, format!("the feed says it moved to {url} (itunes:new-feed-url); import that feed instead, or leave this out as done here"));
        summary.left("itunes:new-feed-url");
    }
    if !ch.left.is_empty() {
        out.push(
            Rule::ImportLeftOut,
            at,
            format!(
                "the channel's {} {} no place in feedgen and {} not carried over",
                ch.left.join(", "),
                if ch.left.len() == 1 { "has" } else { "have" },
                if ch.left.len() == 1 { "is" } else { "are" }
            ),
        );
        for l in &ch.left {
            summary.left(&format!("channel {l}"));
        }
    }
    people(&ch.persons, config)
}

fn people(persons: &[SourcePerson], config: &mut PodcastToml) -> Vec<String> {
    let mut hosts = Vec::new();
    for person in persons.iter().filter(|p| !p.name.is_empty()) {
        let base: String = person
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        let base = base.trim_matches('_').to_string();
        let base = if base.is_empty() {
            "person".to_string()
        } else {
            base
        };
        let mut handle = base.clone();
        let mut n = 2;
        while config.people.contains_key(&handle) {
            handle = format!("{base}_{n}");
            n += 1;
        }
        config.people.insert(
            handle.clone(),
            Person {
                name: person.name.clone(),
                href: person.href.clone(),
                img: person.img.clone(),
                role: person.role.clone().map(|r| r.to_lowercase()),
                group: person.group.clone().map(|g| g.to_lowercase()),
            },
        );
        hosts.push(handle);
    }
    hosts
}

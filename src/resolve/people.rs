//! Who is credited: the show's hosts, the header list's hosts and guests, and
//! the speakers of the notes, resolved against the `[people]` registry.

use std::ops::Range;

use rustc_hash::FxHashSet;

use super::episode::Resolver;
use crate::diag::Rule;
use crate::input::config::catalog;
use crate::input::episode::{Credit, ParsedEpisode};
use crate::model::{PersonCredit, Show};

impl Resolver<'_, '_> {
    pub(super) fn hosts(&mut self, ep: &ParsedEpisode, anchor: &Range<usize>) {
        if !ep.header.has_host_line {
            let span = ep.header.span.clone().unwrap_or(anchor.clone());
            let span = span.start..span.start.max(span.end.min(span.start + 1));
            self.push(
                Rule::MissingHost,
                span,
                "the header list has no `Hosted by` line",
            )
            .help = Some("add `- Hosted by @handle` to the list under the episode heading".into());
        }
        if !self.ctx.show.loaded {
            return;
        }
        let credits = ep
            .header
            .hosts
            .iter()
            .chain(ep.header.guests.iter())
            .chain(ep.speakers.iter().map(|s| &s.credit));
        let mut unknown = Vec::new();
        for c in credits {
            if let Some(h) = &c.handle {
                if !self.ctx.show.people.contains_key(h) {
                    unknown.push((h.clone(), c.span.clone()));
                }
            }
        }
        for (h, span) in unknown {
            let guess = crate::diag::suggest(&h, self.ctx.show.people.keys().map(String::as_str))
                .map(str::to_string);
            let d = self.push(
                Rule::UnknownSpeaker,
                span,
                format!("`@{h}` is not in the [people] registry; credited by handle only"),
            );
            d.help = Some(match guess {
                Some(g) => {
                    format!("did you mean `@{g}`? Otherwise add [people.{h}] to podcast.toml")
                }
                None => format!("add [people.{h}] with name, href and role to podcast.toml"),
            });
        }
    }

    pub(super) fn persons(&mut self, ep: &ParsedEpisode) -> Vec<PersonCredit> {
        let show = self.ctx.show;
        let mut out: Vec<PersonCredit> = Vec::new();
        // Names already credited: a set, so an episode with thousands of
        // speakers is resolved in linear time.
        let mut names: FxHashSet<String> = FxHashSet::default();
        let mut add = |c: PersonCredit| {
            // A section whose handle credits nobody has no name to publish.
            if !c.name.is_empty() && names.insert(c.name.clone()) {
                out.push(c);
            }
        };
        for h in &show.hosts {
            if let Some(p) = show.people.get(h) {
                add(credit_of(
                    show,
                    &Credit {
                        handle: Some(h.clone()),
                        name: None,
                        href: None,
                        span: 0..0,
                    },
                    "host",
                    p.role.as_deref(),
                ));
            }
        }
        for c in &ep.header.hosts {
            add(credit_of(show, c, "host", None));
        }
        for s in ep.speakers.iter().filter(|s| !s.absent) {
            add(credit_of(show, &s.credit, "guest", None));
        }
        for c in &ep.header.guests {
            add(credit_of(show, c, "guest", None));
        }
        out
    }
}

/// `Hosted by` line makes someone this episode's host whatever their usual role).
fn credit_of(show: &Show, c: &Credit, default_role: &str, forced: Option<&str>) -> PersonCredit {
    let person = c.handle.as_ref().and_then(|h| show.people.get(h));
    let role = match (forced, default_role) {
        (Some(r), _) => r.to_string(),
        (None, "host") => "host".to_string(),
        (None, d) => person
            .and_then(|p| p.role.clone())
            .unwrap_or_else(|| d.to_string()),
    };
    let group = catalog::find_role(&role).map(|e| e.group.to_lowercase());
    PersonCredit {
        name: person
            .map(|p| p.name.clone())
            .or_else(|| c.name.clone())
            .or_else(|| c.handle.clone())
            .unwrap_or_default(),
        role,
        group,
        href: person
            .and_then(|p| p.href.clone())
            .or_else(|| c.href.clone()),
        img: person.and_then(|p| p.img.clone()),
    }
}

/// Channel-level credits: the show's hosts.
pub fn channel_persons(show: &Show) -> Vec<PersonCredit> {
    show.hosts
        .iter()
        .filter_map(|h| show.people.get(h))
        .map(|p| {
            let c = Credit {
                handle: Some(p.handle.clone()),
                name: None,
                href: None,
                span: 0..0,
            };
            credit_of(show, &c, "host", p.role.as_deref())
        })
        .collect()
}

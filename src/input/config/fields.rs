//! The parts of podcast.toml checked one by one: free text, categories and the
//! people registry.

use std::ops::Range;

use toml::Spanned;
use url::Url;

use super::catalog::{self, CategoryCheck};
use super::raw::{RawConfig, RawPodcast, S};
use super::Checker;
use crate::chars::{is_invisible, is_xml_invalid, strip_unsafe};
use crate::diag::Rule;
use crate::model::{Person, Show};

impl Checker<'_> {
    /// TOML escapes (`\u0001`, `\u202E`) can put characters a feed cannot hold into
    /// any string; they are removed from every free-text field, each with a
    /// diagnostic naming the field (and its place, where the span is known).
    pub(super) fn clean_text_fields(&mut self, p: &RawPodcast, show: &mut Show) {
        let span_of = |v: &S<String>| v.as_ref().map(|s| s.span()).unwrap_or(0..0);
        let (title, description, author) = (
            span_of(&p.title),
            span_of(&p.description),
            span_of(&p.author),
        );
        let mut fields: Vec<(String, &mut String, Range<usize>)> = vec![
            ("podcast.title".into(), &mut show.title, title),
            (
                "podcast.description".into(),
                &mut show.description,
                description,
            ),
            ("podcast.author".into(), &mut show.author, author),
        ];
        if let Some(c) = show.copyright.as_mut() {
            fields.push(("podcast.copyright".into(), c, 0..0));
        }
        if let Some(o) = show.owner.as_mut() {
            fields.push(("podcast.owner.name".into(), &mut o.name, 0..0));
        }
        for f in show.funding.iter_mut() {
            fields.push(("podcast.funding.text".into(), &mut f.text, 0..0));
        }
        if let Some(l) = show.license.as_mut() {
            fields.push(("podcast.license.name".into(), &mut l.name, 0..0));
        }
        if let Some(l) = show.location.as_mut() {
            fields.push(("podcast.location.name".into(), &mut l.name, 0..0));
        }
        for t in show.txt.iter_mut() {
            fields.push(("podcast.txt.value".into(), &mut t.value, 0..0));
        }
        if let Some(u) = show.update_frequency.as_mut() {
            fields.push(("podcast.update_frequency.text".into(), &mut u.text, 0..0));
        }
        for r in show.podroll.iter_mut() {
            if let Some(t) = r.title.as_mut() {
                fields.push(("podcast.podroll.title".into(), t, 0..0));
            }
        }
        for (handle, person) in show.people.iter_mut() {
            fields.push((format!("people.{handle}.name"), &mut person.name, 0..0));
        }
        for (name, value, span) in fields {
            // A TOML escape can hold a CR the file's own line ends never do: read it
            // as LF, like CRLF/CR in files (no raw CR may reach a feed).
            if value.contains('\r') {
                *value = value.replace("\r\n", "\n").replace('\r', "\n");
            }
            let Some(bad) = value
                .chars()
                .find(|&c| is_xml_invalid(c) || is_invisible(c))
            else {
                continue;
            };
            *value = strip_unsafe(value).into_owned();
            let rule = if is_xml_invalid(bad) {
                Rule::ControlCharacter
            } else {
                Rule::InvisibleCharacter
            };
            self.push(
                rule,
                span,
                format!(
                    "`{name}` contains U+{:04X}, which a feed cannot show; it is removed",
                    bad as u32
                ),
            );
        }
    }

    pub(super) fn category(&mut self, cat: &Spanned<Vec<String>>, show: &mut Show) {
        let v = cat.get_ref();
        let (top, sub) = match v.as_slice() {
            [t] => (t.as_str(), None),
            [t, s] => (t.as_str(), Some(s.as_str())),
            _ => {
                self.push(
                    Rule::InvalidCategory,
                    cat.span(),
                    "a category is [\"Category\"] or [\"Category\", \"Subcategory\"]",
                );
                return;
            }
        };
        match catalog::check_category(top, sub) {
            CategoryCheck::Valid => show
                .categories
                .push((top.to_string(), sub.map(str::to_string))),
            CategoryCheck::Legacy(new) => {
                let shown = v.join(" > ");
                let fix = new
                    .split(" > ")
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.push(
                    Rule::InvalidCategory,
                    cat.span(),
                    format!("`{shown}` is a legacy Apple category"),
                )
                .help = Some(format!("Apple now calls it `{new}`: use [{fix}]"));
            }
            CategoryCheck::Unknown => {
                let all = catalog::APPLE_CATEGORIES
                    .iter()
                    .flat_map(|(t, subs)| std::iter::once(*t).chain(subs.iter().copied()));
                let guess = crate::diag::suggest(sub.unwrap_or(top), all);
                let d = self.push(
                    Rule::InvalidCategory,
                    cat.span(),
                    format!("`{}` is not an Apple Podcasts category", v.join(" > ")),
                );
                if let Some(g) = guess {
                    d.help = Some(format!("did you mean `{g}`?"));
                }
            }
        }
    }

    pub(super) fn people(&mut self, raw: &RawConfig, show: &mut Show) {
        for (handle, p) in &raw.people {
            let span = p.span();
            let p = p.get_ref();
            let role = p
                .role
                .as_ref()
                .and_then(|r| match catalog::find_role(r.get_ref()) {
                    Some(e) => Some(e.role.to_lowercase()),
                    None => {
                        let guess = crate::diag::suggest(
                            r.get_ref(),
                            catalog::taxonomy().iter().map(|e| e.role.as_str()),
                        );
                        let d = self.push(
                            Rule::UnknownRole,
                            r.span(),
                            format!("`{}` is not a podcast:person role", r.get_ref()),
                        );
                        d.help = Some(match guess {
                            Some(g) => format!("did you mean `{}`?", g.to_lowercase()),
                            None => {
                                "see the taxonomy at podcastindex.org/namespace/1.0 (person)".into()
                            }
                        });
                        None
                    }
                });
            let group = p.group.as_ref().and_then(|g| {
                if catalog::is_group(g.get_ref()) {
                    Some(g.get_ref().to_lowercase())
                } else {
                    self.push(
                        Rule::UnknownRole,
                        g.span(),
                        format!("`{}` is not a podcast:person group", g.get_ref()),
                    );
                    None
                }
            });
            if let (Some(r), Some(g)) = (&role, &group) {
                let fits = catalog::taxonomy()
                    .iter()
                    .any(|e| e.role.eq_ignore_ascii_case(r) && e.group.eq_ignore_ascii_case(g));
                if !fits {
                    let d = self.push(
                        Rule::UnknownRole,
                        span.clone(),
                        format!("role `{r}` is not in group `{g}`"),
                    );
                    if let Some(e) = catalog::find_role(r) {
                        d.help = Some(format!("`{r}` belongs to `{}`", e.group.to_lowercase()));
                    }
                }
            }
            let href = self.opt_url(&p.href, "people.href");
            let img = p.img.as_ref().and_then(|i| self.image(i, "people.img"));
            show.people.insert(
                handle.clone(),
                Person {
                    handle: handle.clone(),
                    name: p.name.clone(),
                    href,
                    img,
                    role,
                    group,
                },
            );
        }
    }
}

pub(super) fn has_image_extension(url: &str) -> bool {
    let path = Url::parse(url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    [".jpg", ".jpeg", ".png"].iter().any(|e| path.ends_with(e))
}

/// A practical email check: one `@`, a non-empty local part, a dotted domain,
/// no spaces or angle brackets.
pub(crate) fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || "<>(),;:\"[]".contains(c))
}

//! The show's web pages: a page for the show (paged when it is large) at the
//! channel `link`, and one for every published episode at the path its item
//! `<link>` names under the channel `link`. Written from the same model and
//! the same checked notes as the feeds, with the built-in theme (minijinja
//! templates, autoescaped).

mod path;
mod view;

use minijinja::Environment;

use super::notes::Rendered;
use super::RenderError;
use crate::model::{Feed, Item, SiteConfig};

pub(crate) use path::page_path;

/// Episodes listed on one show page.
pub(crate) const EPISODES_PER_PAGE: usize = 50;

/// One web page to write.
pub(crate) struct Page {
    /// Where it goes under the output folder, `/`-separated, e.g.
    /// `episodes/8/index.html`.
    pub path: String,
    /// What its read-back is checked against.
    pub expect: Expect,
}

/// What a page must hold when read back, beyond running nothing (what the
/// built-in templates write: a show's own may write otherwise).
#[derive(Debug, Clone)]
pub(crate) struct Expect {
    /// The text of its `<title>`.
    pub title: Option<String>,
    /// The media its player plays (episode pages with an enclosure).
    pub media: Option<String>,
}

/// Which page of the site.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    /// The show page numbered from 1 (1 is `index.html`).
    Show(usize),
    /// The page of the feed's `n`-th item.
    Episode(usize),
}

/// The templates pages are rendered with: the built-in theme's, with those
/// of the show's own (`templates/`) in their place.
pub(crate) struct Theme {
    env: Environment<'static>,
}

impl Theme {
    pub(crate) fn of(site: &SiteConfig) -> Result<Theme, minijinja::Error> {
        let mut env = Environment::new();
        // Every template escapes, style.css too: a value it writes lands in
        // the page's <style>, where markup must not get through either.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, text) in [
            ("base.html", include_str!("theme/base.html")),
            ("show.html", include_str!("theme/show.html")),
            ("episode.html", include_str!("theme/episode.html")),
            ("style.css", include_str!("theme/style.css")),
        ] {
            env.add_template(name, text)?;
        }
        for t in &site.templates {
            env.add_template_owned(t.name.clone(), t.source.clone())?;
        }
        Ok(Theme { env })
    }
}

/// Renders the first show page and the newest episode's page of `feed` with
/// its theme, for the error a template of the show's own makes.
pub(crate) fn try_templates(feed: &Feed) -> Result<(), minijinja::Error> {
    let theme = Theme::of(&feed.show.site)?;
    let render = |template: &str, ctx| theme.env.get_template(template)?.render(ctx);
    render("show.html", view::show(feed, 1))?;
    if let Some(item) = feed.items.first() {
        let notes = Rendered::of(item).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })?;
        // A transcript too, so a template that shows one is tried on one.
        let ctx = view::episode(feed, 0, (&notes.full, &notes.summary), &["…".into()]);
        render("episode.html", ctx)?;
    }
    Ok(())
}

/// The pages of `feed`, in the order show pages, then episodes newest first;
/// none when `[site]` is off. An episode whose link is not under the
/// channel `link` (or is the show's page) gets none.
pub(crate) fn pages(feed: &Feed) -> Vec<(Which, Page)> {
    if !feed.show.site.enabled {
        return Vec::new();
    }
    let built_in = |name: &str| !feed.show.site.templates.iter().any(|t| t.name == name);
    let titled = built_in("base.html");
    let played = built_in("episode.html");
    let mut out = Vec::new();
    let show_pages = feed.items.len().div_ceil(EPISODES_PER_PAGE).max(1);
    for n in 1..=show_pages {
        out.push((
            Which::Show(n),
            Page {
                path: view::show_page_path(&feed.show.link, n),
                expect: Expect {
                    title: titled.then(|| view::show_page_title(&feed.show.title, n)),
                    media: None,
                },
            },
        ));
    }
    for (i, item) in feed.items.iter().enumerate() {
        let Some(path) = page_path(&feed.show.link, &item.link) else {
            continue;
        };
        // Two episodes naming the same page: the first (newest) has it.
        if out.iter().any(|(_, p)| p.path == path) {
            continue;
        }
        out.push((
            Which::Episode(i),
            Page {
                path,
                expect: Expect {
                    title: titled.then(|| view::episode_title(item, &feed.show.title)),
                    media: item
                        .enclosure
                        .as_ref()
                        .filter(|_| played)
                        .map(|e| e.url.clone()),
                },
            },
        ));
    }
    out
}

/// Renders page `which` of `feed`; an episode's page shows `transcript`,
/// the paragraphs of its transcript, if it has one in text.
pub(crate) fn render(
    theme: &Theme,
    feed: &Feed,
    which: Which,
    transcript: &[String],
) -> Result<String, RenderError> {
    let (template, ctx) = match which {
        Which::Show(n) => ("show.html", view::show(feed, n)),
        Which::Episode(i) => {
            let notes = Rendered::of(&feed.items[i])?;
            let ctx = view::episode(feed, i, (&notes.full, &notes.summary), transcript);
            ("episode.html", ctx)
        }
    };
    theme
        .env
        .get_template(template)
        .and_then(|t| t.render(ctx))
        .map_err(|e| RenderError::Document(format!("the page template failed: {e}")))
}

/// The item after `i` and before it in the feed (older and newer).
fn neighbours(items: &[Item], i: usize) -> (Option<&Item>, Option<&Item>) {
    (
        items.get(i + 1),
        i.checked_sub(1).and_then(|j| items.get(j)),
    )
}

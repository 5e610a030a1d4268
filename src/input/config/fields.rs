//! The parts of podcast.toml checked one by one: free text, categories and the
//! people registry.

use std::ops::Range;

use toml::Spanned;
use unicode_normalization::UnicodeNormalization;
use url::Url;

use super::catalog::{self, CategoryCheck};
use super::raw::{RawConfig, RawPodcast, S};
use super::Checker;
use crate::chars::{is_invisible, is_xml_invalid, strip_unsafe};
use crate::diag::Rule;
use crate::model::{Location, Person, Show};

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
        let at = |s: Option<Range<usize>>| s.unwrap_or(0..0);
        if let Some(c) = show.copyright.as_mut() {
            let span = at(p.copyright.as_ref().map(|c| c.span()));
            fields.push(("podcast.copyright".into(), c, span));
        }
        if let Some(o) = show.owner.as_mut() {
            let span = at(p.owner.as_ref().map(|o| o.span()));
            fields.push(("podcast.owner.name".into(), &mut o.name, span));
        }
        for f in show.funding.iter_mut() {
            // Entries with a bad URL were left out: find this one's own.
            let raw = p
                .funding
                .iter()
                .find(|r| r.get_ref().url == f.url && r.get_ref().text == f.text);
            let span = at(raw.map(|r| r.span()));
            fields.push(("podcast.funding.text".into(), &mut f.text, span));
        }
        if let Some(l) = show.license.as_mut() {
            let span = at(p.license.as_ref().map(|l| l.span()));
            fields.push(("podcast.license.name".into(), &mut l.name, span));
        }
        if let Some(l) = show.location.as_mut() {
            fields.push(("podcast.location.name".into(), &mut l.name, 0..0));
        }
        for (t, raw) in show.txt.iter_mut().zip(&p.txt) {
            fields.push(("podcast.txt.value".into(), &mut t.value, raw.span()));
            if let Some(purpose) = t.purpose.as_mut() {
                fields.push(("podcast.txt.purpose".into(), purpose, raw.span()));
            }
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
            // Handles are matched in NFC, as the notes' handles are read.
            let handle: String = handle.nfc().collect();
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

/// Why `s` is not a `geo:` URI (RFC 5870: `geo:lat,lon[,alt][;crs=…][;u=…][;name=value]…`),
/// if it is not. Latitude and longitude are checked against WGS-84's ranges
/// unless another reference system is named.
pub(crate) fn geo_problem(s: &str) -> Option<String> {
    let Some(path) = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("geo:"))
        .map(|_| &s[4..])
    else {
        return Some("it does not start with `geo:`".into());
    };
    let mut parts = path.split(';');
    let coords: Vec<&str> = parts.next().unwrap_or_default().split(',').collect();
    if !(2..=3).contains(&coords.len()) {
        return Some("it needs latitude,longitude and at most an altitude".into());
    }
    let mut values = Vec::new();
    for c in &coords {
        let digits = c.strip_prefix('-').unwrap_or(c);
        if !is_decimal(digits) {
            return Some(format!("`{c}` is not a decimal number"));
        }
        values.push(c.parse::<f64>().unwrap_or(f64::NAN));
    }
    let (mut wgs84, mut crs_first) = (true, false);
    for (i, param) in parts.enumerate() {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        let label =
            |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !label(name) {
            return Some(format!("`;{param}` is not a parameter"));
        }
        let paramchar = |c: char| c.is_ascii_alphanumeric() || "[]:&+$-._~%".contains(c);
        if param.contains('=') && (value.is_empty() || !value.chars().all(paramchar)) {
            return Some(format!(
                "the value of `;{name}` holds characters a geo URI cannot"
            ));
        }
        // `crs` may only come first, and `u` only first or right after `crs`.
        let lower = name.to_ascii_lowercase();
        let in_place = match lower.as_str() {
            "crs" => i == 0,
            "u" => i == 0 || (i == 1 && crs_first),
            _ => true,
        };
        if !in_place {
            return Some(format!(
                "`;{name}` is out of place (crs comes first, then u)"
            ));
        }
        if lower == "crs" {
            crs_first = true;
            wgs84 = value.eq_ignore_ascii_case("wgs84");
        }
        if lower == "u" && !is_decimal(value) {
            return Some(format!(
                "the uncertainty `{value}` is not a number of meters"
            ));
        }
    }
    if wgs84 && !(-90.0..=90.0).contains(&values[0]) {
        return Some(format!("the latitude {} is outside -90 to 90", coords[0]));
    }
    if wgs84 && !(-180.0..=180.0).contains(&values[1]) {
        return Some(format!(
            "the longitude {} is outside -180 to 180",
            coords[1]
        ));
    }
    None
}

/// Takes out of `l` a geo URI or an OpenStreetMap id that is not one (the
/// name stays), and says which and why: (`geo` or `osm`, the finding's text).
pub(crate) fn drop_invalid_location(l: &mut Location) -> Vec<(&'static str, String)> {
    let mut dropped = Vec::new();
    if let Some(why) = l.geo.as_deref().and_then(geo_problem) {
        l.geo = None;
        dropped.push(("geo", format!("is not a geo URI: {why}")));
    }
    if let Some(why) = l.osm.as_deref().and_then(osm_problem) {
        l.osm = None;
        dropped.push(("osm", format!("is not an OpenStreetMap id: {why}")));
    }
    dropped
}

/// The help for a dropped location field.
pub(crate) const GEO_HELP: &str = "write geo:latitude,longitude, e.g. geo:35.6812,139.7671";

/// `1`, `1.5`: digits, and a fraction with digits if there is a point.
fn is_decimal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// Why `s` is not an OpenStreetMap id (`N`, `W` or `R`, the number, and
/// optionally `#` and a revision), if it is not.
pub(crate) fn osm_problem(s: &str) -> Option<String> {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let ok = s.strip_prefix(['N', 'W', 'R']).is_some_and(|rest| {
        let (id, rev) = rest.split_once('#').unwrap_or((rest, "0"));
        digits(id) && digits(rev)
    });
    (!ok).then(|| "it must be N, W or R, then the numeric id, and optionally # and a revision, as in R113314".into())
}

/// Why `s` is not an RFC 5545 recurrence rule, if it is not: `FREQ=…` and
/// other `KEY=VALUE` parts, separated by `;`, each key once.
pub(crate) fn rrule_problem(s: &str) -> Option<String> {
    const FREQS: &[&str] = &[
        "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
    ];
    let mut seen: Vec<String> = Vec::new();
    for part in s.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            return Some(format!("`{part}` is not KEY=VALUE"));
        };
        // Every key and value is ASCII (which also keeps the slicing below safe).
        if !part.is_ascii() {
            return Some(format!(
                "`{part}` holds a character a recurrence rule cannot"
            ));
        }
        let key = key.to_ascii_uppercase();
        let value = value.to_ascii_uppercase();
        let ok = match key.as_str() {
            "FREQ" => FREQS.contains(&value.as_str()),
            "UNTIL" => is_rrule_date(&value),
            "COUNT" | "INTERVAL" => {
                value.parse::<u32>().is_ok_and(|n| n > 0)
                    && value.bytes().all(|b| b.is_ascii_digit())
            }
            "BYSECOND" => int_list(&value, 0, 60, false),
            "BYMINUTE" => int_list(&value, 0, 59, false),
            "BYHOUR" => int_list(&value, 0, 23, false),
            "BYMONTHDAY" => int_list(&value, 1, 31, true),
            "BYYEARDAY" | "BYSETPOS" => int_list(&value, 1, 366, true),
            "BYWEEKNO" => int_list(&value, 1, 53, true),
            "BYMONTH" => int_list(&value, 1, 12, false),
            "BYDAY" => value.split(',').all(|d| {
                // `-1FR`: an optional week number, then the day.
                let (n, day) = d.split_at(d.len().saturating_sub(2));
                is_weekday(day) && (n.is_empty() || int_list(n, 1, 53, true))
            }),
            "WKST" => is_weekday(&value),
            _ => return Some(format!("`{key}` is not a recurrence rule part")),
        };
        if !ok {
            return Some(format!("`{part}` is not a valid {key} value"));
        }
        if seen.contains(&key) {
            return Some(format!("{key} is given twice"));
        }
        seen.push(key);
    }
    if !seen.iter().any(|k| k == "FREQ") {
        return Some("it has no FREQ part".into());
    }
    if seen.iter().any(|k| k == "COUNT") && seen.iter().any(|k| k == "UNTIL") {
        return Some("COUNT and UNTIL cannot both be given".into());
    }
    None
}

fn is_weekday(s: &str) -> bool {
    ["SU", "MO", "TU", "WE", "TH", "FR", "SA"].contains(&s)
}

/// `20250101` or `20250101T090000` (with an optional `Z`).
fn is_rrule_date(s: &str) -> bool {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once('T').unwrap_or((s, "000000"));
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    digits(date, 8) && digits(time, 6)
}

/// A comma-separated list of integers in `lo..=hi`, or in `-hi..=-lo` when `signed`.
fn int_list(s: &str, lo: u32, hi: u32, signed: bool) -> bool {
    s.split(',').all(|n| {
        let (sign, digits) = match n.strip_prefix(['+', '-']) {
            Some(d) => (true, d),
            None => (false, n),
        };
        (!sign || signed)
            && !digits.is_empty()
            && digits.len() <= 3
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geo_uris() {
        for ok in [
            "geo:30.2672,97.7431",
            "geo:-33.8688,151.2093,58",
            "GEO:13.4125,103.8667;u=35",
            "geo:48.198634,16.371648;crs=wgs84;u=40",
            "geo:1,2;crs=Moon-2011;x-y=a%20b",
            "geo:400,900;crs=Moon-2011",
        ] {
            assert_eq!(geo_problem(ok), None, "{ok}");
        }
        for bad in [
            "30.2672,97.7431",
            "geo:",
            "geo:1",
            "geo:1,2,3,4",
            "geo: 1,2",
            "geo:1,2;",
            "geo:91,0",
            "geo:0,-181",
            "geo:1.,2",
            "geo:+1,2",
            "geo:nan,0",
            "geo:1,2;u=x",
            "geo:1,2;u=1;crs=wgs84",
            "geo:1,2;a=<b>",
            "geo:1,2\"><x",
        ] {
            assert!(geo_problem(bad).is_some(), "{bad}");
        }
    }

    proptest::proptest! {
        /// Near-misses of each grammar, with non-ASCII letters, never panic.
        #[test]
        fn the_value_checks_take_any_text(
            s in "(geo:|FREQ=WEEKLY;BYDAY=|[NWR])[-+0-9.,;=#A-Za-z\u{E9}\u{65E5}]{0,16}"
        ) {
            let _ = (geo_problem(&s), osm_problem(&s), rrule_problem(&s));
        }
    }

    #[test]
    fn osm_ids() {
        for ok in ["R113314", "N1", "W5#12"] {
            assert_eq!(osm_problem(ok), None, "{ok}");
        }
        for bad in [
            "", "R", "r113314", "X1", "R1#", "R#1", "R1 ", "R1#2#3", "R-1",
        ] {
            assert!(osm_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn recurrence_rules() {
        for ok in [
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;BYDAY=MO,WE",
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=10",
            "FREQ=DAILY;UNTIL=20301231T000000Z;INTERVAL=2",
            "INTERVAL=2;FREQ=yearly;BYMONTH=1,7;BYMONTHDAY=-1",
        ] {
            assert_eq!(rrule_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "WEEKLY",
            "FREQ=FORTNIGHTLY",
            "BYDAY=MO",
            "FREQ=DAILY;FREQ=WEEKLY",
            "FREQ=DAILY;COUNT=0",
            "FREQ=DAILY;COUNT=1;UNTIL=20300101",
            "FREQ=DAILY;BYHOUR=24",
            "FREQ=DAILY;BYMONTH=-1",
            "FREQ=DAILY;X-NAME=1",
            "FREQ=DAILY;",
            "FREQ=DAILY\"><x",
            "RRULE:FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=M\u{D6}",
            "FREQ=WEEKLY;BYDAY=日月",
        ] {
            assert!(rrule_problem(bad).is_some(), "{bad}");
        }
    }
}

//! When an episode is published: its front matter's `published`, else its
//! complete Recording date at the show's `publish_time`; drafts and scheduled
//! episodes are left out.

use std::ops::Range;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use toml::Spanned;

use super::episode::Resolver;
use super::Status;
use crate::diag::Rule;
use crate::input::episode::{DateValue, ParsedEpisode};
use crate::model::Show;

/// Why a front-matter `published` gives no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontDate {
    NoDate,
    NotCalendar,
    BadTime,
    /// A year before 1900: a typo such as `0000`.
    BeforeFeeds,
    /// A local time the show's time zone skips (or an offset out of range).
    NotInZone,
}

/// A local date and time in the show's time zone (the earlier of two, in the
/// hour a clock change repeats).
fn at_publish_time(show: &Show, date: NaiveDate, time: NaiveTime) -> Option<DateTime<FixedOffset>> {
    show.timezone
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .earliest()
        .map(|d| d.fixed_offset())
}

/// The publish time a complete Recording date gives: the show's
/// `publish_time` on that day, in its time zone.
pub fn recording_published(show: &Show, date: NaiveDate) -> Option<DateTime<FixedOffset>> {
    at_publish_time(show, date, show.publish_time)
}

/// The publish time a front-matter `published` gives: with no time, the
/// show's `publish_time`; with no offset, the show's time zone. Also what a
/// build orders the feed by before any notes are parsed
/// ([`crate::build`]), so it depends on nothing else in the file.
pub fn front_published(
    show: &Show,
    v: &toml::value::Datetime,
) -> Result<DateTime<FixedOffset>, FrontDate> {
    let d = v.date.ok_or(FrontDate::NoDate)?;
    let date = NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
        .ok_or(FrontDate::NotCalendar)?;
    // RSS dates start in 1900 (RFC 822 has two-digit years); earlier is a typo.
    if d.year < 1900 {
        return Err(FrontDate::BeforeFeeds);
    }
    let time = match v.time {
        Some(t) => NaiveTime::from_hms_nano_opt(
            t.hour as u32,
            t.minute as u32,
            t.second as u32,
            t.nanosecond,
        )
        .ok_or(FrontDate::BadTime)?,
        None => show.publish_time,
    };
    let out = match v.offset {
        Some(toml::value::Offset::Z) => Some(
            chrono::Utc
                .from_utc_datetime(&NaiveDateTime::new(date, time))
                .fixed_offset(),
        ),
        Some(toml::value::Offset::Custom { minutes }) => FixedOffset::east_opt(minutes as i32 * 60)
            .and_then(|o| {
                o.from_local_datetime(&NaiveDateTime::new(date, time))
                    .single()
            }),
        None => at_publish_time(show, date, time),
    };
    out.ok_or(FrontDate::NotInZone)
}

impl Resolver<'_, '_> {
    pub(super) fn published(
        &mut self,
        ep: &ParsedEpisode,
        anchor: &Range<usize>,
    ) -> (Option<DateTime<FixedOffset>>, Status) {
        let show = self.ctx.show;
        if let Some(d) = &ep.header.recording_date {
            match &d.value {
                DateValue::Partial(s) => {
                    self.push(
                        Rule::PartialDate,
                        d.span.clone(),
                        format!("the recording date `{s}` is incomplete"),
                    )
                    .help = Some("write the whole date, e.g. 2021-01-22".into());
                }
                DateValue::Empty => {
                    self.push(
                        Rule::PartialDate,
                        d.span.clone(),
                        "the recording date has no value",
                    );
                }
                DateValue::Invalid(s) => {
                    self.push(
                        Rule::InvalidDate,
                        d.span.clone(),
                        format!("`{s}` is not a calendar date"),
                    )
                    .help = Some("write it as YYYY-MM-DD".into());
                }
                DateValue::Complete {
                    date,
                    ambiguous: true,
                } => {
                    self.push(
                        Rule::AmbiguousDate,
                        d.span.clone(),
                        format!("this date could be month-first or day-first; read as {date}"),
                    )
                    .help = Some(format!("write it as {date} to be unambiguous"));
                }
                DateValue::Complete { .. } => {}
            }
        }
        let published = match &ep.front.published {
            Some(p) => self.front_date(p),
            None => match &ep.header.recording_date {
                Some(d) => match &d.value {
                    DateValue::Complete { date, .. } => recording_published(show, *date),
                    _ => None,
                },
                None => None,
            },
        };
        match published {
            None => {
                self.push(
                    Rule::Draft,
                    anchor.clone(),
                    "no publish date: this episode is a draft and build leaves it out",
                )
                .help = Some("set `published = 2021-01-22T21:00:00+09:00` in the front matter, or a complete Recording date".into());
                (None, Status::Draft)
            }
            Some(p) if p > self.ctx.now => {
                self.push(
                    Rule::Scheduled,
                    anchor.clone(),
                    format!(
                        "scheduled for {}: build leaves it out until then",
                        p.to_rfc3339()
                    ),
                );
                (Some(p), Status::Scheduled)
            }
            Some(p) => (Some(p), Status::Publish),
        }
    }

    fn front_date(&mut self, p: &Spanned<toml::value::Datetime>) -> Option<DateTime<FixedOffset>> {
        let v = p.get_ref();
        let msg = match front_published(self.ctx.show, v) {
            Ok(d) => return Some(d),
            Err(FrontDate::NoDate) => "`published` needs a date".to_string(),
            Err(FrontDate::NotCalendar) => format!("{v} is not a calendar date"),
            Err(FrontDate::BeforeFeeds) => {
                format!("{v} is before 1900, which no podcast was published in")
            }
            Err(FrontDate::BadTime) => format!("{v} is not a valid time"),
            Err(FrontDate::NotInZone) => {
                format!("{v} does not exist in {}", self.ctx.show.timezone)
            }
        };
        self.push(Rule::InvalidDate, p.span(), msg);
        None
    }
}

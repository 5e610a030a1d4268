//! Publish dates as real feeds write them. RFC 822 as chrono reads it comes
//! first; what podcast apps also accept (no seconds, a full or wrong day
//! name, no day name, a zone name chrono does not know, ISO 8601) is read
//! too, and said so.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

/// A date read, and what had to be forgiven to read it.
pub(crate) struct ReadDate {
    pub at: DateTime<FixedOffset>,
    pub forgiven: Option<String>,
}

pub(crate) fn read(text: &str) -> Option<ReadDate> {
    let text = text.trim();
    let exact = |at| Some(ReadDate { at, forgiven: None });
    if let Ok(at) = DateTime::parse_from_rfc2822(text) {
        return exact(at);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return exact(at);
    }
    let forgiven = |at, why: &str| {
        Some(ReadDate {
            at,
            forgiven: Some(why.to_string()),
        })
    };
    // The day name is redundant; apps ignore it when it is wrong or long.
    let (without_day, had_day) = match text.split_once(',') {
        Some((day, rest)) if day.trim().chars().all(|c| c.is_ascii_alphabetic()) => {
            (rest.trim(), true)
        }
        _ => (text, false),
    };
    let mut words: Vec<String> = without_day.split_whitespace().map(str::to_string).collect();
    if words.len() < 4 {
        return iso_without_zone(text)
            .and_then(|at| forgiven(at, "it has no time zone; UTC is assumed"));
    }
    let mut notes = Vec::new();
    if had_day && DateTime::parse_from_rfc2822(without_day).is_ok() {
        notes.push("its day name is not the date's");
    }
    // A time without seconds.
    if words[3].matches(':').count() == 1 {
        words[3].push_str(":00");
        notes.push("its time has no seconds");
    }
    // A zone chrono does not know, or none.
    match words.get(4).map(|z| zone_offset(z)) {
        Some(Some(offset)) => {
            if !matches!(words[4].as_str(), "GMT" | "UT" | "UTC" | "Z")
                && !words[4].starts_with(['+', '-'])
                && !["EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"]
                    .contains(&words[4].as_str())
            {
                notes.push("its time zone is a name");
            }
            words[4] = offset;
        }
        Some(None) => return None,
        None => {
            words.push("+0000".into());
            notes.push("it has no time zone; UTC is assumed");
        }
    }
    words.truncate(5);
    let candidate = words.join(" ");
    let at = DateTime::parse_from_rfc2822(&candidate).ok()?;
    if notes.is_empty() && !had_day {
        return exact(at);
    }
    let why = if notes.is_empty() {
        "its day name is not the date's".to_string()
    } else {
        notes.join(", ")
    };
    forgiven(at, &why)
}

/// `+0930`-style offsets for the zone names feeds use.
fn zone_offset(zone: &str) -> Option<String> {
    if zone.starts_with(['+', '-'])
        && zone.len() == 5
        && zone[1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Some(zone.to_string());
    }
    let hours: i32 = match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" | "WET" => 0,
        "BST" | "CET" | "WEST" => 1,
        "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "IST" => return Some("+0530".into()),
        "JST" | "KST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        "NZST" => 12,
        "NZDT" => 13,
        "AST" | "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" | "AKDT" => -8,
        "AKST" => -9,
        "HST" => -10,
        _ => return None,
    };
    Some(format!(
        "{}{:02}00",
        if hours < 0 { '-' } else { '+' },
        hours.abs()
    ))
}

fn iso_without_zone(text: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    FixedOffset::east_opt(0)?
        .from_local_datetime(&naive)
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> (String, bool) {
        let r = read(text).unwrap_or_else(|| panic!("{text}"));
        (r.at.naive_utc().to_string(), r.forgiven.is_some())
    }

    #[test]
    fn the_usual_forms_read_without_a_word() {
        assert_eq!(
            utc("Mon, 05 Jun 2023 10:00:00 +0000"),
            ("2023-06-05 10:00:00".into(), false)
        );
        assert_eq!(
            utc("Wed, 7 Jun 2023 10:00:00 EDT"),
            ("2023-06-07 14:00:00".into(), false)
        );
        // RFC 822 makes the seconds optional.
        assert_eq!(
            utc("Mon, 5 Jun 2023 10:00 GMT"),
            ("2023-06-05 10:00:00".into(), false)
        );
        assert_eq!(
            utc("2023-06-05T10:00:00-04:00"),
            ("2023-06-05 14:00:00".into(), false)
        );
    }

    #[test]
    fn what_apps_forgive_reads_with_a_word() {
        assert_eq!(
            utc("Mon, 5 Jun 2023 10:00 CEST"),
            ("2023-06-05 08:00:00".into(), true)
        );
        assert_eq!(
            utc("Thursday, 08 Jun 2023 10:00:00 +0000"),
            ("2023-06-08 10:00:00".into(), true)
        );
        assert_eq!(
            utc("Mon, 09 Jun 2023 10:00:00 +0000"),
            ("2023-06-09 10:00:00".into(), true)
        );
        assert_eq!(
            utc("8 Jun 2023 10:00:00 CEST"),
            ("2023-06-08 08:00:00".into(), true)
        );
        assert_eq!(
            utc("Tue, 06 Jun 2023 10:00:00"),
            ("2023-06-06 10:00:00".into(), true)
        );
        assert_eq!(
            utc("2023-06-05 10:00:00"),
            ("2023-06-05 10:00:00".into(), true)
        );
    }

    #[test]
    fn two_digit_years_are_this_century_or_the_last() {
        assert_eq!(
            utc("Tue, 06 Jun 23 10:00:00 +0000").0,
            "2023-06-06 10:00:00"
        );
    }

    #[test]
    fn nonsense_is_none() {
        assert!(read("soon").is_none());
        assert!(read("Mon, 32 Jun 2023 10:00:00 +0000").is_none());
        assert!(read("Mon, 05 Jun 2023 10:00:00 XYZ").is_none());
    }
}

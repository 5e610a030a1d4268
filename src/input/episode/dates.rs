//! Dates and episode numbers as shows write them in the notes.

use chrono::NaiveDate;

use super::DateValue;

pub(super) fn looks_like_date(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '/' || c == '-' || c == '.')
}

/// Reads a date as shows write it: `2021-01-22`, `2021/06/25`, `08/14/2020`,
/// `28/01/2022`, with anything after the first word ignored (`… 5 PM GMT`).
pub(crate) fn parse_date(value: &str) -> DateValue {
    let v = value.trim();
    let Some(tok) = v.split_whitespace().next() else {
        return DateValue::Empty;
    };
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())?
    };
    // Feeds only carry years from 1900 on; an earlier one is a typo.
    let complete =
        |y: u32, m: u32, d: u32, ambiguous: bool| match NaiveDate::from_ymd_opt(y as i32, m, d) {
            Some(date) if y >= 1900 => DateValue::Complete { date, ambiguous },
            _ => DateValue::Invalid(tok.to_string()),
        };
    // A month or day of three digits (`2021-03-012`) is a typo, not 12.
    let short = |s: &str| s.len() <= 2;
    if tok.contains('-') {
        let parts: Vec<&str> = tok.split('-').collect();
        if parts.len() > 3 || parts[0].len() != 4 || num(parts[0]).is_none() {
            return DateValue::Invalid(tok.to_string());
        }
        let filled: Vec<Option<u32>> = parts.iter().map(|p| num(p)).collect();
        return match (parts.len(), filled.as_slice()) {
            _ if !parts[1..].iter().all(|p| short(p)) => DateValue::Invalid(tok.to_string()),
            (3, [Some(y), Some(m), Some(d)]) => complete(*y, *m, *d, false),
            _ if parts
                .iter()
                .skip(1)
                .all(|p| p.is_empty() || num(p).is_some()) =>
            {
                DateValue::Partial(tok.to_string())
            }
            _ => DateValue::Invalid(tok.to_string()),
        };
    }
    if tok.contains('/') {
        let parts: Vec<Option<u32>> = tok.split('/').map(num).collect();
        let [Some(a), Some(b), Some(c)] = parts.as_slice() else {
            return DateValue::Invalid(tok.to_string());
        };
        let (a, b, c) = (*a, *b, *c);
        let lens: Vec<usize> = tok.split('/').map(str::len).collect();
        if lens[0] == 4 {
            return if lens[1..].iter().all(|&l| l <= 2) {
                complete(a, b, c, false)
            } else {
                DateValue::Invalid(tok.to_string())
            };
        }
        if lens[0] > 2 || lens[1] > 2 || !(lens[2] == 2 || lens[2] == 4) {
            return DateValue::Invalid(tok.to_string());
        }
        let y = if c < 100 { 2000 + c } else { c };
        return if a > 12 {
            complete(y, b, a, false)
        } else if b > 12 {
            complete(y, a, b, false)
        } else {
            complete(y, a, b, a != b)
        };
    }
    DateValue::Invalid(tok.to_string())
}

/// `# 006: Title`, `# Episode 050 : Weave (CNI)`, `# TGIK Episode #39`, `# Title`.
/// Returns (number, number-as-written-if-invalid, title).
pub(crate) fn split_heading(text: &str) -> (Option<u32>, Option<String>, Option<String>) {
    let t = text.trim();
    let (left, right) = match t.find([':', '：']) {
        Some(i) => {
            let sep = t[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            (&t[..i], Some(t[i + sep..].trim()))
        }
        None => (t, None),
    };
    match number_of(left) {
        Some(digits) => {
            let title = right.filter(|r| !r.is_empty()).map(str::to_string);
            match digits.parse::<u32>() {
                Ok(n) if n > 0 => (Some(n), None, title),
                _ => (None, Some(digits.to_string()), title),
            }
        }
        None => (None, None, Some(t.to_string()).filter(|s| !s.is_empty())),
    }
}

fn number_of(s: &str) -> Option<&str> {
    let s = s.trim();
    let head = s.trim_end_matches(|c: char| c.is_ascii_digit());
    if head.len() == s.len() {
        return None;
    }
    let digits = &s[head.len()..];
    let before = head.trim_end();
    let hash = before.ends_with('#');
    let before = before.trim_end_matches('#').trim_end().to_lowercase();
    let ok = before.is_empty()
        || hash
        || before.ends_with("episode")
        || before.ends_with("ep")
        || before.ends_with("ep.")
        || before.ends_with('第');
    ok.then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::episode::number_from_slug;

    #[test]
    fn headings() {
        assert_eq!(split_heading("006"), (Some(6), None, None));
        assert_eq!(
            split_heading("006: Title"),
            (Some(6), None, Some("Title".into()))
        );
        assert_eq!(
            split_heading("Episode 050 : Weave (CNI)"),
            (Some(50), None, Some("Weave (CNI)".into()))
        );
        assert_eq!(split_heading("TGIK Episode #39"), (Some(39), None, None));
        assert_eq!(
            split_heading("Episode069 : x"),
            (Some(69), None, Some("x".into()))
        );
        assert_eq!(
            split_heading("Networking and Services"),
            (None, None, Some("Networking and Services".into()))
        );
        assert_eq!(
            split_heading("Kubernetes 1.20: what's new"),
            (None, None, Some("Kubernetes 1.20: what's new".into()))
        );
        assert_eq!(split_heading("Episode 67 :"), (Some(67), None, None));
        assert_eq!(split_heading("000"), (None, Some("000".into()), None));
    }

    #[test]
    fn dates() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            parse_date("2021-01-22"),
            DateValue::Complete {
                date: d(2021, 1, 22),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("2021-01-"),
            DateValue::Partial("2021-01-".into())
        );
        assert_eq!(
            parse_date("2021-02-30"),
            DateValue::Invalid("2021-02-30".into())
        );
        assert_eq!(
            parse_date("2021-11-19 5 PM GMT / 9 AM PST"),
            DateValue::Complete {
                date: d(2021, 11, 19),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("28/01/2022"),
            DateValue::Complete {
                date: d(2022, 1, 28),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("08/21/2020"),
            DateValue::Complete {
                date: d(2020, 8, 21),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("9/10/2021"),
            DateValue::Complete {
                date: d(2021, 9, 10),
                ambiguous: true
            }
        );
        assert_eq!(
            parse_date("2021/06/25"),
            DateValue::Complete {
                date: d(2021, 6, 25),
                ambiguous: false
            }
        );
        assert_eq!(parse_date(""), DateValue::Empty);
        // Typos are findings, never read as some other date.
        for typo in [
            "2021-03-012",
            "2021-003-12",
            "0000-01-01",
            "1899-12-31",
            "2021/03/012",
            "012/03/2021",
            "03/12/202",
            "03/12/20211",
            "0000/01/01",
        ] {
            assert_eq!(parse_date(typo), DateValue::Invalid(typo.into()), "{typo}");
        }
        assert!(matches!(
            parse_date("1900-01-01"),
            DateValue::Complete { .. }
        ));
        assert_eq!(parse_date("soon"), DateValue::Invalid("soon".into()));
    }

    #[test]
    fn slugs() {
        assert_eq!(number_from_slug("006"), Some(6));
        assert_eq!(number_from_slug("episode_template"), None);
        assert_eq!(number_from_slug("000"), None);
    }
}

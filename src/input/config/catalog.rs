//! Fixed vocabularies feeds are checked against: Apple's category list, ISO 639-1
//! language codes, and the podcast:person taxonomy.

use std::sync::OnceLock;

/// Apple Podcasts categories (the 2019 list, 19 top level + 91 sub = 110 entries).
pub(crate) const APPLE_CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Arts",
        &[
            "Books",
            "Design",
            "Fashion & Beauty",
            "Food",
            "Performing Arts",
            "Visual Arts",
        ],
    ),
    (
        "Business",
        &[
            "Careers",
            "Entrepreneurship",
            "Investing",
            "Management",
            "Marketing",
            "Non-Profit",
        ],
    ),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    (
        "Education",
        &["Courses", "How To", "Language Learning", "Self-Improvement"],
    ),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    (
        "Health & Fitness",
        &[
            "Alternative Health",
            "Fitness",
            "Medicine",
            "Mental Health",
            "Nutrition",
            "Sexuality",
        ],
    ),
    (
        "Kids & Family",
        &[
            "Education for Kids",
            "Parenting",
            "Pets & Animals",
            "Stories for Kids",
        ],
    ),
    (
        "Leisure",
        &[
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        ],
    ),
    (
        "Music",
        &["Music Commentary", "Music History", "Music Interviews"],
    ),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &[
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        ],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    (
        "Society & Culture",
        &[
            "Documentary",
            "Personal Journals",
            "Philosophy",
            "Places & Travel",
            "Relationships",
        ],
    ),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    (
        "TV & Film",
        &[
            "After Shows",
            "Film History",
            "Film Interviews",
            "Film Reviews",
            "TV Reviews",
        ],
    ),
];

/// Pre-2019 category names and what Apple maps them to now.
pub(crate) const LEGACY_CATEGORIES: &[(&str, &str)] = &[
    ("Games & Hobbies", "Leisure"),
    ("Games & Hobbies > Video Games", "Leisure > Video Games"),
    ("Games & Hobbies > Hobbies", "Leisure > Hobbies"),
    ("Games & Hobbies > Automotive", "Leisure > Automotive"),
    ("Games & Hobbies > Aviation", "Leisure > Aviation"),
    ("Games & Hobbies > Other Games", "Leisure > Games"),
    ("Technology > Tech News", "News > Tech News"),
    ("Technology > Podcasting", "Technology"),
    ("Technology > Gadgets", "Technology"),
    ("Technology > Software How-To", "Education > How To"),
    ("Science & Medicine", "Science"),
    (
        "Science & Medicine > Medicine",
        "Health & Fitness > Medicine",
    ),
    (
        "Science & Medicine > Natural Sciences",
        "Science > Natural Sciences",
    ),
    (
        "Science & Medicine > Social Sciences",
        "Science > Social Sciences",
    ),
    ("Health", "Health & Fitness"),
    ("Health > Fitness & Nutrition", "Health & Fitness > Fitness"),
    (
        "Health > Alternative Health",
        "Health & Fitness > Alternative Health",
    ),
    ("Health > Self-Help", "Education > Self-Improvement"),
    ("Health > Sexuality", "Health & Fitness > Sexuality"),
    ("Government & Organizations", "Government"),
    ("Business > Business News", "News > Business News"),
    ("Business > Shopping", "Business"),
    ("News & Politics", "News"),
    ("Sports & Recreation", "Sports"),
    ("Sports & Recreation > Amateur", "Sports"),
    ("Sports & Recreation > College & High School", "Sports"),
    ("Sports & Recreation > Outdoor", "Sports > Wilderness"),
    ("Sports & Recreation > Professional", "Sports"),
    ("Society & Culture > History", "History"),
    ("Education > Educational Technology", "Education"),
    ("Education > Higher Education", "Education > Courses"),
    ("Education > K-12", "Education > Courses"),
    (
        "Education > Language Courses",
        "Education > Language Learning",
    ),
    ("Education > Training", "Education > How To"),
    ("Arts > Literature", "Arts > Books"),
    ("Arts > Food", "Arts > Food"),
    ("Religion & Spirituality > Other", "Religion & Spirituality"),
];

/// Outcome of looking up a category path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CategoryCheck {
    Valid,
    /// A pre-2019 name; the string is the current one.
    Legacy(&'static str),
    Unknown,
}

pub(crate) fn check_category(top: &str, sub: Option<&str>) -> CategoryCheck {
    if let Some((_, subs)) = APPLE_CATEGORIES.iter().find(|(t, _)| *t == top) {
        match sub {
            None => return CategoryCheck::Valid,
            Some(s) if subs.contains(&s) => return CategoryCheck::Valid,
            _ => {}
        }
    }
    let path = match sub {
        Some(s) => format!("{top} > {s}"),
        None => top.to_string(),
    };
    LEGACY_CATEGORIES
        .iter()
        .find(|(old, _)| *old == path)
        .map(|(_, new)| CategoryCheck::Legacy(new))
        .unwrap_or(CategoryCheck::Unknown)
}

#[cfg(test)]
fn category_count() -> usize {
    APPLE_CATEGORIES.iter().map(|(_, s)| 1 + s.len()).sum()
}

/// ISO 639-1 two-letter codes.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// RSS language: an ISO 639-1 code, optionally `-` and a two-letter region
/// (`ja`, `en-us`, `pt-BR`), as RSS and Apple expect.
pub(crate) fn is_valid_language(code: &str) -> bool {
    let mut parts = code.splitn(2, '-');
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    if !ISO_639_1.split(' ').any(|c| c == lang) {
        return false;
    }
    match parts.next() {
        None => true,
        Some(r) => r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()),
    }
}

/// One role of the podcast:person taxonomy (from podcastindex.org's taxonomy.json).
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct TaxonomyEntry {
    pub group: String,
    pub role: String,
}

/// The taxonomy, read once from the copy shipped in `data/` (CC0, as
/// podcastindex.org publishes it).
pub(crate) fn taxonomy() -> &'static [TaxonomyEntry] {
    static T: OnceLock<Vec<TaxonomyEntry>> = OnceLock::new();
    T.get_or_init(|| {
        serde_json::from_str(include_str!("../../../data/podcast-person-taxonomy.json"))
            .expect("taxonomy JSON shipped with the crate parses")
    })
}

/// Finds a role (case-insensitive), returning its canonical (group, role) in the
/// lower-case form the namespace spec uses in attributes.
pub(crate) fn find_role(role: &str) -> Option<&'static TaxonomyEntry> {
    taxonomy()
        .iter()
        .find(|e| e.role.eq_ignore_ascii_case(role))
}

pub(crate) fn is_group(group: &str) -> bool {
    taxonomy()
        .iter()
        .any(|e| e.group.eq_ignore_ascii_case(group))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_list_has_110_entries() {
        assert_eq!(category_count(), 110);
    }

    #[test]
    fn categories() {
        assert_eq!(check_category("Technology", None), CategoryCheck::Valid);
        assert_eq!(
            check_category("News", Some("Tech News")),
            CategoryCheck::Valid
        );
        assert_eq!(
            check_category("Technology", Some("Tech News")),
            CategoryCheck::Legacy("News > Tech News")
        );
        assert_eq!(check_category("Tech", None), CategoryCheck::Unknown);
    }

    #[test]
    fn languages() {
        assert!(is_valid_language("ja"));
        assert!(is_valid_language("en-US"));
        assert!(!is_valid_language("jp"));
        assert!(!is_valid_language("english"));
    }

    #[test]
    fn taxonomy_has_63_roles() {
        assert_eq!(taxonomy().len(), 63);
        assert_eq!(find_role("HOST").unwrap().group, "Cast");
    }
}

//! The cases every reader reads: the example show as built, and variants of
//! its documents that each break one thing a client or a validator must
//! notice. A case names the readers that must find a problem, with what their
//! problems say; every other reader must read it without one.

use crate::show::Edit::{self, CutAttribute, CutElement, Replace};
use crate::Reader::{self, *};

pub struct Case {
    pub name: &'static str,
    pub edits: &'static [Edit],
    /// Each reader that must find a problem, and words its problems must
    /// hold (each in some problem).
    pub flagged: &'static [(Reader, &'static [&'static str])],
}

/// What a client's problem says when it read an enclosure wrong.
const ENCLOSURE: &str = "read enclosure (url, length, type) wrong";

pub const CASES: &[Case] = &[
    Case {
        name: "as built",
        edits: &[],
        flagged: &[],
    },
    Case {
        name: "an Atom entry without its id",
        edits: &[CutElement("atom.xml", "<entry>", "id")],
        flagged: &[
            (Feedparser, &["read Atom content wrong"]),
            (FeedRs, &["read guid / id wrong"]),
            (
                AtomRnc,
                &[
                    "missing required element \"id\"",
                    "lacks the Atom counterpart of `guid / id`",
                ],
            ),
        ],
    },
    Case {
        name: "a transcript without its url",
        edits: &[Replace(
            "feed.xml",
            "<podcast:transcript type=\"text/vtt\" url=",
            "<podcast:transcript type=\"text/vtt\" href=",
        )],
        flagged: &[
            (
                Partytime,
                &["pc20support lacks `transcript`", "did not read transcript"],
            ),
            (PodcastXsd, &["The attribute 'url' is required but missing"]),
            (
                PodcastXsdVerbatim,
                &["The attribute 'url' is required but missing"],
            ),
        ],
    },
    Case {
        name: "locked not yes or no",
        edits: &[Replace(
            "feed.xml",
            ">yes</podcast:locked>",
            ">true</podcast:locked>",
        )],
        flagged: &[
            (Partytime, &["read locked wrong"]),
            (
                PodcastXsd,
                &["'true' is not an element of the set {'yes', 'no'}"],
            ),
            (
                PodcastXsdVerbatim,
                &["'true' is not an element of the set {'yes', 'no'}"],
            ),
        ],
    },
    Case {
        name: "a season that is not an integer",
        edits: &[Replace(
            "feed.xml",
            "<podcast:season>1<",
            "<podcast:season>one<",
        )],
        flagged: &[
            (Feedparser, &["read season wrong"]),
            (Partytime, &["read season wrong"]),
            (
                PodcastXsd,
                &["'one' is not a valid value of the atomic type 'xs:integer'"],
            ),
            (
                PodcastXsdVerbatim,
                &["'one' is not a valid value of the atomic type 'xs:integer'"],
            ),
            (
                W3c,
                &[
                    "podcast:season \"one\" is not a positive integer",
                    "itunes:season and podcast:season disagree",
                ],
            ),
        ],
    },
    Case {
        name: "an enclosure without its length and no transcript",
        edits: &[
            CutAttribute("feed.xml", "<enclosure ", "length"),
            CutElement("feed.xml", "<item>", "podcast:transcript"),
        ],
        flagged: &[
            (Feedparser, &[ENCLOSURE]),
            (Podcastparser, &[ENCLOSURE]),
            (Partytime, &[ENCLOSURE, "pc20support lacks `transcript`"]),
            (FeedRs, &[ENCLOSURE]),
            (PodcastXsd, &["feed.xml has no podcast:transcript"]),
            (W3c, &["item \"008\": enclosure url/length/type"]),
        ],
    },
    Case {
        name: "explicit yes",
        edits: &[Replace(
            "feed.xml",
            "<itunes:explicit>false</itunes:explicit>",
            "<itunes:explicit>yes</itunes:explicit>",
        )],
        flagged: &[
            (Feedparser, &["read explicit wrong"]),
            (Podcastparser, &["read explicit wrong"]),
            (Partytime, &["read explicit wrong"]),
            (W3c, &["itunes:explicit is \"yes\", not true/false"]),
        ],
    },
    Case {
        name: "a category Apple does not have",
        edits: &[Replace(
            "feed.xml",
            "text=\"Tech News\"",
            "text=\"Kubernetes\"",
        )],
        flagged: &[
            (Feedparser, &["read itunes:category wrong"]),
            (Podcastparser, &["read itunes:category wrong"]),
            (Partytime, &["read itunes:category wrong"]),
            (FeedRs, &["read itunes:category wrong"]),
            (
                W3c,
                &["\"News\" > Some(\"Kubernetes\") is not an Apple category"],
            ),
        ],
    },
    Case {
        name: "episode 0",
        edits: &[Replace(
            "feed.xml",
            "<itunes:episode>8</itunes:episode>",
            "<itunes:episode>0</itunes:episode>",
        )],
        flagged: &[
            (Feedparser, &["read episode wrong"]),
            (Podcastparser, &["read episode wrong"]),
            (Partytime, &["read episode wrong"]),
            (
                W3c,
                &[
                    "itunes:episode \"0\" is not a positive integer",
                    "itunes:episode and podcast:episode disagree",
                ],
            ),
        ],
    },
    Case {
        name: "a duration of 50m",
        edits: &[Replace(
            "feed.xml",
            "<itunes:duration>3012</itunes:duration>",
            "<itunes:duration>50m</itunes:duration>",
        )],
        flagged: &[
            (Feedparser, &["read duration wrong"]),
            (Podcastparser, &["read duration wrong"]),
            (Partytime, &["read duration wrong"]),
            (FeedRs, &["read duration wrong"]),
            (W3c, &["itunes:duration Some(\"50m\") is not seconds"]),
        ],
    },
    Case {
        name: "no self link",
        edits: &[Replace("feed.xml", "rel=\"self\"", "rel=\"alternate\"")],
        flagged: &[
            (Feedparser, &["did not read atom:link rel=self"]),
            (W3c, &["channel needs one atom:link rel=self"]),
        ],
    },
    Case {
        name: "a length in MB",
        edits: &[Replace(
            "feed.xml",
            "length=\"48123456\"",
            "length=\"45.9MB\"",
        )],
        flagged: &[
            (Feedparser, &[ENCLOSURE]),
            (Podcastparser, &[ENCLOSURE]),
            (Partytime, &[ENCLOSURE]),
            (FeedRs, &[ENCLOSURE]),
            (W3c, &["item \"008\": enclosure url/length/type"]),
        ],
    },
];

//! The rule registry: every problem feedgen can find, with a stable code, a
//! kebab-case name (used in `[rules]` overrides) and a default severity.
//! `docs/rules.md` lists the same rules; a test keeps the two equal.

use super::Severity;

macro_rules! rules {
    ($( $variant:ident => $code:literal, $name:literal, $sev:ident, $summary:literal; )*) => {
        /// Every check feedgen makes. The list in `docs/rules.md` is tested against this.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $( $variant, )* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant, )* ];
            /// Stable code, e.g. `FG107`. Never reused for another meaning.
            pub fn code(self) -> &'static str { match self { $( Rule::$variant => $code, )* } }
            /// Kebab-case name, used in `[rules]` and in docs.
            pub fn name(self) -> &'static str { match self { $( Rule::$variant => $name, )* } }
            pub fn default_severity(self) -> Severity { match self { $( Rule::$variant => Severity::$sev, )* } }
            /// One line saying what the rule catches.
            pub fn summary(self) -> &'static str { match self { $( Rule::$variant => $summary, )* } }
        }
    };
}

rules! {
    // podcast.toml
    ConfigSyntax => "FG001", "config-syntax", Error, "podcast.toml is not valid TOML, has an unknown key or a value of the wrong type";
    MissingField => "FG002", "missing-field", Error, "a required podcast.toml field is missing or empty";
    InvalidUrl => "FG003", "invalid-url", Error, "a URL in podcast.toml or front matter does not parse or is not absolute http(s)";
    InsecureUrl => "FG004", "insecure-url", Warning, "a podcast.toml or enclosure URL uses http instead of https";
    InvalidLanguage => "FG005", "invalid-language", Error, "the language is not an ISO 639 code with an optional region";
    InvalidCategory => "FG006", "invalid-category", Error, "a category is not in Apple's list (legacy names get the new one as help)";
    InvalidEmail => "FG007", "invalid-email", Error, "an owner or locked email address is not valid";
    ImageFormat => "FG008", "image-format", Error, "an image URL does not end in .jpg, .jpeg or .png";
    DescriptionTooLong => "FG009", "description-too-long", Error, "the podcast description is over 4000 bytes";
    UnknownRole => "FG010", "unknown-role", Error, "a person's role or group is not in the podcast:person taxonomy";
    GuidMismatch => "FG011", "guid-mismatch", Error, "the stored podcast guid differs from the one derived from feed_url";
    InvalidTimezone => "FG012", "invalid-timezone", Error, "the timezone is not an IANA name or publish_time is not HH:MM";
    UnknownRuleName => "FG013", "unknown-rule", Warning, "[rules] names a rule that does not exist";
    // episodes
    MissingNumber => "FG100", "missing-number", Error, "an episode has no number in front matter, heading or file name";
    InvalidNumber => "FG101", "invalid-number", Error, "an episode or season number is not a positive integer";
    DuplicateNumber => "FG102", "duplicate-number", Error, "two episodes have the same number";
    NumberMismatch => "FG103", "number-mismatch", Error, "front matter, heading and file name give different episode numbers";
    MissingTitle => "FG104", "missing-title", Warning, "an episode has no title beyond its number";
    TitleTooLong => "FG105", "title-too-long", Error, "an episode title is over 255 characters";
    NumberInTitle => "FG106", "number-in-title", Warning, "the title repeats the episode number that itunes:episode already carries";
    InvalidDate => "FG107", "invalid-date", Error, "a date is not a real calendar date or cannot be read";
    PartialDate => "FG108", "partial-date", Warning, "a recording date is incomplete, such as 2021-01-";
    AmbiguousDate => "FG109", "ambiguous-date", Warning, "a slashed date could be month-first or day-first";
    MissingHost => "FG110", "missing-host", Error, "the header list has no Hosted by line";
    EmptyVideo => "FG111", "empty-video", Warning, "the Video header line has no link";
    UnknownSpeaker => "FG112", "unknown-speaker", Warning, "a speaker or host handle is not in the [people] registry";
    MissingEnclosure => "FG113", "missing-enclosure", Error, "an episode has no audio enclosure";
    IncompleteEnclosure => "FG114", "incomplete-enclosure", Error, "an enclosure lacks its length, type or duration, or they are malformed";
    DuplicateGuid => "FG115", "duplicate-guid", Error, "two episodes have the same guid";
    DuplicateEnclosure => "FG116", "duplicate-enclosure", Error, "two episodes use the same enclosure URL";
    SerialUnnumbered => "FG117", "serial-unnumbered", Error, "a serial show has an episode without a number";
    EmptySection => "FG118", "empty-section", Warning, "a speaker section has no topics or notes";
    FrontMatter => "FG119", "front-matter", Error, "the +++ front matter is not valid TOML, has an unknown key or is not closed";
    LazyContinuation => "FG120", "lazy-continuation", Warning, "a line meant as a new topic was read as the continuation of the list item above";
    Draft => "FG121", "draft", Note, "an episode has no publish date, so build leaves it out";
    Scheduled => "FG122", "scheduled", Note, "an episode is published in the future, so build leaves it out for now";
    InvalidEpisodeType => "FG123", "invalid-episode-type", Error, "episode_type is not full, trailer or bonus";
    MediaMismatch => "FG124", "media-mismatch", Warning, "a length or duration in front matter disagrees with the media file";
    MediaFile => "FG125", "media-file", Error, "a local media, transcript or chapters file is missing or unreadable";
    InvalidChapters => "FG126", "invalid-chapters", Error, "a chapters file is not valid JSON chapters 1.2";
    PublishedGuidChanged => "FG127", "published-guid-changed", Error, "a build would change or drop a guid or enclosure URL recorded in feedgen.lock";
    FileTooLarge => "FG128", "file-too-large", Error, "an episode file is larger than the configured cap";
    UnsafePath => "FG129", "unsafe-path", Error, "an episode file or output path leads outside the project";
    NestingTooDeep => "FG130", "nesting-too-deep", Error, "lists or quotes are nested deeper than feedgen renders";
    InvalidValue => "FG131", "invalid-value", Error, "a value in podcast.toml or front matter is not what its feed element takes (soundbite times, a geo URI, an OpenStreetMap id, an rrule, a guid with a line break)";
    ConfusableHandle => "FG132", "confusable-handle", Warning, "a speaker handle holds invisible characters, letters of several scripts or full-width letters; it credits nobody";
    InvalidLedger => "FG133", "invalid-ledger", Error, "feedgen.lock is empty, unreadable or not a ledger feedgen wrote";
    NotAnEpisode => "FG134", "not-an-episode", Warning, "a file or folder in episodes/ looks like an episode but is not read as one";
    TemplateError => "FG135", "template-error", Error, "a page template in templates/ does not parse, or fails to render a page";
    // links
    InvalidLink => "FG200", "invalid-link", Error, "a link target does not parse as a URL, carries a user name or password, or names an IPv6 host";
    UnsafeLink => "FG201", "unsafe-link", Error, "a link uses javascript:, data:, vbscript:, file: or is protocol-relative; it is not emitted";
    HttpLink => "FG202", "http-link", Note, "a link uses http where https likely works";
    TrackingParameter => "FG203", "tracking-parameter", Note, "a link carries tracking parameters; they are removed";
    DuplicateLink => "FG204", "duplicate-link", Warning, "the same link appears twice in one episode";
    EmptyLinkText => "FG205", "empty-link-text", Warning, "a link has no text to click";
    RelativeLink => "FG206", "relative-link", Warning, "a link has no scheme, so it cannot work in a feed; its text is kept";
    RawHtml => "FG207", "raw-html", Note, "raw HTML in the notes or the show's description is shown as text, never passed through";
    // encoding
    InvalidUtf8 => "FG300", "invalid-utf8", Error, "a file is not UTF-8";
    ControlCharacter => "FG301", "control-character", Warning, "a character XML 1.0 cannot hold; it is removed";
    InvisibleCharacter => "FG302", "invisible-character", Warning, "an invisible or bidi-override character; it is removed";
    FullwidthBullet => "FG303", "fullwidth-bullet", Warning, "a line looks like a list item but a full-width space follows the dash";
    // outputs
    DescriptionTruncated => "FG400", "description-truncated", Warning, "the Apple description was cut to 4000 bytes with a link to the full notes";
    OutputVerify => "FG401", "output-verify", Error, "a rendered feed did not parse back or lost items";
    // feedgen import
    ImportUnreadable => "FG500", "import-unreadable", Error, "the source given to feedgen import is not a feed it can read, even as podcast apps forgive feeds";
    ImportRepaired => "FG501", "import-repaired", Warning, "the imported feed is not well-formed or not quite to its standards (an HTML entity, a wrong encoding, an odd date); it was read as podcast apps read it";
    ImportChanged => "FG502", "import-changed", Note, "a value of the imported feed is carried over in another form (a guid from the enclosure URL, a title or description without its HTML)";
    ImportLeftOut => "FG503", "import-left-out", Warning, "something in the imported feed has no place in feedgen and is not carried over, or is missing";
    ImportDuplicate => "FG504", "import-duplicate", Warning, "two imported items share a guid or an episode number";
}

impl Rule {
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// How a finding of this rule can be changed, for the report. Findings
    /// about what was already published, and about documents that did not
    /// read back, are made after `[rules]` is applied: no level hides them.
    pub fn how_to_change(self) -> String {
        let name = self.name();
        match self {
            Rule::PublishedGuidChanged => format!(
                "rule `{name}`: [rules] cannot change it; `feedgen build --allow-guid-change EPISODE` accepts the change"
            ),
            Rule::InvalidLedger => format!(
                "rule `{name}`: [rules] cannot change it; restore feedgen.lock (`git checkout feedgen.lock`) or delete it to start anew"
            ),
            Rule::OutputVerify => format!(
                "rule `{name}`: [rules] cannot change it; feedgen never publishes a document it cannot read back"
            ),
            Rule::ImportUnreadable
            | Rule::ImportRepaired
            | Rule::ImportChanged
            | Rule::ImportLeftOut
            | Rule::ImportDuplicate => format!(
                "rule `{name}`: a finding of `feedgen import` about the feed it read (docs/import.md)"
            ),
            _ => format!("rule `{name}`: change its level under [rules] in podcast.toml"),
        }
    }
}

#!/usr/bin/env python3
"""Read a feed with feedparser and podcastparser; print what each client saw, as JSON.

Usage: read_python.py FEED_XML [ATOM_XML]

Only values are reported, not judged: tests/conformance/ compares them with
feedgen's model. Dates are Unix seconds. A field the client did not read is null.

podcastparser 0.6 knows the Podcasting 2.0 namespace only by its old GitHub URL,
so it is run twice: on the feed as written ("podcastparser") and on a copy whose
namespace declaration is rewritten to that URL ("podcastparser_legacy_ns").
"""

import calendar
import io
import json
import sys

import feedparser
import podcastparser

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_LEGACY = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"


def seconds(struct_time):
    return calendar.timegm(struct_time) if struct_time else None


def as_dict(value):
    """feedparser gives an element with text but no attributes as a string."""
    return value if isinstance(value, dict) else {}


def as_list(value):
    """feedparser keeps one dict per unknown element name (the last one)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def with_feedparser(path):
    d = feedparser.parse(path)
    items = []
    for e in d.entries:
        enclosures = [link for link in e.get("links", []) if link.get("rel") == "enclosure"]
        items.append({
            "title": e.get("title"),
            "guid": e.get("id"),
            "pubDate": seconds(e.get("published_parsed")),
            "enclosures": [
                {"url": x.get("href"), "length": x.get("length"), "type": x.get("type")}
                for x in enclosures
            ],
            "duration": e.get("itunes_duration"),
            "episode": e.get("itunes_episode"),
            "season": e.get("itunes_season"),
            "podcast_episode": e.get("podcast_episode"),
            "podcast_season": e.get("podcast_season"),
            # Attributes only: feedparser drops the text (the name) of attribute-bearing
            # unknown elements and keeps only the last one of a name.
            "persons": as_list(e.get("podcast_person")),
            "transcripts": [t.get("url") for t in as_list(e.get("podcast_transcript"))],
            "chapters": as_dict(e.get("podcast_chapters")).get("url"),
            "content_link": as_dict(e.get("podcast_contentlink")).get("href"),
        })
    f = d.feed
    return {
        "bozo": bool(d.bozo),
        "bozo_exception": str(d.get("bozo_exception", "")) or None,
        "version": d.version,
        "channel": {
            "title": f.get("title"),
            # feedparser maps "yes" to True, "clean" to False, anything else to None.
            "explicit": f.get("itunes_explicit"),
            "categories": [t.get("term") for t in f.get("tags", []) if "itunes" in (t.get("scheme") or "")],
            "self": next((x["href"] for x in f.get("links", []) if x.get("rel") == "self"), None),
            "podcast_guid": f.get("podcast_guid"),
            "locked_owner": as_dict(f.get("podcast_locked")).get("owner"),
            "funding": [x.get("url") for x in as_list(f.get("podcast_funding"))],
            "persons": as_list(f.get("podcast_person")),
        },
        "items": items,
    }


def with_feedparser_atom(path):
    d = feedparser.parse(path)
    return {
        "bozo": bool(d.bozo),
        "version": d.version,
        "items": [
            {
                "title": e.get("title"),
                "id": e.get("id"),
                "published": seconds(e.get("published_parsed")),
                "enclosures": [
                    {"url": x.get("href"), "length": x.get("length"), "type": x.get("type")}
                    for x in e.get("links", []) if x.get("rel") == "enclosure"
                ],
                "content_types": [c.get("type") for c in e.get("content", [])],
                "content_length": sum(len(c.get("value", "")) for c in e.get("content", [])),
                "contributors": [c.get("name") for c in e.get("contributors", [])],
            }
            for e in d.entries
        ],
    }


def with_podcastparser(xml_bytes):
    p = podcastparser.parse("https://example.invalid/feed.xml", io.BytesIO(xml_bytes))
    items = []
    for e in p.get("episodes", []):
        items.append({
            "title": e.get("title"),
            "guid": e.get("guid"),
            "pubDate": e.get("published"),
            "enclosures": [
                {"url": x.get("url"), "length": x.get("file_size"), "type": x.get("mime_type")}
                for x in e.get("enclosures", [])
            ],
            "duration": e.get("total_time"),
            "episode": e.get("number"),
            "season": e.get("season"),
            "persons": e.get("persons", []),
            "transcripts": [e["transcript_url"]] if e.get("transcript_url") else [],
            "chapters": e.get("chapters_json_url"),
        })
    return {
        "channel": {
            "title": p.get("title"),
            "explicit": p.get("explicit"),
            "categories": p.get("itunes_categories", []),
            "locked": p.get("import_prohibited"),
            "funding": [p["funding_url"]] if p.get("funding_url") else [],
        },
        "items": items,
    }


def strictly(reader, xml):
    """podcastparser refuses XML that is not well-formed; say so, as data."""
    try:
        return reader(xml)
    except Exception as e:  # noqa: BLE001 - any refusal is the answer
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    feed = sys.argv[1]
    with open(feed, "rb") as fh:
        xml = fh.read()
    legacy = xml.replace(PODCAST_NS.encode(), PODCAST_NS_LEGACY.encode())
    out = {
        "feedparser": with_feedparser(feed),
        "podcastparser": strictly(with_podcastparser, xml),
        "podcastparser_legacy_ns": strictly(with_podcastparser, legacy),
    }
    if len(sys.argv) > 2:
        out["feedparser_atom"] = with_feedparser_atom(sys.argv[2])
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Times python-feedgen 1.0.0 (`pip install feedgen==1.0.0`) serializing a podcast
RSS feed of N items, for the side-by-side ratio in `cargo bench --bench build`.

The HTML is pre-rendered (python-feedgen does not render Markdown): per item a
`content:encoded` of about 5.1 KB and a `description` of about 3.9 KB, the average
sizes feedgen produces for the synthetic show of benches/support/genshow.rs. Each
item gets title, link, guid, pubDate, description, content, an enclosure and the
podcast extension's itunes duration/episode/season/episodeType.

Usage: python_feedgen.py N [OUT.xml]   (default OUT: a temporary file)
Prints one JSON line: {"items": N, "seconds": <building entries + writing RSS>,
"bytes": <size of the RSS file>}. Only the FeedGenerator work is timed, not the
interpreter start or the creation of the HTML strings.
"""

import datetime
import json
import os
import sys
import tempfile
import time

from feedgen.feed import FeedGenerator

WORDS = ["Kubernetes", "controller", "reconciliation", "ネットワーク", "セキュリティ",
         "クラスタ", "の仕組み", "eBPF", "service mesh", "Gateway API", "AT&amp;T",
         "observability", "scheduler", "supply chain"]


def html_for(n):
    """A description (~3.9 KB) and content (~5.1 KB) shaped like feedgen's output."""
    def words(k, i):
        return " ".join(WORDS[(n * 7 + i * 3 + j) % len(WORDS)] for j in range(k))

    topics = []
    for t in range(9):
        topics.append(
            f'<p><a href="https://kubernetes.io/blog/{n}-{t}-a1b2c3">{words(4, t)}</a></p>'
            f'<ul><li><a href="https://www.cncf.io/blog/{n}-{t + 100}-d4e5f6">{words(2, t)}</a></li>'
            f'<li><a href="https://thenewstack.io/articles/{n}-{t + 200}-0a1b2c">{words(2, t + 3)}</a></li>'
            f'<li>{words(5, t + 1)}<ul><li>{words(4, t + 2)}</li></ul></li></ul>'
            f'<p>{words(7, t + 4)}。</p>'
        )
    head = (f'<ul><li>Hosted by <a href="https://twitter.com/bells17">@bells17</a></li>'
            f'<li>Recording date: 2021-01-22</li><li>Video: <a href="https://youtu.be/kubenews-{n}">'
            f'https://youtu.be/kubenews-{n}</a></li></ul><p>Contents</p>')
    description = head
    for t in topics:  # Apple's 4000-byte limit: whole topics only
        if len((description + t).encode()) > 3950:
            break
        description += t
    content = (head.replace("<p>Contents</p>", "<h2>Contents</h2>")
               + "".join(t.replace("<p>", "<h4>").replace("</p>", "</h4>") for t in topics)
               + "<pre><code class=\"language-yaml\">apiVersion: v1\nkind: Pod\n</code></pre>" * 2)
    return description, content


def build(n, out):
    items = []
    start = datetime.datetime(2001, 1, 1, 21, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    step = datetime.timedelta(seconds=max(60, 28 * 365 * 86400 // max(n, 1)))
    for i in range(1, n + 1):
        d, c = html_for(i)
        items.append((i, d, c, start + step * (i - 1)))

    t0 = time.perf_counter()
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title("kubenews")
    fg.link(href="https://kubenews.example.com/", rel="alternate")
    fg.description("A synthetic weekly Kubernetes news show, generated for benchmarks.")
    fg.language("ja")
    fg.podcast.itunes_category("Technology")
    fg.podcast.itunes_author("kubenews")
    fg.podcast.itunes_explicit("no")
    fg.podcast.itunes_owner(name="kubenews", email="podcast@kubenews.example.com")
    fg.podcast.itunes_image("https://kubenews.example.com/cover.jpg")
    for number, desc, content, published in items:
        fe = fg.add_entry(order="append")
        guid = f"kubenews-{number}"
        fe.guid(guid, permalink=False)
        fe.title(f"kubenews #{number}")
        fe.link(href=f"https://kubenews.example.com/episodes/{number}/")
        fe.pubDate(published)
        fe.description(desc)
        fe.content(content, type="CDATA")
        fe.enclosure(f"https://media.kubenews.example.com/{number}.mp3", str(20_000_000 + number), "audio/mpeg")
        fe.podcast.itunes_duration(1800 + number % 4200)
        fe.podcast.itunes_episode(number)
        fe.podcast.itunes_season(1 + number // 50)
        fe.podcast.itunes_episode_type("full")
    fg.rss_file(out)
    elapsed = time.perf_counter() - t0
    return elapsed, os.path.getsize(out)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    n = int(sys.argv[1].replace("_", ""))
    if len(sys.argv) > 2:
        out = sys.argv[2]
        elapsed, size = build(n, out)
    else:
        with tempfile.TemporaryDirectory() as d:
            elapsed, size = build(n, os.path.join(d, "feed.xml"))
    print(json.dumps({"items": n, "seconds": round(elapsed, 4), "bytes": size}))


if __name__ == "__main__":
    main()

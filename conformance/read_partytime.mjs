// Read a feed with podcast-partytime (the Podcast Index parser); print what it saw, as JSON.
//
// Usage: node read_partytime.mjs FEED_XML
//
// Only values are reported, not judged: tests/conformance/ compares them with
// feedgen's model. Dates are Unix seconds. A field the parser did not read is null.

import { readFileSync } from "node:fs";
import partytime from "podcast-partytime";

const seconds = (d) => (d instanceof Date ? Math.floor(d.getTime() / 1000) : null);

const feed = partytime.parseFeed(readFileSync(process.argv[2], "utf8"), {
  allowMissingGuid: false,
});
if (!feed) {
  console.log(JSON.stringify({ error: "parseFeed returned null" }));
  process.exit(0);
}

const persons = (list) =>
  (list ?? []).map((p) => ({ name: p.name, role: p.role, group: p.group, href: p.href ?? null }));

const summary = {
  title: feed.title,
  guid: feed.guid ?? null,
  explicit: feed.explicit ?? null,
  categories: feed.itunesCategory ?? [],
  self: feed.pubsub?.self ?? null,
  locked: feed.locked ?? null,
  lockedOwner: feed.podcastOwner ?? null,
  funding: (feed.podcastFunding ?? []).map((f) => ({ url: f.url, message: f.message })),
  persons: persons(feed.podcastPeople),
  medium: feed.medium ?? null,
  // Sorted, so the output does not depend on the parser's internal order.
  pc20support: Object.fromEntries(
    Object.entries(feed.pc20support ?? {}).map(([phase, tags]) => [phase, [...tags].sort()]),
  ),
  items: feed.items.map((i) => ({
    title: i.title,
    guid: i.guid,
    pubDate: seconds(i.pubDate),
    enclosure: i.enclosure
      ? { url: i.enclosure.url, length: i.enclosure.length, type: i.enclosure.type }
      : null,
    duration: i.duration ?? null,
    episode: i.itunesEpisode ?? null,
    season: i.itunesSeason ?? null,
    podcastEpisode: i.podcastEpisode?.number ?? null,
    podcastSeason: i.podcastSeason?.number ?? null,
    persons: persons(i.podcastPeople),
    transcripts: (i.podcastTranscripts ?? []).map((t) => ({ url: t.url, type: t.type })),
    chapters: i.podcastChapters ? { url: i.podcastChapters.url, type: i.podcastChapters.type } : null,
  })),
};
console.log(JSON.stringify(summary, null, 1));

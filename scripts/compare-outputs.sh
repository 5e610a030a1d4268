#!/usr/bin/env bash
# Builds and checks the same shows with two feedgen binaries and compares
# everything they write: the feeds, feedgen.lock, the diagnostics (human and
# JSON), the summaries and the exit codes.
#
#   scripts/compare-outputs.sh OLD_FEEDGEN NEW_FEEDGEN [WORKDIR]
#
# The shows:
#   example      this repository's example show (podcast.toml, episodes/, media/)
#   gen1000      a generated 1,000-episode show (examples/genshow.rs, seed 6)
#   gen1000-paged  the same show with [output] page_size = 96
#   tgik         the real show notes of tests/corpus/tgik, each given front matter
#   hostile      every file of tests/hostile and tests/fuzz-regressions/episode
#                as an episode of one show (diagnostics only: it does not build)
#
# Exit status 0 when every byte is the same. Where an XML file differs, its
# canonical form (xmllint --c14n, which writes CDATA as escaped text) is
# compared too, and the result is said.
set -euo pipefail

old=$(realpath "$1")
new=$(realpath "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-$(mktemp -d)}
mkdir -p "$work"
now=2030-01-01T00:00:00Z

make_shows() {
  local shows=$work/shows
  rm -rf "$shows"
  mkdir -p "$shows"

  mkdir -p "$shows/example"
  cp "$repo/podcast.toml" "$shows/example/"
  cp -r "$repo/episodes" "$repo/media" "$shows/example/"

  (cd "$repo" && cargo run --quiet --release --example genshow -- 1000 "$shows/gen1000" 6 2>/dev/null)
  cp -r "$shows/gen1000" "$shows/gen1000-paged"
  sed -i 's/^\[output\]$/[output]\npage_size = 96/' "$shows/gen1000-paged/podcast.toml"
  grep -q '^page_size = 96$' "$shows/gen1000-paged/podcast.toml"

  local tgik=$shows/tgik
  mkdir -p "$tgik/episodes"
  sed -e 's/^hosts = .*$/hosts = []/' "$repo/podcast.toml" > "$tgik/podcast.toml"
  cat >> "$tgik/podcast.toml" <<'EOF'
missing-host = "warn"
missing-number = "warn"
duplicate-number = "warn"
invalid-date = "warn"
unsafe-link = "warn"
invalid-link = "warn"
number-mismatch = "warn"
duplicate-guid = "warn"
EOF
  local f n
  for f in "$repo"/tests/corpus/tgik/*.md; do
    n=$(basename "$f" .md)
    case $n in README) continue ;; esac
    {
      printf '+++\n[audio]\nurl = "https://media.example.com/tgik/%s.mp3"\n' "$n"
      printf 'length = %d\ntype = "audio/mpeg"\nduration = "1:0%d:00"\n+++\n' "$((1000 + 10#$n))" "$((10#$n % 10))"
      cat "$f"
    } > "$tgik/episodes/$n.md"
  done

  local hostile=$shows/hostile
  mkdir -p "$hostile/episodes"
  cp "$repo/podcast.toml" "$hostile/podcast.toml"
  for f in "$repo"/tests/hostile/*.md "$repo"/tests/fuzz-regressions/episode/*; do
    cp "$f" "$hostile/episodes/$(basename "${f%.md}").md"
  done
}

# run BIN OUT SHOW: build and check SHOW with BIN, everything into OUT.
run() {
  local bin=$1 out=$2 show=$3
  rm -rf "$out"
  mkdir -p "$out"
  cp -r "$show" "$out/show"
  local s=$out/show
  for fmt in human json; do
    set +e
    "$bin" check --config "$s/podcast.toml" --now "$now" --format "$fmt" \
      > "$out/check-$fmt.stdout" 2> "$out/check-$fmt.stderr"
    echo $? > "$out/check-$fmt.status"
    set -e
  done
  set +e
  "$bin" build --config "$s/podcast.toml" --out "$s/public" --now "$now" --format json \
    > "$out/build.stdout" 2> "$out/build.stderr"
  echo $? > "$out/build.status"
  # A second build reads the ledger the first wrote.
  "$bin" build --config "$s/podcast.toml" --out "$s/public" --now "$now" --quiet \
    > "$out/rebuild.stdout" 2> "$out/rebuild.stderr"
  echo $? > "$out/rebuild.status"
  set -e
  # The output folder's path differs between the two runs: only names are kept.
  sed -i "s#$out/show/##g" "$out"/*.stdout "$out"/*.stderr
}

make_shows
status=0
for show in "$work"/shows/*; do
  name=$(basename "$show")
  run "$old" "$work/old/$name" "$show"
  run "$new" "$work/new/$name" "$show"
  a=$work/old/$name b=$work/new/$name
  files=$( (cd "$a" && find . -type f ! -path './show/episodes/*' ! -path './show/media/*' ! -path './show/.public.feedgen/*'; \
            cd "$b" && find . -type f ! -path './show/episodes/*' ! -path './show/media/*' ! -path './show/.public.feedgen/*') | sort -u)
  same=0 pages_only=0
  for f in $files; do
    if [ ! -f "$a/$f" ] || [ ! -f "$b/$f" ]; then
      case $f in
        # A binary from before the web pages writes none: said, not a failure.
        ./show/public/*.html) pages_only=$((pages_only + 1)) ;;
        *) echo "$name: $f exists in only one of the runs"; status=1 ;;
      esac
    elif cmp -s "$a/$f" "$b/$f"; then
      same=$((same + 1))
    else
      status=1
      case $f in
        *.xml)
          if xmllint --c14n "$a/$f" > "$work/a.c14n" 2>/dev/null \
            && xmllint --c14n "$b/$f" > "$work/b.c14n" 2>/dev/null \
            && cmp -s "$work/a.c14n" "$work/b.c14n"; then
            echo "$name: $f differs in bytes; its canonical XML (C14N) is the same"
          else
            echo "$name: $f differs"
          fi
          ;;
        *) echo "$name: $f differs"; { diff "$a/$f" "$b/$f" || true; } | head -5 ;;
      esac
    fi
  done
  echo "$name: $same files byte-identical"
  [ "$pages_only" = 0 ] || echo "$name: $pages_only web pages written by one run only"
done
exit $status

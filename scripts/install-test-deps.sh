#!/usr/bin/env bash
# Installs what the test suite needs beyond cargo, on a fresh Debian machine
# (run as root, or with sudo available). Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

# Atom RELAX NG validation (jing) and XSD validation of podcast:* tags (xmllint).
if ! command -v jing >/dev/null || ! command -v xmllint >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq jing libxml2-utils >/dev/null
fi

# Real-client conformance checks (Python feedparser/podcastparser, npm podcast-partytime).
if [ -f conformance/requirements.txt ]; then
  python3 -m pip install -q -r conformance/requirements.txt
fi
if [ -f conformance/package.json ]; then
  (cd conformance && npm ci --silent --no-audit --no-fund)
fi

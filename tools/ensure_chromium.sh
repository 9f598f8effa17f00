#!/usr/bin/env bash
# The book test opens the rendered pages in headless Chromium. Install Debian's
# chromium with apt when no Chromium/Chrome is on the PATH.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "ensure_chromium: installing chromium with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "ensure_chromium: no Chromium found; install it (e.g. 'sudo apt-get install chromium') or set CHROMIUM=/path/to/chrome" >&2
  [ -n "${CHROMIUM:-}" ] || exit 1
fi

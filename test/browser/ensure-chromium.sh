#!/usr/bin/env bash
# Run by `npm test` (its pretest) so that the README's test command sets up a fresh machine too:
# the browser tests need Debian's Chromium at /usr/bin/chromium. It installs it when it can
# (root with apt-get), and otherwise stops with the one command that would, rather than letting
# the browser test fail later with less context.
set -euo pipefail
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests (apt-get install -y chromium)" >&2
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
  else
    echo "The browser tests need Debian's chromium at $chromium: run 'sudo apt-get install -y chromium' once." >&2
    exit 1
  fi
fi
"$chromium" --version 2>/dev/null | head -n 1 >&2

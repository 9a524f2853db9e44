#!/usr/bin/env bash
# The one test command: formatting, lints and every test, including the
# independent cross-check of draws against Rivest's consistent_sampler
# (PyPI consistent-sampler), which is required here, not skipped.
#
#   bash scripts/test.sh
#
# Tests run in release mode: several of them draw from the 80,000-firm
# demo directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Python for tests/python/crosscheck.py, in a virtualenv of the repo.
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check consistent-sampler==1.0.10
export SPOTCHECK_PYTHON="$PWD/.venv/bin/python"
export SPOTCHECK_REQUIRE_PYTHON=1

# The page test opens the published index.html in Debian's Chromium,
# driven by playwright-core (pinned in tests/browser/package-lock.json).
# CJK fonts let the screenshot (target/test-artifacts/) show Chinese.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --silent --no-audit --no-fund)
fi
export SPOTCHECK_BROWSER=1

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --release --workspace

#!/usr/bin/env bash
# The whole test suite, as README shows it and as CI runs it (.ci/run calls this script).
# It installs what the tests need when it is missing, then checks formatting, lints and
# runs every test of the workspace. Tests that need a server start their own.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }

if ! need cargo; then
  echo "cargo is required: install Rust (rustup) first" >&2
  exit 1
fi
apt_install() {
  (apt-get update -qq && apt-get install -y -qq "$@" >/dev/null) || sudo apt-get install -y -qq "$@"
}
if ! need redis-server && need apt-get; then
  echo "installing redis-server (tests start their own servers on free ports)"
  apt_install redis-server
fi
if ! need chromium && need apt-get; then
  echo "installing chromium (the desk's browser tests)"
  apt_install chromium
fi
if ! (fc-list 2>/dev/null | grep -qi "Noto Sans CJK") && need apt-get; then
  echo "installing a CJK font (screenshots show the desk's Chinese)"
  apt_install fonts-noto-cjk
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== no import cycles between the files of engine/, adapters/http/, adapters/sqlite/"
python3 scripts/import-cycles.py
echo "== cargo test"
cargo test --workspace --locked

echo "== provisional calendar years against an independent lunar calendar (Python, lunardate)"
venv=target/pyref
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import lunardate" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q lunardate
fi
cargo build --locked -q -p greenlane
"$venv/bin/python" tests/reference/provisional_calendar.py target/debug/greenlane

echo "== the API against its OpenAPI document (Schemathesis --checks all, a token per role)"
tests/contract/run.sh

echo "== the desk in a real headless Chromium (pytest + Playwright, axe-core)"
venv=target/browser-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import playwright, pytest" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r tests/browser/requirements.txt
fi
(cd tests/browser && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider)

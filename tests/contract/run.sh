#!/usr/bin/env bash
# The API against its own OpenAPI document: a real `greenlane serve` on a free loopback
# port over a fresh SQLite file, with the example principals, and Schemathesis with every
# check (`--checks all`) once per role's demo token. Any failure fails the run.
#
#   tests/contract/run.sh            # what scripts/test.sh runs
#   CONTRACT_EXAMPLES=50 tests/contract/run.sh   # more test cases per operation
#   CONTRACT_SEED=7 tests/contract/run.sh        # another seed (the default one is fixed)
#
# Schemathesis is installed into target/schemathesis-venv when missing. The server binary
# is target/debug/greenlane (built when missing), or $GREENLANE_BIN. The checks that do not
# fit an operation are set in tests/contract/schemathesis.toml, each with its reason;
# tests/contract/prepare.py launches a real case first and adds its ids to that
# configuration, so generated requests also reach cases, tasks and inquiries that exist.
# One worker: Python 3.11's `ast` is not safe to use from several threads at once, which
# Hypothesis does when Schemathesis runs workers in parallel.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

venv=target/schemathesis-venv
version=4.32.5
if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
  echo "installing schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$version"
fi

bin=${GREENLANE_BIN:-target/debug/greenlane}
if [ ! -x "$bin" ]; then
  cargo build --locked -q -p greenlane
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d "${TMPDIR:-/tmp}/greenlane-contract.XXXXXX")
"$bin" --root "$repo" serve --principals examples/principals.yaml \
  --listen "127.0.0.1:$port" --db "$work/contract.db" >"$work/server.log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$base/readyz" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "greenlane serve did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done

# A real case (and ids to draw from) for the generated requests to meet.
python3 tests/contract/prepare.py "$base" "$work/schemathesis.toml"

examples=${CONTRACT_EXAMPLES:-8}
seed=${CONTRACT_SEED:-20260302}
failed=()
# One principal per role: a window coordinator, a department officer, the supervision
# office, policy staff and the administrator.
for who in coordinator-city officer-market-regulation supervisor-city policy-city admin; do
  echo "== schemathesis --checks all as $who"
  (cd "$work" && "$repo/$venv/bin/st" --config-file "$work/schemathesis.toml" \
    run "$base/api/openapi.json" --url "$base" \
    --checks all \
    -H "Authorization: Bearer demo-$who" \
    --max-examples "$examples" --seed "$seed" --workers 1 \
    --no-color) || failed+=("$who")
done

if grep -q "request failed inside the server" "$work/server.log"; then
  echo "the server logged internal failures:" >&2
  grep "request failed inside the server" "$work/server.log" | head -20 >&2
  failed+=("server log")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "contract run failed for: ${failed[*]} (server log: $work/server.log)" >&2
  trap - EXIT
  stop
  exit 1
fi
rm -rf "$work"
echo "contract run: no failure for any role"

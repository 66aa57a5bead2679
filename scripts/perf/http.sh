#!/usr/bin/env bash
# The HTTP read benchmark of issue 5: GET one case and an inbox read at about 2,000
# requests/s each, p99 from wrk, against the release server on a fresh SQLite file; then
# each unpaced for 10 s, to show how far 2,000 requests/s is from the server's capacity.
#   scripts/perf/http.sh [CASES]   (needs wrk: apt-get install -y wrk)
# It builds the release binary, starts `greenlane serve` on 127.0.0.1:18090, launches CASES
# enterprise registrations (100 by default) and approves their intake, so the
# market-regulation inbox holds CASES name checks; then runs wrk twice for 30 s each.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=${1:-100}
port=18090
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet
./target/release/greenlane serve --principals examples/principals.yaml --db "$work/perf.db" \
  --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

python3 - "$port" "$cases" "$work/cases.txt" <<'PY'
import json, sys, urllib.request
port, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = f"http://127.0.0.1:{port}/api/v1"
app = json.load(open("examples/applications/enterprise-registration-limited-company.json"))
def call(method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
        headers={"Authorization": f"Bearer demo-{token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
ids = []
for _ in range(n):
    case = call("POST", "/cases", "coordinator-city", {"workflow": "enterprise-registration", "application": app})["case"]
    for action in ("claim", "approve"):
        call("POST", f"/cases/{case}/tasks/intake/{action}", "officer-service-center")
    ids.append(case)
open(out, "w").write("\n".join(ids) + "\n")
inbox = call("GET", "/departments/market-regulation/inbox", "officer-market-regulation")
print(f"{len(ids)} cases launched; market-regulation inbox holds {len(inbox['tasks'])} tasks")
PY

for script in get_case inbox; do
  echo "== $script: wrk -t2 -c20 -d30s --latency (paced to ~2,000 requests/s)"
  CASES="$work/cases.txt" wrk -t2 -c20 -d30s --latency -s "scripts/perf/$script.lua" "http://127.0.0.1:$port"
done
for script in get_case inbox; do
  echo "== $script capacity: wrk -t2 -c8 -d10s, unpaced"
  PACE_MS=0 CASES="$work/cases.txt" wrk -t2 -c8 -d10s -s "scripts/perf/$script.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency "
done

#!/usr/bin/env bash
# Counts the instructions a redis-server executes per task of workload A, under
# `valgrind --tool=callgrind`: a figure that does not depend on what else the machine is
# doing, for comparing changes, and greenlane with BullMQ, when wall-clock runs are noisy.
#
# usage: scripts/redis-instructions.sh greenlane [N] [-- extra `greenlane bench` args]
#        scripts/redis-instructions.sh bullmq [N]
# Env: NODE_MAX (the server's stream-node-max-entries, default 100).
# Needs valgrind and redis-server; `bullmq` also Node 20 (see bench/compare/bullmq).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:?greenlane or bullmq}"
cases="${2:-300}"
shift $(( $# >= 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
extra=("$@")

dir="$(mktemp -d)"
port=""
for p in $(seq 7480 7499); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port in 7480-7499" >&2; exit 1; }
valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly yes \
  --appendfsync everysec --dir "$dir" --stream-node-max-entries "${NODE_MAX:-100}" \
  >"$dir/valgrind.log" 2>&1 &
server=$!
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done

case "$what" in
  greenlane)
    cargo run --release -q -- bench --backend redis --redis "redis://127.0.0.1:$port/" \
      --workload A --cases "$cases" --lease-secs 600 "${extra[@]}" ;;
  bullmq)
    (cd bench/compare/bullmq && { [ -d node_modules/bullmq ] || npm install --no-package-lock --no-audit --no-fund >&2; } \
      && node workload_a.js --redis "redis://127.0.0.1:$port" --cases "$cases") ;;
  *) echo "greenlane or bullmq, not $what" >&2; exit 2 ;;
esac | grep -m1 '^backend=' || true

redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
wait "$server" 2>/dev/null || true
total=$(awk '/^(summary|totals):/ {print $2; exit}' "$dir/callgrind.out")
echo "redis_instructions_per_task=$(( total / (cases * 10) )) (workload A, N = $cases, callgrind)"

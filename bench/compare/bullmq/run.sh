#!/usr/bin/env bash
# Runs workload A on BullMQ flows against a private, throw-away redis-server.
#
# usage: ./run.sh [--cases N] [--concurrency C] [--rate R] [--in-memory] [--port P] [-- extra workload_a.js args]
#
# By default Redis runs with an append-only file fsynced once a second
# (--appendonly yes --appendfsync everysec); --in-memory turns persistence off
# (--appendonly no), the setting of the reference figure in bench/WORKLOADS.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cases=2000
concurrency=50
in_memory=0
port=""
extra=()
extra_rate=()

while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --rate) extra_rate=(--rate "$2"); shift 2 ;;
    --in-memory) in_memory=1; shift ;;
    --port) port="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

command -v redis-server >/dev/null || { echo "run.sh: redis-server not found" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "run.sh: redis-cli not found" >&2; exit 1; }
command -v node >/dev/null || { echo "run.sh: node not found" >&2; exit 1; }

if [ ! -d "$here/node_modules/bullmq" ] || [ ! -d "$here/node_modules/ioredis" ]; then
  (cd "$here" && npm install --no-package-lock --no-audit --no-fund >&2)
fi

port_free() {
  # Free means nothing answers on 127.0.0.1:$1.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

if [ -z "$port" ]; then
  for p in $(seq 7420 7469); do
    if port_free "$p"; then port="$p"; break; fi
  done
  [ -n "$port" ] || { echo "run.sh: no free port in 7420-7469" >&2; exit 1; }
fi
case "$port" in
  6379|7411) echo "run.sh: port $port is reserved for other users of this machine" >&2; exit 1 ;;
esac

tmpdir="$(mktemp -d -t bullmq-bench.XXXXXX)"
redis_pid=""
node_pid=""
cleanup() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$in_memory" = 1 ]; then
  persist=(--appendonly no)
else
  persist=(--appendonly yes --appendfsync everysec)
fi

redis-server --bind 127.0.0.1 --port "$port" --save "" "${persist[@]}" \
  --dir "$tmpdir" --logfile "$tmpdir/redis.log" --daemonize no &
redis_pid=$!

for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then break; fi
  kill -0 "$redis_pid" 2>/dev/null || { echo "run.sh: redis-server exited:" >&2; cat "$tmpdir/redis.log" >&2; exit 1; }
  sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null

echo "run.sh: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port, $([ "$in_memory" = 1 ] && echo 'in memory (appendonly no)' || echo 'appendonly yes, appendfsync everysec'); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# In the background so that a signal to this script is handled (and Redis shut down) at once.
node "$here/workload_a.js" --redis "redis://127.0.0.1:$port" --cases "$cases" --concurrency "$concurrency" "${extra_rate[@]}" "${extra[@]}" &
node_pid=$!
rc=0
wait "$node_pid" || rc=$?
node_pid=""
exit "$rc"

#!/usr/bin/env bash
# Metrics on vs off, interleaved in one run: `roost serve --workers 2 --no-hot-spare` (the native roost) with
# metrics on (workers count into their shared blocks, the admin listener runs, /metrics is scraped every second during
# the load) and with --no-metrics (no blocks, no admin listener, no scraper). Per round and mode: h2load over h2 (TLS)
# and over HTTP/1.1 (TLS), then the primary's resident memory (VmRSS) after the load and the scrapes.
# Usage: benchmarks/cluster/metrics.sh ROOST [rounds] [seconds]   (default 3 rounds of 5 s per protocol)
#   ROOST: the native roost (benchmarks/publish-aot.sh OUT src/Roost.Cli/Roost.Cli.csproj → OUT/Roost.Cli/roost).
# Prints one CSV line per measurement (mode,round,what,value) and the medians; the load average with every round
# (the machine may be shared: compare the modes, not the absolute numbers).
set -euo pipefail
ROOST=${1:?usage: benchmarks/cluster/metrics.sh ROOST [rounds] [seconds]}
ROUNDS=${2:-3}
SECONDS_PER=${3:-5}
command -v h2load >/dev/null || { echo "error: h2load is missing (apt-get install nghttp2-client)." >&2; exit 2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
rps() { sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p'; }
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

run_mode() { # mode round
  local mode=$1 round=$2 port admin extra=() scraper="" h2 h1 mem
  port=$(free_port); admin=$(free_port)
  if [ "$mode" = on ]; then extra=(--admin "127.0.0.1:$admin"); else extra=(--no-metrics); fi
  "$ROOST" serve --workers 2 --no-hot-spare --host 127.0.0.1 --port "$port" --run-dir "$WORK/run-$mode-$round" "${extra[@]}" >"$WORK/log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do [ "$(grep -c 'is ready' "$WORK/log")" -ge 2 ] && break; sleep 0.1; done
  h2load -n 2000 -c 4 -m 10 "https://127.0.0.1:$port/" >/dev/null   # warm-up
  if [ "$mode" = on ]; then
    ( while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$admin/metrics"; done ) & scraper=$!
  fi
  h2=$(h2load -D "$SECONDS_PER" -c 16 -m 10 "https://127.0.0.1:$port/" | rps)
  h1=$(h2load -D "$SECONDS_PER" -c 16 --h1 "https://127.0.0.1:$port/" | rps)
  [ -n "$scraper" ] && { kill "$scraper"; wait "$scraper" 2>/dev/null || true; }
  mem=$(rss "$PID")
  echo "$mode,$round,h2_tls_rps,$h2"; echo "$mode,$round,h1_tls_rps,$h1"; echo "$mode,$round,primary_rss_mb,$mem"
  echo "# $mode round $round: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

echo "mode,round,what,value" | tee "$WORK/all.csv"
for round in $(seq 1 "$ROUNDS"); do
  # Interleaved, the order alternating by round.
  if [ $((round % 2)) -eq 1 ]; then order="on off"; else order="off on"; fi
  for mode in $order; do run_mode "$mode" "$round" | tee -a "$WORK/all.csv"; done
done
echo "# medians"
for what in h2_tls_rps h1_tls_rps primary_rss_mb; do
  for mode in on off; do
    median=$(awk -F, -v m="$mode" -v w="$what" '$1==m && $3==w {print $4}' "$WORK/all.csv" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
    echo "median,$mode,$what,$median"
  done
done

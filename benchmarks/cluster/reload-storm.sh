#!/usr/bin/env bash
# Throughput during a reload storm (a rolling reload asked for every 2 s) vs steady state, in the same run and on
# the same cluster, interleaved (steady/storm in one round, storm/steady in the next, so drift hits both alike), and
# the time of a full rolling reload of N workers (idle and under load), read from the primary's
# "Rolling reload to generation G done: N worker(s) replaced in X ms" lines.
#
# Usage: benchmarks/cluster/reload-storm.sh [rounds=3] [seconds=10] [workers=2] [batch=1]
# Load: wrk -t2 -c32 HTTP/1.1 keep-alive on loopback (the drain answers with Connection: close; wrk reconnects).
# Needs: dotnet, wrk (Debian: wrk). Prints markdown rows; the load average is printed per phase, because on a
# shared machine the numbers depend on it. TH_HOT_SPARES=1 in the environment keeps a hot spare as `roost serve` does
# by default (the test host's default is 0); the script then also prints how many spares were started.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_PHASE=${2:-10}
WORKERS=${3:-2}
BATCH=${4:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null
HOST="$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll"
WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
started() { grep -c 'Rolling reload to generation [0-9]*: replacing' "$LOG" || true; }
finished() { grep -cE 'Rolling reload to generation [0-9]+ done|Reload aborted' "$LOG" || true; }
wait_idle() { # until every reload that started has finished, then let the old workers drain
  for _ in $(seq 1 600); do
    [ "$(started)" -eq "$(finished)" ] && break
    sleep 0.1
  done
  sleep 2
}
rate() { awk '/Requests\/sec/ {print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

PORT=$(free_port)
LOG="$WORK/primary.log"
PORT=$PORT TH_WORKERS=$WORKERS TH_RESPAWN=1 TH_DRAIN_MS=5000 TH_CLUSTER_LOG=1 TH_RELOAD_BATCH=$BATCH \
  dotnet "$HOST" >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  [ "$(grep -c '^listening ' "$LOG" || true)" -ge "$WORKERS" ] && break
  sleep 0.1
done
URL="http://127.0.0.1:$PORT/"
wrk -t2 -c32 -d3s "$URL" >/dev/null # warm-up (JIT, connection pools)

steady() { wrk -t2 -c32 -d"${SECONDS_PER_PHASE}s" "$URL" | rate; }
storm() {
  local out="$WORK/storm.txt" hups=0
  wrk -t2 -c32 -d"${SECONDS_PER_PHASE}s" "$URL" >"$out" &
  local wrk_pid=$!
  sleep 0.5
  while kill -0 "$wrk_pid" 2>/dev/null; do
    kill -HUP "$PID"; hups=$((hups + 1))
    sleep 2
  done
  wait "$wrk_pid"
  echo "$(rate <"$out") $hups"
}

echo "| round | phase | req/s | SIGHUPs | load average before |"
echo "|---|---|---|---|---|"
: >"$WORK/steady" ; : >"$WORK/storm"
for round in $(seq 1 "$ROUNDS"); do
  order="steady storm"; [ $((round % 2)) -eq 0 ] && order="storm steady"
  for phase in $order; do
    wait_idle
    before=$(loadavg)
    if [ "$phase" = steady ]; then
      r=$(steady); echo "$r" >>"$WORK/steady"; echo "| $round | steady | $r | 0 | $before |"
    else
      set -- $(storm); echo "$1" >>"$WORK/storm"; echo "| $round | storm (SIGHUP every 2 s) | $1 | $2 | $before |"
    fi
  done
done
wait_idle
s=$(median <"$WORK/steady"); t=$(median <"$WORK/storm")
echo
echo "median steady $s req/s, median storm $t req/s, storm/steady $(awk -v a="$t" -v b="$s" 'BEGIN {printf "%.2f", a / b}')"
echo "reloads done $(finished); hot spares started $(grep -c 'Started hot spare worker' "$LOG" || true), of which promoted $(grep -c 'Promoted hot spare worker' "$LOG" || true)"

# Full rolling reload of N workers: 3 idle, then 3 under the same wrk load (one reload at a time).
reload_ms() { # runs one reload and prints its "replaced in X ms"
  local before; before=$(finished)
  kill -HUP "$PID"
  for _ in $(seq 1 600); do [ "$(finished)" -gt "$before" ] && break; sleep 0.1; done
  grep -E 'Rolling reload to generation [0-9]+ done' "$LOG" | tail -1 | sed -E 's/.*replaced in ([0-9]+) ms.*/\1/'
}
idle=(); loaded=()
for _ in 1 2 3; do wait_idle; idle+=("$(reload_ms)"); done
for _ in 1 2 3; do
  wait_idle
  wrk -t2 -c32 -d30s "$URL" >/dev/null &
  w=$!; sleep 1
  loaded+=("$(reload_ms)")
  kill -INT "$w" 2>/dev/null || true; wait "$w" || true
done
echo "full rolling reload of $WORKERS worker(s), batch $BATCH: idle ${idle[*]} ms (median $(printf '%s\n' "${idle[@]}" | median)); under wrk load ${loaded[*]} ms (median $(printf '%s\n' "${loaded[@]}" | median)); load average at the end $(loadavg)"

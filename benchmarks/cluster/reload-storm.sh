#!/usr/bin/env bash
# Throughput during a reload storm (a rolling reload asked for every 2 s) vs steady state, on the same cluster,
# interleaved (steady/storm in one round, storm/steady in the next, so drift hits both alike), and the time of a full
# rolling reload of N workers (idle and under load), read from the primary's
# "Rolling reload to generation G done: N worker(s) replaced in X ms" lines.
#
# Usage: benchmarks/cluster/reload-storm.sh [rounds=3] [seconds=10] [workers=2] [batch=1] [builds=jit]
#   builds: jit (the test host run by `dotnet`), aot (the same test host published with NativeAOT by
#   benchmarks/publish-aot.sh, run as the native executable: the same Cluster code and rolling reload), or jit,aot /
#   aot,jit: both, interleaved — each round runs every build (a fresh cluster, 3 s warm-up, then its steady and storm
#   phases), the order of the builds alternating per round.
# Load: wrk -t2 -c32 HTTP/1.1 keep-alive on loopback (the drain answers with Connection: close; wrk reconnects).
# Needs: dotnet, wrk (Debian: wrk), gcc for aot. Prints markdown rows; the load average is printed per phase, because
# on a shared machine the numbers depend on it. TH_HOT_SPARES=1 in the environment keeps a hot spare as `roost serve`
# does by default (the test host's default is 0); the script then also prints how many spares were started.
# Run it with SIGHUP at its default disposition (not under nohup: the primary would inherit "ignore" and never reload):
#   perl -e '$SIG{$_}="DEFAULT" for qw(HUP INT TERM PIPE); exec @ARGV' -- benchmarks/cluster/reload-storm.sh ...
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_PHASE=${2:-10}
WORKERS=${3:-2}
BATCH=${4:-1}
BUILDS=${5:-jit}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IFS=',' read -r -a builds <<<"$BUILDS"
for b in "${builds[@]}"; do
  case "$b" in jit|aot) ;; *) echo "error: builds must be jit, aot or a comma-separated list of them; got '$BUILDS'." >&2; exit 2 ;; esac
done
JIT_HOST="$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll"
AOT="$ROOT/benchmarks/load/.work/aot"   # shared with benchmarks/load/run.sh (git-ignored)
AOT_HOST="$AOT/Roost.ClusterTestHost/Roost.ClusterTestHost"
if [[ ",$BUILDS," == *",jit,"* ]]; then dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null; fi
if [[ ",$BUILDS," == *",aot,"* ]]; then
  "$ROOT/benchmarks/publish-aot.sh" "$AOT" "$ROOT/test/Roost.ClusterTestHost/Roost.ClusterTestHost.csproj"
fi
if [ $((0x$(awk '/^SigIgn:/ {print $2}' /proc/$$/status) & 1)) -ne 0 ]; then # bit 0 = SIGHUP ignored
  echo "error: SIGHUP is ignored in this shell (nohup?); the primary would inherit that and never reload. Run under perl -e '\$SIG{\$_}=\"DEFAULT\" for qw(HUP INT TERM PIPE); exec @ARGV' -- …" >&2
  exit 2
fi
WORK=$(mktemp -d)
PID=
stop_cluster() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" || true; fi
  PID=
}
cleanup() { stop_cluster; rm -rf "$WORK"; }
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

start_cluster() { # build: starts the test host ($PID, log $LOG, $URL), waits for its workers, warms up 3 s
  local build=$1 port
  local -a cmd=(dotnet "$JIT_HOST")
  [ "$build" = aot ] && cmd=("$AOT_HOST")
  port=$(free_port)
  LOG="$WORK/primary-$build-$((++CLUSTERS)).log"
  PORT=$port TH_WORKERS=$WORKERS TH_RESPAWN=1 TH_DRAIN_MS=5000 TH_CLUSTER_LOG=1 TH_RELOAD_BATCH=$BATCH \
    "${cmd[@]}" >"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do
    [ "$(grep -c '^listening ' "$LOG" || true)" -ge "$WORKERS" ] && break
    sleep 0.1
  done
  URL="http://127.0.0.1:$port/"
  wrk -t2 -c32 -d3s "$URL" >/dev/null # warm-up (JIT, connection pools)
}
CLUSTERS=0

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

echo "| round | build | phase | req/s | SIGHUPs | load average before |"
echo "|---|---|---|---|---|---|"
for b in "${builds[@]}"; do : >"$WORK/steady-$b"; : >"$WORK/storm-$b"; : >"$WORK/reloads-$b"; done
for round in $(seq 1 "$ROUNDS"); do
  order=("${builds[@]}")
  if [ $((round % 2)) -eq 0 ] && [ ${#builds[@]} -eq 2 ]; then order=("${builds[1]}" "${builds[0]}"); fi
  for b in "${order[@]}"; do
    start_cluster "$b"
    phases="steady storm"; [ $((round % 2)) -eq 0 ] && phases="storm steady"
    for phase in $phases; do
      wait_idle
      before=$(loadavg)
      if [ "$phase" = steady ]; then
        r=$(steady); echo "$r" >>"$WORK/steady-$b"; echo "| $round | $b | steady | $r | 0 | $before |"
      else
        set -- $(storm); echo "$1" >>"$WORK/storm-$b"; echo "| $round | $b | storm (SIGHUP every 2 s) | $1 | $2 | $before |"
      fi
    done
    wait_idle
    echo "$(finished) $(grep -c 'Started hot spare worker' "$LOG" || true) $(grep -c 'Promoted hot spare worker' "$LOG" || true)" >>"$WORK/reloads-$b"
    stop_cluster
  done
done
echo
for b in "${builds[@]}"; do
  s=$(median <"$WORK/steady-$b"); t=$(median <"$WORK/storm-$b")
  echo "$b: median steady $s req/s, median storm $t req/s, storm/steady $(awk -v a="$t" -v b="$s" 'BEGIN {printf "%.2f", a / b}')" \
    "(per round: $(paste -d/ "$WORK/storm-$b" "$WORK/steady-$b" | awk -F/ '{printf "%s%.2f", (NR > 1 ? ", " : ""), $1 / $2}'));" \
    "reloads done $(awk '{s += $1} END {print s}' "$WORK/reloads-$b"); hot spares started $(awk '{s += $2} END {print s}' "$WORK/reloads-$b"), of which promoted $(awk '{s += $3} END {print s}' "$WORK/reloads-$b")"
done

# Full rolling reload of N workers, per build: 3 idle, then 3 under the same wrk load (one reload at a time).
reload_ms() { # runs one reload and prints its "replaced in X ms"
  local before; before=$(finished)
  kill -HUP "$PID"
  for _ in $(seq 1 600); do [ "$(finished)" -gt "$before" ] && break; sleep 0.1; done
  grep -E 'Rolling reload to generation [0-9]+ done' "$LOG" | tail -1 | sed -E 's/.*replaced in ([0-9]+) ms.*/\1/'
}
for b in "${builds[@]}"; do
  start_cluster "$b"
  idle=(); loaded=()
  for _ in 1 2 3; do wait_idle; idle+=("$(reload_ms)"); done
  for _ in 1 2 3; do
    wait_idle
    wrk -t2 -c32 -d30s "$URL" >/dev/null &
    w=$!; sleep 1
    loaded+=("$(reload_ms)")
    kill -INT "$w" 2>/dev/null || true; wait "$w" || true
  done
  echo "$b: full rolling reload of $WORKERS worker(s), batch $BATCH: idle ${idle[*]} ms (median $(printf '%s\n' "${idle[@]}" | median)); under wrk load ${loaded[*]} ms (median $(printf '%s\n' "${loaded[@]}" | median)); load average $(loadavg)"
  stop_cluster
done

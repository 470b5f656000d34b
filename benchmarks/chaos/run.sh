#!/usr/bin/env bash
# Chaos under load, long version: `roost serve --workers 2` (the JIT roost, then the native one when given or found)
# under mixed h2 + HTTP/1.1 load (4 h2 connections × 4 streams + 4 HTTP/1.1 keep-alive connections, as fast as the
# server answers) while a driver picks random actions for --duration seconds: SIGKILL a worker, SIGSTOP one until the
# supervisor's heartbeat check kills and replaces it, SIGHUP (rolling reload), `roost scale` up or down (1-4 workers),
# and renewed certificate and key files written over the served ones. Each action waits for the cluster to settle.
# Every request's outcome is counted (benchmarks/chaos/Roost.Chaos); before a worker dies the driver freezes it
# (SIGSTOP), reads the client connections it holds from /proc and marks them, so each failure is either accounted to
# a kill or reported as unaccounted. Loopback only. Exit code 1 when a run broke a promise (unaccounted failure,
# refused or reset h2 stream, wrong final worker count, orphan, an action that did not settle).
#
#   benchmarks/chaos/run.sh                       5 minutes per roost (JIT, native)
#   benchmarks/chaos/run.sh --duration 60 --native artifacts/release/roost-0.1.0-linux-x64/roost
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
orig_args=("$@")

duration=300
seed=1
native=""
out=""
build=1
roosts="jit,native"
usage() {
  cat <<'USAGE'
Usage: benchmarks/chaos/run.sh [options]
  --duration S   seconds of random chaos per roost (default 300; the load runs a few seconds longer)
  --seed N       seed of the random actions (default 1; the same seed picks the same kinds of action)
  --native PATH  the native roost (default: the release archive's under artifacts/release/, when present)
  --out FILE     report file (default benchmarks/results/<date>-chaos-<cores>cpu-<arch>.md)
  --roosts LIST  which roosts run, in order: jit, native or both (default jit,native); the report is appended to
                 when it exists (so two invocations can fill one file)
  --no-build     use the Release binaries already built
USAGE
}
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --native) native="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --roosts) roosts="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'." >&2; usage >&2; exit 2 ;;
  esac
done
for n in duration seed; do
  if ! [[ "${!n}" =~ ^[0-9]+$ ]] || [ "${!n}" -eq 0 ]; then
    echo "error: --$n must be a whole number above 0; got '${!n}'." >&2
    exit 2
  fi
done
if [ -z "$native" ]; then
  native="$(ls -d artifacts/release/roost-*-linux-*/roost 2>/dev/null | head -n 1 || true)"
elif [ ! -x "$native" ]; then
  echo "error: --native '$native' is not an executable file." >&2
  exit 2
fi
out="${out:-benchmarks/results/$(date -u +%Y-%m-%d)-chaos-$(nproc)cpu-$(uname -m).md}"

if [ "$build" = 1 ]; then
  echo "== building Release (roost, Roost.Chaos)"
  dotnet build src/Roost.Cli -c Release -nologo -v q >/dev/null
  dotnet build benchmarks/chaos/Roost.Chaos -c Release -nologo -v q >/dev/null
fi
chaos=benchmarks/chaos/Roost.Chaos/bin/Release/net10.0/Roost.Chaos.dll
roost_dll=src/Roost.Cli/bin/Release/net10.0/roost.dll
# Tests and this run send signals; a launcher that started us with SIGHUP/SIGINT ignored would pass that on to roost.
with_default_signals() { perl -e '$SIG{$_} = "DEFAULT" for qw(HUP INT QUIT TERM); exec @ARGV or die "exec $ARGV[0]: $!"' -- "$@"; }

mkdir -p "$(dirname "$out")"
[ -s "$out" ] || {
  echo "# Chaos under load — $(date -u +%Y-%m-%d)"
  echo
  echo "Command: \`benchmarks/chaos/run.sh ${orig_args[*]}\` (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)) on $(nproc) cores ($(uname -m)), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Each roost: \`roost serve --workers 2\` with a generated test chain on 127.0.0.1, its default hot spare and"
  echo "heartbeat (5 s × 3); load: 4 h2 connections × 4 streams + 4 HTTP/1.1 keep-alive connections on \`/healthz\`,"
  echo "no retries; $duration s of random actions (seed $seed), each waiting for the cluster to settle, then 2 s of"
  echo "load on the settled cluster. A failure counts as accounted when it happened on a connection the killed or"
  echo "stopped worker held (read from /proc while the worker was frozen)."
  echo
} > "$out"

status=0
mkdir -p "$here/.work"
run() { # name title roost
  echo "== $2: $duration s"
  printf '%s\n\n' "Run: \`benchmarks/chaos/run.sh ${orig_args[*]}\` at $(date -u +%H:%M) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)." >> "$out"
  with_default_signals dotnet "$chaos" --roost "$3" --duration "$duration" --seed "$seed" --title "$2" --out "$out" \
    --log "$here/.work/$1-roost.log" || status=1
}
for which in ${roosts//,/ }; do
  case "$which" in
    jit) run jit "JIT roost (dotnet roost.dll)" "$roost_dll" ;;
    native)
      if [ -n "$native" ]; then
        run native "native roost ($("$native" --version 2>/dev/null || echo "$native"))" "$native"
      else
        echo "(no native roost: run scripts/release.sh first, or pass --native)" | tee -a "$out"
      fi ;;
    *) echo "error: --roosts takes jit and native; got '$which'." >&2; exit 2 ;;
  esac
done
echo "== report: $out (roost's own output: benchmarks/chaos/.work/*-roost.log)"
exit "$status"

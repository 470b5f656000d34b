#!/usr/bin/env bash
# Kestrel's floor for returning clients (issue 15): new TLS 1.3 connections, one GET each, offering the previous
# session (reuse) or none (new), against `roost serve --workers 0`, a bare Kestrel app (RawKestrel one-write, HTTP/1.1
# over TLS, .NET's own session handling) and nginx with one worker — one process each, so the comparison is per
# process and the figure is connections per server CPU-second. Interleaved rounds (each round runs every server × mode
# once); two clients side by side (returning_client.py). Tells how much of the gap to nginx is Roost's own and how much
# is the .NET/Kestrel path Roost builds on. Run it on a quiet machine.
# --knobs adds a second bare Kestrel with the runtime's threading knobs that cut thread hand-offs per socket operation
# (Kestrel's UnsafePreferInlineScheduling + DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1): how far the floor moves.
#
#   benchmarks/load/floor.sh [--seconds N] [--rounds R] [--no-build] [--knobs]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
# shellcheck source=nginx_tls.sh
source "$here/nginx_tls.sh"
seconds=6; rounds=3; build=1; knobs=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --knobs) knobs=1; shift ;;
    *) echo "error: unknown option '$1' (expected --seconds N, --rounds R, --no-build, --knobs)." >&2; exit 2 ;;
  esac
done
command -v nginx > /dev/null || { echo "error: nginx is not installed (apt-get install -y nginx-light)." >&2; exit 1; }
work="$here/.work-floor"
rm -rf "$work"; mkdir -p "$work"; chmod 755 "$work"
if [ "$build" = 1 ]; then
  for p in src/Roost.Cli/Roost.Cli.csproj benchmarks/load/RawKestrel/RawKestrel.csproj; do
    dotnet build -c Release -nologo -v q "$p" > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
  done
fi
KEY_TYPE=ec samples/Seed.Https/make-certs.sh "$work/p256" > /dev/null
d="$work/p256"; cert="$d/edasan.goe.go.kr.cer"; key="$d/edasan.goe.go.kr.key"; ca="$d/new_caChain_change.cer"
chmod -R a+rX "$work"

tree() { local p="$1" c; echo "$p"; for c in $(cat /proc/"$p"/task/*/children 2>/dev/null || true); do tree "$c"; done; }
ticks() { local t=0 p v; for p in $(tree "$1"); do v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/"$p"/stat 2>/dev/null || true); t=$((t + ${v:-0})); done; echo "$t"; }

port=$((21000 + RANDOM % 9000))
p_roost=$port; p_kestrel=$((port + 1)); p_nginx=$((port + 2))
dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll serve --workers 0 --host 127.0.0.1 --port "$p_roost" --run-dir "$work/run" \
  --cert "$cert" --key "$key" --ca "$ca" > "$work/roost.log" 2>&1 & roost=$!
dotnet benchmarks/load/RawKestrel/bin/Release/net10.0/RawKestrel.dll --mode one-write --h1-tls "$p_kestrel" \
  --cert "$cert" --key "$key" --ca "$ca" > "$work/kestrel.log" 2>&1 & kestrel=$!
n="$work/nginx"
write_nginx_tls "$n" "$p_nginx" 1 "$cert" "$key" "$ca"
nginx -c "$n/nginx.conf" -e "$n/error.log" & nginx_pid=$!
servers=("roost:$roost:$p_roost" "kestrel:$kestrel:$p_kestrel" "nginx:$nginx_pid:$p_nginx"); inline=""
if [ "$knobs" = 1 ]; then
  p_inline=$((port + 3))
  BENCH_INLINE_SCHEDULING=1 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    dotnet benchmarks/load/RawKestrel/bin/Release/net10.0/RawKestrel.dll --mode one-write --h1-tls "$p_inline" \
    --cert "$cert" --key "$key" --ca "$ca" > "$work/kestrel-inline.log" 2>&1 & inline=$!
  servers+=("kestrel-inline:$inline:$p_inline")
fi
trap 'kill -TERM $roost $kestrel $nginx_pid $inline 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for x in "${servers[@]}"; do
  p=${x##*:}
  for _ in $(seq 300); do
    [ "$(curl -sk --max-time 5 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$p/healthz")" = 200 ] && break
    sleep 0.2
  done
done
# Warm-up, not counted (JIT and tier-up of the .NET servers).
for x in "${servers[@]}"; do p=${x##*:}; for m in new reuse; do python3 "$here/returning_client.py" "$p" 1.3 "$m" 8 > /dev/null; done; done
sleep 3
echo "# $(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of $seconds s, 2 clients, TLS 1.3, P-256"
echo "round server mode connections resumed server-cpu-ticks conn-per-server-cpu-s"
for r in $(seq "$rounds"); do
  for x in "${servers[@]}"; do
    IFS=: read -r name pid p <<< "$x"
    for m in new reuse; do
      t0=$(ticks "$pid")
      python3 "$here/returning_client.py" "$p" 1.3 "$m" "$seconds" > "$work/o1" & c1=$!
      python3 "$here/returning_client.py" "$p" 1.3 "$m" "$seconds" > "$work/o2" & c2=$!
      wait "$c1" "$c2"
      t1=$(ticks "$pid")
      read -r conns resumed < <(cat "$work/o1" "$work/o2" | awk '{ s += $1; q += $2 } END { print s, q }')
      echo "$r $name $m $conns $resumed $((t1 - t0)) $(( conns * $(getconf CLK_TCK) / (t1 - t0 + 1) ))"
    done
  done
done

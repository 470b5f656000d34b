#!/usr/bin/env bash
# Returning clients (issue 15): new connections that each offer the previous connection's TLS session against full
# handshakes (returning_client.py, two side by side, one GET /healthz per connection — a small fixed answer on every
# server), with an EC P-256 chain and an RSA-2048 chain, for `roost serve --workers 2` (the cluster), `roost serve
# --workers 0` (one process) and nginx with 2 workers. All three servers of a chain run at once and the cases are
# interleaved: each round runs every server × mode once, the server order rotating from round to round, so a change
# in the machine's load falls on all of them alike; the table gives each case's median over the rounds (and the
# spread of connections per server CPU-second). Server CPU: user + system of every process of the server's tree (the
# roost primary and its workers; nginx's master and workers), from /proc/<pid>/stat, before and after each case.
# *idle ms/s*: the tree's CPU per second over 3 s with no client, measured before each case (heartbeats, timers, and
# what a previous case left: a JIT roost's background tier-up, a worker's idle trim) — included in the per-connection
# figures, shown so its share can be judged. Each server first gets 3 s of each mode as an uncounted warm-up.
#
#   benchmarks/load/returning.sh [--seconds N] [--rounds R] [--tls 1.2|1.3] [--no-build]
# Also reached as `benchmarks/load/run.sh --scenarios returning`. Run it on a quiet machine: every figure but the
# resumed share depends on the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
# shellcheck source=nginx_tls.sh
source "$here/nginx_tls.sh"
seconds=10; rounds=3; tls=1.3; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --tls) tls="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --scenarios) shift 2 ;; # from run.sh
    *) echo "error: unknown option '$1' (expected --seconds N, --rounds R, --tls 1.2|1.3, --no-build)." >&2; exit 2 ;;
  esac
done
case "$tls" in 1.2) tls_flag=-tls1_2 ;; 1.3) tls_flag=-tls1_3 ;; *) echo "error: --tls must be 1.2 or 1.3; got '$tls'." >&2; exit 2 ;; esac
command -v nginx > /dev/null || { echo "error: nginx is not installed (apt-get install -y nginx-light)." >&2; exit 1; }
work="$here/.work-returning"
rm -rf "$work"; mkdir -p "$work"; chmod 755 "$work"
if [ "$build" = 1 ]; then
  dotnet build -c Release -nologo -v q src/Roost.Cli/Roost.Cli.csproj > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
fi
roost=(dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll)
KEY_TYPE=ec samples/Seed.Https/make-certs.sh "$work/p256" > /dev/null
KEY_TYPE=rsa samples/Seed.Https/make-certs.sh "$work/rsa2048" > /dev/null
chmod -R a+rX "$work"

declare -A pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT

tree() { # pid → the pid and all its descendants
  local p="$1" c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null || true); do tree "$c"; done
}
cpu_ticks() { # pid → user + system ticks of the tree
  local total=0 p v
  for p in $(tree "$1"); do
    # A process may end between the listing and the read (a thread or helper): it then counts 0.
    v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/"$p"/stat 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

start_server() { # server chain-dir port
  local d="$2"
  case "$1" in
    cluster|one)
      local workers=2; [ "$1" = one ] && workers=0
      "${roost[@]}" serve --workers "$workers" --no-hot-spare --host 127.0.0.1 --port "$3" --run-dir "$work/run-$1-$3" \
        --cert "$d/edasan.goe.go.kr.cer" --key "$d/edasan.goe.go.kr.key" --ca "$d/new_caChain_change.cer" > "$work/$1-$3.log" 2>&1 &
      pids[$1]=$! ;;
    nginx)
      local n="$work/nginx-$3"
      write_nginx_tls "$n" "$3" 2 "$d/edasan.goe.go.kr.cer" "$d/edasan.goe.go.kr.key" "$d/new_caChain_change.cer"
      nginx -c "$n/nginx.conf" -e "$n/error.log" &
      pids[$1]=$! ;;
  esac
  for _ in $(seq 300); do
    [ "$(curl -sk --max-time 5 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$3/healthz")" = 200 ] && break
    sleep 0.2
  done
  sleep 2
}

# Two clients side by side (one per core), as run.sh's handshake scenario.
measure() { # pid mode(new|reuse) port → "connections resumed conn/s conn-per-cpu-s idle-ms-per-s"
  local before after t0 t1 out="$work/client-$2-$3" c1 c2 idle
  before=$(cpu_ticks "$1"); sleep 3; after=$(cpu_ticks "$1")
  idle=$(( (after - before) * 1000 / $(getconf CLK_TCK) / 3 ))
  before=$(cpu_ticks "$1"); t0=$(date +%s.%N)
  python3 "$here/returning_client.py" "$3" "$tls" "$2" "$seconds" > "$out.1" & c1=$!
  python3 "$here/returning_client.py" "$3" "$tls" "$2" "$seconds" > "$out.2" & c2=$!
  wait "$c1" "$c2"
  t1=$(date +%s.%N); after=$(cpu_ticks "$1")
  cat "$out.1" "$out.2" | awk -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" -v wall="$(echo "$t1 - $t0" | bc)" -v idle="$idle" '
    { total += $1; resumed += $2 }
    END { cpu = ticks / hz; printf "%d %d %.0f %.0f %d\n", total, resumed, total / wall, (cpu > 0 ? total / cpu : 0), idle }'
}

servers=(cluster one nginx)
echo "# Returning clients vs full handshakes, TLS $tls, $rounds interleaved rounds of $seconds s per case; $(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
port=$((21000 + RANDOM % 9000))
raw="$work/rounds.txt"; : > "$raw"
for chain in p256 rsa2048; do
  declare -A ports=()
  for server in "${servers[@]}"; do
    port=$((port + 1)); ports[$server]=$port
    start_server "$server" "$work/$chain" "$port"
  done
  # Warm-up, not counted: a JIT-compiled roost compiles its handshake and request paths (and tiers them up, in the
  # background) during its first connections; that CPU would otherwise fall on the first round's cases.
  for server in "${servers[@]}"; do
    for mode in new reuse; do
      python3 "$here/returning_client.py" "${ports[$server]}" "$tls" "$mode" 3 > /dev/null
    done
  done
  sleep 5
  for round in $(seq "$rounds"); do
    for i in 0 1 2; do
      server=${servers[$(( (i + round - 1) % 3 ))]}
      for mode in new reuse; do
        read -r total resumed rate per_cpu idle < <(measure "${pids[$server]}" "$mode" "${ports[$server]}")
        echo "$chain $server $mode $round $total $resumed $rate $per_cpu $idle" >> "$raw"
      done
    done
  done
  cleanup
done

echo "| chain | server | mode | connections (median) | resumed | conn/s | conn per server CPU-s: median (min–max) | server CPU µs/conn | idle ms/s |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for chain in p256 rsa2048; do
  for server in "${servers[@]}"; do
    for mode in new reuse; do
      awk -v c="$chain" -v s="$server" -v m="$mode" '$1 == c && $2 == s && $3 == m' "$raw" | sort -k8 -n | awk -v c="$chain" -v s="$server" -v m="$mode" '
        { n++; total[n] = $5; resumed += $6; all += $5; rate[n] = $7; cpu[n] = $8; idle[n] = $9 }
        function med(a,   k, t, i, j) { for (i = 1; i <= n; i++) t[i] = a[i]; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { k = t[i]; t[i] = t[j]; t[j] = k }; return n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2 }
        END { if (n == 0) exit; mc = med(cpu); printf "| %s | %s | %s | %d | %d of %d | %.0f | %.0f (%d–%d) | %s | %.0f |\n", c, s, m, med(total), resumed, all, med(rate), mc, cpu[1], cpu[n], (mc > 0 ? sprintf("%.0f", 1000000 / mc) : "-"), med(idle) }'
    done
  done
done
echo
echo "Per round (chain server mode round connections resumed conn/s conn-per-CPU-s idle-ms/s):"
echo
sed 's/^/    /' "$raw"

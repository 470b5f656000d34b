#!/usr/bin/env bash
# Interleaved A/B load runs of the façade seed contender under different runtime/transport settings, one process
# per variant, all alive at once, measured in turn (A,B,C / B,C,A / …) so other load on the machine hits all alike.
# The clients and their arguments are the load harness's (benchmarks/load/run.sh); this script exists because that
# harness has one fixed façade contender and cannot vary its settings.
#
#   benchmarks/facade-settings/ab.sh [--rounds N] [--duration S] [--warmup S] [--scenarios h2-tls,h1-tls,h1,handshake,handshake13]
#                                    [--variants a,b]
#                                    [--compare-dll PATH]
#
# --compare-dll adds a variant "compare": another build of a façade seed program (e.g. benchmarks/load/FacadeSeed of
# an older commit, built in a copy of the repository), default settings: a before/after of a code change in one run.
#
# Scenarios h2-tls, h1-tls and h1 run by default; handshake (new full TLS handshakes, the harness's 2 × `openssl s_time
# -new` side by side, which negotiates TLS 1.2 here) and handshake13 (the same with -tls1_3) only when asked for.
#
# Variants (id | environment | program arguments):
set -euo pipefail
variants_all=(
  "default||"
  "inline||--inline-scheduling"
  "server-gc|DOTNET_gcServer=1|"
  "gen0-64m|DOTNET_GCgen0size=0x4000000|"
  "no-pgo|DOTNET_TieredPGO=0|"
  "spin0|DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0|"
  "inline-completions|DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1|"
  "tls-modern||--tls-policy modern"
)
rounds=3 duration=10 warmup=5 only_scenarios="" only_variants="" compare_dll=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --scenarios) only_scenarios="$2"; shift 2 ;;
    --variants) only_variants="$2"; shift 2 ;;
    --compare-dll) compare_dll="$2"; shift 2 ;;
    *) echo "error: unknown option '$1' (see the header of $0)." >&2; exit 2 ;;
  esac
done
selected() { [ -z "$1" ] || [[ ",$1," == *",$2,"* ]]; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
work="benchmarks/facade-settings/.work"
mkdir -p "$work/ssl" "$work/logs"
for tool in h2load wrk openssl; do command -v "$tool" >/dev/null || { echo "error: $tool is missing." >&2; exit 1; }; done

dotnet build -c Release benchmarks/facade-settings/FacadeSettings.csproj > "$work/logs/build.log" 2>&1 || { echo "error: build failed, see $work/logs/build.log" >&2; exit 1; }
dll="benchmarks/facade-settings/bin/Release/net10.0/FacadeSettings.dll"
[ -f "$work/ssl/edasan.goe.go.kr.cer" ] || samples/Seed.Https/make-certs.sh "$work/ssl" > "$work/logs/certs.log"
ssl="$work/ssl"

declare -A port pid
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
next_port=$((20000 + RANDOM % 8000))
active=()
[ -z "$compare_dll" ] || [ -f "$compare_dll" ] || { echo "error: --compare-dll '$compare_dll' does not exist." >&2; exit 2; }
[ -z "$compare_dll" ] || variants_all+=("compare||")
for v in "${variants_all[@]}"; do
  IFS='|' read -r id envs extra <<< "$v"
  selected "$only_variants" "$id" || [ "$id" = compare ] || continue
  program="$dll"
  [ "$id" != compare ] || program="$compare_dll"
  active+=("$id")
  port[$id/h1-tls]=$next_port; port[$id/h2-tls]=$((next_port + 1)); port[$id/h1]=$((next_port + 2)); next_port=$((next_port + 3))
  # shellcheck disable=SC2086
  env $envs dotnet "$program" $extra --h1-tls "${port[$id/h1-tls]}" --h2-tls "${port[$id/h2-tls]}" --h1 "${port[$id/h1]}" \
    --cert "$ssl/edasan.goe.go.kr.cer" --key "$ssl/edasan.goe.go.kr.key" --ca "$ssl/new_caChain_change.cer" > "$work/logs/$id.log" 2>&1 &
  pid[$id]=$!
  pids+=("$!")
done
for id in "${active[@]}"; do
  for _ in $(seq 1 120); do
    if curl -sf --cacert "$ssl/new_rootca.cer" "https://127.0.0.1:${port[$id/h2-tls]}/" > /dev/null 2>&1; then continue 2; fi
    sleep 0.5
  done
  echo "error: variant $id did not answer in 60 s, see $work/logs/$id.log" >&2; exit 1
done

client() { # scenario url seconds
  case "$1" in
    h2-tls) timeout $(($3 + 30)) h2load -t 1 -c 50 -m 10 --warm-up-time=1 -D "$3" "$2" ;;
    h1-tls) timeout $(($3 + 30)) h2load --h1 -t 1 -c 50 -m 1 --warm-up-time=1 -D "$3" "$2" ;;
    h1) timeout $(($3 + 30)) wrk -t 1 -c 50 -d "${3}s" "$2" ;;
    handshake | handshake13)
      local hostport="${2#https://}" version=()
      hostport="${hostport%/}"
      [ "$1" = handshake ] || version=(-tls1_3)
      timeout $(($3 + 30)) openssl s_time -connect "$hostport" "${version[@]}" -new -www / -time "$3" > "$work/logs/s_time.txt" 2>&1 &
      local first=$!
      timeout $(($3 + 30)) openssl s_time -connect "$hostport" "${version[@]}" -new -www / -time "$3"
      wait "$first" || true
      cat "$work/logs/s_time.txt" ;;
  esac
}
rps_of() {
  awk '/^finished in/ { gsub(",", ""); print $4 } /Requests\/sec:/ { print $2 }
    / connections in [0-9.]+ real seconds/ { n += $1; t = $4; hs = 1 } END { if (hs) printf "%.1f\n", n / t }' "$1"
}
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz="$(getconf CLK_TCK)"
out="$work/rounds.tsv"
: > "$out"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in h2-tls h1-tls h1 handshake handshake13; do
  if [ -z "$only_scenarios" ]; then [[ "$s" != handshake* ]] || continue; else selected "$only_scenarios" "$s" || continue; fi
  scheme=https; [ "$s" = h1 ] && scheme=http
  listener="$s"; [[ "$s" != handshake* ]] || listener=h1-tls
  for id in "${active[@]}"; do client "$s" "$scheme://127.0.0.1:${port[$id/$listener]}/" "$warmup" > /dev/null 2>&1 || true; done
  n=${#active[@]}
  for r in $(seq 1 "$rounds"); do
    for i in $(seq 0 $((n - 1))); do
      id="${active[$(((i + r - 1) % n))]}"
      t0="$(ticks "${pid[$id]}")"
      client "$s" "$scheme://127.0.0.1:${port[$id/$listener]}/" "$duration" > "$work/logs/run.txt" 2>&1 || true
      t1="$(ticks "${pid[$id]}")"
      rps="$(rps_of "$work/logs/run.txt")"
      cpu="$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$r" "$id" "$rps" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| scenario | variant | req/s median (min–max) | req/CPU-s median | vs ${active[0]}: req/s · req/CPU-s |"
echo "|---|---|---:|---:|---:|"
awk -F'\t' -v first="${active[0]}" -v d="$duration" '
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function minv(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
  function maxv(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
  { key = $1 "|" $3; r[key] = r[key] " " $4; e[key] = e[key] " " ($5 > 0 ? $4 * d / $5 : 0); if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
  END {
    for (i = 1; i <= k; i++) { split(order[i], p, "|"); base = p[1] "|" first
      printf "| %s | %s | %.0f (%.0f–%.0f) | %.0f | %.2f · %.2f |\n", p[1], p[2], median(r[order[i]]), minv(r[order[i]]), maxv(r[order[i]]), median(e[order[i]]),
        median(r[order[i]]) / median(r[base]), median(e[order[i]]) / median(e[base]) }
  }' "$out"

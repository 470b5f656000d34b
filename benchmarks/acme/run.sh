#!/usr/bin/env bash
# ACME benchmark (docs/acme.md): against Debian's pebble on loopback, measures
#  1. the time from starting `roost serve --domain` (empty --acme-dir) to the first h2 200 with the issued certificate
#     (account + order + HTTP-01 + finalize + download + first worker ready), and
#  2. the CPU the primary spends per renewal (utime+stime of the primary from /proc, across one renewal of a
#     short-lived certificate, minus the same idle window before it).
# Usage: benchmarks/acme/run.sh [roost command, default: dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll]
# Needs: pebble (apt-get install pebble), openssl, curl. Loopback only; everything it starts is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOST=${1:-"dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll"}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
read -r ca_port mgmt_port dns_port dns_mgmt http_port tls_port https_port < <(echo "$(free_port) $(free_port) $(free_port) $(free_port) $(free_port) $(free_port) $(free_port)")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
validity=${ACME_BENCH_VALIDITY:-30}
cat > "$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$ca_port", "managementListenAddress": "127.0.0.1:$mgmt_port", "certificate": "$work/cert.pem",
 "privateKey": "$work/key.pem", "httpPort": $http_port, "tlsPort": $tls_port, "ocspResponderURL": "", "externalAccountBindingRequired": false,
 "certificateValidityPeriod": $validity}}
JSON
pebble-challtestsrv -dns01 "127.0.0.1:$dns_port" -http01 "" -https01 "" -tlsalpn01 "" -management "127.0.0.1:$dns_mgmt" -defaultIPv6 "" >"$work/dns.log" 2>&1 &
pids+=($!)
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 pebble -config "$work/pebble.json" -dnsserver "127.0.0.1:$dns_port" >"$work/pebble.log" 2>&1 &
pids+=($!)
until grep -q "ACME directory available" "$work/pebble.log"; do sleep 0.1; done
curl -sk "https://127.0.0.1:$mgmt_port/roots/0" > "$work/root.pem"

start=$(date +%s.%N)
# shellcheck disable=SC2086
$ROOST serve --workers 1 --no-hot-spare --host 127.0.0.1 --port "$https_port" --domain bench.roost.test --acme-agree-tos \
  --acme-ca "https://127.0.0.1:$ca_port/dir" --acme-ca-cert "$work/cert.pem" --acme-http-port "$http_port" --acme-dir "$work/acme" >"$work/roost.log" 2>&1 &
roost=$!
pids+=($roost)
until curl -s --http2 --cacert "$work/root.pem" --resolve "bench.roost.test:$https_port:127.0.0.1" -o /dev/null -w '%{http_code}' \
  "https://bench.roost.test:$https_port/healthz" 2>/dev/null | grep -q 200; do sleep 0.05; done
first=$(echo "$(date +%s.%N) - $start" | bc)
echo "first h2 200 with the issued certificate: ${first} s after start"

# CPU of the primary: an idle window, then a window holding one renewal (due at 2/3 of $validity s).
ticks() { awk '{print $14+$15}' "/proc/$roost/stat"; }
hz=$(getconf CLK_TCK)
sleep 2
a=$(ticks); sleep 5; b=$(ticks)
idle_per_s=$(echo "($b - $a) / 5" | bc -l)
renewals_before=$(grep -c "obtained from" "$work/roost.log")
c=$(ticks); t0=$(date +%s.%N)
until [ "$(grep -c 'obtained from' "$work/roost.log")" -gt "$renewals_before" ]; do sleep 0.1; done
sleep 1
d=$(ticks); t1=$(date +%s.%N)
window=$(echo "$t1 - $t0" | bc -l)
renewal_ms=$(echo "(($d - $c) - $idle_per_s * $window) * 1000 / $hz" | bc -l)
printf 'primary CPU per renewal: %.0f ms (window %.1f s: %d ticks; idle %.2f ticks/s; CLK_TCK %d)\n' "$renewal_ms" "$window" "$((d - c))" "$idle_per_s" "$hz"
grep -E "ACME|obtained|replaced" "$work/roost.log" | sed 's/^/  log: /' | head -12

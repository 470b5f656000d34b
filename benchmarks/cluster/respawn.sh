#!/usr/bin/env bash
# Capacity back after `kill -9` of a worker: time from the kill to the first successful response from the
# replacement (a pid that was not serving before), N kills, in managed mode (Auto → reuseport, 2 workers, no load),
# with the cluster test host (Release); once cold (no hot spare) and once with one hot spare. Prints each sample and
# p50/p90 per mode. Four client threads open a new connection per request: connections hashed to the dead worker's
# slot wait in its queue until the replacement accepts them, so the first new pid answer is "capacity back".
# Usage: benchmarks/cluster/respawn.sh [kills=10] [modes="0 1"]   (modes: hot spares per run)
set -euo pipefail
KILLS=${1:-10}
MODES=${2:-"0 1"}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
KEEP_LOG=${KEEP_LOG:-}

for spares in $MODES; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  : >"$OUT"
  PORT=$port TH_WORKERS=2 TH_RESPAWN=1 TH_HOT_SPARES=$spares TH_PRIMARY_LOG=1 \
    dotnet "$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll" >"$OUT" 2>&1 &
  primary=$!
  until [ "$(grep -c '^listening ' "$OUT" || true)" -ge 2 ]; do sleep 0.05; done
  samples=()
  for i in $(seq 1 "$KILLS"); do
    if [ "$spares" -gt 0 ]; then
      # wait until a spare is built and waiting (one per kill so far, plus the first)
      until [ "$(grep -c 'is built and waiting' "$OUT" || true)" -ge "$i" ]; do sleep 0.05; done
    fi
    sleep 2   # let the previous replacement settle (MinUptime 1 s: kills stay "ordinary exits", 100 ms backoff)
    # live workers: forked and not exited
    live=$(awk '$1=="forked"{l[$3]=1} $1=="exit"{delete l[$3]} END{for (p in l) printf "%s ", p}' "$OUT")
    ms=$(python3 - "$port" $live <<'PY'
import os, socket, sys, threading, time
port = int(sys.argv[1]); live = sys.argv[2:]; victim = int(live[0])
done = threading.Event(); result = []
def client():
    while not done.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            s.close()
            body = data.split(b"\r\n\r\n", 1)[-1].decode().strip()
            if data.startswith(b"HTTP/1.1 200") and body not in live:
                if not done.is_set():
                    result.append(time.monotonic()); done.set()
        except OSError:
            time.sleep(0.001)
t0 = time.monotonic(); os.kill(victim, 9)
threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
for t in threads: t.start()
done.wait(30)
print(int((result[0] - t0) * 1000) if result else -1)
PY
)
    samples+=("$ms")
    echo "hot spares $spares, kill $i: pid ${live%% *} → first answer from the replacement after ${ms} ms"
  done
  kill -TERM "$primary"; wait "$primary" || true
  if [ -n "$KEEP_LOG" ]; then cp "$OUT" "$KEEP_LOG.$spares"; fi
  printf '%s\n' "${samples[@]}" | sort -n | awk -v s="$spares" '{a[NR]=$1} END {printf "hot spares %s: p50 %d ms, p90 %d ms, min %d ms, max %d ms (n=%d)\n", s, a[int((NR+1)/2)], a[int(NR*0.9+0.5)], a[1], a[NR], NR}'
done

#!/usr/bin/env bash
# Regenerates the seed corpus in fuzz/corpus/<target>/ (committed; run by hand when a target's input format changes).
# Needs openssl, curl and python3 (the listener that captures ClientHellos). The certificate material is
# fuzz/Roost.FuzzTargets/Material (a throwaway self-signed P-256 certificate for fuzzing only).
set -euo pipefail
cd "$(dirname "$0")"
corpus=corpus
material=Roost.FuzzTargets/Material
rm -rf "$corpus"
mkdir -p "$corpus"/{ipc,control,clienthello,certificate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- ipc: byte 0 = read size - 1, then JSON lines (one per message shape, as IpcCodec writes them)
ipc() { { printf "\\x$(printf %02x "$1")"; printf '%s\n' "${@:2}"; } > "$corpus/ipc/$name"; }
name=online ipc 0 '{"type":"online","pid":42}'
name=listen ipc 7 '{"type":"listen","requestId":7,"address":"0.0.0.0","port":8443}'
name=listen-response ipc 3 '{"type":"listen-response","requestId":7,"hasHandle":false,"error":"Address already in use","handoff":false}'
name=listening ipc 255 '{"type":"listening","address":"127.0.0.1","port":8443}'
name=heartbeat ipc 1 '{"type":"heartbeat","sequence":12,"requests":3}'
name=stop ipc 15 '{"type":"stop","drainTimeoutMilliseconds":30000,"slotRemoved":true,"successorReady":false}'
name=message ipc 31 '{"type":"message","payload":{"a":[1,2.5,"x\ny",null,true],"b":{}}}'
name=connection ipc 2 '{"type":"connection","endPoint":"0.0.0.0:8443"}'
name=load ipc 4 '{"type":"load","closedConnections":17}'
name=broadcast ipc 63 '{"type":"broadcast","payload":"hello","senderId":2}'
name=reload-certificates ipc 5 '{"type":"reload-certificates","requestId":3}'
name=certificates-reloaded ipc 127 '{"type":"certificates-reloaded","requestId":3,"certificates":[{"server":"0.0.0.0:8443","name":"default","status":"reloaded","oldSerialNumber":"01","newSerialNumber":"02","errors":[]}]}'
name=spare-waiting ipc 0 '{"type":"spare-waiting"}'
name=promote ipc 9 '{"type":"promote","slot":1}'
name=several ipc 10 '{"type":"heartbeat","sequence":1}' '' 'not json' '{"sequence":5,"type":"heartbeat"}' "$(printf 'x%.0s' {1..600})" '{"type":"online","pid":1}'

# ---- control: one request line (what `roost status|reload|scale|stop` send)
printf '%s\n' '{"v":1,"type":"status"}' > "$corpus/control/status"
printf '%s\n' '{"v":1,"type":"reload","certsOnly":true}' > "$corpus/control/reload"
printf '%s\n' '{"type":"scale","v":1,"workers":4}' > "$corpus/control/scale"
printf '%s\n' '{"v":1,"type":"scale","delta":-1}' > "$corpus/control/scale-delta"
printf '%s\n' '{"v":1,"type":"stop","timeoutSeconds":2.5}' > "$corpus/control/stop"
printf '%s\n' '{"v":2,"type":"status"}' > "$corpus/control/version"

# ---- clienthello: byte 0 = where the bytes are cut into segments, then a client's first bytes on the wire
capture() { # <file> <client command...>: the first bytes a TLS client sends to a listener that never answers
  local out=$work/hello port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 - "$port" "$out" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(2); data = b""
try:
    while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
        chunk = c.recv(65536)
        if not chunk: break
        data += chunk
except socket.timeout: pass
open(sys.argv[2], "wb").write(data)
PY
  local listener=$!
  sleep 0.5
  timeout 5 "${@:2}" "$port" >/dev/null 2>&1 || true
  wait "$listener"
  { printf '\x2a'; cat "$out"; } > "$corpus/clienthello/$1"
}
capture openssl-tls13-alpn sh -c 'openssl s_client -connect 127.0.0.1:$0 -servername fuzz.test -alpn h2,http/1.1 </dev/null'
capture openssl-tls12 sh -c 'openssl s_client -connect 127.0.0.1:$0 -servername fuzz.test -tls1_2 </dev/null'
capture curl-h2 sh -c 'curl -sk --max-time 3 --http2 https://fuzz.test:$0/ --resolve fuzz.test:$0:127.0.0.1'
printf '\x05GET / HTTP/1.1\r\nHost: fuzz.test\r\n\r\n' > "$corpus/clienthello/http1"

# ---- certificate: byte 0 = role (CertificateTarget.Role: 0 cert, 1 key, 2 encrypted key, 3 combined, 4 ca, 5 pfx, 6 pfx+passphrase)
seed() { { printf "\\x$(printf %02x "$1")"; cat "$3"; } > "$corpus/certificate/$2"; }
openssl x509 -in $material/fuzz-cert.pem -outform DER -out "$work/cert.der"
openssl pkey -in $material/fuzz-key.pem -outform DER -out "$work/key.der"
openssl ec -in $material/fuzz-key.pem -out "$work/key-sec1.pem" 2>/dev/null
openssl pkcs8 -topk8 -in $material/fuzz-key.pem -passout pass:fuzz -out "$work/key-enc.pem"
cat $material/fuzz-cert.pem $material/fuzz-key.pem > "$work/combined.pem"
openssl pkcs12 -export -in $material/fuzz-cert.pem -inkey $material/fuzz-key.pem -passout pass: -out "$work/nopass.pfx"
openssl pkcs12 -export -in $material/fuzz-cert.pem -inkey $material/fuzz-key.pem -passout pass:fuzz -out "$work/pass.pfx"
seed 0 cert-pem $material/fuzz-cert.pem
seed 0 cert-der "$work/cert.der"
seed 1 key-pkcs8-pem $material/fuzz-key.pem
seed 1 key-pkcs8-der "$work/key.der"
seed 1 key-sec1-pem "$work/key-sec1.pem"
seed 2 key-encrypted-pem "$work/key-enc.pem"
seed 3 combined-pem "$work/combined.pem"
seed 4 ca-pem $material/fuzz-cert.pem
seed 5 pfx-no-passphrase "$work/nopass.pfx"
seed 6 pfx-passphrase "$work/pass.pfx"
ls -l "$corpus"/*

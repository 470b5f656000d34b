#!/usr/bin/env bash
# Makes the certificate files the study note's programs read, so the sample runs exactly as the note does:
#
#   ssl/new_rootca.cer          root CA, self-signed (trust this one: curl --cacert ssl/new_rootca.cer)
#   ssl/new_caChain_change.cer  intermediate CA, signed by the root (the server sends it in every handshake)
#   ssl/edasan.goe.go.kr.cer    leaf for edasan.goe.go.kr, localhost, 127.0.0.1 and ::1, signed by the intermediate
#   ssl/edasan.goe.go.kr.key    the leaf's private key (PKCS#8 PEM, mode 0600)
#
# A real CA hands out the same shapes: the site's certificate and key plus its own certificates.
# The CA keys are thrown away: run the script again to get a fresh chain.
#
# Usage: ./make-certs.sh [output-dir]        output-dir defaults to ./ssl (relative to the working directory)
# Environment: KEY_TYPE=ec (P-256, default) or rsa (2048-bit) for all three keys.
set -euo pipefail

out="${1:-./ssl}"
key_type="${KEY_TYPE:-ec}"

command -v openssl >/dev/null || { echo "error: openssl is not installed (Debian: apt-get install -y openssl)." >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

new_key() {
  case "$key_type" in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    *) echo "error: KEY_TYPE must be 'ec' or 'rsa'; got '$key_type'." >&2; exit 2 ;;
  esac
}

leaf_usage="digitalSignature"
if [ "$key_type" = rsa ]; then
  leaf_usage="digitalSignature, keyEncipherment"
fi

cat > "$work/ext.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $leaf_usage
extendedKeyUsage = serverAuth
subjectAltName = DNS:edasan.goe.go.kr, DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

serial() { echo "0x$(openssl rand -hex 8)"; }

# 1. Root CA (10 years), self-signed.
new_key "$work/root.key"
openssl req -new -x509 -sha256 -days 3650 -key "$work/root.key" -subj "/O=Roost samples/CN=Roost Sample Root CA" \
  -config "$work/ext.cnf" -extensions root -set_serial "$(serial)" -out "$work/new_rootca.cer"

# 2. Intermediate CA (5 years), signed by the root.
new_key "$work/intermediate.key"
openssl req -new -sha256 -key "$work/intermediate.key" -subj "/O=Roost samples/CN=Roost Sample Intermediate CA" \
  -config "$work/ext.cnf" -out "$work/intermediate.csr"
openssl x509 -req -sha256 -days 1825 -in "$work/intermediate.csr" -CA "$work/new_rootca.cer" -CAkey "$work/root.key" \
  -set_serial "$(serial)" -extfile "$work/ext.cnf" -extensions intermediate -out "$work/new_caChain_change.cer" 2>/dev/null

# 3. Leaf (1 year), signed by the intermediate.
new_key "$work/edasan.goe.go.kr.key"
openssl req -new -sha256 -key "$work/edasan.goe.go.kr.key" -subj "/CN=edasan.goe.go.kr" \
  -config "$work/ext.cnf" -out "$work/leaf.csr"
openssl x509 -req -sha256 -days 365 -in "$work/leaf.csr" -CA "$work/new_caChain_change.cer" -CAkey "$work/intermediate.key" \
  -set_serial "$(serial)" -extfile "$work/ext.cnf" -extensions leaf -out "$work/edasan.goe.go.kr.cer" 2>/dev/null

# The chain must verify from the root alone, as a client that trusts only the root sees it.
openssl verify -CAfile "$work/new_rootca.cer" -untrusted "$work/new_caChain_change.cer" "$work/edasan.goe.go.kr.cer" >/dev/null

mkdir -p "$out"
cp "$work/new_rootca.cer" "$work/new_caChain_change.cer" "$work/edasan.goe.go.kr.cer" "$out/"
install -m 600 "$work/edasan.goe.go.kr.key" "$out/edasan.goe.go.kr.key"

echo "Wrote $out/new_rootca.cer, $out/new_caChain_change.cer, $out/edasan.goe.go.kr.cer and $out/edasan.goe.go.kr.key ($key_type keys)."
echo "Trust the root with: curl --cacert $out/new_rootca.cer https://localhost:PORT/"

#!/usr/bin/env python3
"""Returning-clients load for benchmarks/load/returning.sh: new TCP connections one after another for SECONDS, each
with a TLS handshake (reuse: offering the previous connection's session; new: none), one GET PATH (default /healthz:
a small fixed answer on Roost and nginx alike) and the answer read to the end. Prints "connections resumed". Python's ssl is used because it keeps a session when the server ends the
connection without close_notify (Kestrel does: OpenSSL's s_time then marks the session not resumable)."""
import socket
import ssl
import sys
import time

port, version, mode, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
path = sys.argv[5] if len(sys.argv) > 5 else "/healthz"
request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if version == "1.2":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
else:
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
session, total, resumed = None, 0, 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    # As browsers, curl and Go do: without it, Nagle's algorithm holds the request behind the client's Finished until
    # the server's delayed ACK (~40 ms), which hides what the handshake costs.
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tls = ctx.wrap_socket(raw, server_hostname="localhost", session=session if mode == "reuse" else None)
    tls.sendall(request)
    while tls.recv(65536):
        pass
    total += 1
    resumed += 1 if tls.session_reused else 0
    session = tls.session
    tls.close()
print(total, resumed)

#!/usr/bin/env python3
"""A returning TLS client for the resumption tests (Python's ssl keeps and offers sessions; .NET's client cannot say
whether a session was resumed). Reads commands on stdin, answers one line each on stdout:

  chain VER N   N connections one after another, each offering the previous one's session
                -> "chain reused=R of=N-1 pids=P1,P2"  (pids: the worker processes that answered, from the welcome page)
  save VER      one full handshake; its session is kept for "offer"          -> "saved"
  offer VER N   N connections, each offering the saved session                -> "offer reused=R of=N pids=..."
  single VER N  N connections one after another, each offering a session no connection offered before (a browser uses a
                TLS 1.3 ticket once), so a connection resumes only if the previous one got a fresh ticket
                -> "single reused=R of=N-1 prompt=P" (prompt: resumed connections whose server sent something — its
                ticket — before the client's request, waiting up to 5 s; a server with nothing to send delays its ACK
                of the client's Finished, which holds the request of a client with Nagle on)

VER is 1.2 or 1.3. The port is the first argument; certificates are not verified (the handshake is what is tested).
"""
import re
import select
import socket
import ssl
import sys

PORT = int(sys.argv[1])
saved = {}


def context(version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if version == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


CONTEXTS = {"1.2": context("1.2"), "1.3": context("1.3")}


def connect(version, session, prompt=None):
    raw = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    tls = CONTEXTS[version].wrap_socket(raw, server_hostname="localhost", session=session)
    if prompt is not None:
        prompt.append(bool(select.select([tls.fileno()], [], [], 5)[0]))
    tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    body = b""
    while True:
        chunk = tls.recv(65536)
        if not chunk:
            break
        body += chunk
    # The welcome page of roost serve (id="pid"), or HelloApp's "pid N" under roost run.
    match = re.search(rb'id="pid">(\d+)<', body) or re.search(rb'pid (\d+)', body)
    # With TLS 1.3 the ticket comes after the handshake; it has been read with the response.
    result = (tls.session_reused, tls.session, match.group(1).decode() if match else "?")
    tls.close()
    return result


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "chain":
        version, count = words[1], int(words[2])
        session, reused, pids = None, 0, set()
        for i in range(count):
            was_reused, session, pid = connect(version, session)
            pids.add(pid)
            if i > 0 and was_reused:
                reused += 1
        print(f"chain reused={reused} of={count - 1} pids={','.join(sorted(pids))}", flush=True)
    elif words[0] == "save":
        _, saved[words[1]], _ = connect(words[1], None)
        print("saved", flush=True)
    elif words[0] == "offer":
        version, count = words[1], int(words[2])
        reused, pids = 0, set()
        for _ in range(count):
            was_reused, _, pid = connect(version, saved[version])
            pids.add(pid)
            reused += 1 if was_reused else 0
        print(f"offer reused={reused} of={count} pids={','.join(sorted(pids))}", flush=True)
    elif words[0] == "single":
        version, count = words[1], int(words[2])
        session, reused, prompt, offered = None, 0, 0, set()
        for i in range(count):
            if session is not None:
                offered.add(session.id)
            arrived = []
            was_reused, session, _ = connect(version, session, arrived)
            if i > 0 and was_reused:
                reused += 1
                prompt += 1 if arrived[0] else 0
            if session is not None and session.id in offered:
                session = None
        print(f"single reused={reused} of={count - 1} prompt={prompt}", flush=True)

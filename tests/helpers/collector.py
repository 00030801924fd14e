#!/usr/bin/env python3
"""A loopback collector for `plumb push` tests.

    collector.py --port-file F --log F [--port N] [--lifetime S]
                 [--cert PEM --key PEM [--client-ca PEM]]
                 [--fail N] [--status CODE] [--delay S]

Answers each POST: the first --fail requests with 503, the others with
--status (default 200), and appends one JSON line per request to --log:
{"status", "idempotency_key", "body" (text), "client_cn"}, then waits
--delay seconds before answering (a slow collector).  With --cert and
--key it speaks TLS; with --client-ca it requires a client certificate
signed by that CA (mutual TLS).  Binds 127.0.0.1 only (port 0: ephemeral),
writes the port to --port-file once listening, refuses bodies over 4 MiB,
and exits by itself after --lifetime seconds (default 120) or on SIGTERM.
"""
import argparse
import http.server
import json
import os
import signal
import ssl
import sys
import threading
import time

MAX_BODY = 4 << 20

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--lifetime", type=float, default=120)
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--client-ca")
ap.add_argument("--fail", type=int, default=0)
ap.add_argument("--status", type=int, default=200)
ap.add_argument("--delay", type=float, default=0)
args = ap.parse_args()
state = {"n": 0}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n < 0 or n > MAX_BODY:
            self.send_response(413)
            self.end_headers()
            return
        body = self.rfile.read(n).decode("utf-8", "replace")
        with lock:
            state["n"] += 1
            status = 503 if state["n"] <= args.fail else args.status
        cn = None
        if isinstance(self.connection, ssl.SSLSocket):
            peer = self.connection.getpeercert()
            for rdn in (peer or {}).get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"status": status, "client_cn": cn,
                                "idempotency_key": self.headers.get("Idempotency-Key"),
                                "body": body}) + "\n")
        time.sleep(args.delay)
        msg = b"accepted\n" if status < 300 else b"try later\n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
if args.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
timer = threading.Timer(args.lifetime, srv.shutdown)
timer.daemon = True
timer.start()
srv.serve_forever()

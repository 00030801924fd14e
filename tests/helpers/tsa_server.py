#!/usr/bin/env python3
# A throwaway RFC 3161 time-stamp authority for tests/e2e/bundle.sh:
# `openssl ts -reply` behind an HTTP endpoint on 127.0.0.1.  Bounded: it
# answers at most MAX requests and exits after TIMEOUT seconds either way.
#
# usage: tsa_server.py PORTFILE TSA_CONFIG MAX TIMEOUT
# It writes the port it listens on to PORTFILE once it is ready.
import http.server
import os
import subprocess
import sys
import tempfile
import threading

portfile, config, max_requests, timeout = (sys.argv[1], sys.argv[2],
                                           int(sys.argv[3]), float(sys.argv[4]))
served = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global served
        served += 1
        n = int(self.headers.get("Content-Length", "0"))
        if n <= 0 or n > 65536:
            self.send_error(400)
            return
        query = self.rfile.read(n)
        with tempfile.TemporaryDirectory() as d:
            q = os.path.join(d, "q.tsq")
            r = os.path.join(d, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            p = subprocess.run(["openssl", "ts", "-reply", "-config", config,
                                "-queryfile", q, "-out", r],
                               capture_output=True, timeout=30)
            if p.returncode != 0:
                sys.stderr.write(p.stderr.decode(errors="replace"))
                self.send_error(500)
                return
            body = open(r, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
srv.timeout = 1
threading.Timer(timeout, lambda: os._exit(0)).start()
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
while served < max_requests:
    srv.handle_request()
os._exit(0)

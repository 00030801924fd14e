#!/usr/bin/env python3
"""Loopback receivers for plumb's notification tests.

    sink.py http --port-file F --log F [--port N] [--lifetime S]
    sink.py smtp --port-file F --log F [--port N] [--lifetime S]

http: answers every POST with 200 and appends one JSON line to the log:
      {"path", "idempotency_key", "body"} (body parsed as JSON).
smtp: a minimal SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT;
      no STARTTLS, so plumb must be told starttls="try"); each message is
      appended to the log as one JSON line {"from", "to", "data"}.

Both bind 127.0.0.1 only (port 0 = ephemeral unless --port), write the port
to --port-file once listening, refuse bodies over 1 MiB, and exit by
themselves after --lifetime seconds (default 120) or on SIGTERM.
"""
import argparse
import http.server
import json
import os
import signal
import socketserver
import sys
import threading

MAX_BODY = 1 << 20


def append(log, record):
    # One write per record, so a reader never sees half a line.
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")


def http_server(args):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            if n < 0 or n > MAX_BODY:
                self.send_response(413)
                self.end_headers()
                return
            raw = self.rfile.read(n)
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = None
            append(args.log, {"path": self.path,
                              "idempotency_key":
                              self.headers.get("Idempotency-Key"),
                              "body": body})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    return http.server.HTTPServer(("127.0.0.1", args.port), Handler)


def smtp_server(args):
    class Handler(socketserver.StreamRequestHandler):
        timeout = 10

        def say(self, line):
            self.wfile.write(line.encode("ascii") + b"\r\n")
            self.wfile.flush()

        def handle(self):
            mail_from, rcpt = None, []
            self.say("220 127.0.0.1 plumb-test-sink")
            while True:
                line = self.rfile.readline(4096)
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.say("250-127.0.0.1")
                    self.say("250 8BITMIME")
                elif verb == "HELO":
                    self.say("250 127.0.0.1")
                elif verb == "MAIL":
                    mail_from, rcpt = cmd[10:].strip(" <>"), []
                    self.say("250 ok")
                elif verb == "RCPT":
                    rcpt.append(cmd[8:].strip(" <>"))
                    self.say("250 ok")
                elif verb == "DATA":
                    self.say("354 end with .")
                    data, size = [], 0
                    while True:
                        l = self.rfile.readline(MAX_BODY)
                        if not l:
                            return
                        size += len(l)
                        if size > MAX_BODY:
                            self.say("552 too big")
                            return
                        if l in (b".\r\n", b".\n"):
                            break
                        if l.startswith(b".."):
                            l = l[1:]
                        data.append(l)
                    append(args.log, {"from": mail_from, "to": rcpt,
                                      "data": b"".join(data).decode(
                                          "utf-8", "replace")})
                    self.say("250 queued")
                elif verb in ("RSET", "NOOP"):
                    self.say("250 ok")
                elif verb == "QUIT":
                    self.say("221 bye")
                    return
                else:
                    self.say("502 not implemented")

    return socketserver.TCPServer(("127.0.0.1", args.port), Handler)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["http", "smtp"])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=120)
    args = p.parse_args()
    socketserver.TCPServer.allow_reuse_address = True
    srv = http_server(args) if args.kind == "http" else smtp_server(args)
    open(args.log, "a").close()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    stop = threading.Timer(args.lifetime, srv.shutdown)
    stop.daemon = True
    stop.start()
    signal.signal(signal.SIGTERM,
                  lambda *a: threading.Thread(target=srv.shutdown).start())
    srv.serve_forever()
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

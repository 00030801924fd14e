"""A stand-in for /dev/log in tests: logsink.py SOCKET OUT SECONDS binds a
unix datagram socket at SOCKET and appends each record it receives, one per
line, to OUT, for at most SECONDS seconds."""
import os
import socket
import sys
import time

path, out, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
end = time.monotonic() + limit
with open(out, "ab", buffering=0) as f:
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        f.write(data.rstrip(b"\n") + b"\n")
os.unlink(path)

#!/usr/bin/env python3
"""Job-execution receiver for the launcher scenarios.

dkron jobs call GET /hit/<token>; the scenario asks GET /count/<token> (the
number of calls) or GET /times/<token> (one Unix time per call, a line each).
Usage: receiver.py <bind-ip> <port-file>: binds a free port on <bind-ip>
and writes it to <port-file> once listening. Runs until terminated.
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

calls = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in ("hit", "count", "times"):
            self.reply(404, "use /hit/<token>, /count/<token> or /times/<token>\n")
            return
        kind, token = parts
        with lock:
            if kind == "hit":
                calls.setdefault(token, []).append(time.time())
            stamps = list(calls.get(token, []))
        if kind == "count":
            self.reply(200, "%d\n" % len(stamps))
        elif kind == "times":
            self.reply(200, "".join("%.3f\n" % t for t in stamps))
        else:
            self.reply(200, "ok\n")

    def reply(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("receiver: %s %s\n" % (self.address_string(), fmt % args))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: receiver.py <bind-ip> <port-file>")
    server = ThreadingHTTPServer((sys.argv[1], 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()

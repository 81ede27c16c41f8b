#!/usr/bin/env python3
"""A fake Kubernetes API server for bench/api-rate.sh (stdlib only).

Serves the pod list of one namespace (one Ready server pod on 127.0.0.1)
and answers every watch of it the way MODE says:
  end   200 with an empty body: the watch ends at once, cleanly
  gone  410 Gone (a Status), as for a resourceVersion too old
Event POSTs get 201. GET /_counts answers the requests seen so far
(lists, watches, other), which it does not count itself.

Usage: fake-api.py MODE PORT_FILE   (listens on 127.0.0.1, a free port,
written to PORT_FILE once it listens)
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MODE = sys.argv[1]
PORT_FILE = sys.argv[2]
COUNTS = {"list": 0, "watch": 0, "other": 0}
LOCK = threading.Lock()

POD = {
    "metadata": {
        "name": "dkron-server-0",
        "namespace": "bench",
        "uid": "u-0",
        "resourceVersion": "90",
        "labels": {"app.kubernetes.io/name": "dkron",
                   "app.kubernetes.io/component": "server"},
    },
    "spec": {"nodeName": "node-a", "hostname": "dkron-server-0"},
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "podIP": "127.0.0.1",
        "podIPs": [{"ip": "127.0.0.1"}],
    },
}
POD_LIST = json.dumps({"kind": "PodList", "apiVersion": "v1",
                       "metadata": {"resourceVersion": "100"},
                       "items": [POD]}).encode()
GONE = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {},
                   "status": "Failure",
                   "message": "too old resource version: 100 (200)",
                   "reason": "Expired", "code": 410}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def count(self, what):
        with LOCK:
            COUNTS[what] += 1

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/_counts":
            with LOCK:
                body = json.dumps(COUNTS).encode()
            self.reply(200, body)
            return
        if url.path != "/api/v1/namespaces/bench/pods":
            self.count("other")
            self.reply(404, b'{"kind":"Status","code":404}')
            return
        if "watch" not in parse_qs(url.query):
            self.count("list")
            self.reply(200, POD_LIST)
            return
        self.count("watch")
        if MODE == "gone":
            self.reply(410, GONE)
        else:
            self.reply(200)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.count("other")
        self.reply(201, b"{}")

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(PORT_FILE + ".tmp", "w", encoding="ascii") as f:
        f.write(str(server.server_address[1]))
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()

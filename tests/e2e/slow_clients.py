#!/usr/bin/env python3
"""Holds many slow connections to one HTTP port, as a hostile client would.

  slow_clients.py <ip> <port> <connections> <seconds>

Opens <connections> TCP connections to <ip>:<port> and on each sends a
request head one byte every 0.4 s, never finishing it; a connection the
server closes or refuses is opened again at once. Stops after <seconds>
and prints one line: "slow_clients: opened N, refused or closed M". Only
for the test bed's own addresses (the scenario runs it inside a pod's
network namespace, against another pod)."""
import socket
import sys
import time

HEAD = b"GET /readyz HTTP/1.1\r\nHost: slow\r\nX-Slow: " + b"a" * 4096


def main():
    ip, port, n, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    end = time.monotonic() + seconds
    conns = [None] * n
    sent = [0] * n
    opened = dropped = 0
    while time.monotonic() < end:
        for i in range(n):
            if conns[i] is None:
                try:
                    conns[i] = socket.create_connection((ip, port), timeout=0.2)
                    sent[i] = 0
                    opened += 1
                except OSError:
                    dropped += 1
                    continue
            try:
                conns[i].send(HEAD[sent[i] % len(HEAD):sent[i] % len(HEAD) + 1])
                sent[i] += 1
            except OSError:
                conns[i].close()
                conns[i] = None
                dropped += 1
        time.sleep(0.4)
    for c in conns:
        if c is not None:
            c.close()
    print(f"slow_clients: opened {opened}, refused or closed {dropped}")


if __name__ == "__main__":
    main()

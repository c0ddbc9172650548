#!/usr/bin/env python3
"""fetch-server.py — host side of the Linux guest's network check and benchmark.

The guest's /init connects to the address given as rewind.fetch=IP:PORT (or
rewind.bench=net:IP:PORT:MB), sends one request line ("GET\\n") and reads until
the server closes.  With QEMU's or rewind's user network the guest reaches the
host's loopback as 10.0.2.2, so this server listens on 127.0.0.1.

Payload mode (default), for every connection in turn:
  read the request line, wait a random delay (0..--max-delay s), send a random
  number (--min-bytes..--max-bytes) of random bytes, close.  The random source
  is seeded from os.urandom unless --seed is given; then the Nth connection
  always gets the same payload.
Bench mode (--bytes N): send exactly N bytes at once (no delay), close.

Every connection is logged as one line on stdout (and in --log FILE) that a
test compares with the guest's "network: ... fetched N bytes fnv1a64=H":
  fetch-server: conn 1 from 127.0.0.1:40112 request 'GET' sent 12345 bytes
    fnv1a64=0123456789abcdef sha256=... delay_ms=87
(on one line).  The first line printed is "fetch-server: listening on
127.0.0.1:PORT" (port 0 = the kernel picks one; --port-file also writes it).

--hash FILE prints "LEN fnv1a64 sha256" of a file ("-" = stdin) and exits: use
it on what debugfs extracts from the disk image.

Python 3 standard library only.
"""
import argparse
import hashlib
import os
import random
import socket
import sys
import time

FNV64_OFFSET = 0xCBF29CE484222325
FNV64_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1
# FNV-1a in pure Python runs at a few MB/s: bench transfers bigger than this
# are logged with their sha256 only.
FNV_LIMIT = 16 << 20
BENCH_BLOCK = 1 << 20


def fnv1a64(data, h=FNV64_OFFSET):
    for b in data:
        h = ((h ^ b) * FNV64_PRIME) & MASK64
    return h


def hash_file(path):
    f = sys.stdin.buffer if path == "-" else open(path, "rb")
    with f:
        data = f.read()
    print(f"{len(data)} {fnv1a64(data):016x} {hashlib.sha256(data).hexdigest()}")


def read_request(conn, limit=4096):
    """Bytes up to the first newline (or EOF / limit), without it."""
    buf = b""
    while b"\n" not in buf and len(buf) < limit:
        chunk = conn.recv(limit - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf.split(b"\n", 1)[0]


def serve_payload(conn, rng, args):
    delay = rng.uniform(0, args.max_delay)
    length = rng.randint(args.min_bytes, args.max_bytes)
    payload = rng.randbytes(length)
    time.sleep(delay)
    conn.sendall(payload)
    return length, f"{fnv1a64(payload):016x}", hashlib.sha256(payload).hexdigest(), delay


def serve_bench(conn, rng, args):
    block = rng.randbytes(min(BENCH_BLOCK, args.bytes))
    sha = hashlib.sha256()
    fnv = FNV64_OFFSET if args.bytes <= FNV_LIMIT else None
    left = args.bytes
    while left > 0:
        piece = block[:left] if left < len(block) else block
        conn.sendall(piece)
        sha.update(piece)
        if fnv is not None:
            fnv = fnv1a64(piece, fnv)
        left -= len(piece)
    return args.bytes, f"{fnv:016x}" if fnv is not None else "-", sha.hexdigest(), 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    ap.add_argument("--port-file", help="also write the port number to this file")
    ap.add_argument("--seed", type=int, help="seed the random source (default: os.urandom)")
    ap.add_argument("--min-bytes", type=int, default=1, help="smallest payload (default 1)")
    ap.add_argument("--max-bytes", type=int, default=256 * 1024,
                    help="largest payload (default 262144)")
    ap.add_argument("--max-delay", type=float, default=0.25,
                    help="longest delay before sending, seconds (default 0.25)")
    ap.add_argument("--bytes", type=int, help="bench mode: send exactly this many bytes")
    ap.add_argument("--count", type=int, default=0,
                    help="exit after this many connections (default 0: serve forever)")
    ap.add_argument("--log", help="append the per-connection lines to this file")
    ap.add_argument("--hash", metavar="FILE", help="print LEN FNV1A64 SHA256 of FILE and exit")
    args = ap.parse_args()

    if args.hash:
        hash_file(args.hash)
        return 0
    if not 0 <= args.min_bytes <= args.max_bytes:
        ap.error("need 0 <= --min-bytes <= --max-bytes")
    if args.bytes is not None and args.bytes < 0:
        ap.error("--bytes must be >= 0")

    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(16), "little")
    rng = random.Random(seed)
    serve = serve_bench if args.bytes is not None else serve_payload
    log = open(args.log, "a", buffering=1) if args.log else None

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(8)
    port = srv.getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fetch-server: listening on {args.host}:{port}"
          f"{' (seed %d)' % args.seed if args.seed is not None else ''}", flush=True)

    served = 0
    try:
        while not args.count or served < args.count:
            conn, peer = srv.accept()
            served += 1
            with conn:
                conn.settimeout(60)
                try:
                    request = read_request(conn)
                    sent, fnv, sha, delay = serve(conn, rng, args)
                except OSError as e:
                    line = f"fetch-server: conn {served} from {peer[0]}:{peer[1]} error {e}"
                else:
                    line = (f"fetch-server: conn {served} from {peer[0]}:{peer[1]} "
                            f"request {request.decode('latin-1')!r} sent {sent} bytes "
                            f"fnv1a64={fnv} sha256={sha} delay_ms={delay * 1000:.0f}")
            print(line, flush=True)
            if log:
                log.write(line + "\n")
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Forward HTTP proxy, a test fixture for the harness's proxy support.

Python 3.11 standard library only; the HTTP/1.1 plumbing is in http_relay.py
next to this file. See README.md.

- `CONNECT host:port` opens a TCP tunnel (answer `200 Connection established`),
  or `502` if the target cannot be reached.
- Absolute-form requests (`POST http://host:port/path?q HTTP/1.1`, any method)
  are sent on to the origin in origin form, one upstream connection each, with
  bodies streamed both ways. The client connection is kept alive.
- Origin-form requests (`GET /path`) get 400: this is a proxy, not a server.

Once listening it prints one line, `listening on http://HOST:PORT`, and it
stops (exit 0) on SIGTERM or SIGINT.
"""

import argparse
import base64
import binascii
import hmac
import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_relay  # noqa: E402  (needs the path above)

# http://authority[/path][?query]; a fragment is never sent to a proxy.
ABSOLUTE_RE = re.compile(r"(?i)http://([^/?#]+)([^#]*)")
REALM = "partcheck-test"


def credentials_ok(headers, expected):
    """True if some `Proxy-Authorization: Basic ...` decodes to `expected` (bytes)."""
    for value in (v for n, v in headers if n.lower() == "proxy-authorization"):
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "basic":
            continue
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(given, expected):
            return True
    return False


class ProxyHandler(http_relay.Handler):
    """Server settings read here: auth (bytes or None), refuse_connect (bool)."""

    def error_body(self, status, message):
        return "text/plain; charset=utf-8", message.encode("utf-8")

    def handle_request(self, conn, req):
        if self.server.auth is not None and not credentials_ok(req.headers, self.server.auth):
            return self.error(conn, req, 407, "proxy authentication required",
                              extra=[("Proxy-Authenticate", f'Basic realm="{REALM}"')])
        if req.method == "CONNECT":
            return self.connect(conn, req)
        m = ABSOLUTE_RE.fullmatch(req.target)
        if not m:
            return self.error(conn, req, 400, "this is a proxy: send an absolute http:// URL "
                              "or CONNECT host:port")
        where = http_relay.parse_authority(m.group(1), 80)
        if where is None:
            return self.error(conn, req, 400, f"bad host in URL {req.target}")
        path = m.group(2)
        path = "/" + path if not path.startswith("/") else path
        # The URL names the origin; a Host header saying otherwise is replaced.
        headers = http_relay.set_header(http_relay.end_to_end(req.headers), "Host", m.group(1))
        return self.relay(conn, req, where[0], where[1], path, headers)

    def connect(self, conn, req):
        if self.server.refuse_connect:
            return self.error(conn, req, 403, "CONNECT refused by policy")
        where = http_relay.parse_authority(req.target, None)
        if where is None:
            return self.error(conn, req, 400, "CONNECT needs host:port")
        try:
            upstream = socket.create_connection(where, timeout=http_relay.CONNECT_TIMEOUT)
        except OSError as e:
            return self.error(conn, req, 502, f"cannot connect to {req.target}: {e.strerror or e}")
        try:
            conn.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
        except OSError:
            upstream.close()
            raise
        self.log(req, 200)
        http_relay.tunnel(conn, upstream)
        return False


def main(argv=None):
    p = argparse.ArgumentParser(description="Forward HTTP proxy (CONNECT and absolute-form) for tests.")
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: kernel picks)")
    p.add_argument("--refuse-connect", action="store_true",
                   help="answer every CONNECT with 403 Forbidden")
    p.add_argument("--require-auth", metavar="USER:PASS",
                   help="demand Proxy-Authorization: Basic for USER:PASS, else 407")
    p.add_argument("--log", metavar="FILE", help="append one line per request: what, then status")
    args = p.parse_args(argv)
    if args.require_auth is not None and ":" not in args.require_auth:
        p.exit(2, "--require-auth must be USER:PASS\n")
    auth = args.require_auth.encode("utf-8") if args.require_auth is not None else None
    return http_relay.serve(ProxyHandler, http_relay.parse_listen(p, args.listen), args.log,
                            auth=auth, refuse_connect=args.refuse_connect)


if __name__ == "__main__":
    sys.exit(main())

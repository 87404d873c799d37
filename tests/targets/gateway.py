#!/usr/bin/env python3
"""Reverse proxy in the role of an API gateway in front of one upstream server,
a test fixture for running the harness against an API mounted under a prefix.

Python 3.11 standard library only; the HTTP/1.1 plumbing is in http_relay.py
next to this file. See README.md.

- Only paths under --base-path are served. The prefix is stripped before
  forwarding (`/api/v2/pub/v1/x` -> `/pub/v1/x`); anything else gets 404.
- Each --require-header must be present with exactly its value (else 401);
  it is removed before forwarding.
- Forwarded requests get `Host: <upstream host:port>` and
  `X-Forwarded-Prefix: <base path>`. Bodies are streamed both ways, one
  upstream connection per request, the client connection is kept alive.
- With --tls-cert/--tls-key the gateway speaks HTTPS to its clients; the
  upstream is always plain HTTP.

Errors made here are JSON: {"error":"<Reason>: <message>"}. Once listening it
prints one line, `listening on http(s)://HOST:PORT`, and it stops (exit 0) on
SIGTERM or SIGINT.
"""

import argparse
import json
import os
import re
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_relay  # noqa: E402  (needs the path above)

UPSTREAM_RE = re.compile(r"(?i)http://([^/?#]+)/?")
ABSOLUTE_RE = re.compile(r"(?i)https?://[^/?#]+([^#]*)")


def strip_base(target, base):
    """The request target without the base path, or None if it is outside it.
    The base must end at a segment boundary: /api/v2 covers /api/v2/x and
    /api/v2?q, not /api/v20."""
    if not base:
        return target
    if target == base or target.startswith(base + "/") or target.startswith(base + "?"):
        rest = target[len(base):]
        return rest if rest.startswith("/") else "/" + rest
    return None


class GatewayHandler(http_relay.Handler):
    """Server settings read here: upstream ((host, port), authority string),
    base_path (str, "" for none), required ([(name, value)])."""

    def error_body(self, status, message):
        error = f"{http_relay.reason_phrase(status).replace(' ', '')}: {message}"
        return "application/json", json.dumps({"error": error}, separators=(",", ":")).encode()

    def handle_request(self, conn, req):
        srv = self.server
        target = req.target
        if not target.startswith("/"):           # absolute form is legal towards a server too
            m = ABSOLUTE_RE.fullmatch(target)
            if not m:
                return self.error(conn, req, 400, f"unsupported request target {target[:100]}")
            target = m.group(1) if m.group(1).startswith("/") else "/" + m.group(1)
        rest = strip_base(target, srv.base_path)
        if rest is None:
            return self.error(conn, req, 404, f"outside the gateway's base path {srv.base_path}")
        for name, value in srv.required:
            if not any(n.lower() == name.lower() and v == value for n, v in req.headers):
                return self.error(conn, req, 401, f"gateway header {name} missing or wrong")
        headers = http_relay.without(http_relay.end_to_end(req.headers),
                                     "X-Forwarded-Prefix", *(n for n, _ in srv.required))
        (host, port), authority = srv.upstream
        headers = http_relay.set_header(headers, "Host", authority)
        if srv.base_path:
            headers.append(("X-Forwarded-Prefix", srv.base_path))
        return self.relay(conn, req, host, port, rest, headers)


def main(argv=None):
    p = argparse.ArgumentParser(description="API gateway (reverse proxy) for tests.")
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: kernel picks)")
    p.add_argument("--upstream", required=True, metavar="URL", help="http://host:port of the server")
    p.add_argument("--base-path", default="", metavar="PATH",
                   help="serve only paths under PATH, stripped before forwarding (e.g. /api/v2)")
    p.add_argument("--require-header", action="append", default=[], metavar="'NAME: VALUE'",
                   help="header every request must carry (repeatable); removed before forwarding")
    p.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", metavar="FILE", help="private key for --tls-cert (PEM)")
    p.add_argument("--log", metavar="FILE", help="append one line per request: METHOD path status")
    args = p.parse_args(argv)

    m = UPSTREAM_RE.fullmatch(args.upstream)
    where = m and http_relay.parse_authority(m.group(1), 80)
    if not where:
        p.exit(2, f"--upstream must be http://host:port, got {args.upstream!r}\n")
    base = args.base_path.rstrip("/")
    if base and (not base.startswith("/") or any(c in base for c in "?# ")):
        p.exit(2, f"--base-path must be a path starting with '/', got {args.base_path!r}\n")
    required = []
    for item in args.require_header:
        name, sep, value = item.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not http_relay.is_token(name.encode("latin-1", "replace")):
            p.exit(2, f"--require-header must be 'Name: value', got {item!r}\n")
        required.append((name, value))
    if bool(args.tls_cert) != bool(args.tls_key):
        p.exit(2, "--tls-cert and --tls-key go together\n")
    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as e:
            p.exit(2, f"cannot load --tls-cert/--tls-key: {e}\n")

    return http_relay.serve(GatewayHandler, http_relay.parse_listen(p, args.listen), args.log,
                            ssl_context=context, upstream=(where, m.group(1)),
                            base_path=base, required=required)


if __name__ == "__main__":
    sys.exit(main())

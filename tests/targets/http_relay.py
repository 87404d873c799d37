"""Shared HTTP/1.1 relaying code for the test fixtures http_proxy.py and gateway.py.

Python 3.11 standard library only. Both scripts import this module from their
own directory. It holds everything the two have in common:

- reading a message head (start line and header fields) from a socket;
- body framing (Content-Length, chunked, or until close) and streaming a body
  in CHUNK-sized pieces, never holding a whole body in memory;
- hop-by-hop header filtering;
- forwarding one request to an upstream server over a fresh connection
  (`Connection: close` upstream) and relaying the answer, `Expect:
  100-continue` and early answers included;
- the per-connection loop with client-side keep-alive, the request log, and
  server start-up (the `listening on ...` line, SIGTERM/SIGINT handling).

Chunked bodies are relayed as they came, chunk-size lines and trailers
included. Both clients are expected to speak HTTP/1.1; HTTP/1.0 clients
get their connection closed after each answer.
"""

import http
import select
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback

CHUNK = 256 * 1024          # piece size for bodies and tunnels
MAX_LINE = 64 * 1024        # longest start line or header line accepted
MAX_HEADERS = 200           # most header fields in one head
MAX_TRAILERS = 100
IDLE_TIMEOUT = 120          # seconds a client connection may sit silent
UPSTREAM_TIMEOUT = 300      # seconds one upstream read or write may block
CONNECT_TIMEOUT = 10        # seconds to open an upstream connection
EXPECT_WAIT = 2.0           # seconds to wait for the upstream's 100 before sending our own
LINGER = 3.0                # seconds to drain an unread request body before closing

# RFC 9110 section 7.6.1, plus the old Proxy-Connection. Transfer-Encoding is
# not here on purpose: chunked bodies are passed on unchanged, so their header is too.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "proxy-connection", "te", "trailer", "upgrade",
})

TCHARS = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                   b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
NO_BODY = ("none", 0)


class ProtocolError(Exception):
    """A malformed message. From a client it becomes a 4xx answer and a close."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class Gone(Exception):
    """A peer closed or failed in the middle of a message: the client
    connection is closed without (another) answer."""


class UpstreamFailed(Exception):
    """The upstream could not be reached or gave no usable answer, and nothing
    of an answer has reached the client yet: the client gets a 502."""


def is_token(b):
    return bool(b) and all(c in TCHARS for c in b)


def reason_phrase(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# --------------------------------------------------------------------------- connections

class Conn:
    """A socket with a read buffer: lines for heads, raw pieces for bodies."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.buf = b""
        self.pos = 0
        self.linger = False   # close with a lingering drain: the client may still be sending a body
        sock.settimeout(timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def take_buffered(self):
        """Bytes read from the socket but not consumed yet (e.g. before a tunnel starts)."""
        data = self.buf[self.pos:]
        self.buf, self.pos = b"", 0
        return data

    def read_some(self, n):
        """Up to n bytes, b"" at end of stream. Blocks only if nothing is buffered."""
        if self.pos < len(self.buf):
            end = min(len(self.buf), self.pos + n)
            data = self.buf[self.pos:end]
            self.pos = end
            return data
        return self.sock.recv(n)

    def readline(self, limit):
        """One line with its LF; b"" at end of stream before the first byte.
        Gone if the stream ends inside the line; ProtocolError past `limit`."""
        while True:
            i = self.buf.find(b"\n", self.pos, self.pos + limit)
            if i >= 0:
                line = self.buf[self.pos:i + 1]
                self.pos = i + 1
                return line
            if len(self.buf) - self.pos >= limit:
                raise ProtocolError(f"line longer than {limit} bytes", 431)
            data = self.sock.recv(CHUNK)
            if not data:
                if self.pos == len(self.buf):
                    return b""
                raise Gone("connection closed inside a line")
            self.buf = self.buf[self.pos:] + data
            self.pos = 0

    def readable(self, timeout):
        """True when a read would not block (data, end of stream or an error)."""
        if self.pos < len(self.buf):
            return True
        pending = getattr(self.sock, "pending", None)      # TLS: decrypted but unread bytes
        if pending is not None and pending():
            return True
        return bool(select.select([self.sock], [], [], timeout)[0])

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        """Close; with `linger`, first half-close and drain what the client is
        still sending, so that it is not reset before it has read our answer."""
        try:
            if self.linger:
                self.sock.shutdown(socket.SHUT_WR)
                deadline = time.monotonic() + LINGER
                while (left := deadline - time.monotonic()) > 0:
                    self.sock.settimeout(left)
                    if not self.sock.recv(CHUNK):
                        break
        except OSError:
            pass
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


# --------------------------------------------------------------------------- headers

def header_values(headers, name):
    """All values of a field, comma lists split, stripped (not lower-cased)."""
    name = name.lower()
    out = []
    for n, v in headers:
        if n.lower() == name:
            out.extend(item.strip() for item in v.split(",") if item.strip())
    return out


def without(headers, *names):
    drop = {n.lower() for n in names}
    return [(n, v) for n, v in headers if n.lower() not in drop]


def set_header(headers, name, value):
    """Replace every `name` field by one `name: value`, kept at the first one's place."""
    out, done = [], False
    for n, v in headers:
        if n.lower() != name.lower():
            out.append((n, v))
        elif not done:
            out.append((name, value))
            done = True
    if not done:
        out.append((name, value))
    return out


def end_to_end(headers):
    """The headers minus hop-by-hop ones, including those named in Connection."""
    named = {v.lower() for v in header_values(headers, "connection")} - {"transfer-encoding"}
    return [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP and n.lower() not in named]


def format_head(start_line, headers):
    lines = [start_line] + [f"{n}: {v}" for n, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


# --------------------------------------------------------------------------- message heads

def read_head(conn):
    """(start line bytes, [(name, value)]) or None at a clean end of stream.
    Raises ProtocolError (malformed) or Gone (stream ended inside the head)."""
    for _ in range(4):                       # a few stray CRLFs before a request are allowed
        line = conn.readline(MAX_LINE)
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if line:
            break
    else:
        raise ProtocolError("empty lines instead of a start line")
    headers = []
    while True:
        raw = conn.readline(MAX_LINE)
        if not raw:
            raise Gone("connection closed inside the header section")
        raw = raw.rstrip(b"\r\n")
        if not raw:
            return line, headers
        if len(headers) >= MAX_HEADERS:
            raise ProtocolError("too many header fields", 431)
        name, sep, value = raw.partition(b":")
        if not sep or not is_token(name):          # also refuses obsolete line folding
            raise ProtocolError("malformed header field")
        headers.append((name.decode("ascii"), value.strip(b" \t").decode("latin-1")))


class Request:
    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = request_framing(headers) if method != "CONNECT" else NO_BODY
        self.logged = False

    @property
    def has_body(self):
        return self.framing != NO_BODY

    @property
    def keep_alive(self):
        tokens = {v.lower() for v in header_values(self.headers, "connection")
                  + header_values(self.headers, "proxy-connection")}
        return self.version == "HTTP/1.1" and "close" not in tokens

    @property
    def expects_continue(self):
        return self.version == "HTTP/1.1" and any(
            v.lower() == "100-continue" for v in header_values(self.headers, "expect"))


class Response:
    def __init__(self, status, reason, headers):
        self.status = status
        self.reason = reason
        self.headers = headers

    @property
    def interim(self):
        return 100 <= self.status < 200 and self.status != 101


def read_request(conn):
    """The next request head on a client connection, or None at a clean end."""
    head = read_head(conn)
    if head is None:
        return None
    line, headers = head
    parts = line.split(b" ")
    if (len(parts) != 3 or not is_token(parts[0]) or not parts[1]
            or any(c < 0x21 or c > 0x7e for c in parts[1])
            or parts[2] not in (b"HTTP/1.1", b"HTTP/1.0")):
        raise ProtocolError("malformed request line")
    return Request(parts[0].decode("ascii"), parts[1].decode("ascii"),
                   parts[2].decode("ascii"), headers)


def read_response(conn):
    """The next response head from an upstream; UpstreamFailed if there is none."""
    try:
        head = read_head(conn)
    except (OSError, Gone, ProtocolError) as e:
        raise UpstreamFailed(f"bad or no response from upstream: {e}") from e
    if head is None:
        raise UpstreamFailed("upstream closed the connection without a response")
    line, headers = head
    version, _, rest = line.partition(b" ")
    code, _, reason = rest.partition(b" ")
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise UpstreamFailed(f"malformed status line from upstream: {line[:100]!r}")
    return Response(int(code), reason.decode("latin-1"), headers)


# --------------------------------------------------------------------------- bodies

def _framing(headers, is_request):
    te = [v.lower() for v in header_values(headers, "transfer-encoding")]
    if te:
        if te[-1] == "chunked":
            return ("chunked", 0)
        if is_request:       # RFC 9112 6.3: the length cannot be determined
            raise ProtocolError("Transfer-Encoding without a final chunked")
        return ("close", 0)
    lengths = set(header_values(headers, "content-length"))
    if lengths:
        value = lengths.pop()
        if lengths or not value.isascii() or not value.isdigit() or len(value) > 19:
            raise ProtocolError("bad Content-Length")
        return ("length", int(value))
    return NO_BODY if is_request else ("close", 0)


def request_framing(headers):
    f = _framing(headers, True)
    return NO_BODY if f == ("length", 0) else f


def response_framing(method, status, headers):
    if method == "HEAD" or 100 <= status < 200 or status in (204, 304):
        return NO_BODY
    return _framing(headers, False)


def iter_body(conn, framing):
    """Yield the body's raw bytes in pieces of at most CHUNK. A chunked body is
    yielded as it is on the wire (size lines, data, CRLFs, trailers) so it can be
    passed on unchanged. Raises Gone if the stream ends early, ProtocolError
    on broken chunking."""
    kind, length = framing

    def exactly(n):
        while n:
            data = conn.read_some(min(CHUNK, n))
            if not data:
                raise Gone("connection closed inside a body")
            n -= len(data)
            yield data

    def line(limit):
        raw = conn.readline(limit)
        if not raw.endswith(b"\n"):
            raise Gone("connection closed inside a chunked body")
        return raw

    if kind == "length":
        yield from exactly(length)
    elif kind == "close":
        while data := conn.read_some(CHUNK):
            yield data
    elif kind == "chunked":
        while True:
            size_line = line(4096)
            size = size_line.split(b";", 1)[0].strip()
            if not size or len(size) > 15 or any(c not in b"0123456789abcdefABCDEF" for c in size):
                raise ProtocolError("bad chunk size line")
            size = int(size, 16)
            yield size_line
            if size == 0:
                for _ in range(MAX_TRAILERS + 1):
                    trailer = line(MAX_LINE)
                    yield trailer
                    if not trailer.rstrip(b"\r\n"):
                        return
                raise ProtocolError("too many trailer fields")
            yield from exactly(size)
            crlf = line(3)
            if crlf.rstrip(b"\r\n"):
                raise ProtocolError("chunk data not followed by CRLF")
            yield crlf


# --------------------------------------------------------------------------- forwarding

CONTINUE = Response(100, "Continue", [])


def forward(client, req, host, port, target, headers, on_status):
    """Send `req` to host:port as `METHOD target HTTP/1.1` with `headers` (plus
    `Connection: close`) over a new connection, streaming its body from
    `client`, and relay the answer back. `on_status(code)` is called once the
    final status line went to the client. Returns True if the client
    connection may carry another request.

    Raises UpstreamFailed when nothing was sent to the client yet (the caller
    answers 502), ProtocolError when the client's chunked body is malformed
    (the caller answers 400), Gone when the exchange broke halfway."""
    try:
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError as e:
        raise UpstreamFailed(f"cannot connect to {host}:{port}: {e.strerror or e}") from e
    up = Conn(sock, UPSTREAM_TIMEOUT)
    try:
        return _exchange(client, up, req, target, headers, on_status)
    finally:
        up.close()


def _exchange(client, up, req, target, headers, on_status):
    if req.framing[0] == "chunked":
        headers = without(headers, "content-length")
    try:
        up.send(format_head(f"{req.method} {target} HTTP/1.1",
                            set_header(headers, "Connection", "close")))
    except OSError as e:
        raise UpstreamFailed(f"cannot send to upstream: {e}") from e

    answer, body_done = None, not req.has_body
    if req.has_body and req.expects_continue:
        answer = _await_continue(client, up, req)
    if answer is None and req.has_body:
        answer, body_done = _send_body(client, up, req)
    while answer is None or answer.interim:
        if answer is not None:
            _relay_interim(client, req, answer)
        answer = read_response(up)

    try:
        framing = response_framing(req.method, answer.status, answer.headers)
    except ProtocolError as e:
        raise UpstreamFailed(f"upstream response: {e}") from e
    if not body_done:
        client.linger = True          # the rest of the request body is still coming
    close = not req.keep_alive or not body_done or framing[0] == "close"
    out = end_to_end(answer.headers)
    if close:
        out.append(("Connection", "close"))
    try:
        client.send(format_head(f"HTTP/1.1 {answer.status} {answer.reason}", out))
    except OSError as e:
        raise Gone(f"client: {e}") from e
    on_status(answer.status)
    try:
        for piece in iter_body(up, framing):
            client.send(piece)
    except (OSError, ProtocolError) as e:
        raise Gone(f"response body: {e}") from e
    return not close


def _relay_interim(client, req, answer):
    """Pass a 1xx answer on (HTTP/1.0 clients do not get them)."""
    if req.version != "HTTP/1.1":
        return
    try:
        client.send(format_head(f"HTTP/1.1 {answer.status} {answer.reason}",
                                end_to_end(answer.headers)))
    except OSError as e:
        raise Gone(f"client: {e}") from e


def _await_continue(client, up, req):
    """The client sent `Expect: 100-continue` and waits before sending its
    body. Returns a final answer the upstream gave instead of a 100 (the body
    is then never sent), or None once the body should be sent: the upstream
    said 100 (relayed), the client started anyway, or EXPECT_WAIT passed
    (then this relay sends its own 100, as RFC 9110 10.1.1 allows)."""
    deadline = time.monotonic() + EXPECT_WAIT
    while True:
        if up.readable(0):
            answer = read_response(up)
            if not answer.interim:
                return answer
            _relay_interim(client, req, answer)
            if answer.status == 100:
                return None
            continue
        if client.readable(0):
            return None
        left = deadline - time.monotonic()
        if left <= 0:
            _relay_interim(client, req, CONTINUE)
            return None
        select.select([up.sock, client.sock], [], [], left)


def _send_body(client, up, req):
    """Stream the request body upstream. Returns (answer, body_done): answer
    is a final response the upstream sent before the body was complete
    (the rest of the body is then not read), or None."""
    pieces = iter_body(client, req.framing)
    while True:
        try:
            piece = next(pieces, None)      # a ProtocolError (bad chunking) goes to the caller: 400
        except (OSError, Gone) as e:
            raise Gone(f"request body: {e}") from e
        # The body's end is known from its framing before the upstream is
        # looked at: an answer right after the last piece is not an early one.
        if piece is None:
            return None, True
        while up.readable(0):               # an early answer, or the upstream closed
            answer = read_response(up)
            if not answer.interim:
                return answer, False
            _relay_interim(client, req, answer)
        try:
            up.send(piece)
        except OSError:
            return None, False              # upstream stopped reading; its answer may be waiting


def tunnel(client, sock):
    """Copy bytes both ways between the client connection and `sock` until
    both directions have ended (a clean end is passed on as a half-close)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.sock.settimeout(None)            # a direction may be idle for a whole upload
    sock.settimeout(None)
    early = client.take_buffered()          # e.g. a TLS ClientHello sent right after CONNECT
    if early:
        sock.sendall(early)

    def pump(src, dst):
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        try:
            while n := src.recv_into(buf):
                dst.sendall(view[:n])
            dst.shutdown(socket.SHUT_WR)
        except OSError:                     # a reset: end the other direction too
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    other = threading.Thread(target=pump, args=(sock, client.sock), daemon=True)
    other.start()
    try:
        pump(client.sock, sock)
        other.join()
    finally:
        sock.close()


def parse_authority(authority, default_port):
    """'host:port' or '[v6]:port' (port optional if default_port) -> (host, port) or None."""
    if authority.startswith("["):
        host, sep, rest = authority[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        host, sep, port = authority.rpartition(":")
        if not sep:
            host, port = authority, ""
    if not host or any(c in host for c in "@/ ") or (":" in host and not authority.startswith("[")):
        return None
    if not port:
        return (host, default_port) if default_port else None
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


# --------------------------------------------------------------------------- connection loop

class Handler(socketserver.BaseRequestHandler):
    """One client connection: reads requests until one side wants to close.
    Subclasses implement handle_request(conn, req) -> keep-alive bool, and
    error_body(status, message) -> (content type, bytes)."""

    def handle(self):
        sock = self.request
        if self.server.ssl_context is not None:
            try:
                sock.settimeout(IDLE_TIMEOUT)
                sock = self.server.ssl_context.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                return
        conn = Conn(sock, IDLE_TIMEOUT)
        req = None
        try:
            while True:
                req = None
                try:
                    req = read_request(conn)
                except ProtocolError as e:
                    self.error(conn, None, e.status, str(e))
                    return
                if req is None or not self.handle_request(conn, req):
                    return
        except (OSError, Gone):
            pass                          # the client went away or the exchange broke
        except Exception:                 # a bug here must not take the server down
            traceback.print_exc(file=sys.stderr)
        finally:
            if req is not None and not req.logged:
                self.log(req, "-")
            conn.close()

    def log(self, req, status):
        if req is not None:
            req.logged = True
        self.server.request_log.write(
            f"{req.method} {req.target}" if req is not None else "- -", status)

    def reply(self, conn, req, status, body, content_type, extra=(), force_close=False):
        """Answer locally. The connection stays open only if the client wants
        that and sent no body (an unread body means closing, with a linger)."""
        close = force_close or req is None or not req.keep_alive or req.has_body
        if req is None or req.has_body:
            conn.linger = True
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        headers += list(extra)
        if close:
            headers.append(("Connection", "close"))
        conn.send(format_head(f"HTTP/1.1 {status} {reason_phrase(status)}", headers) + body)
        self.log(req, status)
        return not close

    def error(self, conn, req, status, message, extra=(), force_close=False):
        content_type, body = self.error_body(status, message)
        return self.reply(conn, req, status, body, content_type, extra, force_close)

    def relay(self, conn, req, host, port, target, headers):
        """forward() with a 502 answer when the upstream fails early, 400 for a
        malformed request body."""
        try:
            return forward(conn, req, host, port, target, headers, lambda s: self.log(req, s))
        except UpstreamFailed as e:
            return self.error(conn, req, 502, str(e), force_close=True)
        except ProtocolError as e:
            return self.error(conn, req, 400, f"request body: {e}", force_close=True)


class RequestLog:
    """One line per request, appended and flushed at once (tests read it live)."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.fh = open(path, "a", encoding="utf-8") if path else None

    def write(self, what, status):
        if self.fh is not None:
            with self.lock:
                self.fh.write(f"{what} {status}\n")
                self.fh.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True       # SIGTERM must not wait for open tunnels
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        traceback.print_exc(file=sys.stderr)


class Server6(Server):
    address_family = socket.AF_INET6


def parse_listen(parser, value):
    """'HOST:PORT' (IPv6 hosts in brackets) -> (host, port); exits 2 if malformed."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        parser.exit(2, f"--listen must be HOST:PORT, got {value!r}\n")
    return host.strip("[]"), int(port)


def serve(handler_class, listen, log_path, ssl_context=None, **settings):
    """Bind, print `listening on http(s)://HOST:PORT`, serve until SIGTERM or
    SIGINT. `settings` become attributes of the server (read by handlers).
    Returns the exit code."""
    host, port = listen
    try:
        server = (Server6 if ":" in host else Server)((host, port), handler_class)
    except OSError as e:
        sys.stderr.write(f"cannot listen on {host}:{port}: {e}\n")
        return 1
    server.ssl_context = ssl_context
    server.request_log = RequestLog(log_path)
    for name, value in settings.items():
        setattr(server, name, value)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # serve_forever runs in a thread so the main thread, which gets the
    # signals, can call shutdown() (calling it from the serving thread deadlocks).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    scheme = "https" if ssl_context is not None else "http"
    print(f"listening on {scheme}://{shown}:{bound_port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
    return 0

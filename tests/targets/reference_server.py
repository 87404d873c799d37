#!/usr/bin/env python3
"""Independent reference server for the chunked file-upload API (/pub/v1/disk/...).

Written from the public API reference text alone, as a test target for a
conformance harness. Python 3.11 standard library only; see README.md.

Part protocol in one paragraph: the client picks a uuid ("hash") and POSTs the
file body to /disk/file/upload?hash=<uuid> with `Content-Range: bytes S-E/N`,
where E is EXCLUSIVE (the reference's examples: `bytes 0-1000/1000`, and
`bytes 0-5242880/7340032` then `bytes 5242880-7340032/7340032`). Parts are sent
in order; all but the last are equally sized, 5 MiB..5 GiB; the last may be
smaller. 206 acknowledges a part, 200 the completed file. A completed temporary
upload lives for --ttl seconds unless /disk/file/move puts it in a directory.
"""

import argparse
import datetime
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

MiB = 1024 * 1024
MIN_PART = 5 * MiB                  # 5 242 880 bytes, from the reference
MAX_PART = 5 * 1024 * MiB           # 5 368 709 120 bytes, from the reference
IO_CHUNK = 1 * MiB                  # streaming granularity for bodies and downloads
DRAIN_LIMIT = 64 * MiB              # refused bodies up to this size are read and dropped
JSON_LIMIT = 1 * MiB                # move/list/get-link bodies are small
MULTIPART_LIMIT = 128 * MiB         # multipart is parsed in memory, so it is bounded
MAX_NAME_BYTES = 255
MAX_POSTFIX = 9999                  # "name (9999).ext" is the last try before 409
MAX_FILES_PER_MOVE = 1000
IDLE_TIMEOUT = 120                  # seconds a keep-alive connection may sit idle

BUG_NAMES = frozenset({
    "auth-open", "hash-any", "range-lax", "length-unchecked", "small-parts",
    "unequal-parts", "part-200", "order-append", "gap-ok", "unknown-upload-ok",
    "no-postfix", "corrupt-move", "dir-no-id", "error-text", "error-500",
    "move-copies",
})

# Only the canonical 8-4-4-4-12 form: braces, urn: prefixes and bare hex are
# what uuid.UUID() tolerates, but a "uuid" in a URL means the canonical form.
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# [0-9], not \d: \d would also accept non-ASCII digits. 19 digits bound the value below 2**63.
RANGE_RE = re.compile(r"bytes[ \t]+([0-9]{1,19})-([0-9]{1,19})/([0-9]{1,19})", re.IGNORECASE)
HOST_RE = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class HttpError(Exception):
    """A refusal that becomes a 4xx (or, for planted bugs only, 5xx) response."""

    def __init__(self, status, message, close=False, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.close = close            # True when the connection cannot be reused
        self.headers = headers or {}


def writable_directory(st, dir_id):
    """The directory a file may be created in (caller holds st.lock)."""
    d = st.dirs.get(dir_id)
    if d is None:
        raise HttpError(404, f"directory {dir_id} not found")
    if not d.writable:
        raise HttpError(403, f"no permission to create files in directory {dir_id}")
    return d


class ClientGone(Exception):
    """The peer closed or stalled mid-body: no response can be delivered."""


def now_iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- state

@dataclass
class Directory:
    id: str
    name: str
    parent: "str | None"
    writable: bool = True


@dataclass
class Upload:
    """A temporary upload: parts are appended to `path` until `complete`."""
    hash: str
    path: str
    size: int                     # total size declared by Content-Range
    target: "str | None"          # directory id for /directory/{id}/upload, else None
    created: float
    last_activity: float
    received: int = 0             # bytes on disk, i.e. where the next part must start
    part_size: "int | None" = None
    complete: bool = False
    filename: "str | None" = None  # multipart filename, used by directory uploads


@dataclass
class StoredFile:
    """An initialised file: lives in a directory and never expires."""
    id: str
    hash: str
    name: str
    directory: str
    path: str
    size: int
    created: float


class Store:
    """All server state. One global lock guards the dictionaries; a per-hash lock
    serialises the parts of one upload while its body is streamed to disk
    (the global lock is never held during network I/O)."""

    def __init__(self, data_dir, ttl, quota, readonly_dir):
        self.lock = threading.Lock()
        self.ttl = ttl
        self.quota = quota
        self.blob_dir = os.path.join(data_dir, "blobs")
        os.makedirs(self.blob_dir, exist_ok=True)
        self.dirs = {}
        self.uploads = {}         # hash -> Upload (temporary, may be incomplete)
        self.files = {}           # file id -> StoredFile
        self.file_by_hash = {}    # hash -> file id (the hash stays the handle after a move)
        self.links = {}           # token -> ("file", id) | ("hash", hash)
        self._hash_locks = {}     # hash -> [Lock, users]; entry exists while in use
        root = self._add_dir("root", None)
        self.root_id = root.id
        self._add_dir("Documents", root.id)
        self._add_dir("Archive", root.id)
        if readonly_dir:
            self._add_dir("Read-only", root.id, writable=False)

    def _add_dir(self, name, parent, writable=True):
        d = Directory(str(uuid.uuid4()), name, parent, writable)
        self.dirs[d.id] = d
        return d

    @contextmanager
    def hash_lock(self, h):
        # Reference-counted so the table does not grow with every hash ever seen.
        with self.lock:
            entry = self._hash_locks.setdefault(h, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self.lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._hash_locks[h]

    def new_blob_path(self):
        # Never derive paths from client input (hash-any would allow "../").
        return os.path.join(self.blob_dir, uuid.uuid4().hex)

    def live_upload(self, h, owner=False):
        """The upload for h unless it expired (lock held). An expired upload is
        removed, except while another thread is writing one of its parts."""
        up = self.uploads.get(h)
        if up is None or up.last_activity + self.ttl > time.time():
            return up
        if not owner and h in self._hash_locks:
            return up
        del self.uploads[h]
        _unlink(up.path)
        return None

    def usage(self):
        return sum(f.size for f in self.files.values() if self.dirs[f.directory].writable)

    def taken_names(self, dir_id, exclude_ids=()):
        names = {d.name for d in self.dirs.values() if d.parent == dir_id}
        names.update(f.name for f in self.files.values()
                     if f.directory == dir_id and f.id not in exclude_ids)
        return names

    def sweep(self):
        """Drop expired temporary uploads and links whose target is gone."""
        doomed = []
        with self.lock:
            cutoff = time.time() - self.ttl
            for h, up in list(self.uploads.items()):
                if up.last_activity <= cutoff and h not in self._hash_locks:
                    del self.uploads[h]
                    doomed.append(up.path)
            for token, (kind, key) in list(self.links.items()):
                if (kind == "file" and key not in self.files) or \
                   (kind == "hash" and key not in self.uploads and key not in self.file_by_hash):
                    del self.links[token]
        for p in doomed:
            _unlink(p)

    # Item shapes shared by list, move, and directory upload responses.
    def dir_item(self, d):
        return {"__id": d.id, "type": "directory", "name": d.name,
                "parent": d.parent, "writable": d.writable}

    def file_item(self, f):
        return {"__id": f.id, "type": "file", "name": f.name, "parent": f.directory,
                "hash": f.hash, "size": f.size, "createdAt": now_iso(f.created)}


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def unique_name(wanted, taken):
    """'report.pdf' -> 'report (1).pdf' -> 'report (2).pdf' ...; None when no
    free name fits (caller answers 409). The postfix goes before the last
    extension; a leading dot (".env") is not an extension."""
    if wanted not in taken:
        return wanted
    stem, ext = os.path.splitext(wanted)
    for n in range(1, MAX_POSTFIX + 1):
        cand = f"{stem} ({n}){ext}"
        if len(cand.encode("utf-8")) > MAX_NAME_BYTES:
            return None
        if cand not in taken:
            return cand
    return None


def validate_name(name):
    if not isinstance(name, str) or not name.strip():
        return "must be a non-empty string"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"must be at most {MAX_NAME_BYTES} bytes"
    if name in (".", "..") or "/" in name or any(ord(c) < 32 or c == "\x7f" for c in name):
        return "must not be '.', '..', or contain '/' or control characters"
    return None


# --------------------------------------------------------------------------- bodies

class Body:
    """Request body reader for Content-Length and chunked framing. Tracks whether
    the body was fully consumed so the connection never desyncs."""

    def __init__(self, rfile, length=None, chunked=False):
        self.rfile = rfile
        self.length = length          # None for chunked
        self.remaining = length or 0
        self.chunked = chunked
        self.chunk_left = 0
        self.done = not chunked and not length
        self.broken = False           # framing error: connection must close

    def _raw(self, n):
        try:
            data = self.rfile.read(n)
        except (OSError, ValueError) as e:   # timeouts and resets
            self.broken = True
            raise ClientGone() from e
        if not data:
            self.broken = True
            raise ClientGone()
        return data

    def _bad_chunking(self, why):
        self.broken = True
        raise HttpError(400, f"malformed chunked body: {why}", close=True)

    def _line(self, limit):
        try:
            line = self.rfile.readline(limit)
        except (OSError, ValueError) as e:
            self.broken = True
            raise ClientGone() from e
        if not line:
            self.broken = True
            raise ClientGone()
        if not line.endswith(b"\n"):
            self._bad_chunking("line too long")
        return line

    def read(self, n=IO_CHUNK):
        """Up to n bytes; b"" at the end of the body."""
        if self.done:
            return b""
        if not self.chunked:
            data = self._raw(min(n, self.remaining))
            self.remaining -= len(data)
            self.done = self.remaining == 0
            return data
        if self.chunk_left == 0:
            size_txt = self._line(1024).split(b";", 1)[0].strip()
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,15}", size_txt):
                self._bad_chunking("bad chunk size")
            self.chunk_left = int(size_txt, 16)
            if self.chunk_left == 0:
                for _ in range(100):          # trailer section, ignored
                    if self._line(8192).strip() == b"":
                        self.done = True
                        return b""
                self._bad_chunking("too many trailers")
        data = self._raw(min(n, self.chunk_left))
        self.chunk_left -= len(data)
        if self.chunk_left == 0 and self._raw(2) != b"\r\n":
            # _raw(2) may legally return 1 byte only at EOF, which is an error anyway
            self._bad_chunking("chunk not followed by CRLF")
        return data

    def read_all(self, limit, what):
        parts, total = [], 0
        if self.length is not None and self.length > limit:
            raise HttpError(413, f"{what} is limited to {limit} bytes")
        while True:
            data = self.read(IO_CHUNK)
            if not data:
                return b"".join(parts)
            total += len(data)
            if total > limit:
                raise HttpError(413, f"{what} is limited to {limit} bytes")
            parts.append(data)

    def drain(self, limit):
        """Discard up to `limit` bytes; True if the body is now fully consumed."""
        seen = 0
        while not self.done and seen <= limit:
            seen += len(self.read(IO_CHUNK))
        return self.done


def parse_params(value):
    """'a; b=1; c="x;y"' -> ('a', {'b': '1', 'c': 'x;y'}); keys lower-cased."""
    fields, buf, quoted, escaped = [], [], False, False
    for ch in value:
        if escaped:
            buf.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            fields.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    fields.append("".join(buf))
    params = {}
    for f in fields[1:]:
        k, sep, v = f.partition("=")
        if sep:
            params[k.strip().lower()] = v.strip()
    return fields[0].strip().lower(), params


def clean_filename(raw):
    """A client-side path becomes its last component; None if nothing usable."""
    if not raw:
        return None
    name = re.split(r"[/\\]", raw)[-1].strip()
    name = "".join(c for c in name if ord(c) >= 32 and c != "\x7f")
    return None if validate_name(name) else name


def parse_multipart(raw, content_type):
    """Return (file bytes, filename or None) of the field named 'file' or 'File'."""
    _, params = parse_params(content_type)
    boundary = params.get("boundary", "")
    if not 0 < len(boundary) <= 200:
        raise HttpError(400, "multipart/form-data body needs a boundary parameter")
    delim = b"--" + boundary.encode("latin-1", "replace")
    if raw.startswith(delim):
        pos = 0
    else:
        pos = raw.find(b"\r\n" + delim)
        if pos < 0:
            raise HttpError(400, "multipart body does not contain its boundary")
        pos += 2
    while True:
        pos += len(delim)
        if raw[pos:pos + 2] == b"--":
            break
        eol = raw.find(b"\r\n", pos)
        if eol < 0:
            raise HttpError(400, "truncated multipart body")
        pos = eol + 2
        if raw.startswith(b"\r\n", pos):
            head, data_start = b"", pos + 2
        else:
            head_end = raw.find(b"\r\n\r\n", pos)
            if head_end < 0:
                raise HttpError(400, "truncated multipart part headers")
            head, data_start = raw[pos:head_end], head_end + 4
        data_end = raw.find(b"\r\n" + delim, data_start)
        if data_end < 0:
            raise HttpError(400, "multipart part is not terminated by the boundary")
        disposition = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            k, _, v = line.partition(":")
            if k.strip().lower() == "content-disposition":
                disposition = v
        _, dparams = parse_params(disposition)
        if dparams.get("name") in ("file", "File"):
            filename = dparams.get("filename")
            star = dparams.get("filename*", "")
            if star.lower().startswith("utf-8''"):
                filename = unquote(star[7:])
            return raw[data_start:data_end], clean_filename(filename)
        pos = data_end + 2
    raise HttpError(400, "multipart body has no file field named 'file' (or 'File')")


# --------------------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive; Expect: 100-continue handled by the base class
    server_version = "upload-reference/1.0"
    timeout = IDLE_TIMEOUT             # socket timeout: idle keep-alive and stalled bodies

    def version_string(self):
        return self.server_version     # the default appends "Python/3.x"

    ROUTES = [
        (re.compile(r"/pub/v1/disk/file/upload"), {"POST": "ep_upload"}),
        (re.compile(r"/pub/v1/disk/directory/([^/]+)/upload"), {"POST": "ep_upload"}),
        (re.compile(r"/pub/v1/disk/file/move"), {"POST": "ep_move"}),
        (re.compile(r"/pub/v1/disk/file/([^/]+)/get-link"), {"GET": "ep_get_link", "POST": "ep_get_link"}),
        (re.compile(r"/pub/v1/disk/directory/list"), {"POST": "ep_list"}),
        (re.compile(r"/files/([A-Za-z0-9_-]{16,64})"), {"GET": "ep_download", "HEAD": "ep_download"}),
    ]

    # ---- plumbing

    @property
    def store(self):
        return self.server.store

    def bug(self, name):
        return name in self.server.bugs

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = \
        lambda self: self._dispatch()

    def _dispatch(self):
        self._sent = False
        self._linger = False
        self.body = None
        try:
            self.body = self._make_body()
            target = self.path
            if target.startswith(("http://", "https://")):   # absolute-form request target
                sp = urlsplit(target)
                target = sp.path + ("?" + sp.query if sp.query else "")
            path, _, query = target.partition("#")[0].partition("?")
            self.query = parse_qs(query, keep_blank_values=True)
            for rx, methods in self.ROUTES:
                m = rx.fullmatch(path)
                if m:
                    break
            else:
                raise HttpError(404, f"no such endpoint: {path}")
            if self.command not in methods:
                allow = ", ".join(methods)
                raise HttpError(405, f"method {self.command} not allowed here (allowed: {allow})",
                                headers={"Allow": allow})
            getattr(self, methods[self.command])(*[unquote(g) for g in m.groups()])
        except HttpError as e:
            if e.close:
                self.close_connection = True
            if not self._sent:
                self._safe_error(e.status, e.message, e.headers)
            else:
                self.close_connection = True
        except ClientGone:
            self.close_connection = True
        except (ConnectionError, TimeoutError):   # reset/broken pipe while responding
            self.close_connection = True
        except Exception:
            # A server bug, not a client mistake: answer 500 rather than drop the line.
            if self.server.verbose:
                traceback.print_exc()
            else:
                sys.stderr.write(f"internal error: {sys.exc_info()[1]!r}\n")
            self.close_connection = True
            if not self._sent:
                self._safe_error(500, "internal server error")
        finally:
            if self._linger:
                self._linger_close()

    def _make_body(self):
        te = self.headers.get_all("Transfer-Encoding") or []
        cl = self.headers.get_all("Content-Length") or []
        if te:
            if cl:   # RFC 9112 6.1: ambiguous framing, a smuggling vector
                raise HttpError(400, "both Transfer-Encoding and Content-Length given", close=True)
            codings = [c.strip().lower() for v in te for c in v.split(",") if c.strip()]
            if codings != ["chunked"]:
                raise HttpError(400, "only Transfer-Encoding: chunked is supported", close=True)
            return Body(self.rfile, chunked=True)
        if cl:
            values = {v.strip() for v in cl}
            if len(values) != 1 or not re.fullmatch(r"[0-9]{1,19}", next(iter(values))):
                raise HttpError(400, "invalid Content-Length", close=True)
            return Body(self.rfile, length=int(values.pop()))
        return Body(self.rfile, length=0)

    def _settle_body(self):
        """Before answering, consume what is left of the request body (small
        enough to drain), or arrange to close the connection."""
        b = self.body
        if b is None or b.broken:
            self.close_connection = True
            return
        if b.done:
            return
        if b.length is not None and b.remaining > DRAIN_LIMIT:
            self.close_connection = True
            self._linger = True
            return
        try:
            if not b.drain(DRAIN_LIMIT):
                self.close_connection = True
                self._linger = True
        except (HttpError, ClientGone):
            self.close_connection = True

    def _linger_close(self):
        # Closing with unread input makes the kernel send RST, which can destroy
        # the response before the client reads it. Half-close and read a while.
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(1.0)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and self.connection.recv(256 * 1024):
                pass
        except OSError:
            pass

    def _respond(self, status, ctype, payload, headers=None):
        self._settle_body()
        if self.request_version == "HTTP/0.9":
            # The base class would omit the status line (HTTP/0.9 "simple
            # response"), leaving the client nothing it can parse as an error.
            self.request_version = "HTTP/1.0"
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self._sent = True
        if self.command != "HEAD":
            self.wfile.write(payload)

    def send_json(self, status, obj, headers=None):
        self._respond(status, "application/json; charset=utf-8",
                      json.dumps(obj).encode("utf-8"), headers)

    def send_error_envelope(self, status, message, headers=None):
        if self.bug("error-text"):
            self._respond(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), headers)
        else:
            self.send_json(status, {"success": False, "error": message}, headers)

    def _safe_error(self, status, message, headers=None):
        try:
            self.send_error_envelope(status, message, headers)
        except OSError:
            self.close_connection = True

    def send_error(self, code, message=None, explain=None):
        """Protocol-level errors raised by BaseHTTPRequestHandler itself (bad request
        line, header overflow, unknown method). Always the envelope, always 4xx,
        and the connection closes since the request boundary is unknown."""
        if code == 501:
            code = 405            # an unknown method is the client's mistake
        elif code >= 500:
            code = 400
        self.close_connection = True
        self.body = None
        msg = message or self.responses.get(code, ("error",))[0]
        try:
            if self.bug("error-text"):
                self._respond(code, "text/plain; charset=utf-8", (msg + "\n").encode())
            else:
                self._respond(code, "application/json; charset=utf-8",
                              json.dumps({"success": False, "error": msg}).encode())
        except OSError:
            pass

    # ---- request helpers

    def require_auth(self):
        """API key as 'Authorization: Bearer <key>' or 'X-Token: <key>'; else 403."""
        if self.bug("auth-open"):
            return
        key = self.server.api_key.encode("utf-8")
        offered = []
        auth = self.headers.get("Authorization")
        if auth:
            scheme, _, cred = auth.strip().partition(" ")
            if scheme.lower() == "bearer":
                offered.append(cred.strip())
        if self.headers.get("X-Token") is not None:
            offered.append(self.headers.get("X-Token").strip())
        if not any(hmac.compare_digest(o.encode("utf-8", "surrogateescape"), key) for o in offered):
            raise HttpError(403, "access denied: missing or invalid API key "
                                 "(send 'Authorization: Bearer <key>' or 'X-Token: <key>')")

    def one_param(self, name):
        values = self.query.get(name)
        if not values or values == [""]:
            raise HttpError(400, f"query parameter '{name}' is required")
        if len(set(values)) > 1:
            raise HttpError(400, f"query parameter '{name}' given more than once")
        return values[0]

    def check_uuid(self, value, what):
        if not UUID_RE.fullmatch(value):
            raise HttpError(400, f"{what} must be a uuid, got {value[:80]!r}")
        return value.lower()

    def check_hash(self, value, what="hash"):
        if self.bug("hash-any"):
            return value
        return self.check_uuid(value, what)

    def read_json(self, required):
        raw = self.body.read_all(JSON_LIMIT, "a JSON request body")
        if not raw.strip():
            if required:
                raise HttpError(400, "a JSON request body is required")
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise HttpError(400, "request body is not valid JSON")

    def content_range(self):
        raw = self.headers.get("Content-Range")
        status = 500 if self.bug("error-500") else 400
        if raw is None:
            raise HttpError(status, "Content-Range header is required (bytes <start>-<end>/<size>, end exclusive)")
        m = RANGE_RE.fullmatch(raw.strip())
        if not m:
            raise HttpError(status, f"malformed Content-Range {raw[:100]!r}: "
                                    "expected 'bytes <start>-<end>/<size>' with end exclusive")
        return raw, int(m[1]), int(m[2]), int(m[3])

    def base_url(self):
        host = (self.headers.get("Host") or "").strip()
        if not HOST_RE.fullmatch(host):
            h, p = self.server.server_address[:2]
            host = f"[{h}]:{p}" if ":" in h else f"{h}:{p}"
        return f"http://{host}"

    # ---- endpoints

    def ep_upload(self, dir_id=None):
        """POST /disk/file/upload?hash= and /disk/directory/{id}/upload?hash=."""
        st = self.store
        self.require_auth()
        h = self.check_hash(self.one_param("hash"))
        if dir_id is not None:
            dir_id = self.check_uuid(dir_id, "directory id")
            with st.lock:
                writable_directory(st, dir_id)
        raw_range, start, end, size = self.content_range()
        lax = not (start < end <= size)
        if lax and not self.bug("range-lax"):
            raise HttpError(400, f"invalid Content-Range {raw_range!r}: need start < end <= size")
        ctype = self.headers.get("Content-Type", "")
        multipart = parse_params(ctype)[0] == "multipart/form-data"
        # Anything that is not multipart is taken as raw bytes: the reference asks
        # for application/octet-stream, but refusing e.g. a missing type gains nothing.
        check_len = not lax and not self.bug("length-unchecked")
        expected = end - start
        if check_len and not multipart and self.body.length is not None and self.body.length != expected:
            raise HttpError(400, f"body is {self.body.length} bytes but Content-Range "
                                 f"{raw_range!r} announces {expected}; nothing was stored")

        with st.hash_lock(h):
            with st.lock:
                up, mode = self._plan_part(h, dir_id, start, end, size, lax)
                offset = up.received if up else 0
            filename, written = self._write_part(up, offset, multipart, ctype,
                                                 expected if check_len else None, raw_range)
            path = written[0]
            n = written[1]
            with st.lock:
                t = time.time()
                if up is None:
                    up = Upload(h, path, size, dir_id, t, t)
                    st.uploads[h] = up
                up.received = offset + n
                up.last_activity = t
                if filename and not up.filename:
                    up.filename = filename
                if end < size and up.part_size is None and not lax:
                    up.part_size = end - start
                if lax:
                    complete = True          # range-lax: the body is taken as the whole file
                elif mode == "order-append":
                    # Only a final part completes, and only once enough bytes piled up.
                    complete = end == size and up.received >= size
                else:
                    complete = end == size   # gap-ok/length-unchecked end up here too
                reply = {"success": True, "error": "", "hash": h, "size": size,
                         "received": up.received, "complete": complete}
                if complete:
                    up.complete = True
                    if dir_id is not None:
                        f = self._place_in_directory(up, dir_id)
                        item = st.file_item(f)
                        if self.bug("dir-no-id"):
                            del item["__id"]
                        reply["file"] = item
        status = 200 if complete or self.bug("part-200") else 206
        self.send_json(status, reply)

    def _plan_part(self, h, dir_id, start, end, size, lax):
        """Refuse a part before its body is read (store lock held). Returns the
        existing Upload (or None for a new one) and the ordering mode used."""
        st = self.store
        if h in st.file_by_hash:
            raise HttpError(400, f"InvalidPartOrder: upload {h} is already complete and initialised")
        up = st.live_upload(h, owner=True)
        if up is not None:
            if up.complete:
                raise HttpError(400, f"InvalidPartOrder: upload {h} is already complete")
            if up.target != dir_id:
                raise HttpError(400, f"InvalidPart: upload {h} was started for another destination")
            if up.size != size and not lax:
                raise HttpError(400, f"InvalidPart: total size {size} differs from {up.size} "
                                     f"announced by the first part of upload {h}")
        elif dir_id is not None and st.quota is not None and st.usage() + size > st.quota:
            raise HttpError(402, f"not enough disk space: {size} bytes do not fit the quota")
        if lax:
            return up, "lax"
        received = up.received if up else 0
        mode = "in-order"
        if start != received:
            if up is None and self.bug("unknown-upload-ok"):
                mode = "unknown-start"
            elif up is None:
                raise HttpError(400, f"NoSuchUpload: no upload {h} in progress; "
                                     f"a new upload must start at byte 0, not {start}")
            elif start > received and self.bug("gap-ok"):
                mode = "gap"
            elif self.bug("order-append"):
                mode = "order-append"
            else:
                raise HttpError(400, f"InvalidPartOrder: part starts at byte {start} but "
                                     f"{received} bytes of upload {h} have been received")
        plen = end - start
        part_size = up.part_size if up else None
        if end < size:    # a non-final part
            if plen < MIN_PART and not self.bug("small-parts"):
                raise HttpError(400, f"EntityTooSmall: part of {plen} bytes; every part but the "
                                     f"last must be at least {MIN_PART} bytes")
            if plen > MAX_PART:
                raise HttpError(400, f"EntityTooLarge: part of {plen} bytes; parts may be at "
                                     f"most {MAX_PART} bytes")
            if part_size is not None and plen != part_size and not self.bug("unequal-parts"):
                raise HttpError(400, f"InvalidPart: part of {plen} bytes; parts before the last "
                                     f"must all be {part_size} bytes like the first")
        elif part_size is not None and plen > part_size:
            raise HttpError(400, f"InvalidPart: last part of {plen} bytes is bigger than "
                                 f"the {part_size}-byte parts before it")
        return up, mode

    def _write_part(self, up, offset, multipart, ctype, expected, raw_range):
        """Append the body at `offset` (the received end). Returns (filename,
        (path, bytes written)). On any failure the blob is rolled back."""
        st = self.store
        path = up.path if up else st.new_blob_path()
        filename = None
        n = 0
        try:
            with open(path, "r+b" if up else "wb") as f:
                f.seek(offset)
                f.truncate()
                if multipart:
                    raw = self.body.read_all(MULTIPART_LIMIT, "a multipart/form-data body "
                                             "(use application/octet-stream for big parts)")
                    data, filename = parse_multipart(raw, ctype)
                    del raw
                    n = len(data)
                    if expected is not None and n != expected:
                        raise HttpError(400, f"file field is {n} bytes but Content-Range "
                                             f"{raw_range!r} announces {expected}; nothing was stored")
                    f.write(data)
                else:
                    while True:
                        chunk = self.body.read(IO_CHUNK)
                        if not chunk:
                            break
                        n += len(chunk)
                        if expected is None or n <= expected:
                            f.write(chunk)
                        elif n > expected + DRAIN_LIMIT:
                            raise HttpError(400, f"body is longer than the {expected} bytes "
                                                 f"announced by Content-Range {raw_range!r}", close=True)
                    if expected is not None and n != expected:
                        raise HttpError(400, f"body is {n} bytes but Content-Range {raw_range!r} "
                                             f"announces {expected}; nothing was stored")
        except BaseException:
            if up is None:
                _unlink(path)
            else:
                try:
                    os.truncate(path, offset)
                except OSError:
                    pass
            raise
        return filename, (path, n)

    def _place_in_directory(self, up, dir_id):
        """Turn a completed directory upload into a file (store lock held)."""
        st = self.store
        d = st.dirs.get(dir_id)
        if d is None:
            raise HttpError(404, f"directory {dir_id} not found")
        if not d.writable:
            raise HttpError(403, f"no permission to create files in directory {dir_id}")
        if st.quota is not None and st.usage() + up.received > st.quota:
            raise HttpError(402, "not enough disk space: the file was kept as a temporary "
                                 "upload and can be moved elsewhere")
        wanted = up.filename or up.hash
        name = wanted if self.bug("no-postfix") else unique_name(wanted, st.taken_names(dir_id))
        if name is None:
            raise HttpError(409, f"cannot make a unique name for {wanted!r} in directory {dir_id}")
        f = StoredFile(str(uuid.uuid4()), up.hash, name, dir_id, up.path, up.received, time.time())
        st.files[f.id] = f
        st.file_by_hash[up.hash] = f.id
        del st.uploads[up.hash]
        return f

    def ep_move(self):
        """POST /disk/file/move?directoryID= {"files":[{"hash","name"}]}: all or nothing."""
        st = self.store
        self.require_auth()
        dir_id = self.check_uuid(self.one_param("directoryID"), "directoryID")
        payload = self.read_json(required=True)
        files = payload.get("files") if isinstance(payload, dict) else None
        if not isinstance(files, list) or not files:
            raise HttpError(400, 'body must be {"files": [{"hash": "<uuid>", "name": "<name>"}, ...]}')
        if len(files) > MAX_FILES_PER_MOVE:
            raise HttpError(400, f"at most {MAX_FILES_PER_MOVE} files per request")
        entries, seen = [], set()
        for i, e in enumerate(files):
            if not isinstance(e, dict) or not isinstance(e.get("hash"), str) or not e["hash"]:
                raise HttpError(400, f"files[{i}] needs a string 'hash'")
            h = self.check_hash(e["hash"], f"files[{i}].hash")
            problem = validate_name(e.get("name"))
            if problem:
                raise HttpError(400, f"files[{i}].name {problem}")
            if h in seen:
                raise HttpError(400, f"hash {h} appears more than once")
            seen.add(h)
            entries.append((h, e["name"]))

        with st.lock:
            d = writable_directory(st, dir_id)
            plan = []
            for h, name in entries:
                fid = st.file_by_hash.get(h)
                if fid is not None:
                    plan.append([st.files[fid], name])
                    continue
                up = st.live_upload(h)
                if up is None:
                    raise HttpError(404, f"NoSuchUpload: no uploaded file with hash {h} "
                                         "(never uploaded, or expired)")
                if not up.complete:
                    raise HttpError(400, f"upload {h} is not complete ({up.received} of "
                                         f"{up.size} bytes received)")
                plan.append([up, name])
            copies = self.bug("move-copies")
            if st.quota is not None:
                added = sum(o.received if isinstance(o, Upload) else o.size for o, _ in plan
                            if isinstance(o, Upload) or (copies and o.directory != dir_id)
                            or not st.dirs[o.directory].writable)
                if st.usage() + added > st.quota:
                    raise HttpError(402, f"not enough disk space: {added} more bytes exceed "
                                         f"the quota of {st.quota}")
            # Files already in the target directory are being renamed: their own
            # current names must not push them to a postfix.
            moving_here = {o.id for o, _ in plan
                           if isinstance(o, StoredFile) and o.directory == dir_id and not copies}
            taken = st.taken_names(dir_id, exclude_ids=moving_here)
            for item in plan:
                name = item[1] if self.bug("no-postfix") else unique_name(item[1], taken)
                if name is None:
                    raise HttpError(409, f"cannot make a unique name for {item[1]!r} "
                                         f"in directory {dir_id}")
                taken.add(name)
                item[1] = name
            # Everything checked: apply.
            result, t = [], time.time()
            for obj, name in plan:
                if isinstance(obj, Upload):
                    f = StoredFile(str(uuid.uuid4()), obj.hash, name, dir_id, obj.path, obj.received, t)
                    st.files[f.id] = f
                    st.file_by_hash[obj.hash] = f.id
                    del st.uploads[obj.hash]
                elif copies and obj.directory != dir_id:
                    f = StoredFile(str(uuid.uuid4()), obj.hash, name, dir_id, obj.path, obj.size, t)
                    st.files[f.id] = f
                    st.file_by_hash[obj.hash] = f.id
                else:
                    f = obj
                    f.directory, f.name = dir_id, name
                if self.bug("corrupt-move") and f.size > 0:
                    os.truncate(f.path, f.size - 1)
                    f.size -= 1
                result.append(st.file_item(f))
        self.send_json(200, {"success": True, "error": "", "result": result})

    def ep_get_link(self, ident):
        """GET|POST /disk/file/{id}/get-link: {id} is a file __id or an upload hash."""
        st = self.store
        self.require_auth()
        key = ident.lower() if UUID_RE.fullmatch(ident) else ident
        with st.lock:
            if key in st.files:
                target = ("file", key)
            elif key in st.file_by_hash:
                target = ("file", st.file_by_hash[key])
            else:
                up = st.live_upload(key)
                if up is None:
                    raise HttpError(404, f"file {ident[:80]!r} not found")
                if not up.complete:
                    raise HttpError(404, f"upload {key} is not complete yet")
                target = ("hash", key)   # follows the file if it is moved later
            token = secrets.token_urlsafe(24)
            st.links[token] = target
        self.send_json(200, {"success": True, "error": "", "Link": f"{self.base_url()}/files/{token}"})

    def ep_download(self, token):
        """GET /files/{token}: the stored bytes. The unguessable token is the credential."""
        st = self.store
        with st.lock:
            target = st.links.get(token)
            path = name = None
            if target and target[0] == "file" and target[1] in st.files:
                f = st.files[target[1]]
                path, name = f.path, f.name
            elif target and target[0] == "hash":
                if target[1] in st.file_by_hash:
                    f = st.files[st.file_by_hash[target[1]]]
                    path, name = f.path, f.name
                else:
                    up = st.live_upload(target[1])
                    if up is not None and up.complete:
                        path, name = up.path, up.filename or up.hash
            # Opened under the lock so expiry cannot unlink it in between.
            fh = None
            if path:
                try:
                    fh = open(path, "rb")
                except OSError:
                    fh = None
        if fh is None:
            raise HttpError(404, "link not found or expired")
        with fh:
            size = os.fstat(fh.fileno()).st_size
            self._settle_body()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.send_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name, safe='')}")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self._sent = True
            if self.command == "HEAD":
                return
            left = size
            while left > 0:
                chunk = fh.read(min(IO_CHUNK, left))
                if not chunk:      # truncated under us: cannot honour Content-Length
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
                left -= len(chunk)

    def ep_list(self):
        """POST /disk/directory/list: {"id": <dir>} lists that directory's contents;
        {} lists the top level (the root directory, then its contents)."""
        st = self.store
        self.require_auth()
        payload = self.read_json(required=False)
        if not isinstance(payload, dict):
            raise HttpError(400, "request body must be a JSON object")
        dir_id = None
        for k in ("id", "__id", "directoryID", "directoryId", "directory", "parent"):
            if payload.get(k) is not None:
                if not isinstance(payload[k], str):
                    raise HttpError(400, f"'{k}' must be a directory id string")
                dir_id = self.check_uuid(payload[k], k)
                break
        start = payload.get("from", 0)
        size = payload.get("size", 1000)
        for k, v, lo in (("from", start, 0), ("size", size, 1)):
            if not isinstance(v, int) or isinstance(v, bool) or v < lo:
                raise HttpError(400, f"'{k}' must be an integer >= {lo}")
        with st.lock:
            d = st.dirs.get(dir_id or st.root_id)
            if d is None:
                raise HttpError(404, f"directory {dir_id} not found")
            subdirs = sorted((x for x in st.dirs.values() if x.parent == d.id),
                             key=lambda x: (not x.writable, x.name))
            files = sorted((f for f in st.files.values() if f.directory == d.id),
                           key=lambda f: (f.name, f.created, f.id))
            items = [st.dir_item(x) for x in subdirs] + [st.file_item(f) for f in files]
            if dir_id is None:
                # The top level: the root itself first, so {} shows every id a client needs.
                items.insert(0, st.dir_item(d))
            here = st.dir_item(d)
        self.send_json(200, {"success": True, "error": "", "directory": here,
                             "result": {"result": items[start:start + size], "total": len(items)}})


class Server(ThreadingHTTPServer):
    daemon_threads = True          # SIGTERM must not wait for stalled clients
    block_on_close = False
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # The default prints a traceback for every reset connection.
        if self.verbose:
            traceback.print_exc()


class Server6(Server):
    address_family = socket.AF_INET6


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description="Reference server for the chunked upload API.")
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: kernel picks)")
    p.add_argument("--api-key", required=True)
    p.add_argument("--ttl", type=float, default=3600.0, help="temporary upload lifetime, seconds")
    p.add_argument("--data-dir", help="storage directory (default: temp dir removed at exit)")
    p.add_argument("--readonly-dir", action="store_true", help="add a directory where moves get 403")
    p.add_argument("--quota", type=int, help="byte limit of files stored in writable directories")
    p.add_argument("--bug", action="extend", nargs="+", default=[], metavar="NAME",
                   help="planted bug(s): " + ", ".join(sorted(BUG_NAMES)))
    p.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = p.parse_args(argv)
    bugs = {b.strip() for v in args.bug for b in v.split(",") if b.strip()}
    unknown = sorted(bugs - BUG_NAMES)
    if unknown:
        p.exit(2, f"unknown bug name(s): {', '.join(unknown)}; known: {', '.join(sorted(BUG_NAMES))}\n")
    if args.ttl <= 0 or (args.quota is not None and args.quota < 0):
        p.exit(2, "--ttl must be > 0 and --quota >= 0\n")
    host, sep, port = args.listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        p.exit(2, f"--listen must be HOST:PORT, got {args.listen!r}\n")
    args.host, args.port, args.bugs = host.strip("[]"), int(port), bugs
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.data_dir:
        data_dir, cleanup = args.data_dir, False
        os.makedirs(data_dir, exist_ok=True)
    else:
        data_dir, cleanup = tempfile.mkdtemp(prefix="upload-reference-"), True
    try:
        cls = Server6 if ":" in args.host else Server
        httpd = cls((args.host, args.port), Handler)
    except OSError as e:
        sys.stderr.write(f"cannot listen on {args.listen}: {e}\n")
        if cleanup:
            shutil.rmtree(data_dir, ignore_errors=True)
        return 1
    httpd.store = Store(data_dir, args.ttl, args.quota, args.readonly_dir)
    httpd.api_key = args.api_key
    httpd.bugs = frozenset(args.bugs)
    httpd.verbose = args.verbose

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # serve_forever runs in a thread so that the main thread, which receives
    # signals, can call shutdown() (calling it from the serving thread deadlocks).
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def sweeper():
        while not stop.wait(min(max(args.ttl / 4, 0.2), 30)):
            httpd.store.sweep()
    threading.Thread(target=sweeper, daemon=True).start()

    host, port = httpd.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on http://{shown}:{port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        httpd.shutdown()
        httpd.server_close()
        if cleanup:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

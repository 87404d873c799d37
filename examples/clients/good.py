#!/usr/bin/env python3
"""A careful uploader for the upload/move API (docs/contract.md).

Uploads one file in 5 MiB parts under a fresh uuid, then moves it into a
directory, and writes {"id", "name"} of the moved file to PARTCHECK_RESULT.
Python 3.11 standard library only.

What makes it careful, and what `partcheck client` grades:

- Content-Range ends are EXCLUSIVE (`bytes 0-5242880/n`); a file under 5 MiB
  is one whole-file request, an empty one is `bytes 0-0/0` with no body.
- Parts are streamed from the file, never read whole into memory, and sent
  one after the other: the next part starts where the last ACKNOWLEDGED one
  ended (206 for a stored part, 200 for the part that completes the file).
- Passing trouble (a dropped, refused or timed-out connection; 408, 429, 500,
  502, 503, 504; 409 UploadBusy) is retried with the SAME request, after
  0.25 s, 0.5 s, 1 s, 2 s, 4 s (or the server's Retry-After, capped): at most
  6 attempts, then exit 1.
- Any other 4xx is final and reported with the server's `error`, except
  NoSuchUpload (the upload expired or was never seen): the upload starts over
  once, under a new uuid, from byte 0.
- A move whose answer was lost may have happened: if its retry says
  NoSuchUpload, the directory listing is checked for the file first.

Configuration comes from the environment (PARTCHECK_URL, PARTCHECK_API_KEY,
PARTCHECK_DIRECTORY_ID, PARTCHECK_FILE, PARTCHECK_FILE_NAME,
PARTCHECK_RESULT); the flags --url --key --dir --file --name --result
override it. One line per request goes to stderr; on failure the last
stderr line is `good.py: error: <reason>` and the exit status is 1 (2 for a
usage error).
"""

import argparse
import http.client
import json
import os
import socket
import sys
import time
import urllib.parse
import uuid

PART_SIZE = 5 * 1024 * 1024          # all parts but the last have this size
TIMEOUT_S = 30                       # per connect / send / receive
MAX_ATTEMPTS = 6                     # per request, the first one included
BACKOFF_S = (0.25, 0.5, 1, 2, 4)     # waits before attempts 2..6
RETRY_AFTER_CAP_S = 30               # a server's Retry-After is honoured up to this
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
# Codes of 409 that mean "not now" rather than "never": a part still being
# written by an attempt this client gave up on (a timeout) makes the next
# attempt collide with it for a moment.
RETRY_CODES = {"UploadBusy"}

PROG = "good.py"


def log(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


class Failed(Exception):
    """The upload cannot succeed; the message is the one-line reason."""


class NoSuchUpload(Failed):
    """The server does not know the upload (expired, or never seen)."""


class Answer:
    """A server's answer: status, JSON body (or None), Retry-After."""

    def __init__(self, status, body, retry_after):
        self.status = status
        self.body = body
        self.retry_after = retry_after

    def error(self):
        """The server's `error` message, or a stand-in when there is none."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), str):
            return self.body["error"]
        return f"HTTP {self.status} without an error message"


class FileSlice:
    """bytes [start, end) of an open file, read in blocks as http.client
    sends them, so a 5 MiB (or 5 GiB) part never sits in memory."""

    def __init__(self, f, start, end):
        self.f = f
        self.left = end - start
        f.seek(start)

    def read(self, size=-1):
        if self.left <= 0:
            return b""
        if size < 0 or size > self.left:
            size = self.left
        data = self.f.read(size)
        if not data:
            # The file shrank under us: the body would be short of the range.
            raise Failed("the file changed while it was being uploaded")
        self.left -= len(data)
        return data


class Api:
    """HTTP against the API with the retry policy above."""

    def __init__(self, base_url, key):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise Failed(f"not an http(s) URL: {base_url}")
        self.scheme = url.scheme
        self.netloc = url.netloc
        self.prefix = url.path.rstrip("/")   # a gateway's base path, if any
        self.key = key
        self.conn = None

    def _connection(self):
        # One keep-alive connection, opened again after any trouble.
        if self.conn is None:
            cls = (http.client.HTTPSConnection if self.scheme == "https"
                   else http.client.HTTPConnection)
            self.conn = cls(self.netloc, timeout=TIMEOUT_S, blocksize=65536)
        return self.conn

    def _drop_connection(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _once(self, method, path, body_factory, headers):
        """One attempt. Returns an Answer, or raises OSError /
        http.client.HTTPException for a connection that failed."""
        conn = self._connection()
        body = body_factory() if body_factory else None
        try:
            conn.request(method, self.prefix + path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as send_error:
            if isinstance(send_error, TimeoutError):
                raise   # nothing came back for TIMEOUT_S: no answer to read
            # A server may refuse a part from its headers (403, 400 ...),
            # answer and close while the body is still going out. Its answer
            # is worth more than our broken pipe: try to read it.
            try:
                response = conn.getresponse()
            except (OSError, http.client.HTTPException):
                raise send_error from None
        else:
            response = conn.getresponse()
        raw = response.read()
        if response.will_close:
            self._drop_connection()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return Answer(response.status, parsed, response.getheader("Retry-After"))

    def call(self, method, path, what, body_factory=None, headers=None):
        """Sends a request until it gets an answer that is not passing
        trouble, at most MAX_ATTEMPTS times. Returns (Answer, troubled):
        `troubled` says an earlier attempt may have reached the server
        without its answer reaching us."""
        headers = dict(headers or {})
        headers["Authorization"] = f"Bearer {self.key}"
        troubled = False
        last_problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            retry_after = None
            try:
                answer = self._once(method, path, body_factory, headers)
            except (OSError, http.client.HTTPException) as e:
                self._drop_connection()
                last_problem = f"connection error ({describe(e)})"
                log(f"{method} {what} attempt {attempt}: {last_problem}")
                troubled = True
            else:
                log(f"{method} {what} attempt {attempt}: {answer.status}")
                code = error_code(answer)
                if answer.status not in RETRY_STATUSES and code not in RETRY_CODES:
                    return answer, troubled
                last_problem = f"{answer.status} {answer.error()}"
                retry_after = answer.retry_after
                troubled = True
            if attempt == MAX_ATTEMPTS:
                break
            time.sleep(wait_before(attempt, retry_after))
        raise Failed(f"{method} {what}: gave up after {MAX_ATTEMPTS} attempts, "
                     f"last: {last_problem}")


def describe(e):
    if isinstance(e, (socket.timeout, TimeoutError)):
        return f"timed out after {TIMEOUT_S} s"
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def error_code(answer):
    """The code at the head of the server's `error` ("NoSuchUpload: ...")."""
    if isinstance(answer.body, dict) and isinstance(answer.body.get("error"), str):
        return answer.body["error"].split(":", 1)[0].strip()
    return ""


def is_no_such_upload(answer):
    # Other servers word their messages differently: look for the code anywhere.
    return 400 <= answer.status < 500 and "NoSuchUpload" in answer.error()


def wait_before(attempt, retry_after):
    """Seconds to wait before attempt `attempt + 1`."""
    wait = BACKOFF_S[min(attempt - 1, len(BACKOFF_S) - 1)]
    if retry_after is not None:
        try:
            wait = min(max(float(retry_after), 0.0), RETRY_AFTER_CAP_S)
        except ValueError:
            pass  # an HTTP date: keep our own backoff
    return wait


def upload_parts(api, f, size, file_hash):
    """Sends the file's parts under `file_hash`; returns when the server
    said 200 (file complete). Raises NoSuchUpload or Failed."""
    path = "/pub/v1/disk/file/upload?hash=" + file_hash
    offset = 0   # where the last acknowledged part ended
    while True:
        end = min(offset + PART_SIZE, size)
        content_range = f"bytes {offset}-{end}/{size}"
        headers = {"Content-Type": "application/octet-stream",
                   "Content-Range": content_range,
                   "Content-Length": str(end - offset)}
        start = offset   # bound now: each attempt rereads the same bytes
        answer, _ = api.call("POST", path, f"part {content_range}",
                             lambda: FileSlice(f, start, end), headers)
        if answer.status == 206 and end < size:
            offset = end
            continue
        if answer.status == 200 and end == size:
            return
        if is_no_such_upload(answer):
            raise NoSuchUpload(f"part {content_range}: {answer.error()}")
        if 200 <= answer.status < 300:
            # 206 for the last part or 200 before it: the server and we
            # disagree about the file; going on would hide it.
            raise Failed(f"part {content_range}: unexpected {answer.status} "
                         f"({'final' if end == size else 'non-final'} part)")
        raise Failed(f"part {content_range}: {answer.status} {answer.error()}")


def find_in_listing(api, directory_id, file_hash):
    """The listing entry of the file uploaded as `file_hash`, or None."""
    answer, _ = api.call("POST", "/pub/v1/disk/directory/list", "directory/list",
                         lambda: json.dumps({"directoryID": directory_id,
                                             "limit": 10000}).encode(),
                         {"Content-Type": "application/json"})
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise Failed(f"directory/list: {answer.status} {answer.error()}")
    entries = (answer.body.get("result") or {}).get("result") or []
    for entry in entries:
        if (isinstance(entry, dict) and entry.get("type", "file") == "file"
                and str(entry.get("hash", "")).lower() == file_hash.lower()):
            return entry
    return None


def move(api, directory_id, file_hash, name):
    """Moves the upload into the directory; returns (id, name) as the
    server gave them. Raises NoSuchUpload or Failed."""
    path = "/pub/v1/disk/file/move?directoryID=" + urllib.parse.quote(directory_id)
    body = json.dumps({"files": [{"hash": file_hash, "name": name}]}).encode()
    answer, troubled = api.call("POST", path, "move", lambda: body,
                                {"Content-Type": "application/json"})
    if is_no_such_upload(answer):
        if troubled:
            # An earlier attempt may have moved the file before its answer
            # was lost; a server that forgets a moved hash says NoSuchUpload
            # now. Starting over would upload the file twice.
            entry = find_in_listing(api, directory_id, file_hash)
            if entry is not None and entry.get("__id") and entry.get("name"):
                log(f"move: the file is in the directory already, as {entry['name']!r}")
                return entry["__id"], entry["name"]
        raise NoSuchUpload(f"move: {answer.error()}")
    if answer.status != 200:
        raise Failed(f"move: {answer.status} {answer.error()}")
    try:
        moved = answer.body["files"][0]
        file_id, given_name = moved["__id"], moved["name"]
    except (TypeError, KeyError, IndexError):
        raise Failed("move: 200 without files[0].__id and files[0].name") from None
    if not (isinstance(file_id, str) and isinstance(given_name, str)):
        raise Failed("move: files[0].__id or files[0].name is not a string")
    return file_id, given_name


def write_result(path, file_id, name):
    # Written whole then renamed, so a reader never sees half a file.
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"id": file_id, "name": name}, out, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, path)


def parse_args():
    env = os.environ.get
    p = argparse.ArgumentParser(
        prog=PROG, description="Upload a file in parts, then move it into a directory.")
    p.add_argument("--url", default=env("PARTCHECK_URL"), help="base URL (PARTCHECK_URL)")
    p.add_argument("--key", default=env("PARTCHECK_API_KEY"), help="API key (PARTCHECK_API_KEY)")
    p.add_argument("--dir", default=env("PARTCHECK_DIRECTORY_ID"),
                   help="directory id (PARTCHECK_DIRECTORY_ID)")
    p.add_argument("--file", default=env("PARTCHECK_FILE"), help="file to upload (PARTCHECK_FILE)")
    p.add_argument("--name", default=env("PARTCHECK_FILE_NAME"),
                   help="name in the directory (PARTCHECK_FILE_NAME; default: the file's)")
    p.add_argument("--result", default=env("PARTCHECK_RESULT"),
                   help="where to write {\"id\",\"name\"} (PARTCHECK_RESULT)")
    args = p.parse_args()
    missing = [flag for flag, value in (("--url", args.url), ("--key", args.key),
                                        ("--dir", args.dir), ("--file", args.file))
               if not value]
    if missing:
        p.error("missing " + ", ".join(missing) + " (or its PARTCHECK_ variable)")
    if not args.name:
        args.name = os.path.basename(args.file)
    return args


def run(args):
    api = Api(args.url.rstrip("/"), args.key)
    try:
        f = open(args.file, "rb")
    except OSError as e:
        raise Failed(f"cannot read {args.file}: {e.strerror}") from None
    with f:
        size = os.fstat(f.fileno()).st_size
        started_over = False
        while True:
            file_hash = str(uuid.uuid4())
            log(f"uploading {size} bytes as {file_hash}")
            try:
                upload_parts(api, f, size, file_hash)
                file_id, name = move(api, args.dir, file_hash, args.name)
                break
            except NoSuchUpload as e:
                # The upload expired (or the server lost it): once, begin
                # again under a new uuid. Twice means something else is wrong.
                if started_over:
                    raise
                started_over = True
                log(f"{e}; starting over once with a new upload")
    log(f"moved: id {file_id}, name {name!r}")
    if args.result:
        try:
            write_result(args.result, file_id, name)
        except OSError as e:
            raise Failed(f"cannot write {args.result}: {e.strerror}") from None


def main():
    args = parse_args()
    try:
        run(args)
    except Failed as e:
        log(f"error: {e}")
        return 1
    except KeyboardInterrupt:
        log("error: interrupted")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

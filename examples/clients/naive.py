#!/usr/bin/env python3
# naive.py: deliberately wrong, to show what partcheck client catches.
#
# This is the uploader people write first. It looks fine and even works
# against some servers, but against this API it is wrong in four ways (see
# the BUG comments):
#
#   1. Content-Range ends are INCLUSIVE (`bytes 0-5242879/n`), as in RFC 9110;
#      this API's ends are exclusive, so every part is refused.
#   2. No retries: one dropped connection or 503 and the upload is lost.
#   3. Errors are ignored: every answer counts as success, and the exit
#      status is always 0 ("done").
#   4. The result names the file as asked, not as the server named it
#      (`report.bin` instead of `report (1).bin` when the name was taken).
#
# Use good.py or good.sh for the right way. Standard library only.

import json
import os
import urllib.error
import urllib.request
import uuid

PART_SIZE = 5 * 1024 * 1024

url = os.environ["PARTCHECK_URL"]
key = os.environ["PARTCHECK_API_KEY"]
directory = os.environ["PARTCHECK_DIRECTORY_ID"]
path = os.environ["PARTCHECK_FILE"]
name = os.environ.get("PARTCHECK_FILE_NAME") or os.path.basename(path)


def post(target, body, headers):
    request = urllib.request.Request(url + target, data=body, method="POST", headers={
        "Authorization": "Bearer " + key, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()
    except (urllib.error.URLError, OSError):
        return b"{}"   # BUG 2 and 3: no retry, and the failure is forgotten


file_hash = str(uuid.uuid4())
size = os.path.getsize(path)
with open(path, "rb") as f:
    offset = 0
    while True:
        chunk = f.read(PART_SIZE)
        # BUG 1: the end is inclusive (the last byte's index), not exclusive.
        end = offset + len(chunk) - 1
        post("/pub/v1/disk/file/upload?hash=" + file_hash, chunk, {
            "Content-Type": "application/octet-stream",
            "Content-Range": f"bytes {offset}-{end}/{size}"})
        offset += len(chunk)
        if offset >= size:
            break

answer = post("/pub/v1/disk/file/move?directoryID=" + directory,
              json.dumps({"files": [{"hash": file_hash, "name": name}]}).encode(),
              {"Content-Type": "application/json"})
files = json.loads(answer or b"{}").get("files") or [{}]

if os.environ.get("PARTCHECK_RESULT"):
    with open(os.environ["PARTCHECK_RESULT"], "w") as out:
        # BUG 4: `name` is what we asked for; the server's is files[0]["name"].
        json.dump({"id": files[0].get("__id", ""), "name": name}, out)

print("done")   # BUG 3: whatever happened

#!/usr/bin/env bash
# A careful uploader for the upload/move API (docs/contract.md), in bash with
# curl and coreutils only: no jq, no python. It behaves like good.py:
#
# - 5 MiB parts with EXCLUSIVE Content-Range ends (`bytes 0-5242880/n`); a
#   file under 5 MiB is one whole-file request, an empty one `bytes 0-0/0`.
# - Each part is cut from the file with dd into a temporary file (removed on
#   exit), sent, and only once acknowledged (206, or 200 for the last) does
#   the next one start where it ended.
# - Passing trouble is retried with the SAME request after 0.25, 0.5, 1, 2,
#   4 s (or the server's Retry-After, capped), at most 6 attempts: curl exit
#   codes 7, 18, 28, 52, 55, 56 (refused, cut short, timed out, no answer,
#   send or receive failed) and HTTP 408, 429, 500, 502, 503, 504, and 409
#   UploadBusy (an abandoned attempt still being written).
# - Any other 4xx is final, reported with the server's `error` message, except
#   NoSuchUpload (the upload expired or is unknown): the upload starts over
#   once under a new uuid from byte 0. A move whose answer was lost and whose
#   retry says NoSuchUpload is looked for in the directory listing first.
# - On success the id and name from the move answer (the name the server
#   gave, ` (1)` postfix included) go to PARTCHECK_RESULT as JSON.
#
# Configuration: PARTCHECK_URL, PARTCHECK_API_KEY, PARTCHECK_DIRECTORY_ID,
# PARTCHECK_FILE, PARTCHECK_FILE_NAME, PARTCHECK_RESULT, or the flags
# --url --key --dir --file --name --result. One line per request on stderr;
# on failure the last line is `good.sh: error: <reason>` and the exit status
# is 1 (2 for a usage error).

set -u

PROG=good.sh
PART_SIZE=5242880               # all parts but the last have this size
MAX_ATTEMPTS=6                  # per request, the first one included
BACKOFF=(0.25 0.5 1 2 4)        # waits before attempts 2..6
RETRY_AFTER_CAP=30              # a server's Retry-After is honoured up to this
RETRY_CURL_CODES=" 7 18 28 52 55 56 "
RETRY_STATUSES=" 408 429 500 502 503 504 "

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { log "$*"; log "usage: $PROG [--url URL] [--key KEY] [--dir ID] [--file PATH] [--name NAME] [--result PATH]"; exit 2; }

URL=${PARTCHECK_URL:-}
KEY=${PARTCHECK_API_KEY:-}
DIR=${PARTCHECK_DIRECTORY_ID:-}
FILE=${PARTCHECK_FILE:-}
NAME=${PARTCHECK_FILE_NAME:-}
RESULT=${PARTCHECK_RESULT:-}

while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
        --*=*) value=${opt#*=}; opt=${opt%%=*}; shift ;;
        --url|--key|--dir|--file|--name|--result)
            [ $# -ge 2 ] || usage "$opt needs a value"
            value=$2; shift 2 ;;
        -h|--help) usage "upload a file in parts, then move it into a directory" ;;
        *) usage "unknown argument: $opt" ;;
    esac
    case $opt in
        --url) URL=$value ;;
        --key) KEY=$value ;;
        --dir) DIR=$value ;;
        --file) FILE=$value ;;
        --name) NAME=$value ;;
        --result) RESULT=$value ;;
        *) usage "unknown option: $opt" ;;
    esac
done
missing=""
[ -n "$URL" ] || missing+=" --url"
[ -n "$KEY" ] || missing+=" --key"
[ -n "$DIR" ] || missing+=" --dir"
[ -n "$FILE" ] || missing+=" --file"
[ -z "$missing" ] || usage "missing$missing (or its PARTCHECK_ variable)"
URL=${URL%/}
[ -n "$NAME" ] || NAME=$(basename -- "$FILE")

[ -f "$FILE" ] && [ -r "$FILE" ] || die "cannot read $FILE"
SIZE=$(stat -L -c %s -- "$FILE") || die "cannot stat $FILE"

WORK=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$WORK"' EXIT
trap 'log "error: interrupted"; exit 1' INT TERM

# --- JSON without jq -----------------------------------------------------
# Answers are read with grep/sed. A JSON string is matched as a whole
# ("([^"\\]|\\.)*"), so quotes and braces inside names do not confuse it.
# Values are kept as they appear in the JSON (still escaped), which is
# exactly what is needed to write them into the result file again.
JSON_STRING='"([^"\\]|\\.)*"'

# json_field KEY < json: the first string value of KEY, still escaped.
json_field() {
    tr '\n' ' ' | grep -o -E "\"$1\"[[:space:]]*:[[:space:]]*$JSON_STRING" | head -n 1 |
        sed -E "s/^\"$1\"[[:space:]]*:[[:space:]]*\"//; s/\"\$//"
}

# json_escape TEXT: TEXT as the inside of a JSON string.
json_escape() {
    local s=$1 i c
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/\\t}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    for i in $(seq 1 31); do          # the other control characters
        printf -v c "\\$(printf '%03o' "$i")"
        s=${s//"$c"/$(printf '\\u%04x' "$i")}
    done
    printf '%s' "$s"
}

# The server's error message, unescaped enough to be read by a person.
error_message() {
    local m
    m=$(json_field error < "$WORK/answer")
    [ -n "$m" ] || m="HTTP $STATUS without an error message"
    printf '%s' "$m" | sed -e 's/\\"/"/g' -e 's/\\\\/\\/g'
}

# --- HTTP with retries ---------------------------------------------------
# request WHAT PATH BODYFILE CONTENT_TYPE [CONTENT_RANGE]
# Sends a POST until it gets an answer that is not passing trouble, at most
# MAX_ATTEMPTS times. Sets STATUS and TROUBLED (an earlier attempt may have
# reached the server without its answer reaching us); the body is in
# $WORK/answer. Gives up (exit 1) when every attempt was trouble.
request() {
    local what=$1 path=$2 body=$3 ctype=$4 crange=${5:-}
    local attempt rc wait retry_after problem code
    local -a range_header=()
    [ -z "$crange" ] || range_header=(-H "Content-Range: $crange")
    TROUBLED=0
    for attempt in $(seq 1 "$MAX_ATTEMPTS"); do
        : > "$WORK/answer"; : > "$WORK/headers"
        STATUS=$(curl -sS --max-time 60 --connect-timeout 30 -X POST \
            -H "Authorization: Bearer $KEY" -H "Content-Type: $ctype" \
            "${range_header[@]}" --data-binary "@$body" \
            -D "$WORK/headers" -o "$WORK/answer" -w '%{http_code}' \
            "$URL$path" 2> "$WORK/curl.err")
        rc=$?
        retry_after=""
        if [ $rc -ne 0 ]; then
            problem="connection error (curl $rc: $(sed -e 's/^curl: ([0-9]*) //' "$WORK/curl.err" | head -n 1))"
            log "POST $what attempt $attempt: $problem"
            case $RETRY_CURL_CODES in
                *" $rc "*) TROUBLED=1 ;;
                *) die "POST $what: $problem" ;;
            esac
        else
            log "POST $what attempt $attempt: $STATUS"
            code=$(json_field error < "$WORK/answer" | sed 's/:.*//')
            case $RETRY_STATUSES in
                *" $STATUS "*) ;;
                *) [ "$code" = UploadBusy ] || return 0 ;;
            esac
            problem="$STATUS $(error_message)"
            retry_after=$(grep -i '^retry-after:' "$WORK/headers" | tail -n 1 |
                          tr -d '\r' | sed 's/^[^:]*:[[:space:]]*//')
            TROUBLED=1
        fi
        [ "$attempt" -lt "$MAX_ATTEMPTS" ] || break
        wait=${BACKOFF[$((attempt - 1))]}
        # Retry-After in seconds is honoured (capped); an HTTP date is not
        # worth parsing here, our own backoff stands then.
        if [[ $retry_after =~ ^[0-9]+$ ]]; then
            wait=$(( retry_after > RETRY_AFTER_CAP ? RETRY_AFTER_CAP : retry_after ))
        fi
        sleep "$wait"
    done
    die "POST $what: gave up after $MAX_ATTEMPTS attempts, last: $problem"
}

no_such_upload() {
    [ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ] && grep -q NoSuchUpload "$WORK/answer"
}

# --- the upload ----------------------------------------------------------
new_uuid() {
    if [ -r /proc/sys/kernel/random/uuid ]; then
        cat /proc/sys/kernel/random/uuid
    else
        uuidgen | tr 'A-Z' 'a-z'
    fi
}

# upload_parts HASH: returns 0 when the server said 200 (file complete),
# 3 on NoSuchUpload; any other failure exits.
upload_parts() {
    local hash=$1 offset=0 end len range
    while :; do
        end=$(( offset + PART_SIZE < SIZE ? offset + PART_SIZE : SIZE ))
        len=$(( end - offset ))
        range="bytes $offset-$end/$SIZE"
        # Only this part is read; the file is never held whole.
        dd if="$FILE" of="$WORK/part" iflag=skip_bytes,count_bytes \
           skip="$offset" count="$len" bs=1M status=none || die "cannot read $FILE"
        [ "$(stat -c %s "$WORK/part")" -eq "$len" ] ||
            die "the file changed while it was being uploaded"
        request "part $range" "/pub/v1/disk/file/upload?hash=$hash" \
                "$WORK/part" application/octet-stream "$range"
        if [ "$STATUS" = 206 ] && [ "$end" -lt "$SIZE" ]; then
            offset=$end
            continue
        fi
        [ "$STATUS" = 200 ] && [ "$end" -eq "$SIZE" ] && return 0
        if no_such_upload; then
            LAST_ERROR="part $range: $(error_message)"
            return 3
        fi
        case $STATUS in
            2*) # 206 for the last part, or 200 before it: the server and we
                # disagree about the file, going on would hide it.
                die "part $range: unexpected $STATUS" ;;
            *) die "part $range: $STATUS $(error_message)" ;;
        esac
    done
}

# find_in_listing HASH: sets MOVED_ID and MOVED_NAME from the listing entry
# of the file uploaded as HASH; returns 1 when there is none.
find_in_listing() {
    local hash=$1 entry
    printf '{"directoryID":"%s","limit":10000}' "$(json_escape "$DIR")" > "$WORK/list.json"
    request "directory/list" /pub/v1/disk/directory/list "$WORK/list.json" application/json
    [ "$STATUS" = 200 ] || die "directory/list: $STATUS $(error_message)"
    # Entries are flat objects: match each one whole, then keep ours.
    entry=$(tr '\n' ' ' < "$WORK/answer" |
            grep -o -E "\\{($JSON_STRING|[^{}\"])*\\}" |
            grep -i -E "\"hash\"[[:space:]]*:[[:space:]]*\"$hash\"" | head -n 1)
    [ -n "$entry" ] || return 1
    MOVED_ID=$(printf '%s' "$entry" | json_field __id)
    MOVED_NAME=$(printf '%s' "$entry" | json_field name)
    [ -n "$MOVED_ID" ] && [ -n "$MOVED_NAME" ]
}

# move HASH: sets MOVED_ID and MOVED_NAME as the server gave them; returns
# 3 on NoSuchUpload; any other failure exits.
move() {
    local hash=$1 files
    printf '{"files":[{"hash":"%s","name":"%s"}]}' "$hash" "$(json_escape "$NAME")" > "$WORK/move.json"
    request move "/pub/v1/disk/file/move?directoryID=$DIR" "$WORK/move.json" application/json
    if no_such_upload; then
        LAST_ERROR="move: $(error_message)"
        # An earlier attempt may have moved the file before its answer was
        # lost, and a server that forgets moved hashes says NoSuchUpload
        # now: starting over would upload the file twice.
        if [ "$TROUBLED" = 1 ] && find_in_listing "$hash"; then
            log "move: the file is in the directory already, as \"$MOVED_NAME\""
            return 0
        fi
        return 3
    fi
    [ "$STATUS" = 200 ] || die "move: $STATUS $(error_message)"
    # files[0] is the only object after "files": its __id and name.
    files=$(tr '\n' ' ' < "$WORK/answer" | sed -E 's/^.*"files"[[:space:]]*:[[:space:]]*\[//')
    MOVED_ID=$(printf '%s' "$files" | json_field __id)
    MOVED_NAME=$(printf '%s' "$files" | json_field name)
    [ -n "$MOVED_ID" ] && [ -n "$MOVED_NAME" ] ||
        die "move: 200 without files[0].__id and files[0].name"
}

started_over=0
while :; do
    HASH=$(new_uuid)
    log "uploading $SIZE bytes as $HASH"
    upload_parts "$HASH" && move "$HASH" && break
    # Only NoSuchUpload comes back here (the upload expired, or the server
    # lost it): once, begin again under a new uuid.
    [ "$started_over" = 0 ] || die "$LAST_ERROR"
    started_over=1
    log "$LAST_ERROR; starting over once with a new upload"
done

log "moved: id $MOVED_ID, name \"$MOVED_NAME\""
if [ -n "$RESULT" ]; then
    # Both values are copied as the server escaped them, so this is JSON.
    # Written whole then renamed, so a reader never sees half a file.
    printf '{"id": "%s", "name": "%s"}\n' "$MOVED_ID" "$MOVED_NAME" > "$RESULT.tmp" &&
        mv -f -- "$RESULT.tmp" "$RESULT" || die "cannot write $RESULT"
fi
exit 0

#!/usr/bin/env bash
# Smoke test of the container image (`make test-image`): builds it (scripts/image.sh), then runs
# it as a user would: --help; validate on the shipped config; the daemon with a read-only root,
# its state in a named volume and its port published on 127.0.0.1, answering /healthz; uid and
# gid 10001; a check written to the volume; SIGTERM ending it with exit 0 within the grace.
# The daemon's one source is its own Atom feed, so no traffic leaves the container.
set -euo pipefail
cd "$(dirname "$0")/.."
export IMAGE=${IMAGE:-legal-monitor:test}
GRACE=30  # seconds; docs/docker.md gives the same --stop-timeout
BUILD_LOG=$(mktemp)
export BUILD_LOG
if ! scripts/image.sh; then
    tail -40 "$BUILD_LOG" >&2
    exit 1
fi
source scripts/engine.sh

name=legal-monitor-smoke-$$
work=$(mktemp -d)
engine_log=$work/engine.log
cleanup() {
    "$ENGINE" rm -f "$name" >/dev/null 2>&1 || true
    "$ENGINE" volume rm -f "$name" >/dev/null 2>&1 || true
    rm -rf "$work" "$BUILD_LOG"
}
trap cleanup EXIT
fail() {
    echo "test-image: FAILED: $*" >&2
    "$ENGINE" logs "$name" 2>&1 | tail -20 >&2 || true
    exit 1
}
passed=0
ok() { passed=$((passed + 1)); echo "test-image: ok: $*"; }
# A container run to its end; podman's complaints about a missing systemd go to the log.
run() { "$ENGINE" run --rm --no-healthcheck "$@" 2>>"$engine_log"; }

# The image as built: exec-form health check, numeric user, entrypoint, no /config volume.
config=$("$ENGINE" image inspect --format \
    '{{json .Config.User}} {{json .Config.Entrypoint}} {{json .Config.Volumes}} {{json .Config.Healthcheck.Test}}' "$IMAGE")
expected='"10001:10001" ["legal-monitor"] {"/state":{}} ["CMD","/opt/legal-monitor/bin/python","-c",'
[[ "$config" == "$expected"* ]] || fail "image config is $config"
ok "user 10001:10001, entrypoint legal-monitor, only /state a volume, exec-form HEALTHCHECK"

out=$(run "$IMAGE" --help) && [[ "$out" == "usage: legal-monitor"* ]] || fail "--help"
ok "--help"
out=$(run --read-only "$IMAGE" validate) && [[ "$out" == "/config/monitor.toml: valid"* ]] \
    || fail "validate on the shipped config"
ok "validate on the shipped config"

# The daemon: one source, its own feed on the container's loopback, checked every 5 s.
mkdir -p "$work/config"
cat > "$work/config/monitor.toml" <<'EOF'
[state]
path = "../state/monitor.db"

[[sources]]
name = "own-feed"
kind = "feed"
url = "http://127.0.0.1:8080/events.atom"
interval = "5s"
jitter = "0s"
allow_empty = true
EOF
chmod -R a+rX "$work"
"$ENGINE" volume create "$name" >/dev/null
health=(--health-interval 2s)
[ "$ENGINE" = podman ] && health=(--health-interval disable)  # run below by hand: no systemd timers
"$ENGINE" run -d --name "$name" --read-only --tmpfs /tmp --stop-timeout "$GRACE" "${health[@]}" \
    -v "$name:/state" -v "$work/config:/config:ro" -p 127.0.0.1::8080 "$IMAGE" >/dev/null 2>>"$engine_log" \
    || fail "docker run: $(tail -3 "$engine_log")"
port=$("$ENGINE" port "$name" 8080 | head -1)
port=${port##*:}

python3 - "$port" <<'EOF' || fail "/healthz through 127.0.0.1:$port"
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/healthz"
deadline = time.monotonic() + 30
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            assert answer.status == 200 and answer.read() == b"ok\n"
            break
    except (OSError, AssertionError):
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
EOF
ok "/healthz answers 200 through the published port 127.0.0.1:$port"

if [ "$ENGINE" = podman ]; then
    podman healthcheck run "$name" >/dev/null 2>>"$engine_log" || fail "the image's HEALTHCHECK"
else
    for _ in $(seq 30); do
        [ "$(docker inspect --format '{{.State.Health.Status}}' "$name")" = healthy ] && break
        sleep 1
    done
    [ "$(docker inspect --format '{{.State.Health.Status}}' "$name")" = healthy ] || fail "the image's HEALTHCHECK"
fi
ok "the image's HEALTHCHECK passes"

ids=$("$ENGINE" exec "$name" id -u):$("$ENGINE" exec "$name" id -g)
[ "$ids" = 10001:10001 ] || fail "the daemon runs as $ids"
owner=$("$ENGINE" exec "$name" stat -c %u:%g /state/monitor.db)
[ "$owner" = 10001:10001 ] || fail "/state/monitor.db belongs to $owner"
ok "the daemon runs as 10001:10001 and owns /state/monitor.db"

for _ in $(seq 40); do  # the first check comes within the 5 s interval
    [[ "$("$ENGINE" logs "$name" 2>&1)" == *'"source": "own-feed", "outcome"'* ]] && break
    sleep 1
done

start=$(date +%s.%N)
"$ENGINE" stop -t "$GRACE" "$name" >/dev/null 2>>"$engine_log"
end=$(date +%s.%N)
stop_time=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
code=$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
awk -v t="$stop_time" -v g="$GRACE" 'BEGIN { exit !(t < g) }' || fail "stop took ${stop_time} s, grace $GRACE s"
[[ "$("$ENGINE" logs "$name" 2>&1)" == *'received SIGTERM, stopping'* ]] || fail "no SIGTERM in the log"
ok "SIGTERM: exit 0 in $stop_time s (grace $GRACE s)"

# What the daemon wrote outlives its container: a new one reads the check from the volume.
run -v "$name:/state" -v "$work/config:/config:ro" "$IMAGE" sources --json > "$work/sources.json" \
    || fail "sources --json on the volume"
python3 - "$work/sources.json" <<'EOF' || fail "no check of own-feed in the volume: $(cat "$work/sources.json")"
import json, sys
[row] = json.load(open(sys.argv[1]))
assert row["name"] == "own-feed" and row["last_check"] and row["last_error"] is None, row
EOF
ok "the state volume holds the daemon's successful check of own-feed"

size=$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE")
awk -v b="$size" 'BEGIN { printf "test-image: image size %.0f MB\n", b / 1e6 }'
echo "test-image: $passed passed, 0 failed"

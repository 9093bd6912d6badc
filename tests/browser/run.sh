#!/usr/bin/env bash
# Browser journeys and accessibility checks of Hyte in headless Chromium.
#
#   bash tests/browser/run.sh            # builds hyte (release) first
#   HYTE_BIN=/path/to/hyte bash tests/browser/run.sh
#
# Starts a throwaway Hyte (`hyte demo` on SQLite in a temporary folder, a free port on
# 127.0.0.1), adds the test users, runs the node test files with `node --test`, keeps
# screenshots in artifacts/browser/ (with the server log) and stops the server on exit.
# Exits non-zero if anything fails.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ARTIFACTS="$ROOT/artifacts/browser"
CHROMIUM="${HYTE_CHROMIUM:-/usr/bin/chromium}"

log() { printf 'browser tests: %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
  log "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing node and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi
log "$("$CHROMIUM" --version 2>/dev/null | tail -n1), node $(node --version)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# --- the binary ---------------------------------------------------------------------
if [ -n "${HYTE_BIN:-}" ]; then
  BIN="$HYTE_BIN"
else
  TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
  log "building hyte (release) into $TARGET"
  (cd "$ROOT" && cargo build --release -p hyte)
  BIN="$TARGET/release/hyte"
fi
[ -x "$BIN" ] || { log "no hyte binary at $BIN"; exit 1; }

# --- a throwaway instance -----------------------------------------------------------
TMP="$(mktemp -d -t hyte-browser.XXXXXX)"
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  mkdir -p "$ARTIFACTS"
  # the log, without the throwaway admin password
  [ -f "$TMP/server.log" ] && sed "s/password: .*/password: (redacted)/" "$TMP/server.log" >"$ARTIFACTS/server.log"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

DB="sqlite://$TMP/h.db"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"

"$BIN" migrate --database "$DB" >/dev/null
log "starting hyte demo on $URL"
"$BIN" demo --database "$DB" --addr "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

# Wait for /healthz (the demo data is loaded before the server listens).
node -e '
  const [url, pid] = process.argv.slice(1);
  const deadline = Date.now() + 300000;
  (async function poll() {
    try { process.kill(Number(pid), 0); } catch { console.error("hyte demo exited early"); process.exit(1); }
    try { const r = await fetch(url + "/healthz"); if (r.ok) process.exit(0); } catch {}
    if (Date.now() > deadline) { console.error("hyte did not answer /healthz in 300 s"); process.exit(1); }
    setTimeout(poll, 250);
  })();
' "$URL" "$SERVER_PID" || { cat "$TMP/server.log" >&2; exit 1; }

ADMIN_PASSWORD="$(sed -n 's/^ *password: *//p' "$TMP/server.log" | head -n1)"
[ -n "$ADMIN_PASSWORD" ] || { log "no admin password in the output of hyte demo"; cat "$TMP/server.log" >&2; exit 1; }

COORD_PASSWORD="koordinaattori-$RANDOM-$RANDOM"
READER_PASSWORD="lukija-$RANDOM-$RANDOM-x"
printf '%s\n' "$COORD_PASSWORD" | "$BIN" user add --database "$DB" --org KUNTA:016 --role coordinator \
  --email coord@asikkala.test --name "Kaija Koordinaattori" >/dev/null
printf '%s\n' "$READER_PASSWORD" | "$BIN" user add --database "$DB" --org KUNTA:398 --role reader \
  --email reader@lahti.test --name "Lauri Lukija" >/dev/null
# A second coordinator of Asikkala for journeys_coefficient.test.js (journeys.test.js
# changes the first one's password).
COEF_COORD_PASSWORD="hyte-koordinaattori-$RANDOM-$RANDOM"
printf '%s\n' "$COEF_COORD_PASSWORD" | "$BIN" user add --database "$DB" --org KUNTA:016 --role coordinator \
  --email hyte-coord@asikkala.test --name "Hilkka Hyte" >/dev/null

# A report with a live indicator block made through the JSON API, so the page-wide
# checks (axe, CSP) have report pages to visit whatever order the test files run in:
# report 1, its fifth section "Lapset ja lapsiperheet" (section 5).
ADMIN_TOKEN="$("$BIN" token create --database "$DB" --user admin@hyte.local --name browser-tests | grep -o 'hyte_[0-9a-f]*' | head -n1)"
python3 - "$URL" "$ADMIN_TOKEN" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
def call(method, path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
rep = call("POST", "/api/v1/organisations/KUNTA:016/reports",
           {"kind": "term_report", "title": "Hyvinvointikertomus 2021–2025", "term_start": 2021, "term_end": 2025, "template": "thl"})
rid = rep.get("id") or rep.get("report", {}).get("id")
assert rid == 1, f"expected report 1, got {rep}"
call("PUT", "/api/v1/reports/1/sections/5/text",
     {"base_revision": 0, "body": "Lasten ja perheiden hyvinvointi.\n\n{{indicator 2328 chart=trend}}\n\n{{indicator 2328 chart=compare}}\n"})
# A welfare plan with one goal, an action and its progress this year (within the term),
# so the plan pages and the public report's plan section have content to check.
import datetime
year = min(max(datetime.date.today().year, 2021), 2025)
goal = call("POST", "/api/v1/reports/1/plan/goals",
            {"title": "Lasten ja nuorten liikunta lisääntyy", "description": "Liikkuminen arjessa yleistyy.",
             "tags": ["children_youth"]})
action = call("POST", f"/api/v1/reports/1/plan/goals/{goal['id']}/actions",
              {"title": "Liikuntakerhot kouluihin", "sector": "education", "responsible": "Sivistysjohtaja",
               "start_year": year, "end_year": year,
               "resources": [{"year": year, "euros": 12000, "person_years": 0.3}]})
call("PUT", f"/api/v1/reports/1/plan/actions/{action['id']}/progress/{year}",
     {"status": "in_progress", "narrative": "Kerhot alkoivat kolmessa koulussa."})
# Approved by the council (frozen version 1) and published, so the public pages serve
# that frozen version to the page checks whatever order the files run in.
for move in ({"move": "start_commenting"}, {"move": "to_board"},
             {"move": "council_approve", "decision_date": "2026-05-18", "minutes_section": "§ 45"},
             {"move": "publish"}):
    call("POST", "/api/v1/reports/1/approval/transitions", move)
PY

export HYTE_URL="$URL" HYTE_ARTIFACTS="$ARTIFACTS" HYTE_CHROMIUM="$CHROMIUM"
export HYTE_ADMIN_EMAIL="admin@hyte.local" HYTE_ADMIN_PASSWORD="$ADMIN_PASSWORD"
export HYTE_COORD_EMAIL="coord@asikkala.test" HYTE_COORD_PASSWORD="$COORD_PASSWORD" HYTE_COORD_NAME="Kaija Koordinaattori"
export HYTE_COEF_COORD_EMAIL="hyte-coord@asikkala.test" HYTE_COEF_COORD_PASSWORD="$COEF_COORD_PASSWORD"
export HYTE_READER_EMAIL="reader@lahti.test" HYTE_READER_PASSWORD="$READER_PASSWORD" HYTE_READER_NAME="Lauri Lukija"

# --- the tests ----------------------------------------------------------------------
# Files run one after another (they share the instance); `timeout` bounds the run.
cd "$HERE"
set +e
# journeys*.test.js: one file per capability (journeys_<name>.test.js), in name order.
timeout 900 node --test --test-concurrency=1 journeys*.test.js a11y.test.js csp.test.js
RC=$?
set -e
log "screenshots: $ARTIFACTS ($(find "$ARTIFACTS" -name '*.png' | wc -l) files)"
exit "$RC"

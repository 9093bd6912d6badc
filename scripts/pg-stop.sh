#!/usr/bin/env bash
# Stops a cluster started by scripts/pg-start.sh and removes its directory.
#   bash scripts/pg-stop.sh DIR
set -euo pipefail

dir=${1:?usage: pg-stop.sh DIR}
[ -d "$dir" ] || exit 0
if [ ! -f "$dir/data/PG_VERSION" ] && [ ! -f "$dir/initdb.log" ]; then
    echo "pg-stop: $dir is not a cluster made by pg-start.sh; leaving it alone" >&2
    exit 1
fi
if [ -f "$dir/bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    bin=$(cat "$dir/bin")
    as_pg=()
    if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
fi
rm -rf "$dir"

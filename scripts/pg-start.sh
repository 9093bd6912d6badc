#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and prints its maintenance URL.
#
#   url=$(bash scripts/pg-start.sh DIR)      # DIR: an empty or new directory
#   export HYTE_TEST_POSTGRES_URL=$url        # the test suite makes one database per test
#   bash scripts/pg-stop.sh DIR               # stops the cluster and removes DIR
#
# The cluster listens on 127.0.0.1 only, on a free port, with its socket in DIR and
# trust authentication; durability is switched off (it is thrown away). initdb refuses
# to run as root, so as root the cluster runs as the `postgres` user (created if
# missing); DIR's parent directories must then be traversable by that user (/tmp is).
# Binaries: PATH, /usr/local/bin, then the newest /usr/lib/postgresql/*/bin.
set -euo pipefail

dir=${1:?usage: pg-start.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

bin=""
candidates=()
if command -v initdb >/dev/null 2>&1; then
    candidates+=("$(dirname "$(command -v initdb)")")
fi
candidates+=(/usr/local/bin)
while IFS= read -r d; do candidates+=("$d"); done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
for d in "${candidates[@]}"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bin=$d; break; fi
done
if [ -z "$bin" ]; then
    echo "pg-start: initdb/pg_ctl not found (PATH, /usr/local/bin, /usr/lib/postgresql/*/bin)" >&2
    exit 1
fi

as_pg=()
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "pg-start: creating the system user 'postgres'" >&2
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    chown postgres: "$dir"
    as_pg=(runuser -u postgres --)
fi

if ! "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1; then
    echo "pg-start: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for attempt in 1 2 3; do
    port=$(free_port)
    if "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >"$dir/pg_ctl.log" 2>&1; then
        echo "$bin" >"$dir/bin"
        echo "$port" >"$dir/port"
        echo "pg-start: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $dir)" >&2
        echo "postgres://postgres@127.0.0.1:$port/postgres"
        exit 0
    fi
    echo "pg-start: start on port $port failed (attempt $attempt):" >&2
    cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2 2>/dev/null || true
done
exit 1

#!/usr/bin/env bash
# with_pg.sh CMD [ARGS...] - run CMD beside a throwaway PostgreSQL 15.
#
# initdb in a temporary directory (as the unprivileged system user
# "postgres" when run as root, as the caller otherwise), the server
# listening only on a unix socket in that directory (no TCP), trust
# authentication for the superuser "hwall", fsync off (a test cluster;
# HWALL_PG_FSYNC=on for benchmarks), HWALL_PG_MAX_CONNECTIONS (120).
# CMD gets in its environment:
#   HWALL_TEST_PG        libpq connection string of database "postgres"
#   HWALL_TEST_PG_DIR    the socket directory (host=)
#   HWALL_TEST_PG_STOP   a shell command: stop the server at once
#                        (pg_ctl -m immediate: no clean shutdown, as a crash)
#   HWALL_TEST_PG_START  a shell command: start it again (crash recovery)
# The server is stopped and the directory removed on exit, whatever CMD
# did (trap).  CMD's exit status is this script's.
set -euo pipefail

PGBIN=${HWALL_PG_BIN:-/usr/lib/postgresql/15/bin}
[[ -x $PGBIN/initdb ]] || { echo "with_pg: no PostgreSQL 15 in $PGBIN (scripts/setup-deps.sh)" >&2; exit 77; }

dir=$(mktemp -d /tmp/hwall-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
	chown postgres: "$dir"
	as_pg=(runuser -u postgres --)
fi
cleanup() {
	"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$PGBIN/initdb" -D "$dir/data" -U hwall -A trust -E UTF8 --locale=C \
	--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
opts="-k $dir -c listen_addresses= -c fsync=${HWALL_PG_FSYNC:-off} -c max_connections=${HWALL_PG_MAX_CONNECTIONS:-120} -c shared_buffers=16MB"
start="${as_pg[*]} $PGBIN/pg_ctl -D $dir/data -l $dir/server.log -w -o '$opts' start"
stop="${as_pg[*]} $PGBIN/pg_ctl -D $dir/data -m immediate -w stop"
eval "$start" >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export HWALL_TEST_PG="host=$dir user=hwall dbname=postgres"
export HWALL_TEST_PG_DIR=$dir
export HWALL_TEST_PG_STOP="$stop >/dev/null 2>&1"
export HWALL_TEST_PG_START="$start >/dev/null 2>&1"
rc=0
"$@" || rc=$?
exit $rc

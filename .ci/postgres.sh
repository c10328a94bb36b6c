# Sourced by .ci/run: starts a throwaway PostgreSQL cluster for the tests and exports
# HALOLEADS_TEST_DATABASE_URL. Installs Debian's postgresql package when it is missing. The
# cluster lives in a temporary directory, listens only on a unix socket there, runs as the
# postgres user when we are root (PostgreSQL refuses to run as root), and is stopped and removed
# on exit.

haloleads_pg_start() {
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		if [ "$(id -u)" != 0 ]; then
			echo "PostgreSQL is not installed and we are not root: PostgreSQL tests will skip" >&2
			return 0
		fi
		echo "installing PostgreSQL from Debian's packages"
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	fi
	local bin
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
	HALOLEADS_PG_DIR=$(mktemp -d /tmp/haloleads-pg.XXXXXX)
	chmod 755 "$HALOLEADS_PG_DIR"
	local as=()
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$HALOLEADS_PG_DIR"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$bin/initdb" -D "$HALOLEADS_PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$HALOLEADS_PG_DIR/initdb.log"
	trap haloleads_pg_stop EXIT
	"${as[@]}" "$bin/pg_ctl" -D "$HALOLEADS_PG_DIR/data" -l "$HALOLEADS_PG_DIR/server.log" -w -s \
		-o "-k $HALOLEADS_PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start
	HALOLEADS_PG_BIN=$bin
	export HALOLEADS_TEST_DATABASE_URL="postgres://postgres@/postgres?host=$HALOLEADS_PG_DIR&sslmode=disable"
	echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests at $HALOLEADS_PG_DIR"
}

haloleads_pg_stop() {
	[ -n "${HALOLEADS_PG_DIR:-}" ] || return 0
	local as=()
	[ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
	"${as[@]}" "$HALOLEADS_PG_BIN/pg_ctl" -D "$HALOLEADS_PG_DIR/data" -m immediate -w -s stop || true
	rm -rf "$HALOLEADS_PG_DIR"
}

haloleads_pg_start

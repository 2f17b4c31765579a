#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL cluster for tests.
#
# Why: the PostgreSQL driver and the API tests need a real server, but not
# the machine's own cluster. This makes a private one in a directory of the
# caller's choosing, trusting local connections as user "weibao", listening
# only on 127.0.0.1, with durability switched off (fsync, synchronous_commit,
# full_page_writes) because test data is disposable and speed matters.
#
# PostgreSQL refuses to run as root, so when run as root the server commands
# run as the "postgres" OS user and DIR is handed to that user.
#
# Usage:
#   scripts/pg-test.sh start DIR PORT          prints postgresql://weibao@127.0.0.1:PORT/
#   scripts/pg-test.sh stop DIR                no error if not running
#   scripts/pg-test.sh createdb DIR PORT NAME  (re)creates NAME, prints its URL
#
# Every command is idempotent. Only URLs go to stdout; diagnostics go to stderr.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_NAME=weibao
CONF_NAME=weibao-test.conf
WAIT_SECONDS=30

die() {
	echo "pg-test: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 start DIR PORT | stop DIR | createdb DIR PORT NAME" >&2
	exit 2
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# Runs a server command as the postgres OS user when we are root.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

check_port() {
	if ! [[ "$1" =~ ^[0-9]{1,5}$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
		die "invalid port: $1"
	fi
}

# Prints DIR as an absolute path (it must exist).
abs_dir() {
	(cd "$1" && pwd -P)
}

# Whether a server is running on the cluster in $1.
is_running() {
	[ -f "$1/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

wait_ready() {
	local port=$1 deadline=$((SECONDS + WAIT_SECONDS))

	until "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; do
		[ "$SECONDS" -lt "$deadline" ] ||
			die "server on 127.0.0.1:$port not ready after ${WAIT_SECONDS}s"
		sleep 0.2
	done
}

cmd_start() {
	local dir port locale_opt out running_port conf

	dir=$1
	port=$2
	check_port "$port"
	[ -x "$PGBIN/initdb" ] || die "no PostgreSQL binaries in $PGBIN (set PGBIN)"
	mkdir -p -- "$dir"
	dir=$(abs_dir "$dir")
	if is_root; then
		id postgres >/dev/null 2>&1 || die "no postgres OS user"
		chown postgres:postgres "$dir"
		runuser -u postgres -- test -w "$dir" -a -x "$dir" ||
			die "$dir is not reachable by the postgres user (check the parent directories)"
	fi
	chmod 700 "$dir"

	if is_running "$dir"; then
		running_port=$(sed -n 4p "$dir/postmaster.pid" 2>/dev/null || true)
		[ "$running_port" = "$port" ] ||
			die "a server already runs on $dir with port ${running_port:-?}; stop it first"
		wait_ready "$port"
		echo "postgresql://$PGUSER_NAME@127.0.0.1:$port/"
		return 0
	fi

	if [ ! -f "$dir/PG_VERSION" ]; then
		[ -z "$(ls -A "$dir")" ] || die "$dir is neither empty nor a PostgreSQL cluster"
		if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
			locale_opt=--locale=C.UTF-8
		else
			locale_opt=--no-locale
		fi
		if ! out=$(as_pg "$PGBIN/initdb" -D "$dir" -A trust -U "$PGUSER_NAME" \
			--encoding=UTF8 "$locale_opt" 2>&1); then
			echo "$out" >&2
			die "initdb failed in $dir"
		fi
	fi

	# Settings live in their own file, rewritten on every start, included
	# once from postgresql.conf.
	conf="$dir/$CONF_NAME"
	{
		echo "# Written by scripts/pg-test.sh: throwaway test cluster."
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '${dir//\'/\'\'}'"
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "full_page_writes = off"
		echo "max_connections = 200"
	} >"$conf"
	if is_root; then
		chown postgres:postgres "$conf"
	fi
	grep -qxF "include_if_exists = '$CONF_NAME'" "$dir/postgresql.conf" ||
		echo "include_if_exists = '$CONF_NAME'" | as_pg tee -a "$dir/postgresql.conf" >/dev/null

	if ! as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t "$WAIT_SECONDS" -s start >&2; then
		tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
		die "server failed to start (log: $dir/server.log)"
	fi
	wait_ready "$port"
	echo "postgresql://$PGUSER_NAME@127.0.0.1:$port/"
}

cmd_stop() {
	local dir=$1

	[ -d "$dir" ] || return 0
	dir=$(abs_dir "$dir")
	is_running "$dir" || return 0
	as_pg "$PGBIN/pg_ctl" -D "$dir" -m fast -w -t "$WAIT_SECONDS" -s stop >&2
}

cmd_createdb() {
	local dir=$1 port=$2 name=$3

	check_port "$port"
	[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] || die "invalid database name: $name"
	if [ ! -d "$dir" ] || ! is_running "$(abs_dir "$dir")"; then
		die "no server running on $dir (start it first)"
	fi
	wait_ready "$port"
	PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PGUSER_NAME" -d postgres \
		-c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
		-c "CREATE DATABASE \"$name\" ENCODING 'UTF8' TEMPLATE template0" >&2 ||
		die "cannot create database $name"
	echo "postgresql://$PGUSER_NAME@127.0.0.1:$port/$name"
}

[ $# -ge 1 ] || usage
case "$1" in
start)
	[ $# -eq 3 ] || usage
	cmd_start "$2" "$3"
	;;
stop)
	[ $# -eq 2 ] || usage
	cmd_stop "$2"
	;;
createdb)
	[ $# -eq 4 ] || usage
	cmd_createdb "$2" "$3" "$4"
	;;
*)
	usage
	;;
esac

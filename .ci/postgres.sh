#!/usr/bin/env bash
# A PostgreSQL server for the class board's tests (Debian's postgresql package).
# Prints the URL to use as PLAYGROUND_TEST_PG. A running cluster is reused; the test database
# is made anew.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq postgresql) >&2
fi
ver=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
name=$(pg_lsclusters -h | awk 'NR==1 {print $2}')
if [ -z "$ver" ]; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1); name=main
  pg_createcluster "$ver" "$name" >&2
fi
port=$(pg_lsclusters -h | awk -v v="$ver" -v n="$name" '$1==v && $2==n {print $3}')
pg_ctlcluster "$ver" "$name" status >/dev/null 2>&1 || pg_ctlcluster "$ver" "$name" start >&2
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -p "$port" && break; sleep 1
done
psql_() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAc "$1"; }
[ "$(psql_ "SELECT 1 FROM pg_roles WHERE rolname='playground'")" = "1" ] ||
  psql_ "CREATE ROLE playground LOGIN PASSWORD 'playground' CREATEDB" >&2
psql_ "DROP DATABASE IF EXISTS playground_test WITH (FORCE)" >&2   # every test run starts empty
psql_ "CREATE DATABASE playground_test OWNER playground" >&2
echo "postgresql://playground:playground@127.0.0.1:${port}/playground_test"

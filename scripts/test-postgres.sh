#!/usr/bin/env bash
# Prepares the machine's PostgreSQL 15 for the store tests and prints the
# DSN to export as TEST_POSTGRES_DSN. Idempotent; run as root.
#
#   export TEST_POSTGRES_DSN=$(scripts/test-postgres.sh)
#   TEST_POSTGRES_REQUIRED=1 go test ./internal/store/...
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
ROLE=razmena
PASSWORD=razmena
DATABASE=razmena_test

psql_admin() {
	# From / so that psql, running as postgres, may enter its working directory.
	(cd / && su postgres -c "psql -p ${PG_PORT} -v ON_ERROR_STOP=1 -qtA $*")
}

if ! pg_ctlcluster "${PG_VERSION}" "${PG_CLUSTER}" status >/dev/null 2>&1; then
	pg_ctlcluster "${PG_VERSION}" "${PG_CLUSTER}" start >&2
fi

for _ in $(seq 1 60); do
	if pg_isready -q -h 127.0.0.1 -p "${PG_PORT}"; then
		break
	fi
	sleep 1
done
if ! pg_isready -q -h 127.0.0.1 -p "${PG_PORT}"; then
	echo "test-postgres: PostgreSQL ${PG_VERSION}/${PG_CLUSTER} does not accept connections" >&2
	exit 1
fi

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'\"")" != "1" ]; then
	psql_admin "-c \"CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'\"" >&2
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'\"")" != "1" ]; then
	psql_admin "-c \"CREATE DATABASE ${DATABASE} OWNER ${ROLE}\"" >&2
fi

echo "postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PG_PORT}/${DATABASE}?sslmode=disable"

#!/bin/sh
# First start of the PostgreSQL container (postgres:15 in docker-compose.yml, bitnami/postgresql:15 in
# docker-compose.prod.yml): one role and one database per service and for the gateway (people's accounts
# and sessions), each role with its own password (LIANBAO_DB_PASSWORD_<SERVICE>, from .env written by
# `lianbao secrets init`). The services never connect as the superuser.
set -eu
admin="${POSTGRES_USER:-${POSTGRESQL_USERNAME:-postgres}}"
if [ -n "${POSTGRESQL_PASSWORD:-}" ]; then   # bitnami: the superuser connects with its password
  PGPASSWORD="$POSTGRESQL_PASSWORD"; export PGPASSWORD
fi
for svc in roster scoring survey training rewards gateway; do
  var="LIANBAO_DB_PASSWORD_$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
  eval "password=\${$var:?$var is not set: run lianbao secrets init}"
  psql -v ON_ERROR_STOP=1 --username "$admin" --dbname postgres \
       -v role="$svc" -v password="$password" -v db="lianbao_$svc" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done

#!/bin/sh
# First start of the PostgreSQL container: one role and one database per service, each role with its
# own password (LIANBAO_DB_PASSWORD_<SERVICE>, from .env written by `lianbao secrets init`).
set -eu
for svc in roster scoring survey training rewards; do
  var="LIANBAO_DB_PASSWORD_$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
  eval "password=\${$var:?$var is not set: run lianbao secrets init}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$svc" -v password="$password" -v db="lianbao_$svc" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done

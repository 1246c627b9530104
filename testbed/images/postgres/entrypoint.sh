#!/bin/sh
# Postgres entrypoint for the test bed, honouring the official image's variables: POSTGRES_USER
# (default postgres), POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust) and
# POSTGRES_DB (default: the user). The password reaches initdb through a 0600 file, never argv.
set -eu

# Like the official image: `docker run postgres -c x=y` means "postgres -c x=y".
case "${1:-}" in -*) set -- postgres "$@" ;; esac

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export PGDATA
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
AUTH="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

if [ "${1:-}" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  # From 18 PGDATA sits one level below the volume (18/docker): the per-major directory is the server's too.
  chown postgres:postgres "$(dirname "$PGDATA")"
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # Like the official 18+ images: data mounted at the pre-18 path would be ignored and a new, empty
  # cluster made beside it, so refuse instead.
  old=/var/lib/postgresql/data
  if [ "$PGDATA" != "$old" ] && { [ -s "$old/PG_VERSION" ] || grep -q " $old " /proc/self/mountinfo; }; then
    echo "Error: this image keeps its data in $PGDATA (a volume mounted at /var/lib/postgresql), but" >&2
    echo "       something is mounted at $old, the data directory of Postgres 17 and older." >&2
    echo "       Mount the volume at /var/lib/postgresql; data of an older major needs pg_upgrade first." >&2
    exit 1
  fi
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH" != trust ]; then
    echo "Error: POSTGRES_PASSWORD is not set. Set it, or POSTGRES_HOST_AUTH_METHOD=trust." >&2
    exit 1
  fi
  template=/usr/local/share/engram-testbed/cluster
  if [ "$POSTGRES_USER" = engram ] && [ "$AUTH" = scram-sha-256 ] && [ -s "$template/PG_VERSION" ]; then
    # The build made this cluster with the same initdb settings; only the password differs. psql reads
    # it from the environment and quotes it itself, so it is never on a command line.
    cp -a "$template/." "$PGDATA/"
    copied=true
  else
    copied=false
    pwfile=$(mktemp)
    trap 'rm -f "$pwfile"' EXIT
    chmod 600 "$pwfile"
    printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host="$AUTH" >/dev/null
    rm -f "$pwfile"
    trap - EXIT
    printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    printf 'host all all all %s\n' "$AUTH" >>"$PGDATA/pg_hba.conf"
  fi
  if [ "$copied" = true ] || [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$copied" = true ]; then
      printf '%s\n' '\getenv pw POSTGRES_PASSWORD' 'ALTER ROLE engram PASSWORD :'"'"'pw'"'"';' |
        psql -v ON_ERROR_STOP=1 --username engram --dbname postgres -q >/dev/null
    fi
    if [ "$POSTGRES_DB" != postgres ]; then
      psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -q \
        -c "CREATE DATABASE \"$POSTGRES_DB\"" >/dev/null
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"

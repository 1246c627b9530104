#!/bin/sh
# Stand-in for the release image's entrypoint: the same steps in the same order, each a separate
# `bin/engram eval`, and any failure stops the container (set -e) before the command runs.
set -e

if [ "${ENGRAM_DB_RESET_BASELINE:-}" = "true" ]; then
  echo "[entrypoint] ENGRAM_DB_RESET_BASELINE=true — running one-shot baseline reset"
  /app/bin/engram eval "Engram.Release.reset_baseline()"
fi

/app/bin/engram eval "Engram.Release.prepare_database()"
/app/bin/engram eval "Engram.Release.migrate()"
/app/bin/engram eval "Engram.Release.verify_schema_baseline()"

exec "$@"

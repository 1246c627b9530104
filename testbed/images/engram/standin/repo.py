"""The Repo: database connections (psycopg2) with Postgrex-style errors."""
import time

import psycopg2
import psycopg2.errorcodes


class RepoError(Exception):
    """Raised as `** (Postgrex.Error) ERROR <code> (<name>) <message>`."""

    def __init__(self, pg_error):
        code = getattr(pg_error, "pgcode", None) or "XX000"
        name = (psycopg2.errorcodes.lookup(code) or "internal_error").lower()
        detail = (getattr(pg_error, "pgerror", None) or str(pg_error)).strip()
        if detail.startswith("ERROR:"):
            detail = detail[len("ERROR:"):].strip()
        detail = detail.splitlines()[0] if detail else ""
        super().__init__("ERROR %s (%s) %s" % (code, name, detail))


class ConnectionFailed(Exception):
    pass


def connect(db, attempts=20):
    last = None
    for _ in range(attempts):
        try:
            conn = psycopg2.connect(host=db["host"], port=db["port"], user=db["user"],
                                    password=db["password"], dbname=db["dbname"], connect_timeout=3,
                                    application_name="engram")
            return conn
        except psycopg2.OperationalError as err:
            last = err
            time.sleep(0.5)
    # psycopg2 messages name host and port, never the password.
    reason = str(last).strip().splitlines()[0] if last else "unknown"
    raise ConnectionFailed("connection not available and request was dropped from queue (%s:%s): %s"
                           % (db["host"], db["port"], reason))

"""Stand-in for the Engram release's `bin/engram`: start, eval, rpc, version.

Behaves like the real release from the outside (see testbed/README.md). Test-only fault switches all
start with ENGRAM_STANDIN_ and are documented there."""
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time

import config
from log import crash, log, plain

VSN = config.RELEASE["version"]
PID_FILE = "/tmp/engram.pid"
FAULT = "ENGRAM_STANDIN_"


def _faults_apply():
    """ENGRAM_STANDIN_ONLY_VERSION limits every switch to one release, so a test can arm a fault in
    .env before an upgrade that only the new version trips over."""
    only = os.environ.get(FAULT + "ONLY_VERSION", "").strip()
    return not only or only == VSN


def fault_int(name):
    value = os.environ.get(FAULT + name, "") if _faults_apply() else ""
    return int(value) if value.strip() else 0


def fault_flag(name):
    return _faults_apply() and os.environ.get(FAULT + name, "").lower() in ("1", "true", "yes")


def frames(*fns):
    return ["(engram %s) lib/engram/release.ex: %s" % (VSN, f) for f in fns] + [
        "(stdlib 6.2.2) erl_eval.erl:919: :erl_eval.do_apply/7",
        "(elixir 1.17.3) lib/code.ex:572: Code.validated_eval_string/3",
    ]


def die(kind, message, *fns):
    crash(kind, message, frames(*fns))
    sys.exit(1)


def load_config():
    try:
        return config.load()
    except config.ConfigError as err:
        crash("RuntimeError", str(err), ["(elixir 1.17.3) lib/config/reader.ex: Config.Reader.read!/2"])
        sys.exit(1)


def open_repo(cfg):
    from repo import ConnectionFailed, connect

    try:
        return connect(cfg["database"])
    except ConnectionFailed as err:
        die("DBConnection.ConnectionError", str(err), "Engram.Repo.start_link/1")


# --- Engram.Release ------------------------------------------------------------------------------

def prepare_database(cfg):
    conn = open_repo(cfg)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = 'engram_app'")
            if cur.fetchone() is None:
                cur.execute("CREATE ROLE engram_app NOINHERIT LOGIN")
            cur.execute("GRANT USAGE ON SCHEMA public TO engram_app")
            cur.execute("ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO engram_app")
            cur.execute("ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER GRANT SELECT, USAGE ON SEQUENCES TO engram_app")
    except Exception as err:  # psycopg2.Error
        from repo import RepoError

        die("Postgrex.Error", str(RepoError(err)), "Engram.Release.prepare_database/0")


def terms_id_type(cur):
    cur.execute("SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = 'terms_versions' AND column_name = 'id'")
    row = cur.fetchone()
    return row[0] if row else None


def verify_schema_baseline(cfg):
    conn = open_repo(cfg)
    with conn.cursor() as cur:
        kind = terms_id_type(cur)
    if kind in ("integer", "bigint"):
        die("RuntimeError", "Schema baseline check FAILED: terms_versions.id is %s, expected uuid. "
            "This database predates the uuid baseline; see ENGRAM_DB_RESET_BASELINE." % kind,
            "Engram.Release.verify_schema_baseline/0")


def reset_baseline(cfg):
    conn = open_repo(cfg)
    conn.autocommit = True
    with conn.cursor() as cur:
        if terms_id_type(cur) in ("integer", "bigint"):
            log("warning", "reset_baseline: integer primary keys found; dropping schema public")
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public")
        else:
            log("info", "reset_baseline: schema already on the uuid baseline; nothing to do")


def run_migrations(cfg, direction, to_version=None):
    import migrations

    conn, lock_conn = open_repo(cfg), open_repo(cfg)
    try:
        if direction == "up":
            migrations.migrate(conn, lock_conn, fail_at=fault_int("FAIL_AT_MIGRATION") or None,
                               delay_ms=fault_int("MIGRATION_DELAY_MS"),
                               requires=config.RELEASE.get("requiresApplied"))
        else:
            migrations.rollback(conn, lock_conn, to_version, delay_ms=fault_int("MIGRATION_DELAY_MS"))
    except migrations.MigrationFailed as err:
        crash(err.kind, str(err), ["(ecto_sql 3.14.0) lib/ecto/migration/runner.ex: Ecto.Migration.Runner.run/8",
                                   "(ecto_sql 3.14.0) lib/ecto/migrator.ex: Ecto.Migrator.run_maybe_in_transaction/5"]
              + frames("Engram.Release.%s/%d" % ("migrate" if direction == "up" else "rollback", 0 if direction == "up" else 2)))
        sys.exit(1)


def parse_integer(text):
    text = text.strip()
    if re.fullmatch(r"-?\d+(_\d+)*", text):
        return int(text.replace("_", ""))
    return None


def do_eval(expr):
    expr = expr.strip()
    simple = {
        "Engram.Release.migrate()": lambda c: run_migrations(c, "up"),
        "Engram.Release.prepare_database()": prepare_database,
        "Engram.Release.verify_schema_baseline()": verify_schema_baseline,
        "Engram.Release.reset_baseline()": reset_baseline,
    }
    if expr in simple:
        simple[expr](load_config())
        return
    m = re.fullmatch(r"Engram\.Release\.rollback\(\s*Engram\.Repo\s*,\s*(.+?)\s*\)", expr, re.S)
    if m:
        cfg = load_config()
        version = parse_integer(m.group(1))
        if version is None:
            die("FunctionClauseError", "no function clause matching in Ecto.Migrator.pending_to/4 (to: %s)" % m.group(1)[:80],
                "Engram.Release.rollback/2")
        run_migrations(cfg, "down", version)
        return
    die("UndefinedFunctionError", "could not evaluate expression: %s" % expr[:120])


# --- Preflight (over rpc) ------------------------------------------------------------------------

def node_running():
    try:
        with open(PID_FILE) as fh:
            os.kill(int(fh.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def detect_phase(source):
    # Reads `# phase: <name>` only, so files that write `# phase/expand — …` report unknown.
    m = re.search(r"^\s*#\s*phase:\s*(\S+)", source, re.M)
    return m.group(1) if m else "unknown"


def preflight(cfg):
    import migrations

    conn = open_repo(cfg)
    done = migrations.applied(conn) if migrations.table_exists(conn) else []
    pending = [m for m in migrations.known() if m.version not in set(done)]
    if not pending:
        plain("No pending migrations. Database is at the latest version.")
        plain("(Already-run migrations: %d)" % len(done))
        return
    plain("PENDING MIGRATIONS (%d):" % len(pending))
    for m in pending:
        plain("  %d  %s" % (m.version, m.slug))
        plain("    phase: %s  irreversible: %s  lock_risk: %s" % (
            detect_phase(m.source), "true" if m.irreversible_marker else "false",
            "low" if m.ddl_transaction else "medium"))
    plain("Already-run: %d" % len(done))
    if any(m.irreversible_marker for m in pending):
        plain("Rollback unavailable: a pending migration is marked # rollback-irreversible; restore a backup instead.")
    elif done:
        plain("Rollback hint: bin/engram eval 'Engram.Release.rollback(Engram.Repo, %d)'" % max(done))
    else:
        plain("Rollback unavailable: no migrations have run yet.")


def do_rpc(expr):
    if not node_running():
        plain("--rpc-eval : RPC failed with reason :nodedown", stream=sys.stderr)
        sys.exit(1)
    if expr.strip() == "Engram.Release.Preflight.run()":
        if not config.RELEASE.get("preflightRpc"):
            die("UndefinedFunctionError", "function Engram.Release.Preflight.run/0 is undefined "
                "(module Engram.Release.Preflight is not available)")
        preflight(load_config())
        return
    die("UndefinedFunctionError", "could not evaluate expression: %s" % expr[:120])


# --- start ---------------------------------------------------------------------------------------

def master_key():
    raw = os.environ.get("ENCRYPTION_MASTER_KEY", "")
    if not raw:
        return None, "ENCRYPTION_MASTER_KEY is not set"
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        return None, "ENCRYPTION_MASTER_KEY is not valid base64"
    if len(key) != 32:
        return None, "ENCRYPTION_MASTER_KEY must decode to 32 bytes, got %d" % len(key)
    return key, None


def app_start_failed(reason):
    log("error", "Application engram exited: " + reason, application="engram")
    plain("Kernel pid terminated (application_controller) "
          "({application_start_failure,engram,{bad_return,{{'Elixir.Engram.Application',start,[normal,[]]},"
          "{error,%s}}}})" % json.dumps(reason), stream=sys.stderr)
    plain("Crash dump is being written to: /dev/null...done", stream=sys.stderr)
    sys.exit(1)


def boot_canary(conn, key):
    """The newest canary must verify with the current key; an empty table gets one provisioned."""
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT nonce, check_value FROM system_canaries ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
        if row is None:
            nonce = secrets.token_hex(16)
            value = hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()
            cur.execute("INSERT INTO system_canaries (nonce, check_value) VALUES (%s, %s)", (nonce, value))
            log("warning", "BootCanaryGuard: no canary found; provisioned one with the current master key",
                application="engram")
            return None
        expected = hmac.new(key, row[0].encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, row[1]):
            return "boot canary check failed: ENCRYPTION_MASTER_KEY does not unwrap the newest system canary"
    return None


def health_body(cfg, deep):
    from repo import connect

    if deep:
        try:
            conn = connect(cfg["database"], attempts=1)
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
            conn.close()
            return 200, {"status": "ok", "checks": {"postgres": "ok"}}
        except Exception as err:  # any failure is a degraded check
            return 503, {"status": "degraded", "checks": {"postgres": "error: " + str(err).splitlines()[0][:200]}}
    if fault_flag("NEVER_HEALTHY"):
        return 503, {"status": "starting"}
    return 200, {"status": "ok", "version": VSN, "build_sha": os.environ.get("RELEASE_SHA") or None}


def serve(cfg):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path in ("/api/health", "/api/health/deep"):
                status, body = health_body(cfg, path.endswith("/deep"))
            else:
                status, body = 404, {"errors": {"detail": "Not Found"}}
            data = json.dumps(body, separators=(",", ":")).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            log("info", "GET %s" % self.path, request_id=secrets.token_hex(8))

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6
        daemon_threads = True

    try:
        httpd = Server(("::", cfg["port"]), Handler)
    except OSError:
        Server.address_family = socket.AF_INET
        httpd = Server(("0.0.0.0", cfg["port"]), Handler)
    return httpd


def start():
    # Like the VM, the release handles SIGTERM from its first moment: a stop while it boots ends the boot
    # at once (PID 1 without a handler would ignore it, and `docker stop` would wait out its timeout).
    def stop_booting(signum, _frame):
        log("notice", "SIGTERM received - shutting down", application="engram")
        os._exit(0)

    signal.signal(signal.SIGTERM, stop_booting)
    cfg = load_config()
    conn = open_repo(cfg)
    log("info", "Engram %s starting" % VSN, application="engram")
    key, problem = master_key()
    if problem:
        app_start_failed(problem)
    if os.environ.get("BOOT_CANARY_ENABLED", "true").lower() != "false":
        problem = boot_canary(conn, key)
        if problem:
            app_start_failed(problem)
    if config.RELEASE.get("startFailure"):
        app_start_failed(config.RELEASE["startFailure"])
    if fault_int("BOOT_DELAY_MS"):
        time.sleep(fault_int("BOOT_DELAY_MS") / 1000.0)
    httpd = serve(cfg)
    with open(PID_FILE, "w") as fh:
        fh.write(str(os.getpid()))
    log("info", "Running EngramWeb.Endpoint with Bandit 1.6.7 at :::%d (http)" % cfg["port"], application="engram")
    url = "%s://%s:%s" % (os.environ.get("PHX_SCHEME", "http"), os.environ.get("PHX_HOST", "localhost"),
                          os.environ.get("PHX_PORT", cfg["port"]))
    log("info", "Access EngramWeb.Endpoint at %s" % url, application="engram")

    def stop(signum, _frame):
        log("notice", "SIGTERM received - shutting down", application="engram")
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    crash_after = fault_int("CRASH_AFTER_BOOT_MS")
    if crash_after:
        def boom():
            time.sleep(crash_after / 1000.0)
            app_start_failed_after_boot()
        threading.Thread(target=boom, daemon=True).start()
    httpd.serve_forever()
    os.unlink(PID_FILE)


def app_start_failed_after_boot():
    log("error", "GenServer Engram.Sync.Coordinator terminating: ** (RuntimeError) injected crash",
        application="engram")
    plain("Kernel pid terminated (application_controller) (shutdown)", stream=sys.stderr)
    os._exit(1)


def main(argv):
    if not argv:
        plain("Usage: engram COMMAND [ARGS]\n\nThe known commands are: start, eval, rpc, version", stream=sys.stderr)
        sys.exit(1)
    cmd, rest = argv[0], argv[1:]
    if cmd == "version":
        plain("engram %s" % VSN)
    elif cmd == "start":
        start()
    elif cmd == "eval" and len(rest) == 1:
        do_eval(rest[0])
    elif cmd == "rpc" and len(rest) == 1:
        do_rpc(rest[0])
    else:
        plain("Unknown command %s" % cmd, stream=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])

"""The two ceilings every throughput figure is set against, measured in the same run:

- GET /health on the gateway under wrk (-t2 -c32): the bare HTTP ceiling of the platform, itself
  printed as a share of a bare Hummingbird server (.build/release/bench-bare-http, GET /health
  and nothing else) started on a free loopback port and measured with the same wrk settings;
- `pgbench -S` (select-only, -c32 -j2) against the project's Postgres: a schema of its own in the
  test database (TEST_POSTGRES_URL, as the Swift tests do), created for the run and dropped after.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import (CONNECTIONS, GATEWAY, LOCAL_DIR, ROOT, WRK_THREADS, BenchError, Figure, Settings, log, ms,
                    service_pid, warn, wrk, wrk_figures)

HEALTH = "GET /health req/s"             # the gateway's, the reference of the "% /health" column
PGBENCH = "pgbench -S tps"               # the reference of the "% pgbench" column
BARE = "bare Hummingbird GET /health req/s"
BARE_START_TIMEOUT = 15.0


def ceilings(settings: Settings) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    try:
        bare = bare_http(settings.duration)
    except BenchError as error:
        warn(f"the bare Hummingbird server: {error}")
        bare = None
    log(f"wrk: gateway GET /health for {settings.duration} s")
    gateway = wrk(GATEWAY + "/health", settings.duration)
    health = wrk_figures(gateway, "GET /health")
    health[HEALTH].rate = False   # the reference itself
    figures.update(health)
    if bare is not None:
        figures.update({f"bare Hummingbird {key}": value for key, value in wrk_figures(bare, "GET /health").items()})
        figures[BARE].rate = False
        figures["GET /health gateway / bare Hummingbird"] = Figure(
            round(100 * gateway["requests_per_sec"] / bare["requests_per_sec"], 1), "%", "higher")
    else:
        figures["bare Hummingbird GET /health"] = Figure("not measured")
    figures.update(pgbench(settings.duration, settings.pgbench_scale))
    return figures


# --- a bare Hummingbird server ---------------------------------------------------------------

def bare_binary() -> Path | None:
    """bench-bare-http next to the running gateway's executable (the same build), else in
    .build/release."""
    candidates = []
    pid = service_pid("gateway")
    if pid:
        try:
            executable = os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)")
            candidates.append(Path(executable).parent / "bench-bare-http")
        except OSError:
            pass
    candidates.append(ROOT / ".build" / "release" / "bench-bare-http")
    return next((path for path in candidates if os.access(path, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def bare_http(duration: int) -> dict[str, float] | None:
    """wrk against bench-bare-http on a free loopback port; None (with a warning) when it is not
    built."""
    binary = bare_binary()
    if binary is None:
        warn("no release bench-bare-http (PLATFORM_BUILD=release scripts/up builds it): "
             "the gateway's /health is not compared with a bare Hummingbird server")
        return None
    port = free_port()
    url = f"http://127.0.0.1:{port}/health"
    log_file = LOCAL_DIR / "logs" / "bench-bare-http.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as output:
        server = subprocess.Popen([str(binary), str(port)], stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + BARE_START_TIMEOUT
        while not answers(url):
            if server.poll() is not None:
                raise BenchError(f"bench-bare-http exited ({server.returncode}) before it answered; see {log_file}")
            if time.monotonic() > deadline:
                raise BenchError(f"bench-bare-http did not answer within {BARE_START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        log(f"wrk: bare Hummingbird GET /health (pid {server.pid}, port {port}) for {duration} s")
        return wrk(url, duration)
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- pgbench -S ------------------------------------------------------------------------------

def pgbench_binary() -> str | None:
    """Debian's pgbench of the newest installed PostgreSQL (scripts/setup installs it)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), key=lambda path: int(Path(path).parts[4]))
    return found[-1] if found else shutil.which("pgbench")


def postgres_environment() -> dict[str, str]:
    """libpq's variables for TEST_POSTGRES_URL (no password on a command line)."""
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        raise BenchError("TEST_POSTGRES_URL is not set (scripts/lib/env.sh)")
    parts = urllib.parse.urlparse(url)
    return {**os.environ, "PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432),
            "PGUSER": urllib.parse.unquote(parts.username or ""),
            "PGPASSWORD": urllib.parse.unquote(parts.password or ""), "PGDATABASE": parts.path.lstrip("/"),
            "PGCONNECT_TIMEOUT": "10"}


def pgbench(duration: int, scale: int) -> dict[str, Figure]:
    binary = pgbench_binary()
    if binary is None:
        warn("pgbench is not installed (apt-get install postgresql): no pgbench -S ceiling")
        return {}
    psql = str(Path(binary).with_name("psql"))
    environment = postgres_environment()
    schema = f"bench_pgbench_{os.getpid()}"

    def sql(statement: str) -> None:
        result = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], env=environment,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise BenchError(f"psql {statement!r}: {result.stderr.strip()}")

    sql(f"CREATE SCHEMA {schema}")
    try:
        environment["PGOPTIONS"] = f"-c search_path={schema}"
        log(f"pgbench -i -s {scale} in schema {schema} of {environment['PGDATABASE']}")
        started = time.monotonic()
        result = subprocess.run([binary, "-i", "-q", "-s", str(scale)], env=environment, capture_output=True,
                                text=True, timeout=300)
        if result.returncode != 0:
            raise BenchError(f"pgbench -i failed: {result.stderr.strip()[-500:]}")
        log(f"pgbench -i took {time.monotonic() - started:.1f} s; pgbench -S -c {CONNECTIONS} -j {WRK_THREADS} "
            f"-T {duration}")
        result = subprocess.run([binary, "-n", "-S", "-c", str(CONNECTIONS), "-j", str(WRK_THREADS), "-T", str(duration)],
                                env=environment, capture_output=True, text=True, timeout=duration + 120)
        if result.returncode != 0:
            raise BenchError(f"pgbench -S failed: {result.stderr.strip()[-500:]}")
    finally:
        sql(f"DROP SCHEMA {schema} CASCADE")
    tps = re.search(r"^tps = ([\d.]+)", result.stdout, re.M)
    latency = re.search(r"^latency average = ([\d.]+) ms", result.stdout, re.M)
    if not tps:
        raise BenchError("cannot read pgbench's output:\n" + result.stdout)
    figures = {PGBENCH: Figure(round(float(tps[1]), 1), "tx/s", "higher")}
    if latency:
        figures["pgbench -S latency average"] = ms(float(latency[1]), 3)
    return figures

"""The native stack's service processes, for the tests that crash and restart them: pid files
(.local/run/NAME.pid, checked against /proc), SIGKILL, and `scripts/service-restart` with the
test stack's environment plus settings a test asks for (e.g. ORDER_PAYMENT_TIMEOUT)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from stack import ROOT, get, wait_until

RESTART = ROOT / "scripts" / "service-restart"
# What scripts/test starts the stack with; a restarted service gets the same.
TEST_STACK_ENV = {"BCRYPT_COST": "4", "GATEWAY_TRUSTED_PROXIES": "127.0.0.0/8"}
# Settings a test may start a service with; a restart without them gets the defaults back.
TUNABLES = ("ORDER_PAYMENT_TIMEOUT", "PRODUCT_LOW_STOCK_THRESHOLD", "PAYMENT_PROVIDER_LATENCY_MS",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_BSP_SCHEDULE_DELAY")


def local_dir() -> Path:
    return Path(os.environ.get("PLATFORM_LOCAL_DIR") or ROOT / ".local")


def pid_file(name: str) -> Path:
    return local_dir() / "run" / f"{name}.pid"


def alive(pid: int) -> bool:
    """Running, and not a zombie nobody reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def service_pid(name: str) -> int | None:
    """The running service's pid (its pid file, checked against /proc), or None."""
    try:
        pid = int(pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    assert comm == name, f"{pid_file(name)} names pid {pid}, which is {comm!r}, not the {name} service"
    return pid


def kill(name: str) -> int:
    """SIGKILLs the service and waits until it is gone; returns the pid it had."""
    pid = service_pid(name)
    assert pid is not None, f"{name} is not running"
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not alive(pid), timeout=10, interval=0.05, what=f"{name} (pid {pid}) to die")
    return pid


def restart(name: str, **settings: str) -> None:
    """`scripts/service-restart NAME` (it waits for /ready), with the test stack's environment and
    `settings`; a tunable not given is left at its default."""
    env = {key: value for key, value in os.environ.items() if key not in TUNABLES}
    for key, value in TEST_STACK_ENV.items():
        env.setdefault(key, value)
    env.update(settings)
    result = subprocess.run([str(RESTART), name], capture_output=True, text=True, timeout=240, check=False, env=env)
    assert result.returncode == 0, (
        f"scripts/service-restart {name} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    wait_until(lambda: get(name, "/ready").status_code == 200, timeout=60, what=f"{name} ready")

"""auth is killed (SIGKILL) in the middle of a registration burst and restarted: no
registration is lost, every user can log in afterwards (the outbox keeps the events until the
broker has them, the durable `auth.events` queue keeps them until auth acks after its commit)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pytest

import identity
from identity import Account, login, new_password, register, unique_email
from stack import ROOT, get, wait_until

USERS = 200
WORKERS = 16
KILL_AFTER = 40
LOGIN_WITHIN = 60.0  # seconds, for all of them together, after auth is back
RESTART = ROOT / "scripts" / "service-restart"


def pid_file(name: str) -> Path:
    local = Path(os.environ.get("PLATFORM_LOCAL_DIR") or ROOT / ".local")
    return local / "run" / f"{name}.pid"


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


def auth_pid() -> int:
    pid = int(pid_file("auth").read_text().strip())
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    assert comm == "auth", f"{pid_file('auth')} names pid {pid}, which is {comm!r}, not the auth service"
    return pid


def restart_auth() -> None:
    result = subprocess.run([str(RESTART), "auth"], capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, (
        f"scripts/service-restart auth exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")


@pytest.fixture
def auth_service():
    """Leaves auth running and ready whatever happens in the test."""
    yield
    try:
        running = alive(int(pid_file("auth").read_text().strip()))
    except (OSError, ValueError):
        running = False
    if not running:
        restart_auth()
    wait_until(lambda: get("auth", "/ready").status_code == 200, timeout=60, what="auth ready after the crash test")


@pytest.mark.disruptive
def test_registrations_survive_an_auth_crash(auth_service) -> None:
    accounts = [Account(email=unique_email(f"crash{i}"), password=new_password(), name=f"Crash {i}") for i in range(USERS)]
    victim = auth_pid()

    def register_one(account: Account) -> int:
        response = register(account.email, account.password, account.name, timeout=30)
        if response.status_code == 201:
            account.id = response.json()["id"]
        return response.status_code

    statuses: dict[str, int] = {}
    killed_after = None
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {pool.submit(register_one, account): account for account in accounts}
        for done, future in enumerate(as_completed(futures), start=1):
            account = futures[future]
            try:
                statuses[account.email] = future.result()
            except Exception as error:  # noqa: BLE001 - reported in the assertion below
                statuses[account.email] = -1
                print(f"registration of {account.email} raised {error!r}")
            if killed_after is None and done >= KILL_AFTER:
                os.kill(victim, signal.SIGKILL)
                killed_after = done
    assert killed_after is not None
    wait_until(lambda: not alive(victim), timeout=10, interval=0.05, what=f"auth (pid {victim}) to die")

    failed = {email: status for email, status in statuses.items() if status != 201}
    assert not failed, f"{len(failed)} of {USERS} registrations did not answer 201: {list(failed.items())[:10]}"

    restart_auth()
    new_pid = auth_pid()
    assert new_pid != victim and alive(new_pid)

    # Every user's credentials arrive (polled through auth: not throttled), then each logs in.
    deadline = time.monotonic() + LOGIN_WITHIN

    def can_log_in(account: Account) -> int:
        identity.wait_for_credentials(account.email, account.password,
                                      timeout=max(0.5, deadline - time.monotonic()), interval=0.1)
        return login(account.email, account.password).status_code

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = {}
        for account, future in [(account, pool.submit(can_log_in, account)) for account in accounts]:
            try:
                outcomes[account.email] = future.result()
            except AssertionError as error:
                outcomes[account.email] = str(error)
    refused = {email: outcome for email, outcome in outcomes.items() if outcome != 200}
    assert not refused, (
        f"{len(refused)} of {USERS} users cannot log in {LOGIN_WITHIN:.0f} s after auth restarted "
        f"(killed after {killed_after} registrations): {list(refused.items())[:5]}")

"""auth is killed (SIGKILL) in the middle of a registration burst and restarted: no
registration is lost, every user can log in afterwards (the outbox keeps the events until the
broker has them, the durable `auth.events` queue keeps them until auth acks after its commit)."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import pytest

import identity
import processes
from identity import Account, login, new_password, register, unique_email
from stack import wait_until

USERS = 200
WORKERS = 16
KILL_AFTER = 40
LOGIN_WITHIN = 60.0  # seconds, for all of them together, after auth is back


@pytest.fixture
def auth_service():
    """Leaves auth running and ready whatever happens in the test."""
    yield
    if processes.service_pid("auth") is None:
        processes.restart("auth")


@pytest.mark.disruptive
def test_registrations_survive_an_auth_crash(auth_service) -> None:
    accounts = [Account(email=unique_email(f"crash{i}"), password=new_password(), name=f"Crash {i}") for i in range(USERS)]
    victim = processes.service_pid("auth")
    assert victim is not None, "auth is not running"

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
    wait_until(lambda: not processes.alive(victim), timeout=10, interval=0.05, what=f"auth (pid {victim}) to die")

    failed = {email: status for email, status in statuses.items() if status != 201}
    assert not failed, f"{len(failed)} of {USERS} registrations did not answer 201: {list(failed.items())[:10]}"

    processes.restart("auth")
    new_pid = processes.service_pid("auth")
    assert new_pid is not None and new_pid != victim

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

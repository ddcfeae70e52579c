"""Starts a compose project under podman in the order its `depends_on` conditions demand.

podman-compose 1.6 honours `service_healthy` only with podman 4.6 or newer (Debian 12 has 4.3)
and starts dependents with `--requires`, which podman 4.3 cannot resolve once a one-shot
dependency has exited. So this reads the merged configuration (`podman-compose config`), starts
each service with `up -d --no-deps` as soon as its dependencies are met, and runs the health
checks itself (podman runs them from systemd timers, which this machine has not).

    python compose-up.py TIMEOUT_SECONDS podman-compose -f A.yml -f B.yml
"""

from __future__ import annotations

import subprocess
import sys
import time

import yaml


def podman(*args: str) -> str:
    return subprocess.run(["podman", *args], capture_output=True, text=True).stdout.strip()


def state(container: str) -> tuple[str, str, str]:
    """(status, exit code, health) of a container; empty strings when it does not exist."""
    out = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.Health.Status}}", container)
    parts = out.split()
    return (parts + ["", "", ""])[:3] if parts else ("", "", "")


def main() -> int:
    timeout, compose = float(sys.argv[1]), sys.argv[2:]
    config = yaml.safe_load(subprocess.run([*compose, "config"], check=True, capture_output=True, text=True).stdout)
    project = config.get("name", "platform")
    services = {name: spec for name, spec in config["services"].items() if not spec.get("profiles")}
    container = {name: f"{project}_{name}_1" for name in services}
    checked = {name for name, spec in services.items() if spec.get("healthcheck", {}).get("test")}
    started: dict[str, float] = {}
    begin = time.monotonic()

    def met(name: str) -> bool:
        for dependency, rule in (services[name].get("depends_on") or {}).items():
            status, code, health = state(container[dependency]) if dependency in started else ("", "", "")
            condition = (rule or {}).get("condition", "service_started")
            if condition == "service_healthy" and health != "healthy":
                return False
            if condition == "service_completed_successfully" and (status != "exited" or code != "0"):
                if status == "exited":
                    raise SystemExit(f"{dependency} exited with {code}; {name} cannot start")
                return False
            if condition == "service_started" and status != "running":
                return False
        return True

    while True:
        for name in services:
            if name not in started and met(name):
                result = subprocess.run([*compose, "up", "-d", "--no-deps", name], capture_output=True, text=True)
                if result.returncode != 0:
                    raise SystemExit(f"cannot start {name} (exit {result.returncode}):\n{result.stdout}{result.stderr}")
                started[name] = time.monotonic()
                print(f"started {name} after {started[name] - begin:.0f} s", flush=True)
        for name in started:
            if name in checked and state(container[name])[0] == "running":
                podman("healthcheck", "run", container[name])
        waiting = [n for n in checked if state(container[n])[2] != "healthy"]
        if len(started) == len(services) and not waiting:
            print(f"all {len(services)} containers up, every health check passing, after {time.monotonic() - begin:.0f} s")
            return 0
        if time.monotonic() - begin > timeout:
            not_started = sorted(set(services) - set(started))
            print(f"not healthy within {timeout:.0f} s: waiting for {sorted(waiting)}, not started {not_started}", file=sys.stderr)
            return 1
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())

"""Resident memory of the running services.

`snapshot` is what the suite records idle (before any load) and after load: per service VmRSS
(/proc/PID/status) and PSS (/proc/PID/smaps_rollup: shared pages divided among the processes
mapping them, so the ten services' libswiftCore, libFoundation, … count once in the total);
`detail` is `scripts/bench memory`: where each service's resident memory goes.
"""

from __future__ import annotations

from pathlib import Path

from common import LOCAL_DIR, Figure, kib_as_mb, service_pid, service_ports


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_kib(pid: int) -> int:
    return status_kib(pid, "VmRSS")


def pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def snapshot(phase: str) -> dict[str, Figure]:
    """VmRSS and PSS of every service, and their totals; a service that is not running is
    reported as such (and left out of the totals)."""
    figures: dict[str, Figure] = {}
    total_rss = total_pss = 0
    for name in service_ports():
        pid = service_pid(name)
        try:
            rss, pss = (rss_kib(pid), pss_kib(pid)) if pid else (None, None)
        except OSError:
            rss = pss = None
        if rss is None:
            figures[f"{name} RSS {phase}"] = Figure("not running")
            continue
        total_rss += rss
        total_pss += pss
        figures[f"{name} RSS {phase}"] = kib_as_mb(rss)
        figures[f"{name} PSS {phase}"] = kib_as_mb(pss)
    figures[f"all services RSS {phase}"] = kib_as_mb(total_rss)
    figures[f"all services PSS {phase}"] = kib_as_mb(total_pss)
    return figures


def memory_of(pid: int) -> dict[str, int | list[tuple[str, int]]]:
    """Where a process's resident memory goes: anonymous (heaps, stacks) against file-backed
    (mapped libraries and data), its thread count, and the mapped files holding most."""
    status = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        status[key] = value.split()
    by_file: dict[str, int] = {}
    current = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:
            current = fields[5] if len(fields) > 5 else "[anonymous]"
        elif fields and fields[0] == "Rss:":
            by_file[current] = by_file.get(current, 0) + int(fields[1])
    largest = sorted(by_file.items(), key=lambda item: -item[1])[:6]
    return {
        "rss": int(status["VmRSS"][0]), "anon": int(status["RssAnon"][0]), "file": int(status["RssFile"][0]),
        "pss": pss_kib(pid), "threads": int(status["Threads"][0]),
        "largest": [(Path(name).name or name, kib) for name, kib in largest],
    }


def detail(run_dir: Path = LOCAL_DIR / "run") -> None:
    """`memory_of` for every service with a pid file in `run_dir`, as `key: value` lines."""
    def out(key: str, value: object) -> None:
        print(f"{key}: {value}", flush=True)

    total = total_pss = 0
    for pid_file in sorted(run_dir.glob("*.pid")):
        name = pid_file.stem
        try:
            pid = int(pid_file.read_text().strip())
            if Path(f"/proc/{pid}/comm").read_text().strip() != name:
                continue  # a server's pid file (postgres, …), not a service
            found = memory_of(pid)
        except (OSError, ValueError):
            continue
        total += found["rss"]
        total_pss += found["pss"]
        for key in ("rss", "pss", "anon", "file", "threads"):
            out(f"memory_{name}_{key}{'' if key == 'threads' else '_kib'}", found[key])
        out(f"memory_{name}_largest_kib", ", ".join(f"{file} {kib}" for file, kib in found["largest"]))
    out("memory_services_rss_total_kib", total)
    out("memory_services_pss_total_kib", total_pss)

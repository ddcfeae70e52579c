"""The entry point of scripts/bench: runs scenarios, prints one table, writes it as JSON, compares
two such files.

    suite.py run [SCENARIO]   every scenario (no SCENARIO) or one, with the ceilings and the
                              services' memory idle and after load; prints the table and writes
                              $LOCAL_DIR/bench/<UTC timestamp>.json
    suite.py compare A B      each figure of A and B, the change in %, better/worse by the
                              figure's direction
    suite.py memory           where each running service's resident memory goes (`key: value`)

The table has one row per figure: scenario, figure, value, unit, and for request rates their share
of the gateway's GET /health req/s and of pgbench -S tps measured in the same run (the ceilings
scenario); a figure with a floor or a cap says ok or FAIL. A scenario that fails is reported and
the others still run (the exit status is then 1); each is abandoned after BENCH_SCENARIO_TIMEOUT s.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import bench
import ceilings
import memory
import reads
from common import CONNECTIONS, LOCAL_DIR, ROOT, WRK_THREADS, BenchError, Figure, Settings, dump_json, log, settings, wait_for_stack, warn

Scenario = Callable[[Settings], dict[str, Figure]]
# In the order of a full run: the ceilings first, then the reads (they restart the gateway with
# its profile cache off and back, so everything after meets the gateway as it was), analytics
# last (it clears analytics' facts and waits for their rebuild).
SCENARIOS: dict[str, Scenario] = {
    "ceilings": ceilings.ceilings,
    "reads": reads.reads,
    "identity": bench.identity,
    "orders": bench.orders,
    "tickets": bench.tickets,
    "media": bench.media,
    "analytics": bench.analytics,
}
try:   # compare: a smaller change is "same"
    NOISE_PCT = float(os.environ.get("BENCH_NOISE_PCT") or 5)
except ValueError:
    raise SystemExit("bench: BENCH_NOISE_PCT must be a number (percent)") from None


# --- running ---------------------------------------------------------------------------------

class ScenarioTimeout(BenchError):
    pass


def on_alarm(*_: object) -> None:
    raise ScenarioTimeout("took longer than BENCH_SCENARIO_TIMEOUT")


def run_scenario(name: str, scenario: Scenario, config: Settings) -> dict[str, Figure]:
    wait_for_stack()
    log(f"--- {name}")
    started = time.monotonic()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(config.scenario_timeout)
    try:
        figures = scenario(config)
    finally:
        signal.alarm(0)
    figures["wall time"] = Figure(round(time.monotonic() - started, 1), "s")
    return figures


def row(scenario: str, name: str, figure: Figure) -> dict[str, object]:
    return {"scenario": scenario, "figure": name, "value": figure.value, "unit": figure.unit, "better": figure.better,
            "rate": figure.rate, "check": figure.check(), "shown": figure.shown()}


def percent(value: object, reference: object) -> float | None:
    if not isinstance(value, (int, float)) or not isinstance(reference, (int, float)) or not reference:
        return None
    return round(100 * value / reference, 2)


def run(mode: str | None) -> int:
    wall_started = time.monotonic()
    config = settings(full_suite=mode is None)
    if mode is None:
        plan = list(SCENARIOS)
    elif mode == "ceilings" or os.environ.get("BENCH_CEILINGS", "1") == "0":
        plan = [mode]
    else:
        plan = ["ceilings", mode]
    date = datetime.datetime.now(datetime.timezone.utc)
    log(f"scenarios: {', '.join(plan)}; settings: " + ", ".join(f"{k}={v}" for k, v in config.as_dict().items()))
    rows: list[dict[str, object]] = []
    failures: dict[str, str] = {}
    idle = memory.snapshot("idle")
    for name in plan:
        try:
            figures = run_scenario(name, SCENARIOS[name], config)
        except KeyboardInterrupt:
            raise
        except Exception as error:  # noqa: BLE001 - recorded; the next scenario runs
            failures[name] = f"{type(error).__name__}: {error}"
            log(f"{name} FAILED: {failures[name]}")
            continue
        rows += [row(name, key, figure) for key, figure in figures.items()]
    try:
        wait_for_stack(30)
    except BenchError as error:
        warn(str(error))
    after = memory.snapshot("after load")
    for name, figure in idle.items():   # per service: RSS idle, RSS after load, PSS idle, PSS after load
        rows.append(row("memory", name, figure))
        later = name.removesuffix(" idle") + " after load"
        if later in after:
            rows.append(row("memory", later, after.pop(later)))
    rows += [row("memory", name, figure) for name, figure in after.items()]

    by_key = {(r["scenario"], r["figure"]): r["value"] for r in rows}
    health = by_key.get(("ceilings", ceilings.HEALTH))
    pgbench = by_key.get(("ceilings", ceilings.PGBENCH))
    for r in rows:
        r["vs_health_pct"] = percent(r["value"], health) if r["rate"] else None
        r["vs_pgbench_pct"] = percent(r["value"], pgbench) if r["rate"] else None
    wall = time.monotonic() - wall_started
    report = {
        "format": "platform-bench/1",
        "date": date.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "argument": mode or "all",
        "scenarios": plan,
        "build": os.environ.get("BENCH_STACK_BUILD", "unknown"),
        **git_facts(),
        "machine": machine_facts(),
        "settings": config.as_dict(),
        "load": {"wrk": f"-t{WRK_THREADS} -c{CONNECTIONS}", "pgbench": f"-S -c{CONNECTIONS} -j{WRK_THREADS}"},
        "ceilings": {"gateway_health_req_per_sec": health, "pgbench_select_tps": pgbench,
                     "bare_hummingbird_health_req_per_sec": by_key.get(("ceilings", ceilings.BARE))},
        "failures": failures,
        "wall_seconds": round(wall, 1),
        "rows": rows,
    }
    directory = LOCAL_DIR / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{date.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(dump_json(report) + "\n")
    print_report(report)
    print(f"\nwall time: {wall:.0f} s ({wall / 60:.1f} min)")
    print(f"json: {path}")
    return 1 if failures else 0


def git_facts() -> dict[str, object]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {"commit": git("rev-parse", "HEAD") or "unknown",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def machine_facts() -> dict[str, object]:
    memory_kib = 0
    cpu = ""
    try:
        memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal:"))
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except (OSError, StopIteration):
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "memory_mib": memory_kib // 1024, "cpu": cpu,
            "kernel": platform.release(), "hostname": platform.node()}


# --- the table -------------------------------------------------------------------------------

def shown_percent(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}%" if value >= 10 else f"{value:.1f}%" if value >= 1 else f"{value:.2f}%"


def print_table(header: list[str], lines: list[list[str]], right: set[int]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines)]

    def format_line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(width) if index in right else cell.ljust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    print(format_line(header))
    print("  ".join("-" * width for width in widths))
    for cells in lines:
        print(format_line(cells))


def print_report(report: dict) -> None:
    machine = report["machine"]
    print(f"scripts/bench {report['argument']}: {report['date']}, {report['build']} build, commit "
          f"{report['commit'][:12]}{' (dirty)' if report['dirty'] else ''}, {machine['nproc']} CPUs, "
          f"{machine['memory_mib']:,} MiB")
    health, pgbench = report["ceilings"]["gateway_health_req_per_sec"], report["ceilings"]["pgbench_select_tps"]
    bare = report["ceilings"].get("bare_hummingbird_health_req_per_sec")

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    print(f"ceilings: gateway GET /health {shown(health)} req/s (bare Hummingbird {shown(bare)}), "
          f"pgbench -S {shown(pgbench)} tps; wrk {report['load']['wrk']} and pgbench {report['load']['pgbench']}, "
          f"{report['settings']['duration']} s each\n")
    lines = [[r["scenario"], r["figure"], r["shown"], r["unit"], shown_percent(r["vs_health_pct"]),
              shown_percent(r["vs_pgbench_pct"]), r["check"]] for r in report["rows"]]
    print_table(["scenario", "figure", "value", "unit", "% /health", "% pgbench", "check"], lines, {2, 4, 5})
    checks = [r["check"] for r in report["rows"] if r["check"]]
    print(f"\nchecks: {checks.count('ok')} ok, {len(checks) - checks.count('ok')} failed")
    for name, message in report["failures"].items():
        print(f"FAILED {name}: {message}")


# --- compare ---------------------------------------------------------------------------------

def verdict(a: object, b: object, better: str | None) -> tuple[str, str]:
    """(change, verdict) of a figure from A to B."""
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    if not numeric:
        if a is None or b is None:
            return "", "only in " + ("B" if a is None else "A")
        return "", "same" if a == b else "changed"
    if a == 0:
        return ("0%", "same") if b == 0 else ("", "changed")
    change = 100 * (b - a) / abs(a)
    text = f"{change:+.1f}%"
    if better is None:
        return text, ""
    if abs(change) < NOISE_PCT:
        return text, "same"
    return text, "better" if (change > 0) == (better == "higher") else "WORSE"


def compare(path_a: str, path_b: str) -> int:
    reports = []
    for path in (path_a, path_b):
        try:
            reports.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as error:
            raise SystemExit(f"bench: cannot read {path}: {error}") from None
    a, b = reports
    for label, report, path in (("A", a, path_a), ("B", b, path_b)):
        print(f"{label}: {path}: {report['argument']}, {report['date']}, {report['build']} build, commit "
              f"{report['commit'][:12]}{' (dirty)' if report.get('dirty') else ''}, "
              f"{report['machine']['nproc']} CPUs")
    different = {key for key in set(a["settings"]) | set(b["settings"]) if a["settings"].get(key) != b["settings"].get(key)}
    if different:
        print("note: the runs used different settings: " + ", ".join(
            f"{key} {a['settings'].get(key)} → {b['settings'].get(key)}" for key in sorted(different)))
    if a["build"] != b["build"] or a["machine"]["nproc"] != b["machine"]["nproc"]:
        print("note: different builds or machines")
    print(f"(a change under {NOISE_PCT:g}% counts as the same: BENCH_NOISE_PCT)\n")
    rows_a = {(r["scenario"], r["figure"]): r for r in a["rows"]}
    rows_b = {(r["scenario"], r["figure"]): r for r in b["rows"]}
    keys = list(rows_a) + [key for key in rows_b if key not in rows_a]
    lines = []
    tally: dict[str, int] = {}
    for key in keys:
        ra, rb = rows_a.get(key), rows_b.get(key)
        better = (ra or rb)["better"]
        change, word = verdict(ra["value"] if ra else None, rb["value"] if rb else None, better)
        tally[word] = tally.get(word, 0) + 1
        lines.append([key[0], key[1], ra["shown"] if ra else "-", rb["shown"] if rb else "-", (ra or rb)["unit"],
                      change, word])
    print_table(["scenario", "figure", "A", "B", "unit", "change", ""], lines, {2, 3, 5})
    words = ("better", "WORSE", "same", "changed", "only in A", "only in B")
    print("\n" + ", ".join(f"{tally[word]} {word}" for word in words if word in tally))
    return 0


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # `scripts/bench memory | head` ends quietly
    usage = "usage: suite.py run [" + "|".join(SCENARIOS) + "] | compare A.json B.json | memory"
    if argv[:1] == ["run"] and len(argv) <= 2 and (len(argv) == 1 or argv[1] in SCENARIOS):
        return run(argv[1] if len(argv) == 2 else None)
    if argv[:1] == ["compare"] and len(argv) == 3:
        return compare(argv[1], argv[2])
    if argv == ["memory"]:
        memory.detail()
        return 0
    raise SystemExit(usage)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The soak: the fault matrix's mixed load, with no fault, for a long while; every service's
resident memory and open file descriptors sampled every 10 s. See scripts/soak for usage."""

from __future__ import annotations

import argparse
import csv
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import chaos
from chaos import processes, SERVICES

SAMPLE_EVERY = 10.0


def sample(name: str) -> tuple[int, int] | None:
    """(resident KiB, open descriptors) of the service, None when it is not running."""
    pid = processes.service_pid(name)
    if pid is None:
        return None
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def peak_rate(seconds: float, workers: int) -> float:
    """Operations a second the mix sustains when sent as fast as it is answered."""
    scene = chaos.new_scene(capacity=1_000_000, restocked=100_000)
    stop = threading.Event()
    load = threading.Thread(target=chaos.run_load, args=(scene, stop, 100_000.0, workers), daemon=True)
    load.start()
    time.sleep(seconds)
    stop.set()
    load.join()
    return sum(1 for o in scene.outcomes if o.status == 201) / seconds


def plot(rows: list[dict], path: Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, (memory, descriptors) = plt.subplots(2, 1, figsize=(10, 8), sharex=True)
    for name in SERVICES:
        points = [(r["seconds"], r[f"{name}_rss_kib"] / 1024, r[f"{name}_fds"]) for r in rows if r.get(f"{name}_rss_kib")]
        memory.plot([p[0] / 60 for p in points], [p[1] for p in points], label=name)
        descriptors.plot([p[0] / 60 for p in points], [p[2] for p in points], label=name)
    memory.set_ylabel("resident memory (MiB)")
    descriptors.set_ylabel("open file descriptors")
    descriptors.set_xlabel("minutes")
    memory.legend(ncol=5, fontsize="small")
    memory.grid(True)
    descriptors.grid(True)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("SOAK_RATE", 0)),
                        help="operations a second (default: half the peak, measured first for 20 s)")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--out", type=Path, default=processes.local_dir() / "soak")
    args = parser.parse_args()
    rate = args.rate
    if not rate:
        peak = peak_rate(20, args.workers)
        rate = peak / 2
        print(f"==> peak of the mix: {peak:.1f} operations/s; soaking at {rate:.1f}", flush=True)
    scene = chaos.new_scene(capacity=1_000_000, restocked=100_000)
    stop = threading.Event()
    load = threading.Thread(target=chaos.run_load, args=(scene, stop, rate, args.workers), daemon=True)
    began = time.monotonic()
    load.start()
    rows: list[dict] = []
    while (elapsed := time.monotonic() - began) < args.minutes * 60:
        row: dict = {"seconds": round(elapsed)}
        for name in SERVICES:
            measured = sample(name)
            row[f"{name}_rss_kib"], row[f"{name}_fds"] = measured or (0, 0)
        rows.append(row)
        print(f"    {row['seconds']:4d} s  " + "  ".join(
            f"{name} {row[f'{name}_rss_kib'] / 1024:.0f}M/{row[f'{name}_fds']}" for name in SERVICES), flush=True)
        time.sleep(max(0.0, SAMPLE_EVERY - (time.monotonic() - began - elapsed)))
    stop.set()
    load.join()

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    table = args.out / f"soak-{stamp}.csv"
    with table.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    picture = args.out / f"soak-{stamp}.png"
    drawn = plot(rows, picture)

    problems = []
    statuses = Counter(o.status or o.error.split(":")[0] for o in scene.outcomes)
    failed = sum(n for status, n in statuses.items() if status != 201)
    if failed:
        problems.append(f"{failed} of {len(scene.outcomes)} requests failed: {dict(statuses)}")
    # The high-water mark of the first two minutes: pools and caches fill while warming up.
    warm = [r for r in rows if r["seconds"] <= 120]
    baseline = {key: max(r[key] for r in warm) for key in rows[0]} if rows[-1]["seconds"] >= 120 else None
    last = rows[-1]
    print(f"\n{len(scene.outcomes)} requests at {len(scene.outcomes) / (args.minutes * 60):.1f}/s: {dict(statuses)}")
    print("| service | RSS by minute 2 (most) | RSS at the end | growth | fds by minute 2 (most) | fds at the end |")
    print("|---|---|---|---|---|---|")
    for name in SERVICES:
        if baseline is None or not baseline[f"{name}_rss_kib"]:
            continue
        rss0, rss1 = baseline[f"{name}_rss_kib"], last[f"{name}_rss_kib"]
        fds0, fds1 = baseline[f"{name}_fds"], last[f"{name}_fds"]
        print(f"| {name} | {rss0 / 1024:.1f} MiB | {rss1 / 1024:.1f} MiB | {100 * (rss1 - rss0) / rss0:+.1f} % | {fds0} | {fds1} |")
        if rss1 > rss0 * 1.10:
            problems.append(f"{name}'s memory grew {100 * (rss1 - rss0) / rss0:.1f} % after minute 2")
        if fds1 > fds0 * 1.10:
            problems.append(f"{name}'s open descriptors grew from {fds0} to {fds1} after minute 2")
    print(f"\nsamples: {table}" + (f"; plot: {picture}" if drawn else " (no plot: matplotlib is not installed)"))
    for problem in problems:
        print(f"FAILED: {problem}")
    if baseline is None:
        print("FAILED: the soak ended before minute 2")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Services/services.tsv for Python (scripts/lib/services.sh reads it for bash): the ten services'
name, environment prefix, HTTP and gRPC ports, store (`postgres:idm` or `-`), whether they use the
broker, and the peers they call."""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "Services" / "services.tsv"


def read_services(path: Path = TABLE) -> list[dict]:
    rows = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, prefix, http, grpc, store, broker, peers = line.split()
        rows.append({"name": name, "prefix": prefix, "http": int(http), "grpc": int(grpc), "store": store,
                     "broker": broker == "yes", "peers": [] if peers == "-" else peers.split(",")})
    return rows

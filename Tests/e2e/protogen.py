"""Python gRPC stubs generated at test time from the contracts in `Protos/`.

`ensure_stubs()` runs `grpc_tools.protoc` over every `.proto` under `Protos/` and writes the
modules under `Tests/e2e/generated/protos/` (git-ignored), then puts `Tests/e2e/generated`
on `sys.path`.  Tests import them as `protos.<proto package path>`, e.g.::

    from protos.grpc.health.v1 import health_pb2, health_pb2_grpc

The `protos.` prefix is needed because the proto paths' first components collide with real
Python modules (`grpc/...` with grpcio, `platform/...` with the standard library); the
generated import statements are rewritten to carry it.  Descriptor names (`grpc.health.v1.…`)
are untouched, so what goes over the wire is exactly what the `.proto` files say.

Generation is skipped when the contracts, grpcio-tools and this file are unchanged since the
last run (a stamp file holds their hash).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTOS_DIR = ROOT / "Protos"
GENERATED_DIR = Path(__file__).resolve().parent / "generated"
PACKAGE = "protos"
STAMP = ".stamp"


def _proto_files() -> list[Path]:
    return sorted(p for p in PROTOS_DIR.rglob("*.proto") if p.is_file())


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("grpcio-tools").encode())
    digest.update(Path(__file__).read_bytes())
    for path in files:
        digest.update(str(path.relative_to(PROTOS_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _run_protoc(files: list[Path], out: Path) -> None:
    from grpc_tools import protoc

    well_known = importlib.resources.files("grpc_tools") / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTOS_DIR}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        *(str(p.relative_to(PROTOS_DIR)) for p in files),
    ]
    cwd = os.getcwd()
    try:
        os.chdir(PROTOS_DIR)  # protoc wants the files relative to an -I root
        status = protoc.main(args)
    finally:
        os.chdir(cwd)
    if status != 0:
        raise RuntimeError(f"grpc_tools.protoc failed with status {status} on {PROTOS_DIR}")


def _prefix_imports(out: Path) -> None:
    """Rewrites imports of generated modules to go through the `protos.` package."""
    modules = {
        ".".join(p.relative_to(out).with_suffix("").parts)
        for p in out.rglob("*.py")
    }
    from_import = re.compile(r"^from ([\w.]+) import (\w+)", re.M)
    plain_import = re.compile(r"^import (\w+) as", re.M)

    def fix_from(m: re.Match[str]) -> str:
        if f"{m[1]}.{m[2]}" in modules:
            return f"from {PACKAGE}.{m[1]} import {m[2]}"
        return m[0]

    def fix_plain(m: re.Match[str]) -> str:
        return f"from {PACKAGE} import {m[1]} as" if m[1] in modules else m[0]

    for path in out.rglob("*.py"):
        text = path.read_text()
        text = from_import.sub(fix_from, text)
        text = plain_import.sub(fix_plain, text)
        name = ".".join(path.relative_to(out).with_suffix("").parts)
        text = text.replace(f"'{name}'", f"'{PACKAGE}.{name}'")  # the classes' __module__
        path.write_text(text)
    for directory in [out, *(d for d in out.rglob("*") if d.is_dir())]:
        (directory / "__init__.py").touch()


def ensure_stubs() -> Path:
    """Generates the stubs if needed and makes `protos.*` importable; returns the package dir."""
    files = _proto_files()
    if not files:
        raise RuntimeError(f"no .proto files under {PROTOS_DIR}")
    target = GENERATED_DIR / PACKAGE
    fingerprint = _fingerprint(files)
    stamp = target / STAMP
    if not (stamp.is_file() and stamp.read_text() == fingerprint):
        GENERATED_DIR.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=GENERATED_DIR))
        try:
            package = staging / PACKAGE
            package.mkdir()
            _run_protoc(files, package)
            _prefix_imports(package)
            (package / STAMP).write_text(fingerprint)
            old = GENERATED_DIR / f".old-{os.getpid()}"
            if target.exists():
                target.rename(old)
            package.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if str(GENERATED_DIR) not in sys.path:
        sys.path.insert(0, str(GENERATED_DIR))
    return target


if __name__ == "__main__":
    print(ensure_stubs())

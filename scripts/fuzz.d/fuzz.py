"""The program of `scripts/fuzz`: schemathesis against the gateway's OpenAPI document, once as a
fresh customer and once as the platform admin.

For each role it runs `st run <gateway>/openapi.json --checks all` (every check schemathesis has:
not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance, ignored_auth, unsupported_method, the
stateful ones; all but negative_data_rejection and positive_data_acceptance, which hold the
schemas against rules stated in the document's prose) on every operation, every
phase (examples, coverage, fuzzing, stateful), with the hooks of `fuzz_hooks.py` (Bearer login
with refresh and re-login on 401, request counting, fresh client addresses, blast-radius limits).
It then prints, per role, the requests sent, the failures by check and the distinct findings
(operation, check, status, a curl command that reproduces it), and writes them under
FUZZ_REPORT_DIR. The exit status is 1 when any check failed, schemathesis reported an error
(e.g. the gateway stopped answering), or a role sent fewer than FUZZ_MIN_REQUESTS requests or
none to some operation of the document (a role stopped at FUZZ_ROLE_TIMEOUT is judged by what it
sent); 2 when it could not start.

Settings (environment): see the header of scripts/fuzz.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOCAL_DIR = Path(os.environ.get("PLATFORM_LOCAL_DIR") or ROOT / ".local")
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))


def fatal(message: str) -> None:
    """Could not start: exit status 2."""
    print(f"fuzz: {message}", file=sys.stderr)
    raise SystemExit(2)


def setting(name: str, default: int | None, minimum: int = 0) -> int | None:
    text = os.environ.get(name, "")
    if text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        fatal(f"{name} must be an integer, not {text!r}")
    if value < minimum:
        fatal(f"{name} must be at least {minimum}")
    return value


GATEWAY = os.environ.get("FUZZ_GATEWAY", "http://127.0.0.1:5000").rstrip("/")
SCHEMA_URL = f"{GATEWAY}/openapi.json"
MAX_EXAMPLES = setting("FUZZ_MAX_EXAMPLES", 20, 1)
MIN_REQUESTS = setting("FUZZ_MIN_REQUESTS", 1000)
MAX_TIME = setting("FUZZ_MAX_TIME", None, 1)            # st --max-time: fuzz until spent
ROLE_TIMEOUT = setting("FUZZ_ROLE_TIMEOUT", 100)         # 0: none
WORKERS = setting("FUZZ_WORKERS", 2, 1)
SEED = setting("FUZZ_SEED", None)
ROLES = os.environ.get("FUZZ_ROLES", "admin customer").split()
ST = Path(sys.executable).with_name("st")

# The checks the issue names first; the others follow in the summary.
CONFORMANCE = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_schema_conformance", "response_headers_conformance"]
# What the issue does not ask (see the --exclude-checks above).
PROSE_RULES = ["negative_data_rejection", "positive_data_acceptance"]
SKIPPED_HEADERS = {"user-agent", "accept-encoding", "accept", "connection", "content-length", "x-forwarded-for"}


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


# --- accounts ----------------------------------------------------------------------------------

@dataclass
class Role:
    name: str
    email: str
    password: str
    out: Path
    seconds: float = 0.0
    timed_out: bool = False
    st_status: int | None = None
    state: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def fetch_schema(timeout: float = 90.0) -> dict[str, Any]:
    """The gateway's /openapi.json (waiting for the gateway to answer)."""
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            response = requests.get(SCHEMA_URL, timeout=5)
            if response.status_code == 200:
                return response.json()
            last = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            last = type(error).__name__
        if time.monotonic() >= deadline:
            fatal(f"{SCHEMA_URL} did not answer within {timeout:.0f} s ({last}); is the stack running?")
        time.sleep(1)


def accounts() -> dict[str, tuple[str, str]]:
    """The platform admin's credentials and a freshly registered customer's."""
    import identity  # Tests/e2e: registration that waits for auth to know the credentials

    found: dict[str, tuple[str, str]] = {}
    if "admin" in ROLES:
        found["admin"] = identity.admin_credentials()
    if "customer" in ROLES:
        account = identity.register_account(name="Fuzz Customer", tag="fuzz-customer")
        assert "customer" in account.roles, account
        found["customer"] = (account.email, account.password)
    for role, (email, password) in found.items():
        # Fail here, with a plain message, rather than in every request of the run.
        response = identity.login(email, password)
        if response.status_code != 200:
            fatal(f"the {role} account {email} cannot log in: {response.status_code} {response.text[:300]}")
    return found


def token_of(email: str, password: str) -> str:
    import identity

    response = identity.login(email, password)
    if response.status_code != 200:
        raise RuntimeError(f"login of {email} failed: {response.status_code} {response.text[:200]}")
    return response.json()["access_token"]


def own_profile(email: str, password: str) -> dict[str, Any]:
    """What a run may change of the account's own profile: GET /api/users/me and /api/clients/me."""
    headers = {"Authorization": f"Bearer {token_of(email, password)}"}
    profile = requests.get(f"{GATEWAY}/api/users/me", headers=headers, timeout=10).json()
    client = requests.get(f"{GATEWAY}/api/clients/me", headers=headers, timeout=10)
    profile["client_id"] = client.json().get("id") if client.status_code == 200 else None
    return profile


def restore_profile(email: str, password: str, before: dict[str, Any]) -> list[str]:
    """Puts the platform admin's own profile back as it was (name, avatar, ticketing client);
    returns what could not be restored (a username, once set, cannot be cleared)."""
    after = own_profile(email, password)
    headers = {"Authorization": f"Bearer {token_of(email, password)}"}
    left: list[str] = []
    change = {"name": before["name"]} if after.get("name") != before["name"] else {}
    if before.get("username") and after.get("username") != before["username"]:
        change["username"] = before["username"]
    if change:
        response = requests.patch(f"{GATEWAY}/api/users/me", json=change, headers=headers, timeout=10)
        if response.status_code != 200:
            left.append(f"name/username ({response.status_code})")
    if not before.get("username") and after.get("username"):
        left.append(f"username {after['username']!r} (the API cannot clear a username)")
    if not before.get("avatar_url") and after.get("avatar_url"):
        requests.delete(f"{GATEWAY}/api/users/me/avatar", headers=headers, timeout=10)
    if not before.get("client_id") and after.get("client_id"):
        requests.delete(f"{GATEWAY}/api/clients/{after['client_id']}", headers=headers, timeout=10)
    return left


# --- one role ------------------------------------------------------------------------------------

def run_role(role: Role, schema_file: Path, protected_emails: list[str], owned_file: Path) -> None:
    role.out.mkdir(parents=True, exist_ok=True)
    command = [
        # The document as the gateway served it, from a file: loaded from its URL, schemathesis
        # leaves out the operation that serves it (GET /openapi.json).
        str(ST), "run", str(schema_file), "--url", GATEWAY,
        "--checks", "all",
        # Input the document allows but a rule in its prose refuses (control characters in names,
        # "exactly one of", a non-zero delta), or the reverse (null read as absent): reported by
        # these two checks, which judge the document's schemas rather than the API's answers.
        "--exclude-checks", ",".join(PROSE_RULES),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", str(WORKERS),
        "--continue-on-failure",
        "--request-timeout", "30",
        "--generation-database", "none",
        "--report", "json,ndjson,junit",
        "--report-dir", str(role.out),
        "--report-json-path", str(role.out / "report.json"),
        "--report-ndjson-path", str(role.out / "events.ndjson"),
        "--report-junit-path", str(role.out / "junit.xml"),
        "--no-color",
    ]
    if MAX_TIME is not None:
        command += ["--max-time", str(MAX_TIME)]
    if SEED is not None:
        command += ["--seed", str(SEED)]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "fuzz_hooks",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "FUZZ_GATEWAY": GATEWAY,
        "FUZZ_ROLE": role.name,
        "FUZZ_EMAIL": role.email,
        "FUZZ_PASSWORD": role.password,
        "FUZZ_STATE_FILE": str(role.out / "requests.json"),
        "FUZZ_OWNED_FILE": str(owned_file),
        "FUZZ_PROTECTED_EMAILS": json.dumps(protected_emails),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    shown = " ".join(shlex.quote(part) for part in command)
    log(f"{role.name}: {shown} (output: {role.out / 'st.log'})")
    started = time.monotonic()
    with open(role.out / "st.log", "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=role.out,
                                   start_new_session=True)
        try:
            role.st_status = process.wait(timeout=ROLE_TIMEOUT or None)
        except subprocess.TimeoutExpired:
            role.timed_out = True
            # SIGINT first: schemathesis stops, writes its reports and the hooks write their counts.
            os.killpg(process.pid, signal.SIGINT)
            try:
                role.st_status = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                role.st_status = process.wait()
    role.seconds = time.monotonic() - started
    collect(role)


def decode(content: dict[str, Any] | None) -> bytes:
    if not content:
        return b""
    if "$base64" in content:
        return base64.b64decode(content["$base64"])
    if "string" in content:
        return content["string"].encode()
    return json.dumps(content).encode()


def curl_of(role: Role, case_id: str, request: dict[str, Any]) -> str:
    """A curl command that sends the request again ($TOKEN: an access token of the role)."""
    parts = ["curl", "-sS", "-i", "-X", request["method"]]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() in SKIPPED_HEADERS:
            continue
        for value in values if isinstance(values, list) else [values]:
            if name.lower() == "authorization" and value == "[Filtered]":
                parts += ["-H", '"Authorization: Bearer $TOKEN"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = decode(request.get("body"))
    if body:
        try:
            text = body.decode("utf-8")
            if any(ord(char) < 32 and char not in "\t\n\r" for char in text):
                raise UnicodeDecodeError("utf-8", body, 0, 1, "control characters")
            parts += ["--data-binary", shlex.quote(text)]
        except UnicodeDecodeError:
            bodies = role.out / "bodies"
            bodies.mkdir(exist_ok=True)
            (bodies / f"{case_id}.bin").write_bytes(body)
            parts += ["--data-binary", shlex.quote(f"@{bodies / (case_id + '.bin')}")]
    parts.append(shlex.quote(request["uri"]))
    return " ".join(parts)


def collect(role: Role) -> None:
    """Reads the counts of the hooks and the reports of schemathesis."""
    counts = role.out / "requests.json"
    if counts.exists():
        role.state = json.loads(counts.read_text())
    report = role.out / "report.json"
    if report.exists():
        role.report = json.loads(report.read_text())
    events = role.out / "events.ndjson"
    if not events.exists():
        role.errors.append("schemathesis wrote no events (see st.log)")
        return
    for line in events.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        (kind, value), = event.items()
        if kind == "NonFatalError":
            info = value.get("value") or value.get("info") or {}
            kind_of = info.get("type") or info.get("title")
            role.errors.append(f"{value.get('label')} ({value.get('phase')}): {kind_of}: {(info.get('message') or '').strip()[:900]}")
        elif kind == "FatalError":
            role.errors.append(f"fatal: {json.dumps(value.get('exception') or value)[:400]}")
        elif kind == "ScenarioFinished":
            recorder = value.get("recorder") or {}
            cases = recorder.get("cases") or {}
            interactions = recorder.get("interactions") or {}
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    interaction = interactions.get(case_id) or {}
                    response = interaction.get("response") or {}
                    request = interaction.get("request") or {}
                    case = (cases.get(case_id) or {}).get("value") or {}
                    phase = (((case.get("meta") or {}).get("phase")) or {})
                    body = decode(response.get("content")) if response else b""
                    role.failures.append({
                        "role": role.name,
                        "check": check.get("name"),
                        "code": failure.get("code"),
                        "title": failure.get("title"),
                        "message": (failure.get("message") or "").strip(),
                        "operation": failure.get("operation") or recorder.get("label"),
                        "phase": phase.get("name") or value.get("phase"),
                        "scenario": ((phase.get("data") or {}).get("description")),
                        "status": response.get("status_code"),
                        "content_type": ((response.get("headers") or {}).get("content-type") or [None])[0],
                        "response": body[:600].decode("utf-8", "replace"),
                        "curl": curl_of(role, case_id, request) if request else None,
                    })


# --- summary -------------------------------------------------------------------------------------

def finding_key(failure: dict[str, Any]) -> tuple:
    message = failure["message"].splitlines()[0] if failure["message"] else ""
    # One finding per operation, check, status and the first line of the message (which names
    # e.g. the schema path, the missing header or the undocumented status).
    return (failure["operation"], failure["check"], failure["status"], message)


def summarize(roles: list[Role], out: Path, operations: list[str]) -> int:
    problems = 0
    lines: list[str] = []
    findings: dict[tuple, dict[str, Any]] = {}
    for role in roles:
        requests_sent = int(role.state.get("requests", 0))
        by_check = Counter(failure["check"] for failure in role.failures)
        tested = (role.report.get("operations") or {})
        print(f"\n{role.name} ({role.email}): {requests_sent} requests in {role.seconds:.0f} s, "
              f"operations tested {tested.get('tested', '?')}/{tested.get('total', '?')}, "
              f"logins {len(role.state.get('logins', []))}, "
              f"schemathesis exit {role.st_status}{' (timed out)' if role.timed_out else ''}")
        phases = role.state.get("requests_by_phase") or {}
        if phases:
            print("  requests by phase: " + ", ".join(f"{name} {count}" for name, count in sorted(phases.items())))
        statuses: Counter[str] = Counter()
        for counts in (role.state.get("statuses_by_operation") or {}).values():
            statuses.update(counts)
        if statuses:
            print("  responses by status: " + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())))
        print("  failures by check:")
        checks = CONFORMANCE + sorted(set(by_check) - set(CONFORMANCE))
        for check in checks:
            print(f"    {check:32} {by_check.get(check, 0)}")
        rewrites = role.state.get("rewrites") or {}
        if rewrites:
            print(f"  inputs rewritten to spare other suites' data: {sum(rewrites.values())} (see {role.out / 'requests.json'})")
        if role.state.get("network_errors"):
            print(f"  network errors: {role.state['network_errors']}")
        for error in role.errors:
            print(f"  error: {error}")
        untouched = [label for label in operations if not (role.state.get("requests_by_operation") or {}).get(label)]
        if untouched:
            print(f"  FAIL: no request to {len(untouched)} of the document's {len(operations)} operations: {', '.join(untouched)}")
            problems += 1
        if requests_sent < (MIN_REQUESTS or 0):
            print(f"  FAIL: {requests_sent} requests, fewer than FUZZ_MIN_REQUESTS={MIN_REQUESTS}")
            problems += 1
        if role.timed_out:
            # The time bound stops the run; it fails by the other rules (requests, operations).
            print(f"  note: stopped at FUZZ_ROLE_TIMEOUT={ROLE_TIMEOUT} s")
        if role.errors:
            problems += 1
        if not role.report:
            print("  FAIL: no schemathesis report (see st.log)")
            problems += 1
        problems += len(role.failures)
        for failure in role.failures:
            key = finding_key(failure)
            entry = findings.setdefault(key, {**failure, "roles": set(), "count": 0})
            entry["roles"].add(role.name)
            entry["count"] += 1

    ordered = sorted(findings.values(), key=lambda f: (
        CONFORMANCE.index(f["check"]) if f["check"] in CONFORMANCE else len(CONFORMANCE), f["check"], f["operation"], str(f["status"])))
    lines.append(f"# scripts/fuzz findings ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)\n")
    lines.append("`$TOKEN`: an access token of the role named (POST /api/auth/login).\n")
    for number, finding in enumerate(ordered, 1):
        lines.append(f"## {number}. {finding['operation']} — {finding['check']} ({finding['code']} {finding['title']})\n")
        lines.append(f"- roles: {', '.join(sorted(finding['roles']))}; occurrences: {finding['count']}; "
                     f"phase: {finding['phase']}{'; ' + finding['scenario'] if finding['scenario'] else ''}")
        lines.append(f"- response: {finding['status']} {finding['content_type']}")
        lines.append("\n```\n" + finding["message"] + "\n```\n")
        if finding["curl"]:
            lines.append("```sh\n" + finding["curl"] + "\n```\n")
        if finding["response"]:
            lines.append("```\n" + finding["response"] + "\n```\n")
    (out / "findings.md").write_text("\n".join(lines))
    json.dump([{**f, "roles": sorted(f["roles"])} for f in ordered], open(out / "findings.json", "w"), indent=1)

    print(f"\ndistinct findings: {len(ordered)} (details and curl repros: {out / 'findings.md'})")
    for number, finding in enumerate(ordered, 1):
        print(f"  {number:3}. [{'/'.join(sorted(finding['roles']))}] {finding['check']}: {finding['operation']} -> "
              f"{finding['status']} {(finding['message'].splitlines() or [''])[0][:110]}")
    return problems


def main() -> int:
    if not ST.exists():
        print(f"fuzz: {ST} is missing: install scripts/requirements.txt (scripts/setup)", file=sys.stderr)
        return 2
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(os.environ.get("FUZZ_REPORT_DIR") or LOCAL_DIR / "fuzz" / stamp)
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(ROLES) - {"admin", "customer"}
    if unknown or not ROLES:
        print(f"fuzz: FUZZ_ROLES takes admin and/or customer, not {' '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if os.environ.get("FUZZ_EXTRA_HOOKS"):
        log(f"extra hooks: {os.environ['FUZZ_EXTRA_HOOKS']}")
    document = fetch_schema()
    schema_file = out / "openapi.json"
    schema_file.write_text(json.dumps(document))
    operations = sorted(f"{method.upper()} {path}" for path, item in document.get("paths", {}).items()
                        for method in item if method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"))
    found = accounts()
    protected = [email for email, _ in found.values()]
    owned_file = out / "owned-ids.json"
    started = time.monotonic()
    roles: list[Role] = []
    # The admin first: what it creates (cafés, products, events, clients) the customer may then use.
    for name in [role for role in ("admin", "customer") if role in ROLES]:
        email, password = found[name]
        role = Role(name=name, email=email, password=password, out=out / name)
        before = own_profile(email, password) if name == "admin" else None
        try:
            run_role(role, schema_file, protected, owned_file)
        finally:
            if before is not None:
                # The gateway may be restarting (a fault-injection run): keep trying for a while.
                deadline = time.monotonic() + 120
                while True:
                    try:
                        left = restore_profile(email, password, before)
                        break
                    except (requests.RequestException, RuntimeError, ValueError) as error:
                        if time.monotonic() >= deadline:
                            left = [f"restoring failed: {error} (before the run: {before})"]
                            break
                        time.sleep(3)
                if left:
                    log(f"admin: the fuzzed changes to the admin's own profile left: {'; '.join(left)}")
        roles.append(role)
    problems = summarize(roles, out, operations)
    print(f"\ntotal {time.monotonic() - started:.0f} s; reports in {out}")
    if problems:
        print("fuzz: FAILED", file=sys.stderr)
        return 1
    print("fuzz: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Static checks of the container files: docker-compose.yml against the compose-spec schema, every
Dockerfile through hadolint, the YAML through yamllint, and the compose file against the one source
of service facts (Services/services.tsv) and the README's configuration table, so they cannot drift.
No container engine is needed (scripts/test-containers runs the stack for real)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "lib"))
from service_table import read_services  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMPOSE = ROOT / "docker-compose.yml"
LOCAL_OVERRIDE = ROOT / "Dockerfiles/local/docker-compose.local.yml"
MTLS_OVERRIDE = ROOT / "docker-compose.mtls.yml"
STORE_SCHEMES = {"postgres": "postgresql", "mariadb": "mariadb", "mongo": "mongodb"}
STORE_PORTS = {"postgres": 5432, "mariadb": 3306, "mongo": 27017}


SERVICES = {row["name"]: row for row in read_services()}


def compose(variables: dict[str, str] | None = None) -> dict:
    """The compose file as parsed YAML, `${...}` interpolated from `variables` when given."""
    text = COMPOSE.read_text()
    if variables is not None:
        def value(match: re.Match) -> str:
            name, operator, fallback = match.group(1), match.group(2) or "", match.group(3) or ""
            if name in variables:
                return variables[name]
            assert operator != ":?", f"{name} is required and not set"
            return fallback
        text = re.sub(r"\$\{([A-Z0-9_]+)(:[-?])?([^}]*)\}", value, text)
    return yaml.safe_load(text)


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=ROOT, capture_output=True, text=True)


def test_the_compose_file_is_valid_compose_spec(tmp_path):
    result = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr
    # The check sees through the file's YAML anchors: a wrong key inside a service fails it.
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("  gateway:\n", "  gateway:\n    no_such_key: 1\n", 1))
    assert run(BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", broken).returncode != 0


def test_every_dockerfile_passes_hadolint():
    dockerfiles = sorted((ROOT / "Dockerfiles").rglob("*.Dockerfile"))
    assert dockerfiles
    result = run(BIN / "hadolint", "--config", ROOT / ".hadolint.yaml", *dockerfiles)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_mtls_override_gives_every_service_its_certificates(tmp_path):
    """docker-compose.mtls.yml is valid compose, makes the certificates in a one-shot container and
    gives each of the ten services the folder (read-only) and waits for it; nothing else."""
    assert run(BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", MTLS_OVERRIDE).returncode == 0
    override = yaml.safe_load(MTLS_OVERRIDE.read_text())["services"]
    certs = override.pop("certs")
    assert certs["entrypoint"][0] == "/opt/platform/scripts/service-certificates"
    assert set(override) == set(SERVICES)
    for name, service in override.items():
        assert service["environment"] == {"GRPC_TLS_DIR": "/var/lib/platform-tls"}, name
        assert service["volumes"] == ["tls:/var/lib/platform-tls:ro"], name
        assert service["depends_on"] == {"certs": {"condition": "service_completed_successfully"}}, name
    local = yaml.safe_load((ROOT / "Dockerfiles/local/docker-compose.mtls.local.yml").read_text())["services"]
    assert set(local) == {"certs"} and set(local["certs"]) == {"image", "build"}


def test_the_yaml_passes_yamllint():
    files = [COMPOSE, ROOT / ".yamllint.yaml", ROOT / ".hadolint.yaml", LOCAL_OVERRIDE, MTLS_OVERRIDE,
             ROOT / "Dockerfiles/local/docker-compose.mtls.local.yml", *sorted((ROOT / "deploy").rglob("*.yaml"))]
    result = run(BIN / "yamllint", "--strict", "-c", ROOT / ".yamllint.yaml", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_service_is_built_named_and_wired_as_the_table_says():
    example = env_example()
    spec = compose(example)["services"]
    for name, facts in SERVICES.items():
        service = spec[name]
        assert service["build"]["args"] == {"SERVICE": name}
        assert service["build"]["dockerfile"] == "Dockerfiles/service.Dockerfile"
        env = service["environment"]
        depends = service.get("depends_on", {})
        for peer in facts["peers"]:
            assert env[f"{SERVICES[peer]['prefix']}_GRPC_HOST"] == peer, (name, peer)
            assert depends[peer] == {"condition": "service_healthy"}, (name, peer)
        assert ("AMQP_URL" in env) == facts["broker"], name
        assert ("rabbitmq" in depends) == facts["broker"], name
        if facts["broker"]:
            assert urlsplit(env["AMQP_URL"]).hostname == "rabbitmq"
        url_key = f"{facts['prefix']}_DATABASE_URL"
        if facts["store"] == "-":
            assert url_key not in env
            continue
        engine, database = facts["store"].split(":")
        url = urlsplit(env[url_key])
        assert url.scheme == STORE_SCHEMES[engine], name
        assert (url.hostname, url.port, url.path) == (engine, STORE_PORTS[engine], f"/{database}"), name
        assert url.username == database, name
        assert url.password == example[f"{engine.upper()}_{database.upper()}_PASSWORD"], name
        assert depends[engine] == {"condition": "service_healthy"}, name
        assert depends["db-init"] == {"condition": "service_completed_successfully"}, name


def test_only_the_gateway_and_jaegers_ui_are_published_and_legacy_fronts_behind_a_profile():
    spec = compose()["services"]
    published = {name: s["ports"] for name, s in spec.items() if s.get("ports")}
    assert published.pop("gateway") == [f"${{GATEWAY_PUBLISHED_PORT:-{SERVICES['gateway']['http']}}}:{SERVICES['gateway']['http']}"]
    legacy = published.pop("legacy-ports")
    assert published.pop("jaeger") == ["${JAEGER_PUBLISHED_PORT:-16686}:16686"]  # the tracing UI
    assert published == {}
    assert spec["legacy-ports"]["profiles"] == ["legacy"]
    for name in ("client", "event"):
        port = SERVICES[name]["http"]
        assert f"{port}:{port}" in legacy
        assert f"TCP-LISTEN:{port},fork,reuseaddr TCP:{name}:{port}" in spec["legacy-ports"]["command"][0]


def test_every_container_has_a_health_check_and_a_memory_limit():
    spec = compose()["services"]
    for name, service in spec.items():
        if name == "db-init":  # runs once and exits; the services wait for its success
            assert service["restart"] == "no"
            continue
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert re.fullmatch(r"\d+M", service["deploy"]["resources"]["limits"]["memory"]), name
        for dependency in service.get("depends_on", {}):
            assert dependency in spec, (name, dependency)


def test_service_variables_are_documented_and_secrets_come_from_the_env_file():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    for pattern in re.findall(r"`<SERVICE>_([A-Z_]+)`", readme):
        documented |= {f"{facts['prefix']}_{pattern}" for facts in SERVICES.values()}
    spec = compose()
    for name in SERVICES:
        for variable in spec["services"][name]["environment"]:
            assert variable in documented, f"{name}: {variable} is not in the README's configuration table"
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text()))
    example = env_example()
    assert required <= set(example), required - set(example)
    # db-init's account passwords are the ones the services' URLs use.
    init_env = spec["services"]["db-init"]["environment"]
    for facts in SERVICES.values():
        if facts["store"] != "-":
            engine, database = facts["store"].split(":")
            assert f"{engine.upper()}_{database.upper()}_PASSWORD" in init_env


def test_the_local_override_replaces_only_images_and_builds():
    """scripts/test-containers must run the compose file users run: its override may swap what a
    container is made from, nothing about how it runs."""
    override = yaml.safe_load(LOCAL_OVERRIDE.read_text())
    spec = compose()["services"]
    assert set(override) == {"services"} | {key for key in override if key.startswith("x-")}
    for name, service in override["services"].items():
        assert name in spec, name
        assert set(service) == {"image", "build"}, name
        assert service["image"].startswith("localhost/"), name
    # Every container of the default profile is replaced (no registry answers on the test machine).
    assert set(override["services"]) == {name for name, service in spec.items() if "profiles" not in service}


KUBERNETES = ROOT / "deploy/kubernetes"


def kubernetes_resources() -> list[Path]:
    return sorted(p for p in KUBERNETES.rglob("*.yaml") if p.name != "kustomization.yaml")


def test_the_kubernetes_base_is_what_the_table_generates():
    result = run(sys.executable, ROOT / "scripts/gen-kubernetes", "--check")
    assert result.returncode == 0, result.stderr


def test_the_kubernetes_manifests_validate_against_the_schemas(tmp_path):
    files = kubernetes_resources()
    assert files
    result = run(BIN / "kubernetes-validate", "--strict", "--quiet", "-k", "1.31.0", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(files[0].read_text().replace("spec:\n", "spec:\n  noSuchField: 1\n", 1))
    assert run(BIN / "kubernetes-validate", "--strict", "--quiet", "-k", "1.31.0", broken).returncode != 0


def env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_the_local_overlay_gives_every_container_what_compose_gives_it(tmp_path):
    """Each workload of the local overlay (the base's Deployments, the infrastructure's StatefulSets
    and the db-init Job) gets exactly the variables compose gives the container of its name, from
    its own Secret (written from the env file) and the shared ConfigMap, and the same image."""
    assert run(sys.executable, ROOT / "scripts/gen-kubernetes", "--secrets", ROOT / ".env.example", tmp_path).returncode == 0
    expected = compose(env_example())["services"]
    overlay = KUBERNETES / "overlays/local"
    generated = {g["name"]: g["envs"] for g in yaml.safe_load((overlay / "kustomization.yaml").read_text())["secretGenerator"]}
    config = yaml.safe_load((KUBERNETES / "base/config.yaml").read_text())["data"]
    workloads = [d for path in [*sorted((KUBERNETES / "base").glob("*.yaml")), overlay / "infrastructure.yaml"]
                 for d in yaml.safe_load_all(path.read_text()) if d and d["kind"] in {"Deployment", "StatefulSet", "Job"}]
    assert {w["metadata"]["name"] for w in workloads} == {n for n, s in expected.items() if "profiles" not in s}
    for workload in workloads:
        name = workload["metadata"]["name"]
        container = workload["spec"]["template"]["spec"]["containers"][0]
        variables: dict[str, str] = {}
        for source in container["envFrom"]:
            if "configMapRef" in source:
                variables |= {k: str(v) for k, v in config.items()}
            else:
                secret = source["secretRef"]["name"]
                assert secret == f"platform-{name}" and generated[secret] == [f"secrets/{name}.env"], name
                variables |= env_file(tmp_path / f"{name}.env")
        assert variables == {k: "" if v is None else str(v) for k, v in expected[name].get("environment", {}).items()}, name
        assert container["image"] == expected[name]["image"], name


def apply_json_patch(document: dict, operations: list[dict]) -> dict:
    """RFC 6902 `add` and `replace` (what the overlays use), paths of keys, indexes and `-`."""
    for operation in operations:
        *parents, last = operation["path"].strip("/").split("/")
        target = document
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target.append(operation["value"]) if last == "-" else target.insert(int(last), operation["value"])
        else:
            assert operation["op"] == "add" or last in target, operation
            target[last] = operation["value"]
    return document


def test_the_mtls_overlay_mounts_each_services_certificates_and_validates(tmp_path):
    overlay = yaml.safe_load((KUBERNETES / "overlays/local-mtls/kustomization.yaml").read_text())
    assert overlay["resources"] == ["../local"]
    files = {g["name"]: g["files"] for g in overlay["secretGenerator"]}
    patched = []
    for name in SERVICES:
        assert files[f"platform-{name}-tls"] == [f"secrets/tls/{n}" for n in ("ca.pem", f"{name}.pem", f"{name}-key.pem")]
        (patch,) = [p for p in overlay["patches"] if p["target"] == {"kind": "Deployment", "name": name}]
        deployment = next(d for d in yaml.safe_load_all((KUBERNETES / "base" / f"{name}.yaml").read_text()) if d["kind"] == "Deployment")
        result = apply_json_patch(deployment, yaml.safe_load(patch["patch"]))
        container = result["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "GRPC_TLS_DIR", "value": "/var/lib/platform-tls"} in container["env"]
        assert "grpc" not in container["livenessProbe"]  # the kubelet has no client certificate
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(result))
        patched.append(path)
    result = run(BIN / "kubernetes-validate", "--strict", "--quiet", "-k", "1.31.0", *patched)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_service_has_probes_limits_a_budget_and_an_autoscaler():
    for name, facts in SERVICES.items():
        documents = {d["kind"]: d for d in yaml.safe_load_all((KUBERNETES / "base" / f"{name}.yaml").read_text())}
        assert set(documents) == {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"}, name
        container = documents["Deployment"]["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["startupProbe"]["httpGet"]["path"] == "/health"
        assert container["livenessProbe"]["grpc"]["port"] == facts["grpc"]
        assert {p["containerPort"] for p in container["ports"]} == {facts["http"], facts["grpc"]}
        assert container["resources"]["limits"]["memory"] and container["resources"]["requests"]["memory"]
        assert documents["HorizontalPodAutoscaler"]["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_image_facts_script_reads_the_table(name):
    result = run(ROOT / "Dockerfiles/service-facts", name)
    assert result.returncode == 0, result.stderr
    facts = dict(line.split("=", 1) for line in result.stdout.split())
    assert facts == {"SERVICE": name, "PREFIX": SERVICES[name]["prefix"],
                     "HTTP_PORT": str(SERVICES[name]["http"]), "GRPC_PORT": str(SERVICES[name]["grpc"])}

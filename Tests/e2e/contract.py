"""The gateway's REST contract, read from its one source: `Services/Gateway/API/openapi.yaml`.

- `operation_for(method, path)` finds the operation a request addresses (a literal path segment
  beats a `{param}` segment: `/api/sessions/last-connection` is not `/api/sessions/{id}`).
- `check(response)` holds a gateway response to the document: its status must be one the
  operation lists, a JSON body must validate against the documented schema (JSON Schema
  2020-12, `$ref`s resolved in the whole document; formats `uuid`, `date-time`, `email`), and
  the `Retry-After` / `WWW-Authenticate` headers documented for that status must be there. A
  request no operation matches may only be answered 404 or 405. identity.py runs it on every
  gateway response.
- Bodies are held to one rule the document leaves implicit: an object whose schema lists
  `properties` (and allows no `additionalProperties`) may not carry other fields, so a field
  the gateway adds without documenting it fails, as the old hand-written field lists did.
- Every (operationId, status) seen is recorded in-process; `unobserved()` lists the documented
  ones that were not (conftest.py prints them at the end of a run).
- `assert_valid(value, "User")` checks a value against one of `components/schemas`;
  `Operation.example_body()` / `example_query()` make a valid request from the document.
"""

from __future__ import annotations

import datetime
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import stack

DOCUMENT_PATH = stack.ROOT / "Services" / "Gateway" / "API" / "openapi.yaml"
DOCUMENT_TEXT: bytes = DOCUMENT_PATH.read_bytes()
DOCUMENT: dict[str, Any] = yaml.safe_load(DOCUMENT_TEXT)

# The document as a JSON Schema resource, so that `#/components/...` resolves in all of it.
DOCUMENT_URI = "urn:platform:gateway-openapi"
REGISTRY: Registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(DOCUMENT))

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CHECKED_HEADERS = ("Retry-After", "WWW-Authenticate")  # must be present when documented
UNMATCHED_STATUSES = (404, 405)  # the only answers to a request no operation matches

RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# --- formats ---------------------------------------------------------------------------------

# Only these formats are checked (others, e.g. int64, are annotations). `uuid` and `email` are
# jsonschema's own (email is lenient: an "@"); date-time is checked here, so it does not depend
# on the optional rfc3339-validator package.
FORMATS = FormatChecker(formats=[name for name in ("uuid", "email") if name in FormatChecker.checkers])


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339_RE.match(value):
        return False
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))  # ValueError: e.g. month 13
    return True


# --- the document ----------------------------------------------------------------------------

def escape(segment: str) -> str:
    """One JSON-pointer segment."""
    return segment.replace("~", "~0").replace("/", "~1")


def pointer_to(*segments: str) -> str:
    return "".join("/" + escape(str(segment)) for segment in segments)


def at(pointer: str) -> Any:
    """The node of the document at a JSON pointer ("" is the whole document)."""
    node: Any = DOCUMENT
    for segment in pointer.split("/")[1:]:
        segment = segment.replace("~1", "/").replace("~0", "~")
        node = node[int(segment)] if isinstance(node, list) else node[segment]
    return node


def resolve(node: Any, pointer: str) -> tuple[Any, str]:
    """Follows `$ref`s (within the document) from `node` at `pointer`: (target, its pointer)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are supported, not {ref!r} (at {pointer})"
        assert ref not in seen, f"a $ref cycle at {ref}"
        seen.add(ref)
        pointer = ref[1:]
        node = at(pointer)
    return node, pointer


def _validator(pointer: str) -> Draft202012Validator:
    with _validators_lock:
        validator = _validators.get(pointer)
        if validator is None:
            reference = f"{DOCUMENT_URI}#{quote(pointer, safe='/~')}"
            validator = Draft202012Validator({"$ref": reference}, registry=REGISTRY, format_checker=FORMATS)
            _validators[pointer] = validator
        return validator


_validators: dict[str, Draft202012Validator] = {}
_validators_lock = threading.Lock()


def schema_problems(value: Any, pointer: str) -> list[str]:
    """What is wrong with `value` against the schema at `pointer` (empty: nothing)."""
    problems = []
    for error in sorted(_validator(pointer).iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/" + "/".join(str(part) for part in error.absolute_path)
        problems.append(f"{where}: {error.message}")
    schema = at(pointer)
    problems += [f"{where}: not declared by the document" for where in undeclared_fields(value, schema)]
    return problems


def assert_valid(value: Any, schema: str) -> None:
    """Asserts `value` matches `#/components/schemas/<schema>` (or a full `#/...` pointer)."""
    pointer = schema[1:] if schema.startswith("#/") else pointer_to("components", "schemas", schema)
    problems = schema_problems(value, pointer)
    assert not problems, f"not a valid {schema}: " + "; ".join(problems[:10]) + f"\n{str(value)[:800]}"


# --- undeclared fields -----------------------------------------------------------------------

def _branches(node: Any) -> list[dict]:
    """`node` and every schema it is made of ($ref, allOf, anyOf, oneOf), refs followed."""
    if not isinstance(node, dict):
        return []
    out = [node]
    if "$ref" in node:
        target, _ = resolve({"$ref": node["$ref"]}, "")
        out += _branches(target)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(keyword, []):
            out += _branches(sub)
    return out


def undeclared_fields(value: Any, schema: Any, where: str = "") -> list[str]:
    """The paths of the fields of `value` that its schema does not declare.

    An object is closed when some schema it is made of lists `properties` and none allows more
    (`additionalProperties` other than false, `patternProperties`); free-form objects (no
    `properties`) and maps (`additionalProperties: {schema}`) are open.
    """
    branches = _branches(schema)
    out: list[str] = []
    if isinstance(value, dict):
        declared: set[str] = set()
        closed = open_ = False
        for branch in branches:
            if "properties" in branch:
                declared |= set(branch["properties"])
                closed = True
            if branch.get("additionalProperties", False) is not False or "patternProperties" in branch:
                open_ = True
        if closed and not open_:
            out += [f"{where}/{key}" for key in value if key not in declared]
        for key, item in value.items():
            for branch in branches:
                sub = branch.get("properties", {}).get(key)
                if sub is None and isinstance(branch.get("additionalProperties"), dict):
                    sub = branch["additionalProperties"]
                if sub is not None:
                    out += undeclared_fields(item, sub, f"{where}/{key}")
    elif isinstance(value, list):
        for branch in branches:
            if isinstance(branch.get("items"), dict):
                for index, item in enumerate(value):
                    out += undeclared_fields(item, branch["items"], f"{where}/{index}")
    return sorted(set(out))


# --- operations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    id: str
    method: str            # upper case
    path: str              # the path template, e.g. /api/sessions/{id}
    spec: dict = field(repr=False, compare=False)
    pointer: str = field(repr=False, compare=False)

    @property
    def path_item(self) -> dict:
        return DOCUMENT["paths"][self.path]

    @property
    def security(self) -> list[dict]:
        """The effective security requirements (the operation's, else the document's)."""
        return self.spec.get("security", DOCUMENT.get("security", []))

    @property
    def needs_token(self) -> bool:
        """True when every alternative requirement asks for something (none is `{}`)."""
        return bool(self.security) and all(self.security)

    def admits(self, roles: set[str]) -> bool:
        """Whether a token with `roles` meets one of the alternatives: `{}` admits anyone; an
        empty role list any user account; a café terminal only where `terminal` is named."""
        for requirement in self.security or [{}]:
            needed = {scope for scopes in requirement.values() for scope in scopes}
            if not requirement or (needed <= roles and ("terminal" not in roles or "terminal" in needed)):
                return True
        return False

    @property
    def required_roles(self) -> set[str]:
        """The roles (bearerAuth scopes) every alternative requirement asks for."""
        if not self.needs_token:
            return set()
        sets = [set(scopes) for requirement in self.security for scopes in requirement.values()]
        return set.intersection(*sets) if sets else set()

    def parameters(self) -> list[dict]:
        """Path-item and operation parameters, refs resolved; the operation's win."""
        merged: dict[tuple[str, str], dict] = {}
        for source, base in ((self.path_item, pointer_to("paths", self.path)), (self.spec, self.pointer)):
            for index, parameter in enumerate(source.get("parameters", [])):
                parameter, _ = resolve(parameter, f"{base}/parameters/{index}")
                merged[(parameter["name"], parameter["in"])] = parameter
        return list(merged.values())

    def parameter_schema(self, parameter: dict) -> dict:
        schema, _ = resolve(parameter.get("schema", {}), "")
        return schema

    def uuid_path_parameters(self) -> list[str]:
        return [p["name"] for p in self.parameters()
                if p["in"] == "path" and self.parameter_schema(p).get("format") == "uuid"]

    def path_with(self, values: dict[str, str] | None = None) -> str:
        """The path with its parameters filled: from `values`, else an example value."""
        values = values or {}
        out = self.path
        for parameter in self.parameters():
            if parameter["in"] == "path":
                value = values.get(parameter["name"])
                if value is None:
                    value = str(example(self.parameter_schema(parameter)))
                out = out.replace("{" + parameter["name"] + "}", quote(value, safe=""))
        return out

    def example_query(self) -> dict[str, Any]:
        """A valid value for every required query parameter."""
        return {p["name"]: example(self.parameter_schema(p)) for p in self.parameters()
                if p["in"] == "query" and p.get("required")}

    def example_body(self) -> Any:
        """A valid JSON request body (every declared field), or None if the operation takes none."""
        body = self.spec.get("requestBody")
        if body is None:
            return None
        body, pointer = resolve(body, self.pointer + "/requestBody")
        media = body.get("content", {}).get("application/json")
        return None if media is None else example(media.get("schema", {}))

    def response(self, status: int) -> tuple[str, dict, str] | None:
        """(documented key, response object, its pointer) for `status`, or None."""
        responses = self.spec.get("responses", {})
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in responses:
                node, pointer = resolve(responses[key], self.pointer + pointer_to("responses", key))
                return key, node, pointer
        return None


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("^" + "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$")


def _specificity(template: str) -> tuple[int, ...]:
    """Smaller is more specific: literal segments (0) before templated ones (1), left to right."""
    return tuple(1 if "{" in segment else 0 for segment in template.split("/"))


def _load_operations() -> list[Operation]:
    out = []
    for path, item in DOCUMENT.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                spec = item[method]
                out.append(Operation(spec["operationId"], method.upper(), path, spec,
                                     pointer_to("paths", path, method)))
    return out


OPERATIONS: list[Operation] = _load_operations()
_TEMPLATES: list[tuple[re.Pattern[str], str]] = sorted(
    ((_template_regex(path), path) for path in DOCUMENT.get("paths", {})), key=lambda entry: _specificity(entry[1]))
_BASE_PATH = urlsplit((DOCUMENT.get("servers") or [{"url": "/"}])[0]["url"]).path.rstrip("/")


def operations() -> list[Operation]:
    return list(OPERATIONS)


def operation(operation_id: str) -> Operation:
    return next(op for op in OPERATIONS if op.id == operation_id)


def path_template_for(url_path: str) -> str | None:
    """The most specific documented path template matching `url_path` (no query), or None."""
    if _BASE_PATH:
        if not url_path.startswith(_BASE_PATH + "/"):
            return None
        url_path = url_path[len(_BASE_PATH):]
    for regex, template in _TEMPLATES:
        if regex.match(url_path):
            return template
    return None


def operation_for(method: str, url_path: str) -> Operation | None:
    """The operation `method url_path` addresses, or None (no such path, or not that method)."""
    template = path_template_for(urlsplit(url_path).path)
    if template is None:
        return None
    return next((op for op in OPERATIONS if op.path == template and op.method == method.upper()), None)


# --- examples --------------------------------------------------------------------------------

def example(schema: Any) -> Any:
    """A value valid against a (simple) schema: const, enum, example, else made up by type."""
    schema = {key: value for branch in _branches(schema) for key, value in branch.items()}
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "example" in schema:
        return schema["example"]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        return {name: example(sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(schema.get("items", {})) for _ in range(max(1, schema.get("minItems", 0)))]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return schema.get("default", schema.get("minimum", 1))
    token = uuid.uuid4().hex
    fmt = schema.get("format")
    if fmt == "email":
        return f"e2e-contract-{token[:16]}@example.com"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date-time":
        return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"e2e-contract-{token}".ljust(schema.get("minLength", 0), "x")
    return text[:schema.get("maxLength", len(text))]


# --- checking responses ----------------------------------------------------------------------

_seen: set[tuple[str, str]] = set()
_seen_lock = threading.Lock()


def _record(operation_id: str, status_key: str) -> None:
    with _seen_lock:
        _seen.add((operation_id, status_key))


def observed() -> set[tuple[str, str]]:
    with _seen_lock:
        return set(_seen)


def documented() -> list[tuple[str, str]]:
    """Every (operationId, documented status) of the document."""
    return [(op.id, key) for op in OPERATIONS for key in op.spec.get("responses", {})]


def unobserved() -> list[tuple[str, str]]:
    """The documented (operationId, status) pairs `check` has not seen in this process."""
    seen = observed()
    return [pair for pair in documented() if pair not in seen]


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def check(response: requests.Response) -> None:
    """Fails (AssertionError) when a gateway response breaks the document."""
    request = response.request
    path = urlsplit(request.url).path
    status = response.status_code
    where = f"{request.method} {path} answered {status}"
    body_text = response.content[:800].decode("utf-8", "replace")

    op = operation_for(request.method, path)
    if op is None:
        assert status in UNMATCHED_STATUSES, (
            f"{where}, but the document has no such operation: only {UNMATCHED_STATUSES} may answer. "
            f"Body: {body_text}")
        if _is_json(media_type(response)):
            assert_valid(response.json(), "Error")
        return

    found = op.response(status)
    listed = ", ".join(op.spec.get("responses", {}))
    assert found is not None, f"{op.id}: {where}, a status the document does not list ({listed}). Body: {body_text}"
    key, documented_response, pointer = found
    _record(op.id, key)
    label = f"{op.id} {key}"

    for name, header in (documented_response.get("headers") or {}).items():
        if name.lower() not in {h.lower() for h in CHECKED_HEADERS}:
            continue
        value = response.headers.get(name)
        assert value, f"{label}: {where} without the documented {name} header; headers: {dict(response.headers)}"
        header, _ = resolve(header, "")
        schema, _ = resolve(header.get("schema", {}), "")
        if schema.get("type") == "integer":
            assert value.isdigit(), f"{label}: {name}: {value!r} is not a whole number of seconds"

    content = documented_response.get("content") or {}
    media = media_type(response)
    if request.method == "HEAD":
        return  # never a body (its Content-Type may be the GET's)
    if not content:
        assert response.content == b"", f"{label}: the document gives this response no body, got: {body_text}"
        return
    assert media in content, f"{label}: Content-Type {media!r} is not one documented ({', '.join(content)})"
    if not _is_json(media) or "schema" not in content[media]:
        return
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(f"{label}: {where} with a body that is not JSON ({error}): {body_text}") from None
    problems = schema_problems(body, pointer + pointer_to("content", media, "schema"))
    assert not problems, (
        f"{label}: {where} with a body that breaks the document:\n  " + "\n  ".join(problems[:10])
        + f"\nBody: {body_text}")


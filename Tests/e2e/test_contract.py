"""The gateway against its OpenAPI document (Services/Gateway/API/openapi.yaml), end to end.

The document is the one source of the REST contract: the gateway must serve it unchanged, and
the rules it states for every route (a malformed `{id}` is 404; a route with a security
requirement refuses a missing token with 401 and, when the requirement names the `admin` role,
a customer with 403) are checked here for every operation it lists, not for a hand-kept list.
Each response is also held to the document by `identity.check_response` (contract.check).
"""

from __future__ import annotations

import re

import pytest

import contract
from identity import Account, admin_account, call, error_of, get, jwt_segments, new_account
from stack import ROOT

DOCUMENT_NAME = contract.DOCUMENT_PATH.relative_to(ROOT)

# Ids a `format: uuid` path parameter must refuse: not a uuid, one digit short, one digit long.
MALFORMED_IDS = ["not-a-uuid", "3fa85f64-5717-4562-b3fc-2c963f66afa", "3fa85f64-5717-4562-b3fc-2c963f66afa6a"]

WITH_UUID_PATH = [op for op in contract.operations() if op.uuid_path_parameters()]
SECURED = [op for op in contract.operations() if op.needs_token]
ADMIN_ONLY = [op for op in SECURED if "admin" in op.required_roles]


def operation_id(op: contract.Operation) -> str:
    return op.id


def differences(served: object, documented: object, where: str = "", limit: int = 20) -> list[str]:
    """Where two JSON values differ (paths, at most `limit`)."""
    out: list[str] = []
    if isinstance(served, dict) and isinstance(documented, dict):
        for key in sorted(set(served) | set(documented), key=str):
            if key not in served:
                out.append(f"{where}/{key}: missing from the served document")
            elif key not in documented:
                out.append(f"{where}/{key}: served, not in openapi.yaml")
            else:
                out += differences(served[key], documented[key], f"{where}/{key}", limit)
    elif isinstance(served, list) and isinstance(documented, list) and len(served) == len(documented):
        for index, (a, b) in enumerate(zip(served, documented)):
            out += differences(a, b, f"{where}/{index}", limit)
    elif served != documented:
        out.append(f"{where or '/'}: served {str(served)[:80]!r}, openapi.yaml has {str(documented)[:80]!r}")
    return out[:limit]


@pytest.fixture(scope="module")
def admin() -> Account:
    return admin_account()


@pytest.fixture(scope="module")
def customer() -> Account:
    return new_account(tag="contract")


def roles_of(account: Account) -> set[str]:
    return set(jwt_segments(account.access_token)[1]["roles"])


def caller_for(op: contract.Operation, admin: Account, customer: Account) -> Account:
    """A signed-in caller that meets the operation's role requirement (a customer if it can)."""
    for account in (customer, admin):
        if op.admits(roles_of(account)):
            return account
    pytest.fail(f"{op.id} needs the roles {sorted(op.required_roles)}, which no test account has")


# --- the document itself ---------------------------------------------------------------------

def test_openapi_json_is_the_document() -> None:
    response = get("/openapi.json")
    assert response.status_code == 200, response.text[:500]
    served = response.json()
    problems = differences(served, contract.DOCUMENT)
    assert served == contract.DOCUMENT, (
        f"/openapi.json is not {DOCUMENT_NAME} (as data):\n  "
        + "\n  ".join(problems))


def test_openapi_yaml_is_the_file() -> None:
    response = get("/openapi.yaml")
    assert response.status_code == 200, response.text[:500]
    assert response.content == contract.DOCUMENT_TEXT, (
        f"/openapi.yaml ({len(response.content)} bytes) is not the file "
        f"{DOCUMENT_NAME} ({len(contract.DOCUMENT_TEXT)} bytes), byte for byte")


def test_the_document_lists_what_these_tests_derive_from_it() -> None:
    # Guards the derivations below against a document they would silently find nothing in.
    assert WITH_UUID_PATH and SECURED and ADMIN_ONLY
    assert all(op.needs_token for op in ADMIN_ONLY)
    ids = [op.id for op in contract.operations()]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


# --- rules the document states for every route -----------------------------------------------

@pytest.mark.parametrize("malformed", MALFORMED_IDS)
@pytest.mark.parametrize("op", WITH_UUID_PATH, ids=operation_id)
def test_a_malformed_id_is_404(op: contract.Operation, malformed: str, admin: Account, customer: Account) -> None:
    caller = caller_for(op, admin, customer)
    path = op.path_with({name: malformed for name in op.uuid_path_parameters()})
    response = call(op.method, path, token=caller.access_token, params=op.example_query(), json=op.example_body())
    error_of(response, 404, "not_found")


@pytest.mark.parametrize("op", SECURED, ids=operation_id)
def test_no_token_is_401_with_a_bearer_challenge(op: contract.Operation) -> None:
    response = call(op.method, op.path_with(), params=op.example_query(), json=op.example_body())
    error_of(response, 401, "unauthenticated")
    challenge = response.headers.get("WWW-Authenticate", "")
    assert re.match(r"^Bearer(\s|$)", challenge), f"{op.id}: WWW-Authenticate is {challenge!r}"


@pytest.mark.parametrize("op", ADMIN_ONLY, ids=operation_id)
def test_a_customer_is_403_on_admin_operations(op: contract.Operation, customer: Account) -> None:
    assert "admin" not in roles_of(customer)
    response = call(op.method, op.path_with(), token=customer.access_token,
                    params=op.example_query(), json=op.example_body())
    error_of(response, 403, "permission_denied")

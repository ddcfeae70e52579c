"""The identity REST API at the gateway (Services/Gateway/API/openapi.yaml), end to end on the live stack.

Every response these tests receive is also checked by `identity.check_response`: no body may
contain a password that was sent, `password_hash` or a bcrypt hash, each carries X-Request-ID,
and each matches the gateway's OpenAPI document (contract.py: documented status, body valid
against the documented schema, no undeclared field), so the tests below do not restate response
shapes; they assert what the document cannot say. Every test works with users of its own (fresh
uuid emails) and every login comes from a fresh fake client address, so the login throttle of
one test cannot touch another.
"""

from __future__ import annotations

import time
import uuid

import pytest

import contract
import identity
from identity import (
    Account, admin_account, call, delete, details_of, error_of, fake_address, get, login, login_tokens,
    new_account, new_password, patch, post, refused_within, register, register_account, unique_email,
)
from stack import wait_until

ME = "/api/auth/me"


@pytest.fixture
def admin() -> Account:
    return admin_account()


@pytest.fixture
def user() -> Account:
    return new_account()


# --- registration ----------------------------------------------------------------------------

def test_register_creates_a_customer() -> None:
    email, password = unique_email("reg"), new_password()
    response = register(email.upper(), password, "  Ann Example  ")
    assert response.status_code == 201, response.text
    body = response.json()
    identity.assert_user(body, email=email, name="Ann Example", roles=["customer"])
    assert body["active"] is True


def test_register_twice_is_409_even_with_other_case() -> None:
    account = register_account(wait=False)
    again = register(account.email, new_password(), "Someone Else")
    error_of(again, 409, "already_exists")
    shouted = register(account.email.upper(), new_password(), "Someone Else")
    error_of(shouted, 409, "already_exists")


@pytest.mark.parametrize(
    ("email", "password", "name", "fields"),
    [
        ("not-an-email", "GOOD", "Ann", {"email"}),
        ("FRESH", "short", "Ann", {"password"}),
        ("FRESH", "x" * 73, "Ann", {"password"}),
        ("FRESH", "GOOD", None, {"name"}),
        ("FRESH", "GOOD", "   ", {"name"}),
        ("FRESH", "GOOD", "n" * 101, {"name"}),
        ("no-at-sign", "short", None, {"email", "password", "name"}),
    ],
    ids=["bad-email", "short-password", "long-password", "missing-name", "blank-name", "long-name", "all-three"],
)
def test_register_invalid_fields_are_422_with_details(email: str, password: str, name: str | None, fields: set[str]) -> None:
    email = unique_email("bad") if email == "FRESH" else email
    password = new_password() if password == "GOOD" else password
    response = register(email, password, name)
    details = details_of(response)
    assert set(details) == fields, details
    assert all(isinstance(text, str) and text for text in details.values()), details
    if email.endswith("@example.com"):
        # Nothing was created: the same email registers fine afterwards.
        assert register(email, new_password(), "Ann").status_code == 201


def test_register_with_a_body_that_is_not_json_is_422() -> None:
    response = post("/api/auth/register", data="{not json", headers={"Content-Type": "application/json"})
    error_of(response, 422, "invalid_argument")


# --- login -----------------------------------------------------------------------------------

def test_login_returns_a_bearer_token_pair() -> None:
    account = register_account()
    response = login(account.email, account.password)
    assert response.status_code == 200, response.text
    pair = response.json()
    identity.assert_token_pair(pair)
    header, payload, _ = identity.jwt_segments(pair["access_token"])
    assert header["alg"] == "ES256" and header.get("kid"), header
    assert payload["sub"] == account.id and payload["email"] == account.email, payload
    assert payload["roles"] == ["customer"], payload
    assert payload["exp"] - payload["iat"] == pair["expires_in"], payload


def test_login_email_is_case_insensitive() -> None:
    account = register_account()
    response = login(account.email.upper(), account.password)
    assert response.status_code == 200, response.text


def test_login_without_fields_is_422() -> None:
    details = details_of(post("/api/auth/login", json={}, address=fake_address()))
    assert {"email", "password"} <= set(details), details


def test_wrong_password_and_unknown_email_are_indistinguishable() -> None:
    account = register_account()
    wrong = login(account.email, new_password("wrong"))
    unknown = login(unique_email("nobody"), account.password)
    error_of(wrong, 401, "unauthenticated")
    error_of(unknown, 401, "unauthenticated")
    assert wrong.json() == unknown.json()
    assert wrong.content == unknown.content
    for header in ("Content-Type", "WWW-Authenticate", "Retry-After"):
        assert wrong.headers.get(header) == unknown.headers.get(header), header
    assert wrong.headers["X-Request-ID"] != unknown.headers["X-Request-ID"]


# --- the caller's profile --------------------------------------------------------------------

def test_me_returns_the_caller(user: Account) -> None:
    response = get(ME, token=user.access_token)
    assert response.status_code == 200, response.text
    body = response.json()
    identity.assert_user(body, email=user.email, name=user.name, roles=["customer"], schema="OwnProfile")
    assert body["id"] == user.id and body["active"] is True and body["avatar_url"] is None
    same = get("/api/users/me", token=user.access_token)
    assert same.status_code == 200 and same.json() == body


def test_me_without_a_token_is_401() -> None:
    error_of(get(ME), 401, "unauthenticated")
    error_of(get("/api/users/me"), 401, "unauthenticated")


def test_patch_me_changes_only_the_name(user: Account) -> None:
    before = get(ME, token=user.access_token).json()
    response = patch("/api/users/me", token=user.access_token,
                     json={"name": "Renamed Person", "email": unique_email("steal"), "roles": ["admin"], "active": False})
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["name"] == "Renamed Person"
    for field in ("id", "email", "roles", "active", "created_at"):
        assert after[field] == before[field], field
    assert get(ME, token=user.access_token).json() == after


def test_patch_me_with_nothing_changes_nothing(user: Account) -> None:
    before = get(ME, token=user.access_token).json()
    response = patch("/api/users/me", token=user.access_token, json={})
    assert response.status_code == 200, response.text
    assert response.json() == before
    assert get(ME, token=user.access_token).json() == before


def test_patch_me_rejects_an_empty_name(user: Account) -> None:
    details = details_of(patch("/api/users/me", token=user.access_token, json={"name": "   "}))
    assert "name" in details, details
    assert get(ME, token=user.access_token).json()["name"] == user.name


# --- password change -------------------------------------------------------------------------

def test_change_password(user: Account) -> None:
    other_session = Account(email=user.email, password=user.password, name=user.name)
    login_tokens(other_session)
    new = new_password("new")

    wrong = post("/api/auth/password", token=user.access_token,
                 json={"current_password": new_password("wrong"), "new_password": new})
    assert "current_password" in details_of(wrong)
    short = post("/api/auth/password", token=user.access_token,
                 json={"current_password": user.password, "new_password": "short"})
    assert "new_password" in details_of(short)
    error_of(post("/api/auth/password", json={"current_password": user.password, "new_password": new}), 401)

    done = post("/api/auth/password", token=user.access_token,
                json={"current_password": user.password, "new_password": new})
    assert done.status_code == 204, done.text

    error_of(login(user.email, user.password), 401, "unauthenticated")
    assert login(user.email, new).status_code == 200
    # The session that changed it goes on; the others are revoked.
    assert get(ME, token=user.access_token).status_code == 200
    refused_within(ME, other_session.access_token)


# --- refresh and logout ----------------------------------------------------------------------

def test_refresh_rotates_and_reuse_revokes_the_session(user: Account) -> None:
    first_access, first_refresh = user.access_token, user.refresh_token
    response = post("/api/auth/refresh", json={"refresh_token": first_refresh}, address=fake_address())
    assert response.status_code == 200, response.text
    second = response.json()
    identity.assert_token_pair(second)
    assert second["access_token"] != first_access and second["refresh_token"] != first_refresh
    assert get(ME, token=second["access_token"]).status_code == 200

    # The spent refresh token is refused, and presenting it ends the session.
    error_of(post("/api/auth/refresh", json={"refresh_token": first_refresh}, address=fake_address()), 401)
    refused_within(ME, second["access_token"])
    error_of(post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]}, address=fake_address()), 401)


def test_refresh_needs_a_valid_token() -> None:
    assert "refresh_token" in details_of(post("/api/auth/refresh", json={}))
    error_of(post("/api/auth/refresh", json={"refresh_token": "not-a-refresh-token"}), 401, "unauthenticated")


def test_logout_revokes_the_token(user: Account) -> None:
    assert get(ME, token=user.access_token).status_code == 200
    response = post("/api/auth/logout", token=user.access_token)
    assert response.status_code == 204, response.text
    assert response.content == b""
    refused_within(ME, user.access_token)
    error_of(post("/api/auth/logout", token=user.access_token), 401)
    error_of(post("/api/auth/refresh", json={"refresh_token": user.refresh_token}, address=fake_address()), 401)
    error_of(post("/api/auth/logout"), 401)


# --- sessions --------------------------------------------------------------------------------

def sessions_of(token: str) -> list[dict]:
    response = get("/api/sessions", token=token)
    assert response.status_code == 200, response.text
    body = response.json()
    contract.assert_valid(body, "SessionList")
    return body["sessions"]


def test_sessions_list_marks_the_current_one() -> None:
    account = register_account()
    first_address, second_address = fake_address(), fake_address()
    first = Account(account.email, account.password, account.name)
    second = Account(account.email, account.password, account.name)
    login_tokens(first, address=first_address, user_agent="e2e-agent-first/1.0")
    login_tokens(second, address=second_address, user_agent="e2e-agent-second/2.0")

    listed = {session["id"].lower(): session for session in sessions_of(first.access_token)}
    assert {first.session_id, second.session_id} <= set(listed), listed
    assert listed[first.session_id]["current"] is True
    assert listed[second.session_id]["current"] is False
    assert [s["current"] for s in listed.values()].count(True) == 1, listed
    assert listed[first.session_id]["user_agent"] == "e2e-agent-first/1.0"
    assert listed[second.session_id]["user_agent"] == "e2e-agent-second/2.0"
    assert listed[first.session_id]["client_address"] == first_address
    assert listed[second.session_id]["client_address"] == second_address

    from_second = {s["id"].lower(): s["current"] for s in sessions_of(second.access_token)}
    assert from_second[second.session_id] is True and from_second[first.session_id] is False


def test_delete_sessions() -> None:
    account = register_account()
    mine = Account(account.email, account.password, account.name)
    my_other = Account(account.email, account.password, account.name)
    login_tokens(mine)
    login_tokens(my_other)
    stranger = new_account(tag="stranger")

    # Someone else's session, an unknown one and a malformed id: 404, nothing revoked.
    error_of(delete(f"/api/sessions/{stranger.session_id}", token=mine.access_token), 404, "not_found")
    error_of(delete(f"/api/sessions/{uuid.uuid4()}", token=mine.access_token), 404, "not_found")
    error_of(delete("/api/sessions/not-a-session", token=mine.access_token), 404, "not_found")
    assert get(ME, token=stranger.access_token).status_code == 200
    error_of(delete(f"/api/sessions/{my_other.session_id}"), 401)

    # My own other session: 204, and its token is refused.
    response = delete(f"/api/sessions/{my_other.session_id}", token=mine.access_token)
    assert response.status_code == 204, response.text
    refused_within(ME, my_other.access_token)
    assert get(ME, token=mine.access_token).status_code == 200
    assert my_other.session_id not in {s["id"].lower() for s in sessions_of(mine.access_token)}
    error_of(delete(f"/api/sessions/{my_other.session_id}", token=mine.access_token), 404, "not_found")


# --- last connection -------------------------------------------------------------------------

def last_connection(token: str, email: str):
    return get("/api/sessions/last-connection", token=token, params={"email": email})


def test_last_connection(admin: Account) -> None:
    user = new_account()
    other = register_account(tag="never-logged-in")

    own = last_connection(user.access_token, user.email)
    assert own.status_code == 200, own.text
    body = own.json()
    contract.assert_valid(body, "LastConnection")
    assert body["email"] == user.email
    assert isinstance(body["last_connection_at"], str), body  # logged in: not null
    assert last_connection(user.access_token, user.email.upper()).status_code == 200

    error_of(last_connection(user.access_token, other.email), 403, "permission_denied")
    error_of(last_connection(user.access_token, admin.email), 403, "permission_denied")
    error_of(last_connection(user.access_token, unique_email("ghost")), 403, "permission_denied")
    assert "email" in details_of(get("/api/sessions/last-connection", token=user.access_token))
    error_of(last_connection("", user.email), 401)

    seen = last_connection(admin.access_token, user.email)
    assert seen.status_code == 200, seen.text
    assert seen.json()["email"] == user.email and seen.json()["last_connection_at"]
    never = last_connection(admin.access_token, other.email)
    assert never.status_code == 200, never.text
    assert never.json() == {"email": other.email, "last_connection_at": None}
    error_of(last_connection(admin.access_token, unique_email("ghost")), 404, "not_found")


# --- admin -----------------------------------------------------------------------------------

def admin_user(admin: Account, user_id: str) -> dict:
    response = get(f"/api/admin/users/{user_id}", token=admin.access_token)
    assert response.status_code == 200, response.text
    return response.json()


def test_admin_routes_are_403_for_non_admins(admin: Account) -> None:
    caller = new_account(tag="not-admin")
    victim = register_account(tag="victim")
    nobody = str(uuid.uuid4())
    attempts = [
        ("GET", "/api/admin/users", None),
        ("GET", "/api/admin/users?page=1&page_size=5", None),
        ("POST", "/api/admin/users", {"email": unique_email("made"), "password": new_password(), "name": "X", "roles": ["admin"]}),
        ("GET", f"/api/admin/users/{victim.id}", None),
        ("GET", f"/api/admin/users/{nobody}", None),
        ("PATCH", f"/api/admin/users/{victim.id}", {"roles": ["admin"], "name": "Pwned"}),
        ("PATCH", f"/api/admin/users/{nobody}", {"roles": ["admin"]}),
        ("PATCH", f"/api/admin/users/{caller.id}", {"roles": ["admin"]}),
        ("DELETE", f"/api/admin/users/{victim.id}", None),
        ("DELETE", f"/api/admin/users/{nobody}", None),
        ("DELETE", "/api/admin/users/not-a-uuid", None),
    ]
    for method, path, body in attempts:
        response = call(method, path, token=caller.access_token, json=body)
        error_of(response, 403, "permission_denied")
        error_of(call(method, path, json=body), 401, "unauthenticated")

    unchanged = admin_user(admin, victim.id)
    assert unchanged["active"] is True and unchanged["roles"] == ["customer"] and unchanged["name"] == victim.name
    assert admin_user(admin, caller.id)["roles"] == ["customer"]


def create_user(admin: Account, *, tag: str, roles: list[str] | None = None, name: str | None = None) -> Account:
    account = Account(email=unique_email(tag), password=new_password(), name=name or f"E2E {tag}")
    body: dict = {"email": account.email, "password": account.password, "name": account.name}
    if roles is not None:
        body["roles"] = roles
    response = post("/api/admin/users", token=admin.access_token, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    identity.assert_user(created, email=account.email, name=account.name, roles=roles or ["customer"])
    account.id, account.roles = created["id"], tuple(created["roles"])
    return account


def test_admin_create_user(admin: Account) -> None:
    staff = create_user(admin, tag="staff", roles=["staff"])
    assert admin_user(admin, staff.id)["roles"] == ["staff"]
    identity.wait_for_account(staff.id)
    pair = login_tokens(staff)
    assert identity.jwt_segments(pair["access_token"])[1]["roles"] == ["staff"]

    error_of(post("/api/admin/users", token=admin.access_token,
                  json={"email": staff.email, "password": new_password(), "name": "Dup"}), 409, "already_exists")
    details = details_of(post("/api/admin/users", token=admin.access_token,
                              json={"email": "nope", "password": "short", "name": ""}))
    assert {"email", "password", "name"} <= set(details), details
    assert details_of(post("/api/admin/users", token=admin.access_token,
                           json={"email": unique_email("role"), "password": new_password(), "name": "R",
                                 "roles": ["emperor"]}))


def test_admin_list_pages_and_filters(admin: Account) -> None:
    marker = uuid.uuid4().hex[:12]
    made = [create_user(admin, tag=f"list-{marker}-{i}", roles=roles)
            for i, roles in enumerate([["customer"], ["staff"], ["customer"]])]
    ids = {account.id for account in made}

    def page(**params) -> dict:
        response = get("/api/admin/users", token=admin.access_token, params={"email": marker.upper(), **params})
        assert response.status_code == 200, response.text
        body = response.json()
        contract.assert_valid(body, "UserPage")
        for item in body["items"]:
            identity.assert_user(item)
        return body

    everything = page()
    assert everything["total"] == 3 and {u["id"] for u in everything["items"]} == ids, everything
    assert everything["page"] == 1 and everything["page_size"] == 20

    first, second = page(page=1, page_size=2), page(page=2, page_size=2)
    assert (first["page"], first["page_size"], first["total"]) == (1, 2, 3), first
    assert (second["page"], second["page_size"], second["total"]) == (2, 2, 3), second
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {u["id"] for u in first["items"] + second["items"]} == ids
    assert page(page=3, page_size=2)["items"] == []

    staff = page(role="staff")
    assert staff["total"] == 1 and staff["items"][0]["id"] == made[1].id, staff

    assert delete(f"/api/admin/users/{made[2].id}", token=admin.access_token).status_code == 204
    inactive = page(active="false")
    assert inactive["total"] == 1 and inactive["items"][0]["id"] == made[2].id, inactive
    active = page(active="true")
    assert active["total"] == 2 and {u["id"] for u in active["items"]} == {made[0].id, made[1].id}, active

    for bad in ({"page_size": "0"}, {"page_size": "101"}, {"page": "0"}, {"page": "x"}, {"active": "maybe"}):
        details = details_of(get("/api/admin/users", token=admin.access_token, params=bad))
        assert set(bad) <= set(details), (bad, details)


def test_admin_patch_changes_only_what_is_given(admin: Account) -> None:
    target = create_user(admin, tag="patch", name="Keep This Name")
    response = patch(f"/api/admin/users/{target.id}", token=admin.access_token, json={"roles": ["staff", "customer"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(body["roles"]) == ["customer", "staff"] and body["name"] == "Keep This Name" and body["active"] is True
    assert admin_user(admin, target.id) == body

    renamed = patch(f"/api/admin/users/{target.id}", token=admin.access_token, json={"name": "New Name"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "New Name" and sorted(renamed.json()["roles"]) == ["customer", "staff"]

    assert "roles" in details_of(patch(f"/api/admin/users/{target.id}", token=admin.access_token, json={"roles": ["emperor"]}))
    nobody = uuid.uuid4()
    error_of(get(f"/api/admin/users/{nobody}", token=admin.access_token), 404, "not_found")
    error_of(patch(f"/api/admin/users/{nobody}", token=admin.access_token, json={"name": "X"}), 404, "not_found")
    error_of(delete(f"/api/admin/users/{nobody}", token=admin.access_token), 404, "not_found")


def test_admin_delete_deactivates(admin: Account) -> None:
    target = new_account(tag="deactivate")
    assert get(ME, token=target.access_token).status_code == 200
    response = delete(f"/api/admin/users/{target.id}", token=admin.access_token)
    assert response.status_code == 204, response.text

    refused_within(ME, target.access_token)
    assert admin_user(admin, target.id)["active"] is False

    # auth learns of the deactivation from an event: a login may still pass for a moment.
    def login_refused():
        attempt = login(target.email, target.password)
        return (attempt,) if attempt.status_code != 200 else None

    (refused,) = wait_until(login_refused, timeout=5, interval=0.1, what="login of a deactivated user to be refused")
    error_of(refused, 401, "unauthenticated")
    error_of(post("/api/auth/refresh", json={"refresh_token": target.refresh_token}, address=fake_address()), 401)


# --- throttling ------------------------------------------------------------------------------

def test_login_throttle_per_account() -> None:
    account = register_account()
    for attempt in range(5):
        error_of(login(account.email, new_password("wrong")), 401, "unauthenticated")
    throttled = login(account.email, new_password("wrong"))
    error_of(throttled, 429, "resource_exhausted")
    retry_after = throttled.headers.get("Retry-After", "")
    assert retry_after.isdigit() and int(retry_after) > 0, throttled.headers
    # While throttled even the right password is refused.
    error_of(login(account.email, account.password), 429, "resource_exhausted")


def test_login_throttle_per_client_address() -> None:
    address = fake_address()
    victim = register_account()
    for attempt in range(20):
        error_of(login(unique_email(f"spray{attempt}"), new_password("spray"), address=address), 401, "unauthenticated")
    throttled = login(unique_email("spray-last"), new_password("spray"), address=address)
    error_of(throttled, 429, "resource_exhausted")
    assert throttled.headers.get("Retry-After", "").isdigit(), throttled.headers
    error_of(login(victim.email, victim.password, address=address), 429, "resource_exhausted")
    # Another address is not affected, nor is the account.
    assert login(victim.email, victim.password).status_code == 200


# --- tokens the gateway must refuse ----------------------------------------------------------

@pytest.fixture(scope="module")
def genuine() -> dict:
    """A real access token, its parts, and the published keys."""
    account = new_account(tag="jwt")
    response = get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    header, payload, signature = identity.jwt_segments(account.access_token)
    return {"token": account.access_token, "header": header, "payload": payload, "signature": signature,
            "jwks": response.json(), "jwks_text": response.text}


def forgeries(genuine: dict) -> dict[str, str]:
    token, header, payload, signature = genuine["token"], genuine["header"], genuine["payload"], genuine["signature"]
    jwk = next(key for key in genuine["jwks"]["keys"] if key["kid"] == header["kid"])
    now = int(time.time())
    out = {
        "alg-none": identity.forge({"alg": "none", "typ": "JWT"}, payload),
        "alg-none-with-kid": identity.forge({**header, "alg": "none"}, payload),
        "alg-None-with-signature": identity.forge({**header, "alg": "None"}, payload, signature),
        "payload-roles-admin": identity.forge(header, {**payload, "roles": ["admin"]}, signature),
        "payload-other-sub": identity.forge(header, {**payload, "sub": str(uuid.uuid4())}, signature),
        "unknown-kid": identity.forge({**header, "kid": "e2e-unknown-kid"}, payload, signature),
        "no-kid": identity.forge({key: value for key, value in header.items() if key != "kid"}, payload, signature),
        "expired": identity.forge(header, {**payload, "iat": now - 7200, "exp": now - 3600}, signature),
        "wrong-issuer": identity.forge(header, {**payload, "iss": "someone-else"}, signature),
        "wrong-audience": identity.forge(header, {**payload, "aud": ["elsewhere"]}, signature),
        "signature-dropped": token.rsplit(".", 1)[0] + ".",
        "signature-truncated": token[:-4],
        "signature-zeroed": identity.forge(header, payload, identity.b64url_encode(b"\x00" * 64)),
        "extra-segment": token + ".AAAA",
        "garbage": "garbage",
        "three-garbage-segments": "a.b.c",
    }
    for name, secret in identity.public_key_secrets(jwk, genuine["jwks_text"]).items():
        out[f"hs256-{name}"] = identity.hs256_token({**header, "alg": "HS256", "typ": "JWT"}, payload, secret)
    return out


FORGERY_NAMES = [
    "alg-none", "alg-none-with-kid", "alg-None-with-signature", "payload-roles-admin", "payload-other-sub",
    "unknown-kid", "no-kid", "expired", "wrong-issuer", "wrong-audience", "signature-dropped",
    "signature-truncated", "signature-zeroed", "extra-segment", "garbage", "three-garbage-segments",
    "hs256-pem", "hs256-pem-no-newline", "hs256-der", "hs256-point", "hs256-x+y", "hs256-x-text",
    "hs256-x+y-text", "hs256-jwk-json", "hs256-jwks-json",
]


def test_the_genuine_token_is_accepted(genuine: dict) -> None:
    assert get(ME, token=genuine["token"]).status_code == 200
    assert set(forgeries(genuine)) == set(FORGERY_NAMES)


@pytest.mark.parametrize("name", FORGERY_NAMES)
def test_forged_tokens_are_refused(genuine: dict, name: str) -> None:
    token = forgeries(genuine)[name]
    assert token != genuine["token"]
    error_of(get(ME, token=token), 401, "unauthenticated")


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc.def.ghi"])
def test_malformed_authorization_headers_are_401(authorization: str) -> None:
    error_of(get(ME, headers={"Authorization": authorization}), 401, "unauthenticated")


def test_jwks_publishes_the_public_key_only(genuine: dict) -> None:
    response = get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    # The document's JWKS pins kty EC, crv P-256, alg ES256, use sig and declares no other field.
    contract.assert_valid(response.json(), "JWKS")
    keys = response.json()["keys"]
    assert keys, response.text
    for key in keys:
        assert "d" not in key, "the JWKS publishes a private key"
        assert key["kid"], key
        assert len(identity.b64url_decode(key["x"])) == 32 and len(identity.b64url_decode(key["y"])) == 32, key
    assert genuine["header"]["kid"] in {key["kid"] for key in keys}


# --- documentation ---------------------------------------------------------------------------

def test_openapi_json_is_an_openapi_3_1_document() -> None:
    response = get("/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert str(response.json().get("openapi", "")).startswith("3.1"), response.text[:200]


def test_docs_page_is_html() -> None:
    response = get("/docs")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text.lower(), response.text[:200]

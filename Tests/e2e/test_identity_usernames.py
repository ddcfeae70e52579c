"""Usernames through the gateway: optional, 3-32 of a-z 0-9 . _ -, unique without regard to case,
kept lowercased, settable at registration and on the own profile, shown in every user view."""

from __future__ import annotations

import uuid

from identity import admin_account, details_of, error_of, get, new_account, new_password, patch, post, unique_email


def fresh_username(tag: str = "u") -> str:
    return f"{tag}.{uuid.uuid4().hex[:12]}"


def test_a_username_given_at_registration_is_lowercased_and_shown_everywhere() -> None:
    wanted = fresh_username("Ada").upper()
    response = post("/api/auth/register", json={
        "email": unique_email("uname"), "password": new_password(), "name": "Ada", "username": wanted})
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["username"] == wanted.lower()
    admin = admin_account()
    assert get(f"/api/admin/users/{user['id']}", token=admin.access_token).json()["username"] == wanted.lower()


def test_users_without_a_username_show_null() -> None:
    user = new_account()
    assert get("/api/users/me", token=user.access_token).json()["username"] is None


def test_a_username_taken_in_another_case_is_409_naming_the_field() -> None:
    taken = fresh_username("taken")
    first = post("/api/auth/register", json={
        "email": unique_email("uname"), "password": new_password(), "name": "One", "username": taken})
    assert first.status_code == 201, first.text
    second = post("/api/auth/register", json={
        "email": unique_email("uname"), "password": new_password(), "name": "Two", "username": taken.upper()})
    assert error_of(second, 409, "already_exists")["details"] == {"username": "is already taken"}


def test_a_username_outside_the_rules_is_422() -> None:
    for bad in ["ab", "x" * 33, "has space", "ümlaut", ""]:
        response = post("/api/auth/register", json={
            "email": unique_email("uname"), "password": new_password(), "name": "Bad", "username": bad})
        assert set(details_of(response)) == {"username"}, (bad, response.text)


def test_the_owner_picks_a_username_later_but_not_someone_elses() -> None:
    user, other = new_account(), new_account()
    mine, theirs = fresh_username("mine"), fresh_username("theirs")
    assert patch("/api/users/me", token=other.access_token, json={"username": theirs}).status_code == 200
    picked = patch("/api/users/me", token=user.access_token, json={"username": mine.upper()})
    assert picked.status_code == 200, picked.text
    assert picked.json()["username"] == mine
    assert get("/api/auth/me", token=user.access_token).json()["username"] == mine
    refused = patch("/api/users/me", token=user.access_token, json={"username": theirs})
    error_of(refused, 409, "already_exists")
    assert get("/api/users/me", token=user.access_token).json()["username"] == mine

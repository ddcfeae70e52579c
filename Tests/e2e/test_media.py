"""Media end to end (issue 12, through the gateway on the running stack): real images of each type
uploaded raw and as a form, listed, read back through their signed links, refused when expired
or altered, out of reach of another user, deleted with their stored object, and refused when
too large (413), not an image (415) or not what they were declared (415: a PNG sent as
`image/jpeg` is refused, not stored as PNG).

The native stack keeps objects under `MEDIA_STORAGE` (`local:<folder>`); "gone from the store"
is checked there. An expired link is one the test signs itself, with the stack's key
(`MEDIA_URL_SIGNING_KEY`), for an instant already past.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

import identity
from identity import Account, delete, error_of, get, new_account, post

MAX_IMAGE = 10 * 1024 * 1024


def image_bytes(fmt: str, size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


def upload_raw(account: Account, data: bytes, content_type: str, **params: str) -> requests.Response:
    return post("/api/media/images", token=account.access_token, data=data, headers={"Content-Type": content_type},
                params=params or None)


def object_path(image_id: str) -> Path:
    storage = os.environ.get("MEDIA_STORAGE", "")
    assert storage.startswith("local:"), f"the stack stores media in {storage!r}, not a local folder"
    return Path(storage.removeprefix("local:")) / "images" / image_id


def link(path: str) -> requests.Response:
    return requests.get(identity.url(path), timeout=30)


@pytest.fixture(scope="module")
def owner() -> Account:
    return new_account(tag="photographer")


@pytest.mark.parametrize("fmt,content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"),
                                              ("GIF", "image/gif")])
def test_upload_list_read_and_delete(owner: Account, fmt: str, content_type: str) -> None:
    data = image_bytes(fmt)
    created = upload_raw(owner, data, content_type, file_name=f"photo.{fmt.lower()}")
    assert created.status_code == 201, created.text
    image = created.json()
    assert (image["content_type"], image["width"], image["height"], image["size_bytes"]) == (content_type, 320, 240, len(data))
    assert image["visibility"] == "private" and image["url"].startswith(f"/media/{image['id']}?expires=")
    assert object_path(image["id"]).read_bytes() == data

    listed = get("/api/media/images?page_size=100", token=owner.access_token).json()
    assert image["id"] in [item["id"] for item in listed["items"]]

    served = link(image["url"])
    assert served.status_code == 200 and served.content == data
    assert served.headers["Content-Type"] == content_type
    assert served.headers["Content-Length"] == str(len(data))
    assert served.headers["ETag"] == f"\"{hashlib.sha256(data).hexdigest()}\""
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline"
    assert "max-age" in served.headers["Cache-Control"]

    assert delete(f"/api/media/images/{image['id']}", token=owner.access_token).status_code == 204
    assert not object_path(image["id"]).exists()
    error_of(get(f"/api/media/images/{image['id']}", token=owner.access_token), 404)
    assert link(image["url"]).status_code == 404


def test_a_form_upload_takes_the_parts_file_name(owner: Account) -> None:
    data = image_bytes("PNG", (40, 30))
    created = post("/api/media/images", token=owner.access_token, files={"file": ("holiday.png", data, "image/png")})
    assert created.status_code == 201, created.text
    assert (created.json()["file_name"], created.json()["width"]) == ("holiday.png", 40)


def test_a_link_expires_and_cannot_be_altered(owner: Account) -> None:
    image = upload_raw(owner, image_bytes("PNG"), "image/png").json()
    path, query = image["url"].split("?")
    params = dict(item.split("=") for item in query.split("&"))
    altered = params["signature"][:-1] + ("0" if params["signature"][-1] != "0" else "1")
    error_of(link(f"{path}?expires={params['expires']}&signature={altered}"), 403, "permission_denied")
    error_of(link(f"{path}?expires={int(params['expires']) + 60}&signature={params['signature']}"), 403)
    key = os.environ["MEDIA_URL_SIGNING_KEY"].encode()
    past = int(time.time()) - 1
    expired = hmac.new(key, f"{image['id']}:{past}".encode(), hashlib.sha256).hexdigest()
    error_of(link(f"{path}?expires={past}&signature={expired}"), 403)
    error_of(link(path), 404)  # private, no link, no token


def test_someone_elses_private_image_is_not_found(owner: Account) -> None:
    image = upload_raw(owner, image_bytes("PNG"), "image/png").json()
    other = new_account(tag="stranger")
    error_of(get(f"/api/media/images/{image['id']}", token=other.access_token), 404)
    error_of(delete(f"/api/media/images/{image['id']}", token=other.access_token), 404)
    assert object_path(image["id"]).exists()
    listed = get("/api/media/images", token=other.access_token).json()
    assert image["id"] not in [item["id"] for item in listed["items"]]
    public = upload_raw(owner, image_bytes("GIF"), "image/gif", visibility="public").json()
    assert public["url"] == f"/media/{public['id']}"
    assert link(public["url"]).status_code == 200
    error_of(delete(f"/api/media/images/{public['id']}", token=other.access_token), 403)


def test_too_large_not_an_image_and_disguised_are_refused(owner: Account) -> None:
    before = len(get("/api/media/images?page_size=100", token=owner.access_token).json()["items"])
    big = image_bytes("PNG", (8, 8)) + os.urandom(MAX_IMAGE)
    error_of(upload_raw(owner, big, "image/png"), 413, "payload_too_large")
    error_of(upload_raw(owner, b"just text, named like an image\n", "image/png", file_name="fake.png"), 415)
    error_of(upload_raw(owner, image_bytes("PNG"), "image/jpeg"), 415, "unsupported_media_type")
    error_of(post("/api/media/images", token=owner.access_token, data=b"{}", headers={"Content-Type": "application/json"}), 415)
    after = len(get("/api/media/images?page_size=100", token=owner.access_token).json()["items"])
    assert after == before


def test_a_new_avatar_replaces_the_old_one_and_its_object() -> None:
    account = new_account(tag="avatar")
    assert get("/api/users/me", token=account.access_token).json()["avatar_url"] is None
    first = identity.call("PUT", "/api/users/me/avatar", token=account.access_token, data=image_bytes("PNG", (64, 64)),
                          headers={"Content-Type": "image/png"})
    assert first.status_code == 200, first.text
    assert first.json()["visibility"] == "public" and first.json()["url"] == f"/media/{first.json()['id']}"
    assert get("/api/auth/me", token=account.access_token).json()["avatar_url"] == first.json()["url"]
    assert object_path(first.json()["id"]).exists()
    second = identity.call("PUT", "/api/users/me/avatar", token=account.access_token,
                           files={"file": ("me.gif", image_bytes("GIF", (32, 32)), "image/gif")})
    assert second.status_code == 200, second.text
    assert not object_path(first.json()["id"]).exists()
    assert link(first.json()["url"]).status_code == 404
    assert link(second.json()["url"]).status_code == 200  # public: anyone with the link
    assert get("/api/users/me", token=account.access_token).json()["avatar_url"] == second.json()["url"]
    error_of(identity.call("PUT", "/api/users/me/avatar", token=account.access_token,
                           data=image_bytes("PNG", (8, 8)) + os.urandom(5 * 1024 * 1024), headers={"Content-Type": "image/png"}), 413)
    assert delete("/api/users/me/avatar", token=account.access_token).status_code == 204
    assert not object_path(second.json()["id"]).exists()
    assert get("/api/users/me", token=account.access_token).json()["avatar_url"] is None

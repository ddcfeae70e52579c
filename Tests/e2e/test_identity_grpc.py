"""idm's original gRPC contract (`idm.v1.IDMService` Login / ValidateToken / Logout) with
stubs generated from Protos/idm/v1/idm.proto."""

from __future__ import annotations

import grpc
import pytest

import identity
from identity import RPC_TIMEOUT, UUID_RE, fake_address, idm_stub, new_password, register_account, unique_email
from protos.idm.v1 import idm_pb2


def grpc_login(email: str, password: str, user_agent: str = "e2e-grpc/1.0") -> idm_pb2.LoginResponse:
    identity.remember_secret(password)
    request = idm_pb2.LoginRequest(email=email, password=password, client_address=fake_address(), user_agent=user_agent)
    return idm_stub().Login(request, timeout=RPC_TIMEOUT, wait_for_ready=True)


def validate(token: str) -> idm_pb2.ValidateTokenResponse:
    return idm_stub().ValidateToken(idm_pb2.TokenRequest(token=token), timeout=RPC_TIMEOUT, wait_for_ready=True)


def logout(token: str) -> idm_pb2.LogoutResponse:
    return idm_stub().Logout(idm_pb2.TokenRequest(token=token), timeout=RPC_TIMEOUT, wait_for_ready=True)


@pytest.fixture
def session():
    account = register_account(tag="grpc")
    return account, grpc_login(account.email, account.password)


def test_login_returns_a_token_and_the_account(session) -> None:
    account, response = session
    assert response.token.count(".") == 2 and response.refresh_token
    assert response.token_type == "Bearer"
    assert response.expires_in > 0
    assert response.user_id == account.id
    assert response.email == account.email
    assert list(response.roles) == ["customer"]
    assert UUID_RE.match(response.session_id), response.session_id
    assert identity.jwt_segments(response.token)[1]["sid"] == response.session_id


def test_validate_a_valid_token(session) -> None:
    account, login = session
    result = validate(login.token)
    assert result.valid is True, result.message
    assert result.user_id == account.id
    assert result.email == account.email
    assert list(result.roles) == ["customer"]
    assert result.role == "customer"
    assert result.session_id == login.session_id


def test_validate_a_token_issued_through_rest() -> None:
    account = identity.new_account(tag="grpc-rest")
    result = validate(account.access_token)
    assert result.valid is True, result.message
    assert result.user_id == account.id and result.session_id == account.session_id


def test_admin_token_has_the_admin_role() -> None:
    email, password = identity.admin_credentials()
    login = grpc_login(email, password)
    assert "admin" in login.roles
    result = validate(login.token)
    assert result.valid is True and result.role == "admin" and "admin" in result.roles
    assert logout(login.token).success is True


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_validate_garbage_is_invalid_not_an_error(token: str) -> None:
    result = validate(token)
    assert result.valid is False
    assert result.message
    assert result.user_id == "" and list(result.roles) == []


def test_validate_a_tampered_token_is_invalid(session) -> None:
    _, login = session
    header, payload, signature = identity.jwt_segments(login.token)
    for forged in (
        identity.forge(header, {**payload, "roles": ["admin"]}, signature),
        identity.forge({**header, "alg": "none"}, payload),
        identity.forge({**header, "kid": "e2e-unknown-kid"}, payload, signature),
        login.token[:-4],
    ):
        result = validate(forged)
        assert result.valid is False, forged
        assert result.message


def test_logout_then_the_token_is_invalid(session) -> None:
    _, login = session
    assert validate(login.token).valid is True
    result = logout(login.token)
    assert result.success is True, result.message
    after = validate(login.token)
    assert after.valid is False
    assert after.message


def test_logout_of_garbage_is_not_a_success() -> None:
    result = logout("garbage")
    assert result.success is False


@pytest.mark.parametrize("who", ["wrong-password", "unknown-email"])
def test_wrong_credentials_are_unauthenticated(who: str) -> None:
    account = register_account(tag="grpc-wrong")
    email = account.email if who == "wrong-password" else unique_email("grpc-nobody")
    with pytest.raises(grpc.RpcError) as raised:
        grpc_login(email, new_password("wrong"))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED, raised.value.details()

"""Services that trust only each other: a stock grpcio client with no certificate and no service
token is refused by every service's API; with the gateway's identity (its token, and under
PLATFORM_MTLS=1 its certificate) it gets through where the gateway may call, and is refused where
it may not (only the services whose descriptor lists a peer may call it). Health stays open."""

from __future__ import annotations

import grpc
import pytest

import service_identity
import stack

# One unary RPC of each service's API, called with an empty request: the refusal comes before the
# request is read; past it, the RPC answers for itself (e.g. an empty login is UNAUTHENTICATED
# too, but with its own message).
RPCS = {
    "idm": "/idm.v1.IDMService/Login",
    "auth": "/auth.v1.AuthService/VerifyCredentials",
    "user": "/user.v1.UserService/GetUser",
    "media": "/media.v1.MediaService/GetImage",
    "product": "/product.v1.ProductService/ListProducts",
    "payment": "/payment.v1.PaymentService/ListPayments",
    "analytics": "/analytics.v1.AnalyticsService/GetSummary",
    "client": "/client.v1.ClientService/GetMyClient",
    "event": "/event.v1.EventService/ListEvents",
}
STRANGER = "answers the platform's services only"


def outcome(channel: grpc.Channel, method: str) -> tuple[grpc.StatusCode, str]:
    call = channel.unary_unary(method, request_serializer=lambda _: b"", response_deserializer=lambda b: b)
    try:
        call(None, timeout=10)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as error:
        return error.code(), error.details() or ""


def code_of(channel: grpc.Channel, method: str) -> grpc.StatusCode:
    return outcome(channel, method)[0]


@pytest.mark.parametrize("service", sorted(RPCS))
def test_a_stranger_is_refused(service: str) -> None:
    with service_identity.plain_channel(service) as channel:
        code, message = outcome(channel, RPCS[service])
    # Without mTLS the token is missing (UNAUTHENTICATED); with it, the handshake fails (UNAVAILABLE).
    if service_identity.mtls():
        assert code == grpc.StatusCode.UNAVAILABLE, f"{service}: {code} {message}"
    else:
        assert (code, STRANGER in message) == (grpc.StatusCode.UNAUTHENTICATED, True), f"{service}: {code} {message}"


@pytest.mark.skipif(service_identity.mtls(), reason="a forged token needs a connection, which mTLS refuses first")
def test_a_token_signed_with_another_key_is_refused() -> None:
    channel = grpc.insecure_channel(stack.grpc_target("user"))
    forged = service_identity.token("gateway", key="not-the-platform-key-but-32-chars-long")
    call = channel.unary_unary(RPCS["user"], request_serializer=lambda _: b"", response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as refused:
        call(None, timeout=10, metadata=[(service_identity.TOKEN_KEY, forged)])
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED and STRANGER in refused.value.details()


@pytest.mark.parametrize("service", sorted(RPCS))
def test_the_gateway_gets_through_everywhere_it_calls(service: str) -> None:
    with service_identity.channel_as("gateway", service) as channel:
        code, message = outcome(channel, RPCS[service])
    assert code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.PERMISSION_DENIED) and STRANGER not in message, \
        f"{service}: {code} {message}"


@pytest.mark.parametrize(("caller", "service"), [("product", "auth"), ("event", "payment"), ("media", "user"),
                                                 ("client", "product"), ("payment", "idm")])
def test_a_service_that_may_not_call_is_refused(caller: str, service: str) -> None:
    with service_identity.channel_as(caller, service) as channel:
        assert code_of(channel, RPCS[service]) == grpc.StatusCode.PERMISSION_DENIED


def test_health_stays_open_to_probes() -> None:
    with service_identity.plain_channel("auth") as channel:
        code = code_of(channel, "/grpc.health.v1.Health/Check")
    assert code == (grpc.StatusCode.UNAVAILABLE if service_identity.mtls() else grpc.StatusCode.OK)

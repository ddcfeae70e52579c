"""How the live-stack tests call a service's gRPC API directly: as another service would, with
that service's token (PLATFORM_SERVICE_KEY, the same HMAC-SHA256 format as
Shared/PlatformRPC/ServiceTokens.swift) and, under PLATFORM_MTLS=1, its certificate from
.local/tls. `plain_channel` is a stranger's: no token, no certificate."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from pathlib import Path

import grpc

import stack

TOKEN_KEY = "x-service-token"


def local_dir() -> Path:
    return Path(os.environ.get("PLATFORM_LOCAL_DIR") or stack.ROOT / ".local")


def mtls() -> bool:
    return os.environ.get("PLATFORM_MTLS") == "1"


def token(caller: str, *, key: str | None = None, lifetime: int = 300) -> str:
    key = key if key is not None else os.environ["PLATFORM_SERVICE_KEY"]
    body = f"v1.{caller}.{int(time.time()) + lifetime}"
    signature = hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()
    return body + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")


class _Token(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    def __init__(self, caller: str) -> None:
        self.caller = caller

    def _with_token(self, details):
        metadata = [(k, v) for k, v in (details.metadata or []) if k != TOKEN_KEY] + [(TOKEN_KEY, token(self.caller))]
        return details._replace(metadata=metadata)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_token(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_token(details), request)


def plain_channel(service: str) -> grpc.Channel:
    """A channel with no certificate and no token; under mTLS it still speaks TLS (trusting the
    platform's CA) so that it reaches the point where the server refuses it."""
    if not mtls():
        return grpc.insecure_channel(stack.grpc_target(service))
    credentials = grpc.ssl_channel_credentials(root_certificates=(local_dir() / "tls" / "ca.pem").read_bytes())
    return grpc.secure_channel(stack.grpc_target(service), credentials, options=[("grpc.ssl_target_name_override", service)])


def channel_as(caller: str, service: str) -> grpc.Channel:
    """A channel to `service` presenting `caller`'s identity: its certificate under mTLS, its token
    whenever the stack has a service key."""
    target = stack.grpc_target(service)
    if mtls():
        tls = local_dir() / "tls"
        credentials = grpc.ssl_channel_credentials(
            root_certificates=(tls / "ca.pem").read_bytes(), private_key=(tls / f"{caller}-key.pem").read_bytes(),
            certificate_chain=(tls / f"{caller}.pem").read_bytes())
        channel = grpc.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", service)])
    else:
        channel = grpc.insecure_channel(target)
    if os.environ.get("PLATFORM_SERVICE_KEY"):
        channel = grpc.intercept_channel(channel, _Token(caller))
    return channel

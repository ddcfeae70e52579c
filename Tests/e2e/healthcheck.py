"""gRPC health (`grpc.health.v1.Health`) through stubs generated from our own
`Protos/grpc/health/v1/health.proto`, plus a background watcher for `Watch` streams."""

from __future__ import annotations

import threading
import time

import grpc

import protogen
import service_identity
import stack

protogen.ensure_stubs()

from protos.grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

Status = health_pb2.HealthCheckResponse.ServingStatus
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
SERVICE_UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN

RPC_TIMEOUT = 5.0


def status_name(value: int) -> str:
    return Status.Name(value)


class Channels:
    """One long-lived channel per service, closed at the end of the session."""

    def __init__(self) -> None:
        self._open: dict[str, grpc.Channel] = {}

    def __call__(self, service: str) -> grpc.Channel:
        if service not in self._open:
            self._open[service] = service_identity.channel_as("gateway", service)
        return self._open[service]

    def health(self, service: str) -> health_pb2_grpc.HealthStub:
        return health_pb2_grpc.HealthStub(self(service))

    def check(self, service: str, name: str = "") -> int:
        """The serving status `Check(name)` reports (raises grpc.RpcError on a failed call)."""
        request = health_pb2.HealthCheckRequest(service=name)
        return self.health(service).Check(request, timeout=RPC_TIMEOUT, wait_for_ready=True).status

    def close(self) -> None:
        for channel in self._open.values():
            channel.close()
        self._open.clear()


class HealthWatcher:
    """Follows `Watch(name)` on one service in a background thread and records every status.

    The stream stays open for the watcher's whole life, so an uninterrupted sequence such as
    SERVING → NOT_SERVING → SERVING also proves the server process was never restarted.
    """

    def __init__(self, channels: Channels, service: str, name: str = "") -> None:
        self.service = service
        self.statuses: list[int] = []
        self.error: grpc.RpcError | None = None
        self._changed = threading.Condition()
        self._call = channels.health(service).Watch(
            health_pb2.HealthCheckRequest(service=name), wait_for_ready=True)
        self._thread = threading.Thread(target=self._follow, name=f"watch-{service}", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            for response in self._call:
                with self._changed:
                    self.statuses.append(response.status)
                    self._changed.notify_all()
        except grpc.RpcError as error:
            with self._changed:
                if error.code() != grpc.StatusCode.CANCELLED:
                    self.error = error
                self._changed.notify_all()

    def names(self) -> list[str]:
        with self._changed:
            return [status_name(s) for s in self.statuses]

    def wait_for(self, status: int, *, count: int = 1, timeout: float) -> None:
        """Waits until `status` has been received `count` times in total on this stream."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.statuses.count(status) < count:
                remaining = deadline - time.monotonic()
                if self.error is not None or remaining <= 0 or not self._thread.is_alive():
                    raise AssertionError(
                        f"{self.service}: Watch stream did not deliver {status_name(status)} "
                        f"(x{count}) within {timeout:.0f} s; received {self.names_unlocked()}, "
                        f"stream error: {self.error!r}")
                self._changed.wait(remaining)

    def names_unlocked(self) -> list[str]:
        return [status_name(s) for s in self.statuses]

    def is_open(self) -> bool:
        return self._thread.is_alive() and self.error is None

    def close(self) -> None:
        self._call.cancel()
        self._thread.join(timeout=5)

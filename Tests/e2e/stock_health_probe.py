"""A stock gRPC health client: only grpcio-health-checking's own `grpc_health.v1` stubs.

Run as a separate process by test_grpc_health.py, because its descriptors and those generated
from our `Protos/grpc/health/v1/health.proto` define the same `grpc.health.v1` symbols and
cannot share one protobuf descriptor pool.

    python stock_health_probe.py NAME=HOST:PORT ...

prints one JSON object: {NAME: {"overall": STATUS|CODE, "unknown": STATUS|CODE}}.
"""

from __future__ import annotations

import json
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

import service_identity  # only grpcio and the standard library: no generated descriptors

TIMEOUT = 5.0


def check(stub: health_pb2_grpc.HealthStub, name: str) -> str:
    try:
        response = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=TIMEOUT)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    except grpc.RpcError as error:
        return error.code().name


def main(targets: list[str]) -> None:
    results = {}
    for target in targets:
        name, _ = target.split("=", 1)
        with service_identity.channel_as("gateway", name) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            results[name] = {"overall": check(stub, ""), "unknown": check(stub, "e2e.NoSuchService")}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])

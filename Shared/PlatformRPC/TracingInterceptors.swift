import GRPCCore
import Instrumentation
import PlatformCore
import Tracing

/// A client span per call, its context sent in the metadata (`traceparent`, `tracestate`).
public struct TracingClientInterceptor: ClientInterceptor {
    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let method = context.descriptor.fullyQualifiedMethod
        return try await withSpan(method, ofKind: .client) { span in
            span.updateAttributes { attributes in
                attributes["rpc.system"] = "grpc"
                attributes["rpc.method"] = method
                attributes["request_id"] = RequestScope.requestID
            }
            var request = request
            InstrumentationSystem.instrument.inject(span.context, into: &request.metadata, using: MetadataCarrier())
            let response = try await next(request, context)
            if case .failure(let error) = response.accepted { record(error, on: span) }
            return response
        }
    }
}

/// A server span per call, continuing the caller's trace from the metadata (health checks aside).
public struct TracingServerInterceptor: ServerInterceptor {
    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        if context.isHealthCheck { return try await next(request, context) }
        var parent = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(request.metadata, into: &parent, using: MetadataCarrier())
        let method = context.descriptor.fullyQualifiedMethod
        let span = startSpan(method, context: parent, ofKind: .server)
        span.updateAttributes { attributes in
            attributes["rpc.system"] = "grpc"
            attributes["rpc.method"] = method
            attributes["request_id"] = request.metadata[stringValues: RequestMetadataKeys.requestID].first { _ in true }
        }
        do {
            let response = try await ServiceContext.$current.withValue(span.context) { try await next(request, context) }
            switch response.accepted {
            case .failure(let error):
                record(error, on: span)
                span.end()
                return response
            case .success(var contents):
                // The handler runs while the response is written: the span ends with the stream.
                let producer = contents.producer
                contents.producer = { writer in
                    defer { span.end() }
                    do {
                        return try await ServiceContext.$current.withValue(span.context) { try await producer(writer) }
                    } catch {
                        record(error, on: span)
                        throw error
                    }
                }
                return StreamingServerResponse(accepted: .success(contents))
            }
        } catch {
            record(error, on: span)
            span.end()
            throw error
        }
    }
}

private func record(_ error: any Error, on span: any Span) {
    span.recordError(error)
    span.attributes["rpc.grpc.status_code"] = (error as? RPCError)?.code.rawValue ?? RPCError.Code.unknown.rawValue
    span.setStatus(SpanStatus(code: .error))
}

struct MetadataCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier.replaceOrAddString(value, forKey: key)
    }

    func extract(key: String, from carrier: Metadata) -> String? {
        carrier[stringValues: key].first { _ in true }
    }
}

import FoundationEssentials
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import PlatformCore

/// Answers a request head the HTTP parser refused as too large (over 80 KiB) with 431 and the JSON
/// error body, then closes the connection, where Hummingbird would send a bare 400. Heads between
/// 16 and 80 KiB reach the router, whose `HeaderLimit` answers the same.
public final class OversizedHeadHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundOut = HTTPResponsePart

    public init() {}

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        let body = ErrorBody(AppError(.headersTooLarge, "the request head is too large"))
        let bytes = (try? JSONEncoder().encode(body)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        let head = HTTPResponse(
            status: .init(code: AppError.Code.headersTooLarge.httpStatus),
            headerFields: [.contentType: "application/json; charset=utf-8", .contentLength: "\(bytes.readableBytes)", .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}

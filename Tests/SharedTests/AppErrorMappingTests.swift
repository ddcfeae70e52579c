import Foundation
import GRPCCore
import GRPCProtobuf
import PlatformCore
import PlatformRPC
import Testing

@Suite struct AppErrorMappingTests {
    @Test(arguments: [
        (AppError.Code.invalidArgument, 422, RPCError.Code.invalidArgument),
        (.unauthenticated, 401, .unauthenticated),
        (.permissionDenied, 403, .permissionDenied),
        (.notFound, 404, .notFound),
        (.alreadyExists, 409, .alreadyExists),
        (.resourceExhausted, 429, .resourceExhausted),
        (.unavailable, 503, .unavailable),
        (.internal, 500, .internalError),
    ])
    func oneMappingEverywhere(code: AppError.Code, http: Int, rpc: RPCError.Code) {
        #expect(code.httpStatus == http)
        #expect(code.rpcCode == rpc)
        #expect(AppError.Code(rpcCode: rpc) == code)
        #expect(AppError.Code(httpStatus: http) == code)
    }

    @Test func everyCodeSurvivesAnRPCRoundTrip() {
        for code in AppError.Code.allCases where ![.payloadTooLarge, .headersTooLarge, .methodNotAllowed, .unsupportedMediaType].contains(code) {
            #expect(AppError.Code(rpcCode: code.rpcCode) == code)
        }
    }

    @Test func theRESTEdgesOwnRefusalsAreBadArgumentsBetweenServices() {
        #expect(AppError.Code.payloadTooLarge.httpStatus == 413)
        #expect(AppError.Code.unsupportedMediaType.httpStatus == 415)
        #expect(AppError.Code.payloadTooLarge.rpcCode == .invalidArgument)
        #expect(AppError.Code.unsupportedMediaType.rpcCode == .invalidArgument)
    }

    @Test func fieldDetailsTravelAsAGoogleRPCBadRequest() throws {
        let error = AppError(.invalidArgument, "invalid registration", details: ["email": "must be a valid address", "name": "is required"])
        let received = RPCError(code: error.rpcErrorCode, message: error.rpcErrorMessage, metadata: error.rpcErrorMetadata)
        #expect(AppError(received) == error)
        // What a stock client sees: google.rpc.Status with a BadRequest detail, no custom metadata.
        let status = try #require(try received.unpackGoogleRPCStatus())
        #expect(status.code == .invalidArgument)
        let violations = try #require(status.details.first?.badRequest).violations
        #expect(violations.map(\.field) == ["email", "name"])
        #expect(violations.map(\.violationDescription) == ["must be a valid address", "is required"])
        #expect(received.metadata.count == 1)
    }

    @Test func theRetryDelayTravelsAsAGoogleRPCRetryInfo() throws {
        let error = AppError(.resourceExhausted, "too many failed logins; try again later", retryAfterSeconds: 42)
        let received = RPCError(code: error.rpcErrorCode, message: error.rpcErrorMessage, metadata: error.rpcErrorMetadata)
        #expect(AppError(received) == error)
        let status = try #require(try received.unpackGoogleRPCStatus())
        #expect(status.details.compactMap(\.retryInfo).map(\.delay) == [.seconds(42)])
    }

    @Test func internalMessagesDoNotCrossServices() {
        let received = RPCError(code: .internalError, message: "relation \"users\" does not exist")
        #expect(AppError(received).message == "internal error")
    }

    @Test func theTransportsOwnFailuresDoNotNameAddresses() {
        let refused = RPCError(
            code: .unavailable, message: "Could not establish a connection to [ipv4]127.0.0.1:50055.")
        #expect(AppError(refused).code == .unavailable)
        #expect(AppError(refused).message == "a service this request needs is not answering; try again")
        let late = RPCError(code: .deadlineExceeded, message: "subchannel isn't ready")
        #expect(!AppError(late).message.contains("subchannel"))
        // A peer that was not reached within the deadline is unavailable (503), as documented.
        #expect(AppError(late).code == .unavailable)
        // A service's own refusal keeps what it says.
        let busy = AppError(.unavailable, "too many password checks waiting; try again", retryAfterSeconds: 1)
        let received = RPCError(code: busy.rpcErrorCode, message: busy.rpcErrorMessage, metadata: busy.rpcErrorMetadata)
        #expect(AppError(received) == busy)
    }

    @Test func requestIDsMustBeShortAndPlain() {
        #expect(RequestScope.isAcceptableRequestID("3f2c-1a_b.9"))
        #expect(!RequestScope.isAcceptableRequestID(""))
        #expect(!RequestScope.isAcceptableRequestID("has space"))
        #expect(!RequestScope.isAcceptableRequestID("line\nbreak"))
        #expect(!RequestScope.isAcceptableRequestID(String(repeating: "a", count: 129)))
    }

    /// Fresh ids are version-4-shaped UUIDs, acceptable when echoed back, and distinct when
    /// many tasks draw them at once.
    @Test func freshRequestIDsAreDistinctUUIDs() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<2_000).map { _ in RequestScope.newRequestID() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let uuid = UUID(uuidString: id)
            #expect(uuid?.lowercasedString == id)
            #expect(RequestScope.isAcceptableRequestID(id))
            #expect(Array(id.utf8)[14] == UInt8(ascii: "4") && "89ab".utf8.contains(Array(id.utf8)[19]))
        }
    }
}

import GRPCCore
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
        for code in AppError.Code.allCases {
            #expect(AppError.Code(rpcCode: code.rpcCode) == code)
        }
    }

    @Test func fieldDetailsTravelInMetadata() {
        let error = AppError(.invalidArgument, "invalid registration", details: ["email": "must be a valid address"])
        let received = RPCError(code: error.rpcErrorCode, message: error.rpcErrorMessage, metadata: error.rpcErrorMetadata)
        #expect(AppError(received) == error)
    }

    @Test func internalMessagesDoNotCrossServices() {
        let received = RPCError(code: .internalError, message: "relation \"users\" does not exist")
        #expect(AppError(received).message == "internal error")
    }

    @Test func requestIDsMustBeShortAndPlain() {
        #expect(RequestScope.isAcceptableRequestID("3f2c-1a_b.9"))
        #expect(!RequestScope.isAcceptableRequestID(""))
        #expect(!RequestScope.isAcceptableRequestID("has space"))
        #expect(!RequestScope.isAcceptableRequestID("line\nbreak"))
        #expect(!RequestScope.isAcceptableRequestID(String(repeating: "a", count: 129)))
    }
}

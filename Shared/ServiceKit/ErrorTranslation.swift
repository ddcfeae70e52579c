import AMQP
import DatabaseKit
import GRPCCore
import PlatformCore
import PlatformRPC

/// Maps infrastructure errors that escape domain code to what a client may see:
/// a store or broker that is down is 503/UNAVAILABLE, a duplicate is 409/ALREADY_EXISTS.
/// Everything else stays unknown here and becomes a bare internal error.
public func translatePlatformError(_ error: any Error) -> AppError? {
    switch error {
    case let error as AppError:
        return error
    case let error as DatabaseError where error.isConnectionProblem || error.kind == .poolClosed:
        return AppError(.unavailable, "storage is temporarily unavailable")
    case let error as DatabaseError where error.kind == .uniqueViolation:
        return AppError(.alreadyExists, "already exists")
    case let error as RPCError:
        // A call to another service failed: its status maps one way, like our own errors.
        return AppError(error)
    case is AMQPError:
        return AppError(.unavailable, "the event broker is temporarily unavailable")
    default:
        return nil
    }
}

import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore

/// `payment.v1.PaymentService`: the admin's view of the payments (the gateway checked the role).
public struct PaymentRPCService: Payment_V1_PaymentService.SimpleServiceProtocol {
    let payments: PaymentRegistry

    public init(payments: PaymentRegistry) { self.payments = payments }

    public func listPayments(request: Payment_V1_ListPaymentsRequest, context: ServerContext) async throws
        -> Payment_V1_ListPaymentsResponse
    {
        let page = try await payments.list(status: request.status.isEmpty ? nil : request.status, paging: try PageRequest(request.page))
        return .with {
            $0.payments = page.items.map { payment in
                .with {
                    $0.id = payment.id.lowercasedString
                    $0.orderID = payment.orderID.lowercasedString
                    $0.status = payment.status.rawValue
                    $0.amountCents = payment.amountCents
                    $0.currency = payment.currency
                    $0.reference = payment.reference ?? ""
                    $0.failureReason = payment.failureReason ?? ""
                    $0.createdAt = .init(date: payment.createdAt)
                }
            }
            $0.page = .init(page)
        }
    }
}

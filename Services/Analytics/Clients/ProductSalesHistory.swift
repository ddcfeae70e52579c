import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import PlatformRPC

/// `SalesHistory` over product's `StreamSales`.
struct ProductSalesHistory: SalesHistory {
    let client: any Product_V1_ProductService.ClientProtocol
    /// The whole history is one call: it may take far longer than the platform's default deadline.
    static let options: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(24 * 3600)
        return options
    }()

    func forEachSale(_ body: @escaping @Sendable (Sale, _ refunded: Bool) async throws -> Void) async throws {
        try await AppError.mappingRPCErrors {
            try await client.streamSales(.init(), options: Self.options) { response in
                for try await sale in response.messages {
                    try await body(try Sale(sale), sale.refunded)
                }
            }
        }
    }
}

extension Sale {
    init(_ sale: Product_V1_Sale) throws {
        guard let order = UUID(uuidString: sale.orderID), let location = UUID(uuidString: sale.locationID) else {
            throw AppError(.internal, "product answered a sale without ids")
        }
        self.init(
            orderID: order, locationID: location, locationName: sale.locationName,
            lines: try sale.lines.map {
                try Sale.Line(
                    product: $0.productID, name: $0.name, category: $0.category, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents,
                    lineTotalCents: $0.lineTotalCents)
            },
            totalCents: sale.totalCents, paidAt: sale.paidAt.date)
    }
}

extension Sale.Line {
    /// A line of a message, whose product id must be one.
    init(product: String, name: String, category: String, quantity: Int64, unitPriceCents: Int64, lineTotalCents: Int64) throws {
        guard let id = UUID(uuidString: product) else { throw AppError(.invalidArgument, "a line has no product id") }
        self.init(
            productID: id, productName: name, category: category, quantity: quantity, unitPriceCents: unitPriceCents,
            lineTotalCents: lineTotalCents)
    }
}

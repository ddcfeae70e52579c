import Foundation
import HTTPTypes
import TestSupport
import Testing

/// A real 3×2 PNG (Pillow 11.3).
enum ImageBytes {
    static let png = [UInt8](
        Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGM8IafBwMDAwMDAxAADABPYARJY7Kp/AAAAAElFTkSuQmCC")!)
}

extension PlatformStack {
    /// A private image uploaded by a new customer: its id, its signed link and its owner.
    func image() async throws -> (id: String, url: String, owner: Account) {
        let owner = try await customer()
        var headers = HTTPFields()
        headers[.contentType] = "image/png"
        headers[.authorization] = "Bearer \(owner.accessToken)"
        let response = try await client.executeRequest(
            uri: "/api/media/images", method: .post, headers: headers, body: .init(bytes: ImageBytes.png))
        try #require(response.status == .created, "\(response.status)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        return (try #require(body["id"] as? String), try #require(body["url"] as? String), owner)
    }
}

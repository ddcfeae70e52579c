import Foundation
import PlatformCore
import Testing

@Suite struct JSONBodyErrorTests {
    private struct Body: Decodable {
        var name: String
        var tags: [String]?
    }

    private func error(decoding json: String) -> AppError? {
        do {
            _ = try JSONDecoder().decode(Body.self, from: Data(json.utf8))
            return nil
        } catch let error as DecodingError {
            return AppError(decoding: error)
        } catch {
            return nil
        }
    }

    @Test func aWrongTypeNamesTheField() {
        let error = error(decoding: #"{"name": 3}"#)
        #expect(error?.code == .invalidArgument)
        #expect(error?.details == ["name": "must be a string"])
    }

    @Test func aWrongElementTypeNamesItsPath() {
        #expect(error(decoding: #"{"name": "a", "tags": ["x", 1]}"#)?.details == ["tags.1": "must be a string"])
    }

    @Test func aMissingFieldIsRequired() {
        #expect(error(decoding: "{}")?.details == ["name": "is required"])
    }

    @Test func malformedJSONAndANonObjectHaveNoFieldDetails() {
        for json in ["{", "[1]"] {
            let error = error(decoding: json)
            #expect(error?.code == .invalidArgument)
            #expect(error?.details == [:])
        }
    }
}

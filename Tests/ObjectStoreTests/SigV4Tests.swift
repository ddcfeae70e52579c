import Foundation
import ObjectStore
import Testing

/// The signer against AWS's published vectors: the SigV4 test suite (`get-vanilla`,
/// `post-vanilla`, `get-vanilla-query-order-key-case`, credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z)
/// and the S3 documentation's GET Object example (header-based auth).
@Suite("SigV4")
struct SigV4Tests {
    static let suite = SigV4Signer(
        credentials: .init(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-east-1",
        service: "service")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z

    static func signature(_ authorization: String) -> String? {
        authorization.components(separatedBy: "Signature=").last
    }

    @Test(arguments: [
        ("GET", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("POST", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        ("GET", "Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ])
    func theTestSuiteVectors(method: String, query: String, expected: String) {
        let (amzDate, authorization) = Self.suite.sign(
            method: method, path: "/", query: query, headers: [("Host", "example.amazonaws.com")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.suiteDate)
        #expect(amzDate == "20150830T123600Z")
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "))
        #expect(Self.signature(authorization) == expected)
    }

    @Test func theS3GetObjectExample() {
        let signer = SigV4Signer(
            credentials: .init(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "s3")
        let (_, authorization) = signer.sign(
            method: "GET", path: "/test.txt",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash),
            ],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Date(timeIntervalSince1970: 1_369_353_600))  // 20130524T000000Z
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func keysAreEncodedTheAWSWay() {
        #expect(SigV4Signer.uriEncode("images/a b+c~d", keepingSlashes: true) == "images/a%20b%2Bc~d")
        #expect(SigV4Signer.uriEncode("a/b") == "a%2Fb")
    }
}

import Testing
import UserService

/// The SOAP endpoint's XML reader: namespaces and text as SOAP needs them, and nothing an XML
/// attack is made of (document types, entities, external references).
@Suite("XML reader")
struct XMLReaderTests {
    static func parse(_ text: String) throws(XMLReader.Refused) -> XMLNode { try XMLReader.parse(Array(text.utf8)) }

    @Test func aSOAPEnvelopeWithItsNamespaces() throws {
        let envelope = try Self.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a client's comment -->
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:u="urn:example:users">
              <soap:Body>
                <u:RegisterUser>
                  <u:first_name>Ann &amp; &#x42;ob &lt;3</u:first_name>
                  <u:last_name><![CDATA[<O'Neil>]]></u:last_name>
                  <email xmlns="urn:other">a@example.com</email>
                </u:RegisterUser>
              </soap:Body>
            </soap:Envelope>
            """)
        #expect(envelope.name == "Envelope")
        #expect(envelope.namespace == "http://schemas.xmlsoap.org/soap/envelope/")
        let operation = try #require(envelope.child("Body")?.children.first)
        #expect((operation.namespace, operation.name) == ("urn:example:users", "RegisterUser"))
        #expect(operation.child("first_name")?.text == "Ann & Bob <3")
        #expect(operation.child("last_name")?.text == "<O'Neil>")
        #expect(operation.child("email")?.namespace == "urn:other")
    }

    @Test(arguments: [
        // Entity expansion ("billion laughs"), an external entity, an undefined one, instructions, malformed XML.
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><a>&lol2;</a>",
        "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>",
        "<a>&undefined;</a>",
        "<a><?php echo 1; ?></a>",
        "<?xml-stylesheet href=\"x\"?><a/>",
        "<a><b></a></b>",
        "<a>",
        "<a>&#0;</a>",
        "<a/><b/>",
        "",
    ])
    func whatAttacksAreMadeOfIsRefused(document: String) {
        #expect(throws: XMLReader.Refused.self) { try Self.parse(document) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLReader.Refused.self) { try Self.parse(deep) }
    }

    @Test func textIsEscapedWhenWritten() {
        #expect("<script>\"Tom & Jerry's\"</script>".xmlEscaped == "&lt;script&gt;&quot;Tom &amp; Jerry&apos;s&quot;&lt;/script&gt;")
        let roundTrip = try? Self.parse("<a>\("</a><b>injected</b><a>".xmlEscaped)</a>")
        #expect(roundTrip?.text == "</a><b>injected</b><a>")
        #expect(roundTrip?.children.isEmpty == true)
    }
}

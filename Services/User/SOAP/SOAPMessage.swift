import HTTPTypes

/// SOAP 1.1 envelopes of the user endpoint: reading a request's operation and fields, writing
/// responses and faults. Every value written is escaped; the reader refuses document types and entities.
enum SOAPMessage {
    static let envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"
    static let contentType = "text/xml; charset=utf-8"

    static let namespace = UserSOAPContract.namespace

    /// A request's operation and the text of its fields, checked against the contract: an unknown
    /// operation is a fault; missing required fields, unknown fields and fields given twice are
    /// problems of the request (one per field).
    struct Request {
        let operation: SOAPOperation
        let fields: [String: String]
        let problems: [String: String]

        init(_ bytes: [UInt8]) throws(SOAPFault) {
            let envelope: XMLNode
            do { envelope = try XMLReader.parse(bytes) } catch { throw SOAPFault(.client, "the request is not accepted XML: \(error.reason)") }
            guard envelope.name == "Envelope" else { throw SOAPFault(.client, "the document is not a SOAP envelope") }
            guard envelope.namespace == envelopeNamespace else {
                throw SOAPFault(.versionMismatch, "only SOAP 1.1 envelopes (\(envelopeNamespace)) are understood")
            }
            let mustUnderstand = envelope.child("Header")?.children.first { ["1", "true"].contains($0.attributes["mustUnderstand"]) }
            if let header = mustUnderstand { throw SOAPFault(.mustUnderstand, "the header \(header.name) is not understood") }
            guard let body = envelope.child("Body"), body.namespace == envelopeNamespace, body.children.count == 1,
                let call = body.children.first
            else { throw SOAPFault(.client, "the SOAP body must hold exactly one operation") }
            guard call.namespace == namespace, let operation = UserSOAPContract.operations.first(where: { $0.name == call.name }) else {
                throw SOAPFault(.client, "unknown operation {\(call.namespace ?? "")}\(call.name)")
            }
            var fields: [String: String] = [:]
            var problems: [String: String] = [:]
            for element in call.children {
                if element.namespace != namespace || !operation.input.contains(where: { $0.name == element.name }) {
                    problems[element.name] = "is not a field of \(operation.name) in \(namespace)"
                } else if fields[element.name] != nil {
                    problems[element.name] = "is given more than once"
                } else if !element.children.isEmpty {
                    problems[element.name] = "must be text"
                } else {
                    fields[element.name] = element.text
                }
            }
            for field in operation.input where field.required && fields[field.name] == nil {
                problems[field.name] = "is required"
            }
            self.operation = operation
            self.fields = fields
            self.problems = problems
        }
    }

    static func response(_ operation: SOAPOperation, _ values: [String: String]) -> String {
        var body = "<u:\(operation.responseName) xmlns:u=\"\(namespace.xmlEscaped)\">"
        for field in operation.output {
            guard let value = values[field.name] else { continue }
            body += "<u:\(field.name)>\(value.xmlEscaped)</u:\(field.name)>"
        }
        return envelope(body + "</u:\(operation.responseName)>")
    }

    static func fault(_ fault: SOAPFault) -> String {
        let detail = UserSOAPContract.faultDetail
        var body = "<soap:Fault><faultcode>soap:\(fault.code.rawValue)</faultcode>"
        body += "<faultstring>\(fault.message.xmlEscaped)</faultstring>"
        if !fault.problems.isEmpty {
            body += "<detail><u:\(detail) xmlns:u=\"\(namespace.xmlEscaped)\">"
            for (field, problem) in fault.problems.sorted(by: { $0.key < $1.key }) {
                body += "<u:problem><u:field>\(field.xmlEscaped)</u:field><u:message>\(problem.xmlEscaped)</u:message></u:problem>"
            }
            body += "</u:\(detail)></detail>"
        }
        return envelope(body + "</soap:Fault>")
    }

    private static func envelope(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <soap:Envelope xmlns:soap="\(envelopeNamespace)"><soap:Body>\(body)</soap:Body></soap:Envelope>
        """
    }
}

/// A SOAP 1.1 fault: `Client` for the caller's mistakes (with one problem per bad field),
/// `Server` for ours. Faults are answered with 500 unless the HTTP layer refused the request.
struct SOAPFault: Error {
    enum Code: String {
        case client = "Client"
        case server = "Server"
        case versionMismatch = "VersionMismatch"
        case mustUnderstand = "MustUnderstand"
    }

    let code: Code
    let message: String
    var problems: [String: String] = [:]
    var status: HTTPResponse.Status = .internalServerError

    init(_ code: Code, _ message: String, problems: [String: String] = [:], status: HTTPResponse.Status = .internalServerError) {
        self.code = code
        self.message = message
        self.problems = problems
        self.status = status
    }
}

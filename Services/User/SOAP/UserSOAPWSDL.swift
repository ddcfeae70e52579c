/// The WSDL 1.1 description of the endpoint (document/literal), generated from the same
/// operations the endpoint checks requests against, so the two cannot disagree.
enum UserSOAPWSDL {
    /// - Parameter location: the endpoint's address as the client reached it.
    static func document(location: String) -> String {
        let contract = UserSOAPContract.self
        let operations = contract.operations
        var types = ""
        for operation in operations {
            types += element(operation.name, operation.input)
            types += element(operation.responseName, operation.output)
        }
        types += """
            <xsd:element name="\(contract.faultDetail)"><xsd:complexType><xsd:sequence>
            <xsd:element name="problem" minOccurs="0" maxOccurs="unbounded"><xsd:complexType><xsd:sequence>
            <xsd:element name="field" type="xsd:string"/><xsd:element name="message" type="xsd:string"/>
            </xsd:sequence></xsd:complexType></xsd:element>
            </xsd:sequence></xsd:complexType></xsd:element>

            """
        var messages = """
            <wsdl:message name="\(contract.faultDetail)"><wsdl:part name="fault" element="tns:\(contract.faultDetail)"/></wsdl:message>

            """
        var portType = ""
        var binding = ""
        for operation in operations {
            messages += """
                <wsdl:message name="\(operation.name)Request"><wsdl:part name="parameters" element="tns:\(operation.name)"/></wsdl:message>
                <wsdl:message name="\(operation.responseName)"><wsdl:part name="parameters" element="tns:\(operation.responseName)"/></wsdl:message>

                """
            portType += """
                <wsdl:operation name="\(operation.name)">
                <wsdl:input message="tns:\(operation.name)Request"/><wsdl:output message="tns:\(operation.responseName)"/>
                <wsdl:fault name="\(contract.faultDetail)" message="tns:\(contract.faultDetail)"/>
                </wsdl:operation>

                """
            binding += """
                <wsdl:operation name="\(operation.name)">
                <soap:operation soapAction="\(contract.namespace)#\(operation.name)" style="document"/>
                <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
                <wsdl:fault name="\(contract.faultDetail)"><soap:fault name="\(contract.faultDetail)" use="literal"/></wsdl:fault>
                </wsdl:operation>

                """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <wsdl:definitions name="UserService" targetNamespace="\(contract.namespace)" xmlns:tns="\(contract.namespace)"
                xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                xmlns:xsd="http://www.w3.org/2001/XMLSchema">
            <wsdl:documentation>Users of the platform for systems that speak SOAP 1.1. RegisterUser registers like
            POST /api/auth/register (name = first_name + " " + last_name; city is checked, at most 100 characters, and not
            kept). Faults: soap:Client with one UserFault problem per bad field, for a taken email or username, and for an
            unknown user; soap:Server for internal errors.</wsdl:documentation>
            <wsdl:types>
            <xsd:schema targetNamespace="\(contract.namespace)" elementFormDefault="qualified">
            \(types)</xsd:schema>
            </wsdl:types>
            \(messages)<wsdl:portType name="UserServicePortType">
            \(portType)</wsdl:portType>
            <wsdl:binding name="UserServiceBinding" type="tns:UserServicePortType">
            <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
            \(binding)</wsdl:binding>
            <wsdl:service name="UserService">
            <wsdl:port name="UserServicePort" binding="tns:UserServiceBinding"><soap:address location="\(location.xmlEscaped)"/></wsdl:port>
            </wsdl:service>
            </wsdl:definitions>

            """
    }

    private static func element(_ name: String, _ fields: [SOAPOperation.Field]) -> String {
        let sequence = fields.map { field in
            "<xsd:element name=\"\(field.name)\" type=\"xsd:string\"\(field.required ? "" : " minOccurs=\"0\"")/>"
        }
        return "<xsd:element name=\"\(name)\"><xsd:complexType><xsd:sequence>\(sequence.joined())</xsd:sequence></xsd:complexType></xsd:element>\n"
    }
}

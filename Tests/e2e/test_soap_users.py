"""The user service's legacy SOAP 1.1 endpoint (:8002/soap/users), called by a stock SOAP client
(zeep) built from the service's own WSDL, plus raw requests for what a well-behaved client never
sends (entity expansion, oversized bodies, a hostile Host header)."""

from __future__ import annotations

import uuid

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault

import stack
from identity import admin_account, get, login, new_password, unique_email, wait_for_account

ENDPOINT = stack.http_url("user", "/soap/users")
ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture(scope="module")
def soap() -> zeep.Client:
    return zeep.Client(ENDPOINT + "?wsdl")


def fresh_username() -> str:
    return f"soap.{uuid.uuid4().hex[:12]}"


def register(soap: zeep.Client, **overrides: str):
    fields = {"username": fresh_username(), "email": unique_email("soap"), "password": new_password(),
              "first_name": "Grace", "last_name": "Hopper"} | overrides
    return fields, soap.service.RegisterUser(**fields)


def problems(fault: Fault) -> dict[str, str]:
    """The fault detail's problems, field → message."""
    assert fault.detail is not None, fault
    return {problem.findtext("{*}field"): problem.findtext("{*}message") for problem in fault.detail.iter("{*}problem")}


def test_the_wsdl_names_the_address_the_client_used(soap: zeep.Client) -> None:
    port = soap.wsdl.services["UserService"].ports["UserServicePort"]
    assert port.binding_options["address"] == ENDPOINT
    assert sorted(port.binding._operations) == ["GetUserByEmail", "GetUserByUsername", "RegisterUser"]


def test_a_soap_registration_is_a_rest_registration(soap: zeep.Client) -> None:
    fields, response = register(soap, username=fresh_username().upper(), city="Arlington")
    assert response.message == "User registered successfully"
    wait_for_account(response.id)  # auth got user.registered, as for REST
    assert login(fields["email"], fields["password"]).status_code == 200
    user = get(f"/api/admin/users/{response.id}", token=admin_account().access_token).json()
    assert (user["email"], user["username"], user["name"], user["roles"]) == (
        fields["email"], fields["username"].lower(), "Grace Hopper", ["customer"])


def test_a_duplicate_is_a_client_fault_naming_the_field(soap: zeep.Client) -> None:
    fields, _ = register(soap)
    with pytest.raises(Fault) as email:
        register(soap, email=fields["email"].upper())
    assert email.value.code.endswith("Client")
    assert problems(email.value) == {"email": "is already taken"}
    with pytest.raises(Fault) as username:
        register(soap, username=fields["username"].upper())
    assert problems(username.value) == {"username": "is already taken"}


def test_bad_input_is_a_client_fault_with_one_detail_per_field(soap: zeep.Client) -> None:
    with pytest.raises(Fault) as fault:
        register(soap, email="not-an-email", password="short", username="no spaces")
    assert fault.value.code.endswith("Client")
    found = problems(fault.value)
    assert set(found) == {"email", "password", "username"}, found
    assert found["email"] == "must be a valid email address"


def test_lookups_by_username_and_email_and_an_unknown_user(soap: zeep.Client) -> None:
    fields, registered = register(soap)
    by_username = soap.service.GetUserByUsername(username=fields["username"].upper())
    assert (by_username.id, by_username.username, by_username.email, by_username.name) == (
        registered.id, fields["username"], fields["email"], "Grace Hopper")
    by_email = soap.service.GetUserByEmail(email=fields["email"])
    assert by_email.id == registered.id
    with pytest.raises(Fault) as unknown:
        soap.service.GetUserByUsername(username=fresh_username())
    assert unknown.value.code.endswith("Client")
    assert unknown.value.message == "no such user"


def test_markup_in_a_name_is_stored_and_returned_as_text(soap: zeep.Client) -> None:
    first = '</first_name><is_admin>true</is_admin><first_name>'
    last = "O'Neil & <script>alert(1)</script>"
    fields, registered = register(soap, first_name=first, last_name=last)
    found = soap.service.GetUserByEmail(email=fields["email"])
    assert found.name == f"{first} {last}"
    user = get(f"/api/admin/users/{registered.id}", token=admin_account().access_token).json()
    assert user["name"] == f"{first} {last}" and user["roles"] == ["customer"]


def raw(body: bytes, **headers: str) -> requests.Response:
    return requests.post(ENDPOINT, data=body, timeout=10,
                         headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'} | headers)


def fault_of(response: requests.Response) -> tuple[str, str]:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    fault = etree.fromstring(response.content).find(f"{{{ENVELOPE_NS}}}Body/{{{ENVELOPE_NS}}}Fault")
    assert fault is not None, response.text
    return fault.findtext("faultcode"), fault.findtext("faultstring")


def test_an_entity_expansion_document_is_refused_and_registers_nobody(soap: zeep.Client) -> None:
    email = unique_email("bomb")
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY l0 "lol">{laughs}]>
<soap:Envelope xmlns:soap="{ENVELOPE_NS}" xmlns:u="urn:platform:users:soap:v1"><soap:Body><u:RegisterUser>
<u:username>{fresh_username()}</u:username><u:email>{email}</u:email><u:password>{new_password()}</u:password>
<u:first_name>&l9;</u:first_name><u:last_name>X</u:last_name></u:RegisterUser></soap:Body></soap:Envelope>"""
    response = raw(bomb.encode())
    assert response.status_code == 500
    code, message = fault_of(response)
    assert code == "soap:Client" and "document type declarations are not accepted" in message
    external = bomb.replace("<!ENTITY l0 \"lol\">", '<!ENTITY l0 SYSTEM "file:///etc/passwd">')
    assert fault_of(raw(external.encode()))[0] == "soap:Client"
    with pytest.raises(Fault):
        soap.service.GetUserByEmail(email=email)


def test_a_body_over_one_megabyte_is_refused() -> None:
    response = raw(b"<x>" + b"a" * (1 << 20) + b"</x>")
    assert response.status_code == 413
    assert fault_of(response)[0] == "soap:Client"


def test_a_hostile_host_header_never_reaches_the_wsdl_unescaped() -> None:
    response = requests.get(ENDPOINT + "?wsdl", headers={"Host": 'evil"/><x a="'}, timeout=10)
    assert response.status_code == 200
    definitions = etree.fromstring(response.content)
    address = definitions.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address").get("location")
    assert "evil" not in address and address.endswith("/soap/users")

"""MongoDB wire protocol framing: OP_QUERY / OP_REPLY (legacy handshake) and OP_MSG.

Only the parts a driver uses against a standalone server without compression:
OP_QUERY on `<db>.$cmd` (the handshake and heartbeats), answered with OP_REPLY, and
OP_MSG with one kind-0 body and any kind-1 document sequences, answered with OP_MSG.
"""

import struct
from dataclasses import dataclass

import bson

OP_REPLY = 1
OP_QUERY = 2004
OP_COMPRESSED = 2012
OP_MSG = 2013

HEADER = struct.Struct("<iiii")  # messageLength, requestID, responseTo, opCode
MAX_MESSAGE_SIZE = 48_000_000

MSG_CHECKSUM_PRESENT = 1 << 0
MSG_MORE_TO_COME = 1 << 1
REPLY_QUERY_FAILURE = 1 << 1

_INT32 = struct.Struct("<i")
_UINT32 = struct.Struct("<I")
_OP_QUERY_FIXED = struct.Struct("<ii")  # numberToSkip, numberToReturn
_OP_REPLY_FIXED = struct.Struct("<iqii")  # responseFlags, cursorID, startingFrom, numberReturned


class ProtocolError(Exception):
    """The peer sent something that is not a well-formed message; the connection is closed."""


@dataclass
class Request:
    request_id: int
    op_code: int
    database: str
    command: dict
    # OP_MSG moreToCome from the client: an unacknowledged write, no reply is sent.
    more_to_come: bool = False
    # OP_QUERY on something other than `<db>.$cmd` (a legacy query we do not serve).
    legacy_namespace: str = ""


def _cstring(data: bytes, pos: int) -> tuple:
    end = data.find(b"\x00", pos)
    if end < 0:
        raise ProtocolError("unterminated cstring")
    return data[pos:end].decode("utf-8"), end + 1


def _document(data: bytes, pos: int) -> tuple:
    if pos + 4 > len(data):
        raise ProtocolError("truncated document")
    (size,) = _INT32.unpack_from(data, pos)
    if size < 5 or pos + size > len(data):
        raise ProtocolError("bad document length")
    return bson.decode(data[pos : pos + size]), pos + size


def parse_request(request_id: int, op_code: int, payload: bytes) -> Request:
    if op_code == OP_MSG:
        return _parse_op_msg(request_id, payload)
    if op_code == OP_QUERY:
        return _parse_op_query(request_id, payload)
    raise ProtocolError(f"unsupported opCode {op_code}")


def _parse_op_msg(request_id: int, payload: bytes) -> Request:
    if len(payload) < 5:
        raise ProtocolError("truncated OP_MSG")
    (flags,) = _UINT32.unpack_from(payload, 0)
    end = len(payload) - (4 if flags & MSG_CHECKSUM_PRESENT else 0)
    body = None
    sequences = {}
    pos = 4
    while pos < end:
        kind = payload[pos]
        pos += 1
        if kind == 0:
            if body is not None:
                raise ProtocolError("OP_MSG with two body sections")
            body, pos = _document(payload, pos)
        elif kind == 1:
            (size,) = _INT32.unpack_from(payload, pos)
            section_end = pos + size
            if size < 5 or section_end > end:
                raise ProtocolError("bad document sequence length")
            identifier, doc_pos = _cstring(payload, pos + 4)
            documents = []
            while doc_pos < section_end:
                document, doc_pos = _document(payload[:section_end], doc_pos)
                documents.append(document)
            sequences[identifier] = documents
            pos = section_end
        else:
            raise ProtocolError(f"unknown OP_MSG section kind {kind}")
    if body is None:
        raise ProtocolError("OP_MSG without a body section")
    body.update(sequences)
    database = body.pop("$db", None)
    if not isinstance(database, str) or not database:
        raise ProtocolError("OP_MSG body without $db")
    return Request(request_id, OP_MSG, database, body, bool(flags & MSG_MORE_TO_COME))


def _parse_op_query(request_id: int, payload: bytes) -> Request:
    namespace, pos = _cstring(payload, 4)  # skip the flags
    pos += _OP_QUERY_FIXED.size
    query, _ = _document(payload, pos)
    database, _, collection = namespace.partition(".")
    if "$query" in query:  # a wrapped query: {$query: {...}, $readPreference: ...}
        query = query["$query"]
    if collection != "$cmd":
        return Request(request_id, OP_QUERY, database, query, legacy_namespace=namespace)
    return Request(request_id, OP_QUERY, database, query)


def _frame(request_id: int, response_to: int, op_code: int, body: bytes) -> bytes:
    return HEADER.pack(HEADER.size + len(body), request_id, response_to, op_code) + body


def encode_reply(request_id: int, response_to: int, document: dict, flags: int = 0) -> bytes:
    """An OP_REPLY carrying one document (the answer to an OP_QUERY command)."""
    body = _OP_REPLY_FIXED.pack(flags, 0, 0, 1) + bson.encode(document)
    return _frame(request_id, response_to, OP_REPLY, body)


def encode_msg(request_id: int, response_to: int, document: dict) -> bytes:
    """An OP_MSG with a single kind-0 body section."""
    body = _UINT32.pack(0) + b"\x00" + bson.encode(document)
    return _frame(request_id, response_to, OP_MSG, body)

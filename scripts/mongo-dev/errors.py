"""Server error codes and the exception that turns into an `{ok: 0}` command reply."""

# The MongoDB error codes this server answers with, and their codeName.
CODE_NAMES = {
    1: "InternalError",
    2: "BadValue",
    9: "FailedToParse",
    11000: "DuplicateKey",
    11: "UserNotFound",
    13: "Unauthorized",
    17: "ProtocolError",
    18: "AuthenticationFailed",
    51003: "Location51003",
    26: "NamespaceNotFound",
    27: "IndexNotFound",
    43: "CursorNotFound",
    48: "NamespaceExists",
    59: "CommandNotFound",
    72: "InvalidOptions",
    85: "IndexOptionsConflict",
    86: "IndexKeySpecsConflict",
    238: "NotImplemented",
}


class CommandError(Exception):
    """A command failed as a whole; it becomes `{ok: 0, errmsg, code, codeName}`."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def to_reply(self) -> dict:
        return {
            "ok": 0.0,
            "errmsg": self.message,
            "code": self.code,
            "codeName": CODE_NAMES.get(self.code, "UnknownError"),
        }

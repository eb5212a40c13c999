"""Errors services raise for rules that a form alone cannot check."""


class ServiceError(Exception):
    """A refusal with a code the view turns into a translated message."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


class PermissionDenied(ServiceError):
    def __init__(self, code: str = "forbidden") -> None:
        super().__init__(code)

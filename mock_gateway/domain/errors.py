"""Domain errors: what went wrong in business terms. The API layer decides the HTTP shape."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose; `message` is shown to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(DomainError):
    """The input is well-formed but not acceptable (duplicate barcode, unknown address...)."""


class UnknownModel(DomainError):
    pass


class UnknownProduct(DomainError):
    pass


class UnknownRequest(DomainError):
    """An unknown request number, or another buyer's: the two are indistinguishable."""


class CutoffPassed(DomainError):
    pass


class BarcodeNotOnRequest(DomainError):
    pass


class NothingReserved(DomainError):
    pass

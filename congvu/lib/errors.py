"""Domain errors raised by actions: a machine-readable code for the API and a Vietnamese
message for people. Views turn them into form errors or JSON error bodies."""

from __future__ import annotations

from collections.abc import Sequence


class ActionError(Exception):
    """A refused action. Nothing was changed when this is raised."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInputError(ActionError):
    """Several inputs are wrong: reported together (`errors`), so a form shows every problem
    at once instead of one per attempt. The first error gives the code and field."""

    def __init__(self, errors: list[ActionError]) -> None:
        first = errors[0]
        super().__init__(first.code, " ".join(e.message for e in errors), field=first.field)
        self.errors = errors

    def as_dict(self) -> dict[str, str | None]:
        out = super().as_dict()
        out["errors"] = [e.as_dict() for e in self.errors]  # type: ignore[assignment]
        return out


class ActionPermissionError(ActionError):
    status = 403

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
        super().__init__("permission_denied", message)


class ConflictError(ActionError):
    """The object changed under the caller (stale version); retry with fresh data."""

    status = 409


class NotFoundError(ActionError):
    """The object does not exist or is outside the caller's scope: both answered alike, so
    that scope cannot be probed by trying ids."""

    status = 404

    def __init__(self, message: str) -> None:
        super().__init__("not_found", message)


def refuse_all(problems: Sequence[ActionError]) -> None:
    """Refuse with every problem found, together (one alone is raised as itself); nothing
    found, nothing raised."""
    if problems:
        raise problems[0] if len(problems) == 1 else InvalidInputError(list(problems))

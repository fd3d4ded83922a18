"""Domain errors: what a service raises when a rule says no.

A view turns a ``DomainError`` into a message beside the form field it names (or at the top of
the form when it names none). Messages are lazy translations, so they come out in the language
of whoever reads them.
"""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the co-op refused the action; nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(str(message))
        #: the translated (lazy) text for the user
        self.message = message
        #: the form field the message belongs beside, if any
        self.field = field

    @property
    def text(self) -> str:
        """The message as plain text in the current language.

        Pages and flashes must use this, never ``message`` itself: a lazy translation counts as
        safe HTML to Jinja, so a message quoting what someone typed would not be escaped.
        """
        return str(self.message)


class DomainErrors(DomainError):
    """Several fields are wrong at once: ``errors`` holds one error per bad field."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class Problems:
    """Runs several checks and keeps every refusal, so a person sees all their mistakes at once."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, func, *args, **kwargs):
        """The check's result, or None when it refused (the refusal is kept)."""
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            self.errors.append(error)
            return None

    def add(self, message: str, field: str | None = None) -> None:
        self.errors.append(DomainError(message, field=field))

    def raise_any(self) -> None:
        if self.errors:
            raise DomainErrors(self.errors)


class NotFoundError(DomainError):
    """The object does not exist in this co-op."""


class PermissionDenied(DomainError):
    """The actor may not do this."""


def apply_to_form(form, error: DomainError) -> None:
    """Show a domain error (or each of several) beside its field, or among the form's errors."""
    for each in getattr(error, "errors", None) or [error]:
        field = getattr(form, each.field, None) if each.field else None
        if field is not None:
            field.errors = list(field.errors) + [each.text]
        else:
            form.form_errors.append(each.text)

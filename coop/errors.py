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


class NotFoundError(DomainError):
    """The object does not exist in this co-op."""


class PermissionDenied(DomainError):
    """The actor may not do this."""


def apply_to_form(form, error: DomainError) -> None:
    """Show a domain error beside its field, or among the form's general errors."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.text]
    else:
        form.form_errors.append(error.text)

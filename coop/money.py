"""Money as an integer number of minor units (cents) and a currency.

Never a float, never a Numeric column on SQLite. Parsing reads both notations people type
("1.234,50" and "1,234.50"), asks when an amount could be read two ways, and refuses more
decimals than the currency has, rather than rounding someone's payment. Formatting goes through
Babel. ``coop.forms.MoneyField`` is the form field every amount is typed into.
"""
from __future__ import annotations

import decimal
import re
from dataclasses import dataclass

from babel.numbers import format_currency, format_decimal, get_currency_precision, get_group_symbol
from flask_babel import lazy_gettext as _l

from coop.errors import DomainError

#: amounts beyond this (in minor units) are refused: no co-op moves a trillion
MAX_MINOR = 10**15


class MoneyError(DomainError):
    """An amount that cannot be read, or that the currency cannot hold."""


class CurrencyMismatch(ValueError):
    """Adding dollars to euros is a programming error, not a user's."""


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount: ``minor`` units (cents for USD) of ``currency``."""

    minor: int
    currency: str = "USD"

    def __post_init__(self):
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money holds an integer number of minor units")

    @property
    def digits(self) -> int:
        return get_currency_precision(self.currency)

    def to_decimal(self) -> decimal.Decimal:
        return decimal.Decimal(self.minor).scaleb(-self.digits)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {getattr(other, 'currency', other)!r}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __bool__(self) -> bool:
        return self.minor != 0

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)


_AMOUNT_RE = re.compile(r"-?[0-9.,]+")
_NOT_AN_AMOUNT = _l("This is not an amount of money.")


def _digits_only(text: str) -> bool:
    return bool(text) and all("0" <= c <= "9" for c in text)


def _grouped(head: str, group: str) -> str | None:
    """The digits of ``head`` written with ``group`` between thousands ("1.234.567"), else None."""
    parts = head.split(group)
    if not (1 <= len(parts[0]) <= 3 and not parts[0].startswith("0") and all(_digits_only(p) for p in parts)
            and all(len(p) == 3 for p in parts[1:])):
        return None
    return "".join(parts)


def _reading(whole: str, fraction: str, currency: str, negative: bool) -> Money:
    digits = get_currency_precision(currency)
    fraction = fraction.rstrip("0")
    if len(fraction) > digits:
        raise MoneyError(_l("Use at most %(digits)d decimals for %(currency)s.", digits=digits, currency=currency))
    minor = int(whole or "0") * 10 ** digits + int((fraction or "0").ljust(digits, "0")[:digits] or "0")
    if abs(minor) >= MAX_MINOR:
        raise MoneyError(_l("This amount is too large."))
    return Money(-minor if negative else minor, currency)


def parse_money(text: str, currency: str, locale: str = "es", *, allow_negative: bool = False) -> Money:
    """Read an amount as people type it: "48.90", "48,90", "$1.234,56" or "1,234.56".

    The last separator followed by one or two digits is the decimal one, whichever it is, and
    the other separator groups thousands. A lone separator followed by three digits groups
    thousands when it is the reader's own group sign ("1.500" in Spanish); written the other way
    ("1,500" to a Spanish reader) it is ambiguous, and refused with a message that shows how it
    would be read. More decimals than the currency has are refused, never rounded.
    """
    cleaned = (text or "").strip().replace("$", "").replace("\u00a0", " ").strip()
    if cleaned.upper().startswith(currency):
        cleaned = cleaned[len(currency):].strip()
    elif cleaned.upper().endswith(currency):
        cleaned = cleaned[:-len(currency)].strip()
    if not cleaned:
        raise MoneyError(_l("Enter an amount."))
    cleaned = cleaned.replace(" ", "")
    if not _AMOUNT_RE.fullmatch(cleaned):  # no exponents, underscores, other digits or signs
        raise MoneyError(_NOT_AN_AMOUNT)
    negative = cleaned.startswith("-")
    body = cleaned.lstrip("-")
    if negative and not allow_negative:
        raise MoneyError(_l("The amount cannot be negative."))
    return _read_body(body, currency, locale, negative)


def _read_body(body: str, currency: str, locale: str, negative: bool) -> Money:
    last = max(body.rfind("."), body.rfind(","))
    if last < 0:
        if not _digits_only(body):
            raise MoneyError(_NOT_AN_AMOUNT)
        return _reading(body, "", currency, negative)
    mark, head, tail = body[last], body[:last], body[last + 1:]
    other = "," if mark == "." else "."
    if not _digits_only(tail):
        raise MoneyError(_NOT_AN_AMOUNT)
    if len(tail) == 3 and other not in head:
        # "1.234.567", "1.500" or "1,500": thousands, unless the reader writes decimals this way
        whole = _grouped(body, mark)
        digits = get_currency_precision(currency)
        if whole is not None and head.count(mark) == 0 and mark != get_group_symbol(locale) and digits < 3:
            _refuse_ambiguous(body, whole, currency, locale)
        if whole is not None and (head.count(mark) or mark == get_group_symbol(locale)):
            return _reading(whole, "", currency, negative)
    if mark in head:
        raise MoneyError(_NOT_AN_AMOUNT)
    whole = _grouped(head, other) if other in head else head
    if whole is None or not (whole == "" or _digits_only(whole)):
        raise MoneyError(_NOT_AN_AMOUNT)
    return _reading(whole, tail, currency, negative)


def _refuse_ambiguous(body: str, whole: str, currency: str, locale: str) -> None:
    """A lone separator before three digits, written the other way from the reader's: say how it reads."""
    as_thousands = Money(int(whole) * 10 ** get_currency_precision(currency), currency)
    raise MoneyError(_l("\u201c%(text)s\u201d can be read two ways. Did you mean %(reading)s? Write it with the "
                        "cents, such as %(example)s.", text=body, reading=format_money(as_thousands, locale),
                        example=typed_amount(as_thousands.minor, currency, locale)))


def typed_amount(minor: int | None, currency: str, locale: str) -> str:
    """An amount as a person types it back into a form: no grouping, the reader's decimal sign."""
    if minor is None:
        return ""
    money = Money(int(minor), currency)
    pattern = "0." + "0" * money.digits if money.digits else "0"
    return format_decimal(money.to_decimal(), format=pattern, locale=locale)


def format_money(money: Money, locale: str = "es") -> str:
    """The amount as a person of ``locale`` writes it, with the currency sign.

    A negative amount reads the same way everywhere, on pages and in printed documents: the
    minus sign first, before the currency sign ("-$37.500,00", "-$37,500.00"). Babel alone would
    follow each locale's own pattern, and es_EC's puts the sign after it ("$-37.500,00").
    """
    written = format_currency(abs(money.to_decimal()), money.currency, locale=locale)
    return f"-{written}" if money.minor < 0 else written

"""Money as an integer number of minor units (cents) and a currency.

Never a float, never a Numeric column on SQLite. Parsing follows the reader's locale (in
Spanish "1.234,50" is one thousand two hundred thirty-four and a half) and refuses more decimals
than the currency has, rather than rounding someone's payment. Formatting goes through Babel.
"""
from __future__ import annotations

import decimal
import re
from dataclasses import dataclass

from babel.numbers import (NumberFormatError, format_currency, get_currency_precision,
                           get_decimal_symbol, get_group_symbol, parse_decimal)
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


def parse_money(text: str, currency: str, locale: str = "es", *, allow_negative: bool = False) -> Money:
    """Read an amount typed by a person, in their locale's notation."""
    cleaned = (text or "").strip().replace("$", "").replace("\u00a0", " ").strip()
    if cleaned.upper().startswith(currency):
        cleaned = cleaned[len(currency):].strip()
    if not cleaned:
        raise MoneyError(_l("Enter an amount."))
    cleaned = cleaned.replace(" ", "")
    allowed = re.escape(get_group_symbol(locale) + get_decimal_symbol(locale))
    if not re.fullmatch(rf"-?[0-9{allowed}]+", cleaned):  # no exponents, underscores or other digits
        raise MoneyError(_l("This is not an amount of money."))
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as exc:
        if getattr(exc, "suggestions", None):
            raise MoneyError(_l("This is not an amount of money. Did you mean %(suggestion)s?",
                                suggestion=exc.suggestions[-1])) from None
        raise MoneyError(_l("This is not an amount of money.")) from None
    except decimal.InvalidOperation:
        raise MoneyError(_l("This is not an amount of money.")) from None
    if not value.is_finite():
        raise MoneyError(_l("This is not an amount of money."))
    digits = get_currency_precision(currency)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise MoneyError(_l("Use at most %(digits)d decimals for %(currency)s.",
                            digits=digits, currency=currency))
    if value < 0 and not allow_negative:
        raise MoneyError(_l("The amount cannot be negative."))
    minor = int(value.scaleb(digits))
    if abs(minor) >= MAX_MINOR:
        raise MoneyError(_l("This amount is too large."))
    return Money(minor, currency)


def format_money(money: Money, locale: str = "es") -> str:
    """The amount as a person of ``locale`` writes it, with the currency sign."""
    return format_currency(money.to_decimal(), money.currency, locale=locale)

"""Money: exact minor units, read in the reader's notation, never rounded, never a float."""
from __future__ import annotations

import decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.money import MAX_MINOR, CurrencyMismatch, Money, MoneyError, format_money, parse_money


@pytest.fixture
def spanish(app):
    """A request context in the default language (Spanish), for the lazy error messages."""
    with app.test_request_context():
        yield


def refusal(text, currency="USD", locale="es", **options) -> str:
    with pytest.raises(MoneyError) as caught:
        parse_money(text, currency, locale, **options)
    return str(caught.value.message)


# --- reading ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, minor", [
    ("1.234,50", 123450),
    ("12,5", 1250),
    ("12,50", 1250),
    ("12", 1200),
    ("0,01", 1),
    ("1.000", 100000),          # a dot groups thousands in Spanish
    ("1.234.567,89", 123456789),
])
def test_a_spanish_reader_writes_dots_for_thousands_and_a_comma_for_cents(text, minor):
    assert parse_money(text, "USD", "es") == Money(minor, "USD")


@pytest.mark.parametrize("text, minor", [
    ("1,234.50", 123450),
    ("12.5", 1250),
    ("1,000", 100000),          # a comma groups thousands in English
])
def test_an_english_reader_writes_commas_for_thousands_and_a_dot_for_cents(text, minor):
    assert parse_money(text, "USD", "en") == Money(minor, "USD")


@pytest.mark.parametrize("text", ["$ 12,50", "$12,50", " 12,50 ", "USD 12,50", "12,50 $", "\u00a012,50"])
def test_the_currency_sign_and_spaces_around_an_amount_are_ignored(text):
    assert parse_money(text, "USD", "es") == Money(1250, "USD")


def test_an_amount_formatted_for_ecuador_reads_back_with_its_sign():
    assert parse_money("$1.234,50", "USD", "es_EC") == Money(123450)


def test_more_decimals_than_the_currency_has_are_refused_not_rounded(spanish):
    assert refusal("0,125") == "Use como máximo 2 decimales para USD."
    assert refusal("1234,567") == "Use como máximo 2 decimales para USD."
    assert refusal("1.234,567") == "Use como máximo 2 decimales para USD."
    assert refusal("0.125", locale="en") == "Use como máximo 2 decimales para USD."


def test_trailing_zeros_are_not_extra_decimals():
    assert parse_money("0,500", "USD", "es") == Money(50)
    assert parse_money("12,5000", "USD", "es") == Money(1250)


@pytest.mark.parametrize("text, minor", [
    ("48.90", 4890), ("48,90", 4890), ("$48.90", 4890), ("$1.234,56", 123456), ("1,234.56", 123456),
    ("1 234,56", 123456), ("12.5", 1250), (".5", 50), ("1.234.567", 123456700), ("1,234,567.8", 123456780),
])
@pytest.mark.parametrize("locale", ["es_EC", "en"])
def test_amounts_read_the_same_in_either_notation_whoever_types_them(text, minor, locale):
    """The last separator followed by one or two digits is the decimal one, whichever it is."""
    assert parse_money(text, "USD", locale) == Money(minor)


def test_a_lone_separator_before_three_digits_written_the_readers_way_groups_thousands():
    assert parse_money("1.500", "USD", "es_EC") == Money(150000)
    assert parse_money("1,500", "USD", "en") == Money(150000)


def test_an_ambiguous_amount_is_refused_with_the_reading_shown(app):
    with app.test_request_context():  # Spanish: "1,500" could be 1.500,00 or 1,5
        assert refusal("1,500", locale="es_EC") == ("«1,500» se puede leer de dos maneras. ¿Quiso decir "
                                                    "$1.500,00? Escríbalo con los centavos, así: 1500,00.")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert refusal("1.500", locale="en") == ("\u201c1.500\u201d can be read two ways. Did you mean $1,500.00? "
                                                 "Write it with the cents, such as 1500.00.")


def test_yen_have_no_decimals(spanish):
    assert refusal("10,5", "JPY") == "Use como máximo 0 decimales para JPY."
    assert parse_money("1.000", "JPY", "es") == Money(1000, "JPY")
    assert parse_money("10", "JPY", "es").to_decimal() == decimal.Decimal(10)


@pytest.mark.parametrize("text", ["", "   ", "$", None])
def test_an_empty_amount_is_asked_for(spanish, text):
    assert refusal(text) == "Escriba un monto."


@pytest.mark.parametrize("text", ["doce", "12abc", "12,5,3", "--5", "NaN", "1e5", "5e-2", "1_000", "١٢", "12,",
                                  "1,23,456.78", "12.34.56", "1.2345.678"])
def test_words_and_garbage_are_not_amounts(spanish, text):
    assert refusal(text).startswith("Esto no es un monto de dinero.")


def test_a_negative_amount_is_refused_unless_allowed(spanish):
    assert refusal("-12,50") == "El monto no puede ser negativo."
    assert parse_money("-12,50", "USD", "es", allow_negative=True) == Money(-1250)


def test_an_absurdly_large_amount_is_refused(spanish):
    largest = parse_money("9.999.999.999.999,99", "USD", "es")
    assert largest == Money(MAX_MINOR - 1)
    assert refusal("10.000.000.000.000") == "Este monto es demasiado grande."
    assert refusal("-10.000.000.000.000", allow_negative=True) == "Este monto es demasiado grande."


def test_a_dotted_decimal_reads_for_a_spanish_reader_as_invoices_write_it():
    assert parse_money("$48.90", "USD", "es_EC") == Money(4890)


def test_refusals_are_in_the_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert refusal("0,125") == "Use at most 2 decimals for USD."
    with app.test_request_context():
        assert refusal("0,125") == "Use como máximo 2 decimales para USD."


# --- writing ---------------------------------------------------------------------------------

def test_amounts_are_written_as_the_reader_writes_them():
    assert format_money(Money(123450), "es_EC") == "$1.234,50"
    assert format_money(Money(123450), "en") == "$1,234.50"
    assert format_money(Money(5), "es_EC") == "$0,05"
    assert format_money(Money(1000, "JPY"), "en") == "¥1,000"


def test_negative_amounts_keep_their_minus_sign():
    assert format_money(Money(-123450), "es_EC") == "-$1.234,50"
    assert format_money(Money(-123450), "es") == "-1.234,50\xa0US$"
    assert format_money(Money(-123450), "en") == "-$1,234.50"


# --- the value ---------------------------------------------------------------------------------

def test_money_adds_and_subtracts_exactly():
    fee = Money(2550)
    fine = Money(1000)
    assert fee + fine == Money(3550)
    assert fee - fine == Money(1550)
    assert fine - fee == Money(-1550)
    assert -fee == Money(-2550)
    assert sum([Money(10)] * 10, Money.zero("USD")) == Money(100)
    assert (fee + fine).to_decimal() == decimal.Decimal("35.50")
    assert Money(1000, "JPY").to_decimal() == decimal.Decimal(1000)
    assert not Money.zero("USD") and fee
    assert fine < fee


def test_dollars_and_euros_do_not_mix():
    with pytest.raises(CurrencyMismatch):
        Money(100, "USD") + Money(100, "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(100, "USD") - Money(100, "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(100, "USD") + 1


@pytest.mark.parametrize("value", [12.5, 12.0, decimal.Decimal("12.5"), "1250", True])
def test_money_refuses_anything_but_a_whole_number_of_cents(value):
    with pytest.raises(TypeError):
        Money(value)


@settings(max_examples=150, deadline=None)
@given(minor=st.integers(min_value=-(MAX_MINOR - 1), max_value=MAX_MINOR - 1),
       locale=st.sampled_from(["es_EC", "en"]))
def test_whatever_is_written_reads_back_as_the_same_amount(minor, locale):
    money = Money(minor, "USD")
    assert parse_money(format_money(money, locale), "USD", locale, allow_negative=True) == money


# --- the form field --------------------------------------------------------------------------------

def _amount_form(app, coop_currency="USD", locale="es", **form_data):
    from flask import g
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import InputRequired

    from coop.forms import MoneyField

    class AmountForm(FlaskForm):
        amount = MoneyField("Amount", validators=[InputRequired()])

    g.coop = SimpleNamespace(currency=coop_currency, locale=locale, country=None, timezone="America/Guayaquil",
                             max_amount_minor=100_000_000)
    return AmountForm(formdata=MultiDict(form_data), meta={"csrf": False})


def test_the_money_field_gives_cents_and_keeps_what_was_typed_on_a_refusal(app):
    with app.test_request_context():
        form = _amount_form(app, amount="$1.234,56")
        assert form.validate() and form.amount.data == 123456
        refused = _amount_form(app, amount="1,500")
        assert not refused.validate() and refused.amount.data is None
        assert refused.amount.errors == ["«1,500» se puede leer de dos maneras. ¿Quiso decir 1.500,00\xa0US$? "
                                         "Escríbalo con los centavos, así: 1500,00."]
        assert 'value="1,500"' in refused.amount()  # what the person typed stays in the field
        empty = _amount_form(app, amount="  ")
        assert not empty.validate() and empty.amount.data is None


def test_the_money_field_shows_an_amount_as_the_reader_types_it_back(app):
    with app.test_request_context():
        form = _amount_form(app, locale="en")
        form.amount.data = 123450
        assert 'value="1234.50"' in form.amount()
    with app.test_request_context():
        form = _amount_form(app)
        form.amount.data = 123450
        assert 'value="1234,50"' in form.amount()

"""Numbers typed into forms and links: only plain digits that fit the database are read."""
from coop.text import whole_number


def test_a_typed_number_is_read_only_from_plain_digits_that_fit_an_integer_column():
    assert whole_number(" 76 ") == 76
    assert whole_number("#76") is None
    assert whole_number("²") is None  # str.isdigit() says yes; int() refuses it
    assert whole_number("١٢") is None  # Arabic-Indic digits: not what a member number looks like here
    assert whole_number("1234567890") is None  # ten digits: past an integer column
    assert whole_number("1234567890123", 18) == 1234567890123
    assert whole_number("") is None and whole_number(None) is None

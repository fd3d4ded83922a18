"""Sentences about a member in the form of address recorded for them: "socia", "socio", or neutral
wording ("persona socia") when none is recorded.

Spanish agrees in gender where English does not ("Member no. 76" is "Socia N.º 76" or "Socio
N.º 76"), so each sentence has three messages. The feminine and masculine ones carry their form
as a prefix ("feminine|Member no. %(number)d", GLib's ``Q_`` convention): the catalogue translates
each on its own, and where a language has no translation the prefix is dropped, so English reads
"Member no. 76" whatever the form. Templates call ``addressed(member, "member_no", number=…)``.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from members.models import FormOfAddress

F, M, N = FormOfAddress.FEMININE, FormOfAddress.MASCULINE, FormOfAddress.NEUTRAL


def N_(message: str) -> str:  # noqa: N802  (the name the message extractor looks for)
    return message


#: sentence -> its message in each form of address
PHRASES: dict[str, dict[FormOfAddress, str]] = {
    "certificate": {F: N_("feminine|Membership certificate"), M: N_("masculine|Membership certificate"),
                    N: N_("Membership certificate")},
    "member_no": {F: N_("feminine|Member no. %(number)d"), M: N_("masculine|Member no. %(number)d"),
                  N: N_("Member no. %(number)d")},
    "certifies": {
        F: N_("feminine|that %(name)s, holder of %(document)s no. %(document_number)s, is member no. %(number)s of "
              "this co-operative since %(join_date)s, and that her status in the register of members is: "
              "%(status)s, since %(since)s."),
        M: N_("masculine|that %(name)s, holder of %(document)s no. %(document_number)s, is member no. %(number)s of "
              "this co-operative since %(join_date)s, and that his status in the register of members is: "
              "%(status)s, since %(since)s."),
        N: N_("that %(name)s, holder of %(document)s no. %(document_number)s, is member no. %(number)s of this "
              "co-operative since %(join_date)s, and that their status in the register of members is: %(status)s, "
              "since %(since)s.")},
    "belongs": {F: N_("feminine|The member belongs to the household %(household)s."),
                M: N_("masculine|The member belongs to the household %(household)s."),
                N: N_("The member belongs to the household %(household)s.")},
    "owes": {F: N_("feminine|On %(date)s the member owes %(amount)s."),
             M: N_("masculine|On %(date)s the member owes %(amount)s."),
             N: N_("On %(date)s the member owes %(amount)s.")},
    "in_credit": {F: N_("feminine|On %(date)s the member is in credit by %(amount)s."),
                  M: N_("masculine|On %(date)s the member is in credit by %(amount)s."),
                  N: N_("On %(date)s the member is in credit by %(amount)s.")},
    # an officer's title under their name and signature
    "president": {F: N_("feminine|President"), M: N_("masculine|President"), N: N_("President")},
    "secretary": {F: N_("feminine|Secretary"), M: N_("masculine|Secretary"), N: N_("Secretary")},
    # a candidate's result in an election
    "elected": {F: N_("feminine|Elected"), M: N_("masculine|Elected"), N: N_("Elected")},
    "elected_lower": {F: N_("feminine|elected"), M: N_("masculine|elected"), N: N_("elected")},
}
_PREFIXES = tuple(f"{form.value}|" for form in (F, M))


def addressed(member: Any, sentence: str, **params: Any) -> Markup:
    """The sentence about ``member`` (anything with a ``form_of_address``, or a form or its value), in
    the current language, filled with ``params`` (escaped for HTML unless they are ``Markup``, as
    the templates' own ``_()`` does)."""
    form = member if isinstance(member, str) else getattr(member, "form_of_address", None) or N
    text = gettext(PHRASES[sentence][FormOfAddress(form)])
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    return Markup(text) % params


# --- who sees a member's data ----------------------------------------------------------------

def _role_names(roles: frozenset) -> str:
    from coop.tenancy import Role
    return ", ".join(role.label for role in Role if role in roles)


def readers_of_member_data(coop: Any) -> list[str]:
    """Who sees what of a member's record, as sentences for the member's own pages, read from the
    access layer's grants (so they stay true when a permission changes hands)."""
    from coop.access import granted
    from coop.tenancy import Role
    from members.permissions import VIEW_DIRECTORY, VIEW_PERSONAL_DATA, VIEW_REGISTER

    personal = granted(VIEW_PERSONAL_DATA, coop) - {Role.MEMBER}
    register = granted(VIEW_REGISTER, coop) - personal - {Role.MEMBER}
    sentences = [gettext("Your identity document, birth date, phone and address are seen only by you and by "
                         "these roles in the co-op: %(roles)s.", roles=_role_names(personal))]
    if register:
        sentences.append(gettext("Your name, member number, status, household, lot, e-mail and share capital are "
                                 "also seen by: %(roles)s.", roles=_role_names(register)))
    if Role.MEMBER in granted(VIEW_DIRECTORY, coop):
        sentences.append(gettext("Every member of the co-op sees your name and lot in the members' directory."))
    return sentences

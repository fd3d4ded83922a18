"""The import's vocabulary: the columns of a register file, and the words for statuses and documents.

Column, status and document names are the file's own words in both languages (not translated
text): a file written in Spanish imports for an English-speaking secretary and back. The export
(``members.exports``) writes the same columns, so an exported register imports again.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coop.text import fold, key_of
from members.models import DocumentType, FormOfAddress, MemberStatus

IMPORT_KIND = "members.import"
MAX_ROWS = 20_000


#: column key (its English name) -> its Spanish name, in the template's order
COLUMNS = {
    "given_names": "nombres", "family_names": "apellidos", "document_type": "tipo_documento",
    "document_number": "numero_documento", "birth_date": "fecha_nacimiento", "email": "correo",
    "phone": "telefono", "address": "direccion", "join_date": "fecha_ingreso", "status": "estado",
    "household": "familia", "block": "manzana", "lot": "lote", "form_of_address": "trato",
}
REQUIRED = ("given_names", "family_names", "document_number", "join_date")
#: columns an exporter sees only with VIEW_PERSONAL_DATA
PERSONAL = ("document_type", "document_number", "birth_date", "email", "phone", "address", "form_of_address")
#: the export's first column; an import reads it but numbers members from the co-op's counter
NUMBER_COLUMN = ("member_number", "numero_socio")
#: columns a spreadsheet must keep as text
TEXT_COLUMNS = ("document_number", "phone", "block", "lot")
LENGTHS = {"given_names": 120, "family_names": 120, "phone": 40, "address": 500, "household": 200, "block": 20,
           "lot": 20}

COLUMN_HELP = {
    "given_names": _l("Given names (required)."),
    "family_names": _l("Family names (required)."),
    "document_type": _l("cedula, ruc or passport; empty means cédula."),
    "document_number": _l("Number of the identity document (required); a cédula has ten digits."),
    "birth_date": _l("Birth date, as YYYY-MM-DD or DD/MM/YYYY."),
    "email": _l("E-mail address."),
    "phone": _l("Phone number."),
    "address": _l("Address."),
    "join_date": _l("Date the member joined (required), as YYYY-MM-DD or DD/MM/YYYY."),
    "status": _l("active, applicant, suspended, withdrawn, excluded or deceased; empty means active."),
    "household": _l("Name of the household; it is created if the co-op does not have it yet."),
    "block": _l("Block of the household's lot (with the lot column)."),
    "lot": _l("Lot within the block; created if missing and assigned to the household from the join date."),
    "form_of_address": _l("socia, socio or neutral: how letters and certificates address the member; empty means "
                          "neutral wording."),
}

STATUS_NAMES = {
    MemberStatus.ACTIVE: ("active", "activo"), MemberStatus.APPLICANT: ("applicant", "aspirante"),
    MemberStatus.SUSPENDED: ("suspended", "suspendido"), MemberStatus.WITHDRAWN: ("withdrawn", "retirado"),
    MemberStatus.EXCLUDED: ("excluded", "excluido"), MemberStatus.DECEASED: ("deceased", "fallecido"),
}
FORM_OF_ADDRESS_NAMES = {FormOfAddress.FEMININE: ("feminine", "socia"), FormOfAddress.MASCULINE: ("masculine", "socio"),
                         FormOfAddress.NEUTRAL: ("neutral", "neutro")}
_FORM_OF_ADDRESS_WORDS = {fold(word): form for form, words in FORM_OF_ADDRESS_NAMES.items() for word in words} | {
    "femenino": FormOfAddress.FEMININE, "masculino": FormOfAddress.MASCULINE, "neutra": FormOfAddress.NEUTRAL,
    "f": FormOfAddress.FEMININE, "m": FormOfAddress.MASCULINE}
DOCUMENT_NAMES = {DocumentType.CEDULA: ("cedula", "cédula"), DocumentType.RUC: ("ruc", "ruc"),
                  DocumentType.PASSPORT: ("passport", "pasaporte")}
_STATUS_WORDS = {fold(word): status for status, words in STATUS_NAMES.items() for word in words} | {
    "activa": MemberStatus.ACTIVE, "suspendida": MemberStatus.SUSPENDED, "retirada": MemberStatus.WITHDRAWN,
    "excluida": MemberStatus.EXCLUDED, "fallecida": MemberStatus.DECEASED}
_DOCUMENT_WORDS = {fold(word): kind for kind, words in DOCUMENT_NAMES.items() for word in words} | {
    "ci": DocumentType.CEDULA}


header_key = key_of


HEADER_WORDS = {header_key(name): key for key, spanish in COLUMNS.items() for name in (key, spanish)} | {
    "numero_de_documento": "document_number", "tipo_de_documento": "document_type",
    "fecha_de_nacimiento": "birth_date", "fecha_de_ingreso": "join_date", "correo_electronico": "email",
    "e_mail": "email", **{name: "member_number" for name in NUMBER_COLUMN}}


def column_names(language: str, *, personal: bool = True) -> list[tuple[str, str]]:
    """(key, header) of the template's columns in the reader's language."""
    return [(key, spanish if language == "es" else key) for key, spanish in COLUMNS.items()
            if personal or key not in PERSONAL]

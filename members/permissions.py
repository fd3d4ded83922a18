"""What the member register's pages require, and who holds it (registered with ``coop.access``)."""
from __future__ import annotations

from coop.access import ALL_ROLES, OFFICERS, define
from coop.tenancy import Role

REGISTER_OFFICERS = frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER, Role.AUDITOR})


def _directory_readers(coop) -> frozenset[Role]:
    """The register's officers always; every member too when the co-op chose to share it."""
    return ALL_ROLES if coop is not None and coop.members_see_directory else REGISTER_OFFICERS


# the treasurer finds members to record payments; the council audits the register
VIEW_REGISTER = define("view_register", REGISTER_OFFICERS)
MANAGE_MEMBERS = define("manage_members", OFFICERS)
EXPORT_REGISTER = define("export_register", frozenset({Role.ADMIN, Role.SECRETARY, Role.AUDITOR}))
#: identity document, birth date, phone and address (a member also sees their own, in the portal)
VIEW_PERSONAL_DATA = define("view_personal_data", OFFICERS)
VIEW_DIRECTORY = define("view_directory", _directory_readers)

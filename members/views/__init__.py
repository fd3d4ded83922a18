"""The member register's pages, under /c/<slug>/members/ (and the public /c/<slug>/apply).

The package is split by area because the register has many pages: ``directory`` (search, the
member page, edits, status, households, lots, share capital), ``applications`` (the public form
and the secretary's queue), ``imports`` (import and export), ``printing`` (certificates and the
register), ``portal`` (a member's own page). Each stays thin: parse, call one service;
the guard of ``coop.pages`` commits once.
"""
from flask_babel import lazy_gettext as _l

from coop.access import VIEW_COOP, add_nav
from coop.pages import coop_blueprint
from members.permissions import VIEW_DIRECTORY
from members.wording import addressed, readers_of_member_data

bp = coop_blueprint("members", __name__)
bp.add_app_template_global(addressed, "addressed")
bp.add_app_template_global(readers_of_member_data, "readers_of_member_data")
add_nav("members.portal_home", _l("My page"), VIEW_COOP)
add_nav("members.directory", _l("Members"), VIEW_DIRECTORY)

from members import home  # noqa: E402,F401  (the secretary's panel on the co-op's home page)
from members.views import applications, directory, imports, portal, printing  # noqa: E402,F401  (routes)

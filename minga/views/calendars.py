"""Minga in members' calendars: my private calendar link, a commission's link, and the feeds.

The feeds are public routes: a calendar program fetches them without logging in, and the token
in the address is the only key (a wrong or replaced one answers 404, as does another co-op's).
"""
from __future__ import annotations

import sqlalchemy.orm as so
from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from coop.db import get_session
from coop.pages import coop_view, public_view
from coop.tenancy import Coop
from members.reports import member_of_user
from minga import calendars
from minga.models import Commission
from minga.permissions import MANAGE_SESSIONS, VIEW_MINGA
from minga.views import bp

#: calendar programs may keep a feed a few minutes; shared caches may not keep it at all
FEED_CACHE_CONTROL = "private, max-age=300"


def feed_url(coop: Coop, endpoint: str, token: str) -> str:
    """The feed's full address, as a calendar program is given it."""
    return url_for(endpoint, coop_slug=coop.slug, token=token, _external=True)


def commission_feed_url(session: so.Session, coop: Coop, commission: Commission) -> str | None:
    """The commission's calendar link, for its page; None until a coordinator made one."""
    token = calendars.commission_token(session, coop, commission)
    return feed_url(coop, "minga.commission_feed", token.token) if token is not None else None


def _ics(content: bytes, filename: str):
    response = Response(content, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers.set("Content-Disposition", "inline", filename=filename)
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/feeds/<token>.ics")
@public_view
def member_feed(token: str):
    db = get_session()
    member = calendars.member_by_token(db, g.coop, token[:100])
    if member is None:
        abort(404)
    with force_locale(member.preferred_language or g.coop.locale.split("_")[0]):
        content = calendars.member_feed(db, g.coop, member)
    return _ics(content, f"minga-{g.coop.slug}.ics")


@bp.get("/feeds/commission/<token>.ics")
@public_view
def commission_feed(token: str):
    db = get_session()
    commission = calendars.commission_by_token(db, g.coop, token[:100])
    if commission is None:
        abort(404)
    with force_locale(g.coop.locale.split("_")[0]):
        content = calendars.commission_feed(db, g.coop, commission)
    return _ics(content, f"minga-{g.coop.slug}-{commission.id}.ics")


@bp.route("/calendar", methods=["GET", "POST"])
@coop_view(VIEW_MINGA)
def my_calendar():
    db = get_session()
    member = member_of_user(db, g.coop, current_user.id)
    form = FlaskForm()
    if member is not None and form.validate_on_submit():
        calendars.renew_member_link(db, g.coop, member)
        flash(_("Your new calendar link is ready. The previous link no longer works."), "success")
        return redirect(url_for("minga.my_calendar"))
    token = calendars.member_token(db, g.coop, member) if member is not None else None
    return render_template("minga/calendar.html", form=form, member=member,
                           link=feed_url(g.coop, "minga.member_feed", token.token) if token else None)


@bp.route("/manage/commissions/<int:commission_id>/calendar", methods=["GET", "POST"])
@coop_view(MANAGE_SESSIONS, commission=Commission)
def commission_calendar(commission: Commission):
    db = get_session()
    form = FlaskForm()
    if form.validate_on_submit():
        calendars.renew_commission_link(db, current_user, g.coop, commission)
        flash(_("The commission's new calendar link is ready. The previous link no longer works."), "success")
        return redirect(url_for("minga.commission_calendar", commission_id=commission.id))
    return render_template("minga/calendar_commission.html", form=form, commission=commission,
                           link=commission_feed_url(db, g.coop, commission))

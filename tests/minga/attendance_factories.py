"""Helpers for the attendance and printing tests: sign-ups put straight into the session (the
sign-up services are tested on their own), households, and reading a PDF's text."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

from members import services as member_services
from minga.models import SignUp, SignUpStatus, WorkSession


def add_sign_up(db, work_session: WorkSession, member, status: SignUpStatus = SignUpStatus.CONFIRMED,
                task=None) -> SignUp:
    """A sign-up as the sign-up services would leave it (arrival order, the confirmed count)."""
    db.rollback()
    work_session = db.merge(work_session)
    work_session.arrivals += 1
    if status is SignUpStatus.CONFIRMED:
        work_session.confirmed_count += 1
    sign_up = SignUp(coop_id=work_session.coop_id, session_id=work_session.id, member_id=member.id,
                     status=status, arrival=work_session.arrivals, task_id=task.id if task else None)
    db.add(sign_up)
    db.commit()
    return sign_up


def make_household(db, coop, name: str):
    db.rollback()
    household = member_services.create_household(db, None, db.merge(coop), name=name)
    db.commit()
    return household


def pdf_text(pdf: bytes) -> str:
    """A PDF's text, whitespace collapsed to single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)

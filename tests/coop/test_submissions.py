"""The kernel's guard against a form applied twice, and its reading of the database's refusals."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop import duplicates, submissions
from coop.db import utcnow
from coop.errors import DomainError
from coop.submissions import AlreadySent, FormSubmission


def test_a_key_is_claimed_once_per_coop_and_the_second_claim_knows_where_the_first_led(db, make_coop):
    quebrada, otra = make_coop("quebrada"), make_coop("otra")
    db.rollback()
    key = submissions.new_key()
    submissions.claim(db, quebrada, key).finish("/c/quebrada/books/payments/7")
    db.commit()

    with pytest.raises(AlreadySent) as again:
        submissions.claim(db, quebrada, key)
    assert again.value.url == "/c/quebrada/books/payments/7"
    db.rollback()
    submissions.claim(db, otra, key)  # another co-op's forms are not this one's
    db.commit()
    assert db.scalar(sa.select(sa.func.count()).select_from(FormSubmission)) == 2


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65, "with spaces in it here"])
def test_a_missing_or_malformed_key_is_refused(db, make_coop, key):
    coop = make_coop("quebrada")
    db.rollback()
    with pytest.raises(DomainError) as refused:
        submissions.claim(db, coop, key)
    assert not isinstance(refused.value, AlreadySent)


def test_old_keys_are_forgotten(db, make_coop):
    coop = make_coop("quebrada")
    db.rollback()
    submissions.claim(db, coop, submissions.new_key())
    db.commit()
    assert submissions.purge_submissions(db, utcnow() + dt.timedelta(days=submissions.KEEP_DAYS + 1)) == 1


def test_a_refusal_names_the_constraint_on_either_database(app):  # the app registers the rules
    class Diag:
        constraint_name = "uq_member_coop_id_document_number"

    class Postgres(Exception):
        diag = Diag()

    sqlite = sa.exc.IntegrityError("INSERT", {}, Exception(
        "UNIQUE constraint failed: member.coop_id, member.document_number"))
    postgres = sa.exc.IntegrityError("INSERT", {}, Postgres("duplicate key value"))
    index = sa.exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: index 'uq_task_waiting_key'"))
    assert duplicates.constraint_of(sqlite) == duplicates.constraint_of(postgres) == \
        "uq_member_coop_id_document_number"
    assert duplicates.constraint_of(index) == "uq_task_waiting_key"
    assert duplicates.refusal_for(sqlite).field == "document_number"
    assert duplicates.refusal_for(index) is None  # not a rule a person is told about

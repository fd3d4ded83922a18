"""Lots read as people count them, page by page and by block; a member's household and a lot's
are chosen from a search, never typed by their exact name."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from coop.tenancy import Coop
from members import services
from members.models import Household, Lot, Member, lot_sort_key, natural_key
from tests.conftest import field_error, flashes, text_of
from tests.members.conftest import TODAY



def lot_labels(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+/members/lots/[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def test_lots_are_listed_as_people_count_them_a_page_at_a_time(client, db, coop, secretary):
    db.rollback()
    here = db.get(Coop, coop.id)
    for number in [*range(1, 56), "12B"]:
        services.create_lot(db, None, here, block="A", number=str(number))
    for block in ("10", "2"):
        services.create_lot(db, None, here, block=block, number="1")
    db.commit()

    in_order = ["2-1", "10-1", *[f"A-{n}" for n in range(1, 13)], "A-12B", *[f"A-{n}" for n in range(13, 56)]]
    first = client.get(f"/c/{coop.slug}/members/lots")
    assert lot_labels(first) == in_order[:50]
    assert "58 lotes" in text_of(first) and "Página 1 de 2" in text_of(first)
    second = client.get(f"/c/{coop.slug}/members/lots", query_string={"page": 2})
    assert lot_labels(second) == in_order[50:]


def test_lots_are_filtered_by_block(client, db, coop, secretary):
    db.rollback()
    here = db.get(Coop, coop.id)
    for block, number in (("A", "1"), ("B", "10"), ("B", "9"), ("C", "1")):
        services.create_lot(db, None, here, block=block, number=number)
    db.commit()
    page = client.get(f"/c/{coop.slug}/members/lots", query_string={"block": "b"})
    assert lot_labels(page) == ["B-9", "B-10"]
    assert "2 lotes · Manzana B" in text_of(page)
    assert '<option value="B" selected>' in page.get_data(as_text=True)
    unknown = client.get(f"/c/{coop.slug}/members/lots", query_string={"block": "Z"})
    assert lot_labels(unknown) == ["A-1", "B-9", "B-10", "C-1"]


def test_the_sort_key_puts_numbers_in_order_and_the_migration_computes_the_same():
    assert natural_key("A-2") < natural_key("A-10") < natural_key("B-1")
    keys = [lot_sort_key(b, n) for b, n in [("2", "1"), ("10", "1"), ("A", "1"), ("A", "2"), ("A", "2B"),
                                              ("A", "10"), ("AB", "1"), ("B", "1")]]
    assert keys == sorted(keys)
    assert lot_sort_key("á", "1") == lot_sort_key("A", "1")
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0007_lot_sort_key.py"
    spec = importlib.util.spec_from_file_location("lot_sort_key_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for block, number in [("A", "12B"), ("Manzana 3", "7-A"), ("ñ", "0010"), ("12", "")]:
        assert migration._sort_key(block, number) == lot_sort_key(block, number)


def test_a_lot_created_by_a_bulk_insert_gets_its_sort_key(db, coop):
    db.execute(sa.insert(Lot), [{"coop_id": coop.id, "block": "C", "number": "7"},
                                {"coop_id": coop.id, "block": "C", "number": "10"}])
    keys = dict(db.execute(sa.select(Lot.number, Lot.sort_key)).all())
    assert keys == {"7": lot_sort_key("C", "7"), "10": lot_sort_key("C", "10")}


@pytest.fixture
def families(db, coop, make_member):
    """Rosa without a household; the Chiluisa family on lot B-12 with Luis; the Guamán family on D-7."""
    rosa = make_member(coop, given_names="Rosa", family_names="Quishpe")
    luis = make_member(coop, given_names="Luis", family_names="Chiluisa Caiza")
    db.rollback()
    here = db.get(Coop, coop.id)
    chiluisa = services.create_household(db, None, here, name="Familia Chiluisa")
    guaman = services.create_household(db, None, here, name="Familia Guamán")
    services.set_household(db, None, here, db.get(Member, luis.id), chiluisa)
    for household, block, number in ((chiluisa, "B", "12"), (guaman, "D", "7")):
        lot = services.create_lot(db, None, here, block=block, number=number)
        services.assign_lot(db, None, here, lot, household, from_date=TODAY, today=TODAY)
    db.commit()
    return rosa, chiluisa, guaman


def test_secretary_finds_the_household_by_a_members_name_or_a_lot_and_moves_a_member_there(
        client, db, coop, secretary, families):
    rosa, chiluisa, guaman = families
    url = f"/c/{coop.slug}/members/{rosa.number}"
    for typed in ("luis", "CHILUISA", "b-12", "Caiza"):
        found = client.get(url, query_string={"household_q": typed})
        page = text_of(found)
        assert "Familia Chiluisa Lote B-12 · 1 socio" in page, typed
        assert "Familia Guamán" not in page
        assert f'name="household_id" value="{chiluisa.id}"' in found.get_data(as_text=True)
    assert "Familia Guamán Lote D-7" in text_of(client.get(url, query_string={"household_q": "guamán"}))
    assert "Ninguna familia coincide con «Pérez»." in text_of(client.get(url, query_string={"household_q": "Pérez"}))

    moved = client.post(f"{url}/household", data={"household_id": chiluisa.id})
    assert moved.status_code == 302
    db.rollback()
    assert db.get(Member, rosa.id).household_id == chiluisa.id
    after = client.get(moved.headers["Location"])
    assert "Rosa Quishpe pertenece ahora a la familia Familia Chiluisa." in flashes(after)
    # the household she is in is not offered again
    assert f'value="{chiluisa.id}"' not in client.get(url, query_string={"household_q": "chiluisa"}).get_data(
        as_text=True)

    out = client.post(f"{url}/household", data={"household_id": "none"})
    assert out.status_code == 302
    db.rollback()
    assert db.get(Member, rosa.id).household_id is None


def test_a_household_that_is_not_in_the_list_is_refused_beside_the_choice(client, db, coop, secretary, families,
                                                                            make_coop):
    rosa, _chiluisa, _guaman = families
    db.rollback()
    elsewhere = services.create_household(db, None, db.get(Coop, make_coop("otra").id), name="Familia Ajena")
    db.commit()
    for value in (str(elsewhere.id), "Familia Chiluisa", ""):
        refused = client.post(f"/c/{coop.slug}/members/{rosa.number}/household",
                              data={"household_id": value, "household_q": "familia"})
        assert refused.status_code == 422
        assert field_error(refused, "household_id") == "Elija la familia de la lista."
        assert "Familia Chiluisa" in text_of(refused)  # the search is shown again to choose from
    db.rollback()
    assert db.get(Member, rosa.id).household_id is None


def test_a_lot_is_assigned_to_a_household_found_by_search(client, db, coop, secretary, families):
    _rosa, chiluisa, guaman = families
    lot = db.scalar(sa.select(Lot).where(Lot.block == "B"))
    url = f"/c/{coop.slug}/members/lots/{lot.id}"
    page = client.get(url, query_string={"household_q": "guaman"})
    assert "Familia Guamán Lote D-7" in text_of(page)
    assert "Liberar el lote (sin asignar a nadie)" in text_of(page)
    response = client.post(f"{url}/assign", data={"household_id": guaman.id, "from_date": TODAY.isoformat(),
                                                  "reason": "Permuta"})
    assert response.status_code == 302
    db.rollback()
    assert db.get(Lot, lot.id).household_id == guaman.id
    refused = client.post(f"{url}/assign", data={"household_id": "", "from_date": TODAY.isoformat()})
    assert field_error(refused, "household_id") == "Elija la familia de la lista."
    assert db.get(Household, chiluisa.id).lots == []

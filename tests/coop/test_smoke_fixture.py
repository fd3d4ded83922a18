from tests.conftest import text_of


def test_member_sees_their_coop_home(client, make_coop, make_user, login):
    coop = make_coop()
    user = make_user(coop=coop, roles=["member"])
    login(client, user)
    response = client.get(f"/c/{coop.slug}/")
    assert response.status_code == 200
    assert coop.name in text_of(response)

"""Every page of the table is registered, in the navbar and served; any other address is a 404 that says so."""

import dash
import pytest

from layouts.pages import PAGES


def test_every_page_is_registered_in_the_navbar_and_serves(app, client):
    assert {page["path"] for page in dash.page_registry.values()} == {page.path for page in PAGES}
    shell = client.get("/").get_data(as_text=True)
    assert client.get("/").status_code == 200
    for page in PAGES:
        assert client.get(page.path).status_code == 200, page.path
    layout = app.layout() if callable(app.layout) else app.layout
    hrefs = [link.href for link in _nav_links(layout)]
    assert hrefs == [page.path for page in PAGES]  # in the table's order
    assert "Analytics" in shell


def _nav_links(component):
    import dash_bootstrap_components as dbc

    found = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, dbc.NavLink):
            found.append(node)
        children = getattr(node, "children", None)
        stack.extend(reversed(children) if isinstance(children, list) else [children] if children is not None else [])
    return found


@pytest.mark.parametrize("path", ["/no-such-page", "/train/extra", "/<script>alert(1)</script>", "/data.php"])
def test_an_address_that_is_no_page_answers_404_saying_so(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    body = answer.get_data(as_text=True)
    assert "No page at" in body and "<script>" not in body and 'href="/"' in body


def test_the_favicon_browsers_ask_for_on_their_own_is_dashs(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer.headers["Location"] == "/_favicon.ico"
    assert client.get("/_favicon.ico").status_code == 200


def test_a_model_cards_parameters_read_as_a_person_reads_them(store):
    """The Titanic forest's unlimited depth reads "no limit" on its card, not a depth of 0."""
    from layouts.models import card_view

    card = store.card("titanic-survival")
    assert card["params"]["max_depth"] in (0, None)
    text = str(card_view(card))
    assert "'no limit'" in text and "'max_depth', '0'" not in text

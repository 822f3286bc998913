"""Every registered page is reachable from the navbar and answers its bare path."""

import dash

from layouts.shell import NAV_PAGES


def test_every_page_is_in_the_navbar_and_serves(app, client):
    paths = {page["path"] for page in dash.page_registry.values()}
    assert paths == {href for _, href in NAV_PAGES}
    for path in paths:
        assert client.get(path).status_code == 200, path

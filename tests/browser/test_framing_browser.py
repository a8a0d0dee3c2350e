"""Framing in a real browser: the host site may show the iframe page, no site may frame the
plain page or the moderation login, and a site outside ALLOWED_ORIGINS may frame nothing."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Request, Response

from tests.browser.conftest import LiveServer

PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Ramar</title></head>
<body><main>{frames}</main></body></html>"""


class Site:
    """A page on its own origin that frames the given paths of the service."""

    def __init__(self):
        self.service = ""
        self.paths: list[str] = []
        self.server = LiveServer(self.wsgi)
        self.origin = f"http://localhost:{self.server.server.server_port}"

    def wsgi(self, environ, start_response):
        if Request(environ).path != "/page":
            return Response("not found", status=404)(environ, start_response)
        frames = "".join(
            f'<iframe title="f{n}" name="f{n}" src="{self.service}{path}"></iframe>'
            for n, path in enumerate(self.paths)
        )
        return Response(PAGE.format(frames=frames), mimetype="text/html")(environ, start_response)


@pytest.fixture
def host():
    site = Site()
    with site.server:
        yield site


@pytest.fixture
def stranger():
    site = Site()
    with site.server:
        yield site


@pytest.fixture
def config_overrides(host):
    return {"ALLOWED_ORIGINS": [host.origin]}


PATHS = ["/embed?article=nyhet-1", "/thread?article=nyhet-1", "/moderation/login"]


def shown(page, site, live_server) -> dict[str, bool]:
    """Which framed paths the browser showed (a refused frame shows Chromium's error page)."""
    site.service, site.paths = live_server.url, PATHS
    page.goto(f"{site.origin}/page")
    page.wait_for_load_state("load")
    result = {}
    for n, path in enumerate(PATHS):
        frame = page.frame(name=f"f{n}")
        result[path] = frame is not None and frame.url.startswith(live_server.url)
    return result


def test_only_the_iframe_page_shows_and_only_on_the_host_site(
    page, host, stranger, live_server, article
):
    assert shown(page, host, live_server) == {
        "/embed?article=nyhet-1": True,
        "/thread?article=nyhet-1": False,
        "/moderation/login": False,
    }
    assert not any(shown(page, stranger, live_server).values())

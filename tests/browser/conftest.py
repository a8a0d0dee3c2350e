"""Real-browser fixtures: the app served on a loopback port, Debian's Chromium driven by
Playwright, and axe-core for accessibility checks. Skipped with the reason where Chromium or
axe-core is missing."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium keeps trying hosts it cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """A WSGI app served from a thread on 127.0.0.1, on a port the system picks."""

    def __init__(self, wsgi_app, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, wsgi_app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    """The test app, served over real HTTP for the browser."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """Runs axe-core on a page and returns the WCAG 2.1 A/AA violations it finds."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: npm install (see package.json)")

    def run(page, context_selector: str | None = None) -> list[dict]:
        # Not add_script_tag: our pages' CSP refuses inline scripts, as it should. What
        # Playwright evaluates through the DevTools protocol is not bound by the page's CSP.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
        return page.evaluate(
            """async (selector) => {
                const result = await axe.run(selector || document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
                });
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' '))
                }));
            }""",
            context_selector,
        )

    return run


@pytest.fixture
def host_site_class():
    """The host site's pages; a module with pages of its own overrides this."""
    from tests.browser.test_embed_browser import HostSite

    return HostSite


@pytest.fixture
def host_site(host_site_class):
    """A news site on its own loopback origin that embeds the service."""
    site = host_site_class()
    with site.server:
        yield site

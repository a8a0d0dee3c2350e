"""The package as a site deploys it: the steps of docs/operating.md, "Deploy".

Built by the documented step (a virtualenv with only ``build``, then ``python -m build
--wheel`` in a copy of the checkout; the sdist beside it), installed with its real
dependencies into a fresh virtualenv, and run from an unrelated folder with nothing but
``COMMENTSVC_*`` variables: ``commentsvc init-db``, ``commentsvc create-article``, then
gunicorn with the packaged settings on a loopback port. Slow (a build and an install from the
package index, fast from pip's cache): ``make test-wheel``, run by CI.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import brotli
import pytest

from tests.servers import Browser, free_port, serving

pytestmark = pytest.mark.wheel

PROJECT = Path(__file__).resolve().parents[1]
ARTICLE = "soi-mitt-2026"
PUBLIC_URL = "https://kommentarer.example.se"  # required outside development, as SECRET_KEY is
# Required outside development too: readers' reports are mailed from and name them.
MAIL_SETTINGS = {
    "COMMENTSVC_MAIL_FROM": "kommentarer@example.se",
    "COMMENTSVC_DSA_CONTACT": "kommentarer@example.se",
}
ONE_YEAR = "max-age=31536000, public, immutable"


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def clean_environ() -> dict:
    """This machine's environment without the test run's settings or virtualenv."""
    drop = ("COMMENTSVC_", "GUNICORN", "VIRTUAL_ENV", "PYTHON", "FLASK_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def documented_build() -> str:
    """The build step of docs/operating.md, exactly as a reader copies it."""
    page = (PROJECT / "docs" / "operating.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- build-wheel: begin -->\s*```sh\n(.*?)```\s*<!-- build-wheel: end -->",
        page,
        re.DOTALL,
    )
    assert found, "docs/operating.md has no build step between the build-wheel markers"
    return found.group(1)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The wheel, built by the documented step in a copy of the checkout (its files as git
    sees them, so nothing ignored comes along), with a virtualenv of its own that holds only
    the build front end; and the sdist beside it."""
    out = tmp_path_factory.mktemp("dist")
    checkout = tmp_path_factory.mktemp("checkout")
    files = run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=PROJECT
    ).stdout.split("\0")
    for name in filter(None, files):
        if (PROJECT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, checkout / name)
    build_venv = tmp_path_factory.mktemp("build-venv")
    step = documented_build().replace("/tmp/commentsvc-build", str(build_venv))
    assert str(build_venv) in step, "the documented build step no longer names its virtualenv"
    run(["sh", "-ec", step], cwd=checkout, env=clean_environ())
    installed = run([str(build_venv / "bin" / "python"), "-m", "pip", "list"]).stdout
    assert "pytest" not in installed and "playwright" not in installed  # no test toolchain
    for wheel in (checkout / "dist").glob("commentsvc-*.whl"):
        shutil.copy2(wheel, out)
    run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(PROJECT)],
        env=clean_environ(),
    )
    return out


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel and its extras, as docs/operating.md installs it."""
    folder = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", str(folder)])
    (wheel,) = dist.glob("commentsvc-*.whl")
    run(
        [str(folder / "bin" / "pip"), "install", "--quiet", f"{wheel}[postgres,redis]"],
        env=clean_environ(),
    )
    return folder


@pytest.fixture(scope="module")
def site(venv, tmp_path_factory) -> dict:
    """An unrelated working folder and the only configuration: six environment variables."""
    root = tmp_path_factory.mktemp("site")
    (root / "data").mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "COMMENTSVC_SECRET_KEY": "a-secret-only-this-site-knows",
        "COMMENTSVC_PUBLIC_URL": PUBLIC_URL,
        **MAIL_SETTINGS,
        "COMMENTSVC_DATABASE_URL": f"sqlite:///{root / 'data' / 'commentsvc.db'}",
        "COMMENTSVC_INSTANCE_PATH": str(root / "instance"),
    }
    outputs = [
        run(["commentsvc", *args], cwd=root, env=env).stdout
        for args in (
            ["init-db"],
            ["create-article", ARTICLE, "--title", "SOI Mitt 2026", "--url", "https://ex.se/a"],
            ["--version"],
        )
    ]
    return {"root": root, "env": env, "outputs": outputs, "venv": venv}


@pytest.fixture(scope="module")
def served(site):
    port = free_port()
    env = {**site["env"], "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    log = site["root"] / "gunicorn.log"
    with serving(
        ["gunicorn", "-c", "python:commentsvc.gunicorn_conf"],
        cwd=site["root"],
        env=env,
        port=port,
        log_path=log,
    ) as (base, _process):
        yield Browser(base)
    assert "Traceback" not in log.read_text(), log.read_text()


def fetch(browser: Browser, path: str, encoding: str = "br, gzip", **headers):
    """Status, headers and the decoded body, as a browser that accepts ``encoding`` gets it."""
    connection = http.client.HTTPConnection(browser.host, browser.port, timeout=60)
    connection.request("GET", path, headers={"Accept-Encoding": encoding, **headers})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    decode = {"br": brotli.decompress, "gzip": gzip.decompress}
    body = decode.get(response.headers.get("Content-Encoding"), lambda b: b)(raw)
    return response.status, response.headers, body.decode("utf-8")


def test_the_wheel_and_the_sdist_hold_what_the_service_reads(dist):
    (wheel,) = dist.glob("commentsvc-*.whl")
    (sdist,) = dist.glob("commentsvc-*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    for name in (
        "commentsvc/templates/public/thread.html",
        "commentsvc/templates/errors/500.html",
        "commentsvc/static/embed.js",
        "commentsvc/static/commentsvc.css.br",
        "commentsvc/static/commentsvc.css.gz",
        "commentsvc/translations/sv/LC_MESSAGES/messages.mo",
        "commentsvc/migrations/versions/0001_articles_and_comments.py",
        "commentsvc/migrations/alembic.ini",
        "commentsvc/gunicorn_conf.py",
    ):
        assert name in in_wheel, name
    with tarfile.open(sdist) as archive:
        in_sdist = {name.partition("/")[2] for name in archive.getnames()}
    for name in (
        "templates/public/thread.html",
        "commentsvc/translations/sv/LC_MESSAGES/messages.po",
        "commentsvc/translations/sv/LC_MESSAGES/messages.mo",
        "setup.py",
    ):
        assert name in in_sdist, name


def test_the_commands_work_from_an_unrelated_folder_with_environment_configuration(site):
    init_db, create_article, version = site["outputs"]
    assert "up to date" in init_db
    assert f"Article '{ARTICLE}'" in create_article
    assert re.fullmatch(r"commentsvc \d+\.\d+\.\d+\S*\n", version)
    assert (site["root"] / "data" / "commentsvc.db").is_file()
    imported = run(
        ["python", "-c", "import commentsvc; print(commentsvc.__file__)"],
        cwd=site["root"],
        env=site["env"],
    ).stdout
    assert imported.startswith(str(site["venv"])), "the checkout, not the wheel, was imported"


@pytest.mark.parametrize(
    ("path", "status", "media_type", "texts"),
    [
        (f"/thread?article={ARTICLE}", 200, "text/html", ['<html lang="sv">', "Lämna ett svar"]),
        (f"/embed?article={ARTICLE}", 200, "text/html", ['<html lang="sv">', "Lämna ett svar"]),
        (
            "/moderation/login",
            200,
            "text/html",
            ['<html lang="sv">', "Logga in för att moderera"],
        ),
        (
            "/thread?article=finns-inte",
            404,
            "text/html",
            ['<html lang="sv">', "Kontrollera adressen"],
        ),
        (
            f"/feed.atom?article={ARTICLE}",
            200,
            "application/atom+xml",
            ['xml:lang="sv"', "Kommentarer till SOI Mitt 2026", f'href="{PUBLIC_URL}/'],
        ),
        ("/api/v1/openapi.json", 200, "application/json", ['"openapi"', "/api/v1/comments"]),
        # The script is minified; its words come from the API, in the reader's language.
        ("/embed.js", 200, "text/javascript", ["--commentsvc-accent", "data-commentsvc-count"]),
        (
            f"/api/v1/comments?article={ARTICLE}&texts=1",
            200,
            "application/json",
            ['"texts"', "Publicera kommentar"],
        ),
    ],
)
def test_every_kind_of_page_answers_in_swedish_and_compressed(
    served, path, status, media_type, texts
):
    got_status, headers, body = fetch(served, path)
    assert (got_status, headers.get_content_type()) == (status, media_type), body[:2000]
    for text in texts:
        assert text in body
    if status == 200 and len(body) > 1000:  # errors and small answers are sent as they are
        assert headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in headers["Vary"]
    _, plain_headers, plain = fetch(served, path, encoding="identity")
    assert "Content-Encoding" not in plain_headers
    assert len(plain.split()) == len(body.split())  # the same text (a CSRF token may differ)


def test_static_files_of_the_pages_are_versioned_cached_a_year_and_precompressed(served):
    addresses = set()
    for page in (f"/thread?article={ARTICLE}", f"/embed?article={ARTICLE}", "/moderation/login"):
        addresses |= set(re.findall(r'(?:href|src)="(/static/[^"]+)"', fetch(served, page)[2]))
    assert any(a.endswith(".css") for a in addresses) and any(a.endswith(".js") for a in addresses)
    for address in sorted(addresses):
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", address), address
        status, headers, plain = fetch(served, address, encoding="identity")
        assert status == 200 and plain
        assert headers["Cache-Control"] == ONE_YEAR
        assert headers["Access-Control-Allow-Origin"] == "*"
        for encoding in ("br", "gzip"):
            status, headers, body = fetch(served, address, encoding=encoding)
            assert (status, headers["Content-Encoding"], body) == (200, encoding, plain), address


def test_the_stable_embed_script_is_cached_briefly_with_an_etag(served):
    status, headers, _ = fetch(served, "/embed.js")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=300"
    again, _, body = fetch(served, "/embed.js", **{"If-None-Match": headers["ETag"]})
    assert (again, body) == (304, "")


def test_a_fresh_clone_installed_with_pip_install_e_alone_speaks_swedish(tmp_path):
    """No make: the committed catalog is all an editable install has."""
    clone = tmp_path / "clone"
    run(["git", "clone", "--quiet", str(PROJECT), str(clone)])
    run([sys.executable, "-m", "venv", str(tmp_path / "venv")])
    pip = tmp_path / "venv" / "bin" / "pip"
    run([str(pip), "install", "--quiet", "-e", str(clone)], env=clean_environ())
    env = {
        "PATH": f"{tmp_path / 'venv' / 'bin'}:/usr/bin:/bin",
        "COMMENTSVC_SECRET_KEY": "s",
        "COMMENTSVC_PUBLIC_URL": PUBLIC_URL,
        **MAIL_SETTINGS,
        "COMMENTSVC_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    run(["commentsvc", "init-db"], cwd=tmp_path, env=env)
    run(
        ["commentsvc", "create-article", ARTICLE, "--title", "SOI Mitt 2026"], cwd=tmp_path, env=env
    )
    page = run(
        [
            "python",
            "-c",
            "from commentsvc import create_app; "
            f"print(create_app().test_client().get('/thread?article={ARTICLE}').text)",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout
    assert '<html lang="sv">' in page
    assert "Lämna ett svar" in page and "Publicera kommentar" in page

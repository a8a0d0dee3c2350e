"""The short privacy notice under the form: default text, a site's own text, the link."""

from __future__ import annotations

import pytest

from commentsvc.privacy import addresses


def notice_paragraph(page: str) -> str:
    start = page.index('<p class="privacy-notice">')
    return page[start : page.index("</p>", start)]


def test_the_default_notice_is_swedish_without_a_link(reader, article):
    page = reader.open(article).get_data(as_text=True)
    paragraph = notice_paragraph(page)
    assert "Så behandlar vi dina personuppgifter" in paragraph and "<a" not in paragraph


def test_the_notice_is_english_for_an_english_reader(reader, article):
    page = reader.open(article, lang="en").get_data(as_text=True)
    assert "How we handle your personal data" in notice_paragraph(page)


@pytest.mark.parametrize(
    "config_overrides",
    [{"PRIVACY_NOTICE": "Läs om dataskydd", "PRIVACY_URL": "https://kommun.example.se/gdpr"}],
)
def test_a_sites_own_text_links_to_its_policy(app, reader, article):
    paragraph = notice_paragraph(reader.open(article).get_data(as_text=True))
    assert '<a href="https://kommun.example.se/gdpr">Läs om dataskydd</a>' in paragraph
    with app.test_request_context():
        assert addresses.notice() == ("Läs om dataskydd", "https://kommun.example.se/gdpr")

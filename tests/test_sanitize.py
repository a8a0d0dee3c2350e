"""What a reader types is stored as typed and shown as safe HTML, sanitized once at write time."""

import pytest

from commentsvc.sanitize import clean_html, count_links

REL = 'rel="nofollow ugc noopener"'


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Hej", "<p>Hej</p>"),
        ("rad ett\nrad två", "<p>rad ett<br>\nrad två</p>"),
        ("stycke ett\n\nstycke två", "<p>stycke ett</p><p>stycke två</p>"),
        (
            "<b>fet</b> <em>kursiv</em> <code>x = 1</code>",
            "<p><b>fet</b> <em>kursiv</em> <code>x = 1</code></p>",
        ),
        (
            '<abbr title="Sveriges Offentliga Inköpare">SOI</abbr>',
            '<p><abbr title="Sveriges Offentliga Inköpare">SOI</abbr></p>',
        ),
        ("<blockquote>citat</blockquote>", "<blockquote>citat</blockquote>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ('<a href="javascript:alert(1)">klicka</a>', f"<p><a {REL}>klicka</a></p>"),
        ('<b onclick="alert(1)">x</b>', "<p><b>x</b></p>"),
        ("1 < 2 & 3 > 2", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"),
        ("<b>öppen", "<p><b>öppen</b></p>"),
        ("   ", ""),
    ],
)
def test_typed_text_becomes_safe_html(typed, shown):
    assert clean_html(typed) == shown


def test_bare_urls_become_links_that_are_not_followed():
    html = clean_html("Läs mer på https://www.soi.se/nyheter och www.example.se")
    assert f'<a href="https://www.soi.se/nyheter" {REL}>https://www.soi.se/nyheter</a>' in html
    assert f'<a href="http://www.example.se" {REL}>www.example.se</a>' in html
    assert count_links(html) == 2


def test_typed_links_get_rel_nofollow_ugc_noopener_whatever_they_said():
    html = clean_html('<a href="https://x.se" rel="follow" target="_blank">x</a>')
    assert html == f'<p><a href="https://x.se" {REL}>x</a></p>'


def test_urls_inside_code_are_left_as_text():
    assert clean_html("<code>https://x.se</code>") == "<p><code>https://x.se</code></p>"


def test_a_paragraph_split_inside_a_tag_keeps_the_html_balanced():
    assert clean_html("<b>ett\n\ntvå</b>") == "<p><b>ett</b></p><p><b>två</b></p>"

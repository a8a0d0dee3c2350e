"""'Spara mitt namn…': details are kept for next time only with the reader's consent."""

from commentsvc.views._shared import REMEMBER_COOKIE


def cookie(client, name):
    return client.get_cookie(name)


def test_ticked_keeps_name_email_and_website_in_a_signed_httponly_cookie(reader, article):
    response = reader.post(article, remember="y", url="https://anna.example.se")
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER_COOKIE)
    )
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Expires=" in header
    assert "anna@example.se" not in header  # signed and encoded, not plain text
    page = reader.open(article).get_data(as_text=True)
    assert 'id="author" name="author" type="text" value="Anna Lindqvist"' in page
    assert 'value="anna@example.se"' in page
    assert 'value="https://anna.example.se"' in page
    assert 'id="remember" name="remember" type="checkbox" value="y" checked' in page


def test_unticked_sets_no_such_cookie(reader, article):
    response = reader.post(article)
    assert not any(h.startswith(REMEMBER_COOKIE) for h in response.headers.getlist("Set-Cookie"))
    assert cookie(reader.client, REMEMBER_COOKIE) is None
    page = reader.open(article).get_data(as_text=True)
    assert 'value="Anna Lindqvist"' not in page


def test_unticking_later_forgets_the_saved_details(reader, article):
    reader.post(article, remember="y")
    assert cookie(reader.client, REMEMBER_COOKIE) is not None
    reader.post(article, comment="Andra kommentaren")
    assert cookie(reader.client, REMEMBER_COOKIE) is None


def test_a_tampered_cookie_is_ignored(reader, article):
    reader.client.set_cookie(REMEMBER_COOKIE, "eyJhdXRob3IiOiJNYWxsb3J5In0.forged")
    page = reader.open(article)
    assert page.status_code == 200
    assert "Mallory" not in page.get_data(as_text=True)


def test_another_reader_never_sees_someone_elses_saved_details(make_reader, article):
    anna = make_reader()
    anna.post(article, remember="y")
    page = make_reader().open(article).get_data(as_text=True)
    assert "anna@example.se" not in page

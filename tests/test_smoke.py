def test_post_and_read(reader, article):
    r = reader.post(article)
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    page = reader.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Din kommentar väntar på granskning." in page

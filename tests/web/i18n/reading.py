"""What a staff member reads in their own language: shared by the staff pages' language tests."""


def page_in(client, user, language, url):
    """The page at ``url`` as ``user`` reads it with ``language`` chosen in their profile."""
    user.language = language
    user.save()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Language"] == language
    return response.content.decode()


def reads(page, words):
    """Each Devanagari phrase is on the page and the English it replaces is not."""
    for devanagari, english in words.items():
        assert devanagari in page, devanagari
        assert english not in page, english

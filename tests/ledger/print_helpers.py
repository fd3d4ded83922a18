"""Asking for one of the books' background documents from a page, as a reader does (tests)."""
from __future__ import annotations

from coop import tasks


def print_document(app, client, url: str) -> bytes:
    """Press a report's "Print PDF" button (a POST to ``url``): the document is queued, not rendered; once
    the background worker ran, the task's page downloads it. Returns the PDF."""
    response = client.post(url)
    assert response.status_code == 302, response.status_code
    task_url = response.headers["Location"]
    assert "/tasks/" in task_url, task_url
    waiting = client.get(task_url)
    assert waiting.status_code == 200 and waiting.mimetype == "text/html" and waiting.headers["Refresh"]
    tasks.run_waiting(app)
    done = client.get(task_url)
    assert done.status_code == 200 and done.mimetype == "application/pdf", done.status_code
    return done.data

"""Shared pytest configuration.

Markers are registered here rather than in pyproject.toml (owned elsewhere):
  book       builds the Jupyter Book once per session and checks the HTML
             (select with ``python -m pytest -m book``)
  notebooks  runs each book page as a plain notebook (jupytext + nbclient)
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "book: builds the Jupyter Book (slow, shared build); select with -m book"
    )
    config.addinivalue_line(
        "markers", "notebooks: executes each book page as a standalone notebook"
    )

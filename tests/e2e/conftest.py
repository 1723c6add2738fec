"""What the end-to-end tests of one run share: the browsers no page is using, quit when the run ends.

Quit here, before the run's temporary folder (tests/conftest.py) is removed
with their profiles in it; ``atexit`` quits them under trial.
"""

from collections.abc import Iterator

import pytest

from tests.e2e.browser import BROWSERS


@pytest.fixture(autouse=True, scope="session")
def idle_browsers() -> Iterator[None]:
    yield
    BROWSERS.close()

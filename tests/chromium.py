"""The browser the browser tests drive: Debian's Chromium, or the one CHROMIUM names."""
import os
import shutil

import pytest

# Headless, offline, as root in a container: nothing reaches out on its own.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def find_chromium():
    """Debian's Chromium (CHROMIUM may name another); the test fails without one."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate:
            return candidate
    pytest.fail("no Chromium for the browser tests: install Debian's package "
                "(apt-get install chromium; .ci/run does) or set CHROMIUM to a Chromium binary")

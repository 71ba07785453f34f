import pytest

from chainrule.autograd.graph import HOOKED


@pytest.fixture(autouse=True)
def _fresh_engine():
    """Each test starts as a fresh process does: with no hook registered yet, the engine takes its hook-free
    walk until the test registers one (once set, the flag would otherwise stay set for every later test)."""
    HOOKED[0] = False
    yield

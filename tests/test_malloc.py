"""NOTE [Keeping freed memory]: after `import chainrule`, glibc reuses freed array memory instead of trimming the
heap and faulting it back in. Each case runs in a fresh interpreter, since malloc's settings are per process."""
import os
import subprocess
import sys

import pytest

from chainrule import _malloc

try:
    GLIBC = bool(os.confstr("CS_GNU_LIBC_VERSION"))
except (ValueError, OSError):
    GLIBC = False

# An SGD step's pattern: a parameter-sized gradient and the update's temporary, freed together at the heap's top.
# The steps run in a thread of their own, whose fresh malloc arena has no holes: in the main arena, memory that
# importing left free (more or less of it as modules were compiled or loaded byte-compiled) may serve the buffers
# whatever the thresholds, and the contrast case below then read 0 faults. The thresholds are the same for all
# arenas. Only the thread's own faults are counted.
STEPS = """
import resource, threading, numpy as np, chainrule
def faults(): return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
def steps(out):
    n = 400_000
    p = np.ones(n, np.float32)
    for step in range(30):
        if step == 10: before = faults()
        g = np.ones(n, np.float32)
        t = g * 0.1
        p -= t
        del t, g
    out.append(faults() - before)
out = []
worker = threading.Thread(target=steps, args=(out,))
worker.start()
worker.join()
print(out[0])
"""


def page_faults(**env):
    env = {k: v for k, v in os.environ.items() if k not in env} | {k: v for k, v in env.items() if v is not None}
    out = subprocess.run([sys.executable, "-c", STEPS], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_freed_memory_is_reused():
    assert page_faults(CHAINRULE_MALLOC=None, MALLOC_TRIM_THRESHOLD_=None, MALLOC_MMAP_THRESHOLD_=None) < 100
    # under glibc's default thresholds, held fixed (any MALLOC_*_ setting stops glibc adjusting them, which makes
    # the count depend on what the interpreter freed before), the same steps fault both buffers (391 pages each)
    # back in at every step
    assert page_faults(CHAINRULE_MALLOC="system", MALLOC_TRIM_THRESHOLD_="131072") > 20 * 2 * 390


@pytest.mark.parametrize("env", [{"CHAINRULE_MALLOC": "system"}, {"MALLOC_TRIM_THRESHOLD_": "131072"},
                                 {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"}])
def test_the_users_settings_are_left_alone(env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _malloc.keep_freed_memory() is False


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_set_on_glibc(monkeypatch):
    for name in ("CHAINRULE_MALLOC", "GLIBC_TUNABLES", *_malloc._USER_SETTINGS):
        monkeypatch.delenv(name, raising=False)
    assert _malloc.keep_freed_memory() is True

"""Keep freed array memory in the process instead of handing it back to the system between training steps.

NOTE [Keeping freed memory]: glibc's malloc serves large blocks (128 KiB at first) with mmap and gives them back
on free; each time it frees a mapped block it raises that threshold to the block's size, up to 32 MiB, and the
threshold for trimming the heap's free top to twice that. A training step that frees two parameter-sized
buffers at once (`p -= lr * p.grad` makes one, `p.grad = None` frees the other) leaves more than that free at
the top, so glibc trims it, and the next step faults every page back in: 752 page faults and about 0.9 ms of a
4 ms MLP step (benchmarks, workload c), 770 faults in the CNN's. PyTorch's own answer is to run under jemalloc or
tcmalloc. chainrule starts glibc where its adaptive rule ends up, at 32 MiB and 64 MiB, so that freed memory up
to that size is reused. Arrays of more than 32 MiB are still mapped and unmapped, and malloc settings the user
gave (environment variables, GLIBC_TUNABLES) are left alone, as is everything when CHAINRULE_MALLOC=system.
"""
import ctypes
import os

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers
_MMAP_THRESHOLD = 32 << 20  # glibc's ceiling for its adaptive threshold on 64-bit systems
_TRIM_THRESHOLD = 2 * _MMAP_THRESHOLD  # what its rule sets with that threshold
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")


def keep_freed_memory():
    """Set glibc's thresholds as the NOTE says; True if they were set."""
    if os.environ.get("CHAINRULE_MALLOC") == "system" or any(name in os.environ for name in _USER_SETTINGS) or \
            "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))

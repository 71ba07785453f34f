"""NumPy reports floating-point trouble (log(0), 0/0, overflow) as RuntimeWarnings; PyTorch returns the inf or nan
silently. chainrule ignores them where its own code does the arithmetic: a user's NumPy calls still warn.

The filter lives in `warnings.filters`, which `warnings.catch_warnings` (pytest runs collection and every test
inside one) swaps for a copy and back, dropping what was added inside, and where a later filter ("error", say)
would go first. So wherever tensors are made and backward passes start, whether the filter is `filters[0]` is
tested (~20 ns), and `keep()` puts it first again: PyTorch never warns, whatever the filters say.
"""
import warnings

_MESSAGE = r"(divide by zero|invalid value|overflow|underflow) encountered"
_MODULE = r"chainrule(\.|$)"
first = [None]  # the filter, as keep() last put it first


def keep():
    warnings.filterwarnings("ignore", _MESSAGE, RuntimeWarning, _MODULE)  # moves it first if it is there already
    first[0] = warnings.filters[0]

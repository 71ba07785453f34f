"""Tensor factories: tensor, zeros, ones, randn, ... and the random generator behind manual_seed."""
import warnings

import numpy as np

from . import _dtype
from ._fp_warnings import first as _fp_filter, keep as _keep_fp_filter
from ._tensor import Tensor
from .autograd.derivatives import _raw, reject

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "eye", "arange", "linspace",
           "rand", "randn", "randint", "randperm", "normal", "zeros_like", "ones_like", "empty_like", "full_like",
           "rand_like", "randn_like", "randint_like", "manual_seed", "seed", "initial_seed", "Generator"]


def _finish(arr, requires_grad):
    if not warnings.filters or warnings.filters[0] is not _fp_filter[0]:  # see _fp_warnings
        _keep_fp_filter()
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or _dtype._default[0]).np  # get_default_dtype(), without the call
    return _dtype.to_dtype(dtype).np


def _infer(data):
    """The dtype PyTorch infers for Python data: bool, then int64, then the default float."""
    arr = np.asarray(data)
    kind = arr.dtype.kind
    if kind == "b":
        return arr
    if kind in "iu":
        return arr.astype(np.int64, copy=False)
    if kind == "f":
        return arr.astype(_dtype.get_default_dtype().np, copy=False)
    if kind == "c":  # the complex dtype of the default float dtype
        return arr.astype(np.complex128 if _dtype.get_default_dtype().np == np.float64 else np.complex64, copy=False)
    if kind == "O":  # PyTorch names the first element that is no number
        odd = next((v for v in arr.reshape(-1) if not isinstance(v, (bool, int, float, complex, np.generic))), data)
        raise RuntimeError(f"Could not infer dtype of {type(odd).__name__}")
    if kind in "US":
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        raise ValueError(f"too many dimensions '{'str' if kind == 'U' else 'bytes'}'")
    raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype}")


def _flatten_tensors(data):
    """Nested lists may hold tensors (e.g. a list of 0-d tensors); turn them into arrays."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(d) for d in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy `data` (nested lists, numbers, arrays, tensors) into a new leaf tensor."""
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        _dtype.from_numpy(data.dtype)
        arr = data.copy()
    else:
        data = _flatten_tensors(data)
        try:
            arr = _infer(data) if dtype is None else np.array(data)
        except ValueError as e:
            if str(e).startswith("too many dimensions"):  # _infer's own, for strings
                raise
            raise ValueError(f"expected sequence of length {_first_len(data)} at dim 1 (got {_bad_len(data)})") from e
        if arr is not data:
            arr = np.array(arr, copy=True)
    if dtype is not None:
        arr = _dtype.cast(arr, _dtype.to_dtype(dtype).np, copy=False)  # arr is a fresh copy already
    return _finish(arr, requires_grad)


def _first_len(data):
    return len(data[0]) if data and isinstance(data[0], (list, tuple)) else 0


def _bad_len(data):
    n = _first_len(data)
    for d in data:
        if isinstance(d, (list, tuple)) and len(d) != n:
            return len(d)
    return "?"


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is _dtype.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray):
        arr = data if dtype is None else data.astype(_dtype.to_dtype(dtype).np, copy=False)
        _dtype.from_numpy(arr.dtype)
        return _finish(arr, False)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    """A tensor sharing memory with `ndarray`."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy(ndarray.dtype)
    return _finish(ndarray, False)


def _size(size, name="zeros"):
    if len(size) == 1:
        if type(size[0]) is int and size[0] >= 0:
            return size  # one plain dim: the commonest call
        if isinstance(size[0], (tuple, list)):
            size = size[0]
    for s in size:
        if type(s) is not int or s < 0:
            break
    else:
        return tuple(size)  # plain non-negative ints: the common case, checked in one pass
    for s in size:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, but found element of "
                            f"type {type(s).__name__} at pos 0")
        if int(s) < 0:
            raise RuntimeError(f"{name}: Dimension size must be non-negative.")
    return tuple(int(s) for s in size)


# NOTE: the sizes come as *sizes or as size= (PyTorch's keyword); (size,) is unpacked by _size.
def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(np.zeros(_size(sizes if size is None else (size,)), _np_dtype(dtype)), requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False, out=None):
    arr = np.empty(_size(sizes if size is None else (size,), "ones"), _np_dtype(dtype))
    arr.fill(1)  # np.ones is Python around the same two steps
    return _finish(arr, requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.empty(_size(sizes if size is None else (size,), "empty"), _np_dtype(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _dtype.result_type([fill_value], [])
    return _finish(np.full(_size((size,)), fill_value, _np_dtype(dtype)), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, n if m is None else m, dtype=_np_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = [_scalar(v) for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = _dtype.result_type(values, [])
    dt = _dtype.to_dtype(dtype)
    s, e, st = values
    n = int(np.ceil((e - s) / st))
    arr = (s + st * np.arange(max(n, 0), dtype=np.float64)).astype(dt.np) if dt.is_floating_point \
        else np.arange(s, e, st).astype(dt.np)
    return _finish(arr, requires_grad)


def _scalar(v):
    return v.item() if isinstance(v, Tensor) else v


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(_scalar(start), _scalar(end), steps).astype(_np_dtype(dtype)), requires_grad)


# ---- random ---------------------------------------------------------------------------------------------
class Generator:
    """A seedable stream of random numbers (NumPy's PCG64). Streams are reproducible within chainrule;
    they are not PyTorch's streams, which depend on its own algorithms."""

    def __init__(self, device="cpu"):
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state, to give back to set_state (NumPy's PCG64 state, not PyTorch's bytes)."""
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator)._rng


_DRAWN = (np.dtype(np.float32), np.dtype(np.float64))  # the dtypes NumPy's generators draw floats in


def _drawn(draw, size, dt, requires_grad):
    """A draw of NumPy's generator in dtype `dt` (in float64 and cast when the generator has no such dtype)."""
    if dt in _DRAWN:
        return _finish(draw(_size(size), dtype=dt), requires_grad)
    return _finish(draw(_size(size), dtype=np.float64).astype(dt), requires_grad)


def rand(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    dt = _np_dtype(dtype)
    if dt.kind in "biu":  # (tested here first: this runs for every rand)
        reject("check_uniform_bounds", dt, "biu")
    return _drawn(_rng(generator).random, sizes if size is None else (size,), dt, requires_grad)


def randn(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    dt = _np_dtype(dtype)
    if dt.kind in "biu":  # (tested here: this runs for every randn)
        reject("normal_kernel_cpu", dt, "biu")
    return _drawn(_rng(generator).standard_normal, sizes if size is None else (size,), dt, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    return _finish(_rng(generator).integers(low, high, size=_size((size,))).astype(_np_dtype(dtype, _dtype.int64)),
                   requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).permutation(n).astype(_np_dtype(dtype, _dtype.int64)), requires_grad)


def normal(mean, std, size=None, *, generator=None):
    shape = _size((size,)) if size is not None else np.broadcast_shapes(np.shape(_raw(mean)), np.shape(_raw(std)))
    arr = _rng(generator).normal(_raw(mean), _raw(std), size=shape)
    return _finish(arr.astype(_dtype.get_default_dtype().np), False)


# ---- *_like ---------------------------------------------------------------------------------------------
def _like(fn, t, dtype, requires_grad):
    return fn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, input, dtype, requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, input, dtype, requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(empty, input, dtype, requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(rand, input, dtype, requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(randn, input, dtype, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randint(low, high, input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)

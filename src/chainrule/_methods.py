"""Binds the op table onto Tensor: methods, operators, in-place variants and indexing."""
import functools
import operator
import warnings

import numpy as np

from . import _creation, _dtype
from ._tensor import Tensor
from .autograd import derivatives as D
from .autograd.op import INPLACE, PUBLIC, _MultiOutputView, broadcast_shapes, counter
from .autograd.grad_mode import no_grad, state as _state
from .autograd.shape_ops import _index_put, adjoint

LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def _commit_inplace(self, result):
    """Make `self` hold `result`: write its values into self's storage (so views see them), bump the
    version, and move self onto result's node (PyTorch's rebase of history)."""
    node = result.grad_fn
    base = self._base
    through_view = base is not None and _state.enabled and (base._requires_grad or node is not None)
    if through_view and isinstance(self._view_fn, _MultiOutputView):
        self._view_fn(self)  # raises PyTorch's error for views from split / unbind / chunk, or made in no_grad mode
    if self._requires_grad and self.grad_fn is None and _state.enabled:
        raise RuntimeError(LEAF_IN_PLACE)
    arr = result._data
    if arr.dtype != self._data.dtype and not _dtype.can_cast(_dtype.FROM_NUMPY[arr.dtype], self.dtype):
        raise RuntimeError(f"result type {_type_name(arr.dtype)} can't be cast to the desired output type "
                           f"{_type_name(self._data.dtype)}")
    if arr.shape != self._data.shape:
        try:
            np.broadcast_to(arr, self._data.shape)
        except ValueError:
            raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the "
                               f"broadcast shape [{', '.join(map(str, arr.shape))}]") from None
    if through_view and base._requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if node is not None:
        _preserve_saved_self(node, self)
    if not self._data.flags.writeable:
        self._data = self._data.copy()
    self._data[...] = arr
    counter(self)[0] += 1
    if through_view:
        _rebase_view(self, base, result)
    elif node is not None:
        self.grad_fn = node
        self._requires_grad = True
        self._output_nr = result._output_nr
        if node._spec.saved_outputs:
            node._result = (self._data, counter(self), self._vc[0], 0)
    return self


def _rebase_view(view, base, result):
    """The values went into the base's memory through `view`; give the base a CopySlices node so gradients
    reach both its old history (outside the view) and `result` (inside), and cut the view anew from it."""
    rebased = _copy_slices_view(base, result, view._view_fn)
    base.grad_fn, base._requires_grad, base._output_nr = rebased.grad_fn, True, 0
    fresh = view._view_fn(base)
    view.grad_fn, view._requires_grad, view._output_nr = fresh.grad_fn, True, fresh._output_nr


def _outside_view(grad, view_fn):
    """Ones everywhere except where view_fn looks: where the in-place op replaced the base's values."""
    mask = Tensor._make(np.ones(grad._data.shape, grad._data.dtype))
    with no_grad():
        view_fn(mask)._data[...] = 0
    return mask


@D.op("CopySlices", self=lambda grad, view_fn: grad * _outside_view(grad, view_fn),
      src=lambda grad, view_fn: view_fn(grad))
def _copy_slices_view(self, src, view_fn):
    return self  # the values were already written through the view


def _preserve_saved_self(node, self):
    """A node that saved `self` needs its old value: give it a copy on the same graph (PyTorch's original_self)."""
    saved = list(node._saved)
    for k, s in enumerate(saved):
        if s is self:
            orig = Tensor._make(self._data.copy())
            orig._requires_grad, orig.grad_fn, orig._output_nr = self._requires_grad, self.grad_fn, self._output_nr
            orig._accumulator = self._accumulator
            saved[k] = orig
            node._versions = tuple((i, 0 if i == k else v) for i, v in node._versions)
    node._saved = tuple(saved)


def _type_name(np_dtype):
    return _dtype.LEGACY_NAMES[np_dtype.name]


# In-place arithmetic and clamps outside the graph (optimizer steps, norms clamped) run as one NumPy ufunc writing
# into the tensor.
_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
           "clamp_min": np.maximum, "clamp_max": np.minimum}


def _inplace(fn):
    ufunc = _UFUNCS.get(fn.__name__)

    def method(self, *args, **kwargs):
        if not _state.enabled or not (self._requires_grad or _any_requires_grad(args)):
            if ufunc is not None and _ufunc_inplace(self, ufunc, args, kwargs):
                return self
            with no_grad():
                return _commit_inplace(self, fn(self, *args, **kwargs))
        return _commit_inplace(self, fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    return method


def _ufunc_inplace(self, ufunc, args, kwargs):
    """Write ufunc(self, other * alpha) into self when that needs no promotion and no broadcasting of self;
    False leaves the op to the general path (which also raises PyTorch's errors)."""
    if len(args) != 1 or set(kwargs) - {"alpha"} or kwargs and (ufunc is np.maximum or ufunc is np.minimum):
        return False
    arr = self._data
    other = args[0]
    other = other._data if isinstance(other, Tensor) else other
    if arr.dtype.kind != "f" or not arr.flags.writeable or not (
            type(other) is float or type(other) is int or
            isinstance(other, np.ndarray) and other.dtype == arr.dtype and other.ndim <= arr.ndim):
        return False
    alpha = kwargs.get("alpha", 1)
    if alpha != 1:
        if type(other) is np.ndarray and other.size >= 2 * D._BLOCK and other.shape == arr.shape and \
                arr.flags.c_contiguous and other.flags.c_contiguous and not np.may_share_memory(arr, other):
            _scaled_into(ufunc, arr, other, alpha)
            counter(self)[0] += 1
            return True
        other = other * alpha
    try:
        ufunc(arr, other, out=arr)
    except ValueError:  # other does not broadcast to self's shape
        return False
    counter(self)[0] += 1
    return True


def _scaled_into(ufunc, arr, other, alpha):
    """ufunc(arr, other * alpha) into arr through one block-sized scratch buffer (see D.by_blocks), so that
    `p.add_(p.grad, alpha=-lr)` makes no temporary of the parameter's size (PyTorch's is one fused kernel):
    on 1.6 MB of float32, 137 us against 213 with the temporary, before any page faults it costs."""
    scratch = np.empty(D._BLOCK, arr.dtype)

    def kernel(p, o):
        ufunc(p, np.multiply(o, alpha, out=scratch[:len(o)]), out=p)
    D.by_blocks(kernel, arr, other, least=0)  # the caller saw both contiguous, of one shape


def _any_requires_grad(args):
    return any(isinstance(a, Tensor) and a._requires_grad for a in args)


@D.op("ZeroBackward0", self=lambda grad: D.zeros_like(grad))
def _zero(self):
    return np.zeros_like(self)


@D.op("FillBackward2", nondiff=("value",), self=lambda grad: D.zeros_like(grad))
def _fill(self, value):
    return np.full_like(self, value)


@D.op("CopyBackwards", self=lambda grad: D.zeros_like(grad), src=lambda grad: grad)
def _copy(self, src):
    try:
        return np.broadcast_to(src, self.shape).astype(self.dtype)
    except ValueError:
        broadcast_shapes(self.shape, np.shape(src))
        raise


def zero_(self):
    return _commit_inplace(self, _zero(self))


def fill_(self, value):
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.")
    return _commit_inplace(self, _fill(self, value))


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    return _commit_inplace(self, _copy(self, src))


# ---- random fills: uniform_, normal_, ... ---------------------------------------------------------------------
# NOTE: the values come from chainrule's generator (NumPy's PCG64): reproducible under manual_seed, not
# PyTorch's streams. Each fill is a node named as PyTorch's, with a zero slope in the tensor it overwrites.
def _fill_op(grad_fn):
    def fill(self, values):
        return values.astype(self.dtype, copy=False)
    return D.op(grad_fn, nondiff=("values",), self=D.zero_slope)(fill)


_FILL_OPS = {name: _fill_op(name) for name in (
    "UniformBackward0", "NormalBackward0", "BernoulliBackward1", "BernoulliBackward2", "ExponentialBackward0",
    "LogNormalBackward0", "CauchyBackward0", "GeometricBackward0", "RandomBackward0", "RandomBackward1",
    "RandomBackward2")}


def _fill_random(self, grad_fn, draw, generator):
    values = draw((generator or _creation.default_generator)._rng, self._data.shape)
    return _commit_inplace(self, _FILL_OPS[grad_fn](self, Tensor._make(np.asarray(values))))


def _continuous(self, kernel=None, distribution=None, c_name=False):
    """PyTorch's errors for a continuous distribution drawn into an integer or bool tensor: a kernel missing for
    the dtype, or (exponential_, cauchy_) a sentence naming the dtype, in C++ (`c_name`) or legacy words."""
    dt = self._data.dtype
    if dt.kind in "biu":
        if kernel is not None:
            raise D.not_implemented_for(kernel, dt)
        shown = (_dtype.C_NAMES if c_name else _dtype.LEGACY_NAMES)[dt.name]
        raise RuntimeError(f"{distribution} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {shown}")


def _from(low, kw, name):
    """PyTorch's keyword `from`, which Python cannot name as a parameter."""
    low = kw.pop("from", low)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
    return low


def uniform_(self, low=0.0, to=1.0, *, generator=None, **kw):
    low = _from(low, kw, "uniform_")
    _continuous(self, "check_uniform_bounds")
    if low > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={low:g} > to={to:g}")
    return _fill_random(self, "UniformBackward0", lambda rng, shape: rng.uniform(low, to, shape), generator)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    _continuous(self, "normal_kernel_cpu")
    return _fill_random(self, "NormalBackward0", lambda rng, shape: rng.normal(mean, std, shape), generator)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    _continuous(self, "log_normal_cpu")
    return _fill_random(self, "LogNormalBackward0", lambda rng, shape: rng.lognormal(mean, std, shape), generator)


def exponential_(self, lambd=1.0, *, generator=None):
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    _continuous(self, distribution="Exponential")
    return _fill_random(self, "ExponentialBackward0", lambda rng, shape: rng.exponential(1 / lambd, shape),
                        generator)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    if sigma <= 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    _continuous(self, distribution="Cauchy", c_name=True)
    return _fill_random(self, "CauchyBackward0", lambda rng, shape: median + sigma * rng.standard_cauchy(shape),
                        generator)


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    return _fill_random(self, "GeometricBackward0", lambda rng, shape: rng.geometric(p, shape), generator)


def bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):  # a probability per element
        probs = _probabilities(p._data)
        return _fill_random(self, "BernoulliBackward1", lambda rng, shape: rng.random(shape) < probs, generator)
    _check_probability(p)
    return _fill_random(self, "BernoulliBackward2", lambda rng, shape: rng.random(shape) < p, generator)


def _check_probability(p):
    if not 0 <= p <= 1:  # PyTorch names bernoulli_ for bernoulli(p=...) too
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def random_(self, low=None, to=None, *, generator=None, **kw):
    """Integers in [from, to); random_(to) draws from [0, to); random_() from [0, 2**mantissa digits] for floats
    (every integer the dtype holds exactly), [0, max] for integers."""
    low = _from(low, kw, "random_")
    grad_fn = "RandomBackward0" if to is not None else "RandomBackward1" if low is not None else "RandomBackward2"
    if to is None and low is not None:
        low, to = 0, low
    low = 0 if low is None else low
    if to is None:
        dt = self._data.dtype
        to = 2 if dt.kind == "b" else (np.iinfo(dt).max + 1 if dt.kind in "iu" else 2 ** np.finfo(dt).nmant + 2)
    if low >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={to}")
    return _fill_random(self, grad_fn, lambda rng, shape: rng.integers(low, to, shape), generator)


def _probabilities(probs):
    if not np.all((probs >= 0) & (probs <= 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                           "be improved?  If so, please report an enhancement request to PyTorch.)")
    return probs


@D.op("BernoulliBackward0", self=D.zero_slope)
def bernoulli(self, p=None, *, generator=None):
    """0 or 1, drawn with the probabilities in self (or with p everywhere), in self's dtype."""
    if p is None:
        probs = _probabilities(self)
    else:
        _check_probability(p)
        probs = p
    return ((generator or _creation.default_generator)._rng.random(self.shape) < probs).astype(self.dtype)


# ---- indexing -------------------------------------------------------------------------------------------
def _dims_used(k):
    if k is None or k is Ellipsis:
        return 0
    if isinstance(k, np.ndarray) and k.dtype == bool:
        return k.ndim  # a mask consumes as many dims as it has (a 0-d one none)
    return 1


def _normalize_key(key, ndim):
    """Tuple key with Ellipsis expanded and tensors/lists turned into index arrays, and the position each
    entry had in the key as written."""
    if type(key) is list and any(k is None or k is Ellipsis or isinstance(k, (list, tuple, slice, Tensor))
                                 for k in key):
        warnings.warn(_SEQUENCE_KEY, UserWarning, stacklevel=3)
        key = tuple(key)  # PyTorch still reads such a list as a tuple of indices, and says so
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.dtype == np.uint8:
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                              "instead.", UserWarning, stacklevel=3)
                k = k.astype(bool)
            elif k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)  # an integer, as PyTorch reads a 0-d index tensor (a select, not an advanced index)
        elif isinstance(k, (list, bool)):
            k = np.asarray(k, dtype=np.int64 if type(k) is list and not k else None)
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got float)")
        if isinstance(k, np.ndarray) and k.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        out.append(k)
    used = 0
    for k in out:
        used += _dims_used(k)
    if used > ndim:
        if not ndim:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                             "C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    positions = list(range(len(out)))  # where each entry stood in the key as written (for messages)
    for i, k in enumerate(out):
        if k is Ellipsis:
            out[i:i + 1] = [slice(None)] * (ndim - used)
            positions[i:i + 1] = [i] * (ndim - used)
            break
    return out, positions


_SEQUENCE_KEY = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                 "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
                 "index, x[torch.tensor(seq)], which will result either in an error or a different result")
_INT64_MAX = (1 << 63) - 1


def _slice_bounds(k):
    """start, end and step of a slice as PyTorch saves them: as given, an open end as the largest int64."""
    return (0 if k.start is None else operator.index(k.start), _INT64_MAX if k.stop is None else operator.index(k.stop),
            1 if k.step is None else operator.index(k.step))


def _basic_part(self, keys, positions, skip_whole=False):
    """Apply ints, slices and None first, as views (select / slice / unsqueeze nodes), as PyTorch does.
    Returns the view and what remains for tensor indices: a key with full slices for the kept dims, or
    None when there are no tensor indices. `skip_whole`: a slice that takes a whole dim makes no node (PyTorch's
    reading of a tuple key; a bare slice, x[0:n], is still a slice)."""
    out, dim, rest = self, 0, []
    for pos, k in zip(positions, keys):
        if k is None:
            out = D.unsqueeze(out, dim)
            rest.append(slice(None))
            dim += 1
        elif isinstance(k, slice):
            if k != slice(None):
                if k.step == 0:
                    raise ValueError("slice step cannot be zero")
                if k.step is not None and k.step < 0:
                    raise ValueError("step must be greater than zero")
                n = out._data.shape[dim]
                k.indices(n)  # what Python checks of the bounds
                whole = k.start in (None, 0) and (k.stop is None or k.stop >= n) and k.step in (None, 1)  # start as
                # given (x[-n:] is a slice), the stop clamped
                if not (skip_whole and whole):
                    out = D._slice(out, dim, *_slice_bounds(k))
            rest.append(slice(None))
            dim += 1
        elif isinstance(k, np.ndarray):
            rest.append(k)
            dim += k.ndim if k.dtype == bool else 1
        else:
            n = out._data.shape[dim]
            if not -n <= k < n:  # NOTE: PyTorch names the position in the key as written
                raise IndexError(f"index {k} is out of bounds for dimension {pos} with size {n}")
            out = D.select(out, dim, int(k))
    if not any(isinstance(k, np.ndarray) for k in rest):
        rest = None
    else:
        _check_advanced(out._data, rest)
        rest = tuple(rest)
    return out, rest


def _check_advanced(arr, key):
    """PyTorch's errors for tensor indices: bounds (dims counted among the index tensors) and mask shapes."""
    dim = counted = 0
    for k in key:
        if isinstance(k, np.ndarray) and k.dtype == bool:
            for j, n in enumerate(k.shape):
                if dim + j >= arr.ndim or arr.shape[dim + j] != n:
                    raise IndexError(f"The shape of the mask [{', '.join(map(str, k.shape))}] at index {j} does not "
                                     f"match the shape of the indexed tensor [{', '.join(map(str, arr.shape))}] at "
                                     f"index {dim + j}")
            dim += k.ndim
            counted += k.ndim
        elif isinstance(k, np.ndarray):
            n = arr.shape[dim]
            if k.size and (k.max() >= n or k.min() < -n):
                bad = k.max() if k.max() >= n else k.min()
                raise IndexError(f"index {bad} is out of bounds for dimension {counted} with size {n}")
            dim += 1
            counted += 1
        else:
            dim += 1


def _matrices(t, name):
    if t._data.ndim < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. Got "
                           f"{t._data.ndim}-D tensor.")
    return t


def _matrix(t):
    if t._data.ndim != 2:
        more = " For batches of matrices, consider using tensor.mH" if t._data.ndim > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {t._data.ndim}-D tensor.{more}")
    return t


def getitem(self, key):
    """Ints, slices and None become views; tensor, list and mask indices then one IndexBackward0 node."""
    keys, positions = _normalize_key(key, self._data.ndim)
    out, rest = _basic_part(self, keys, positions, skip_whole=type(key) is not slice)
    if rest is not None:
        return D._index(out, rest)
    if out is self:  # nothing but full slices or Ellipsis: x[:] is a slice, a tuple key (x[...], x[:, :]) an alias
        return D._slice(self, 0) if type(key) is slice and self._data.ndim else D._alias(self)
    return out


@D.op("FillBackward3", nondiff=("value",), self=lambda grad: D.zeros_like(grad))
def _fill_all(self, value):
    return np.full_like(self, value)


def _check_values(target, values, rest):
    """PyTorch's errors for values that do not fit what the key selects."""
    shape = target._data[rest].shape if rest is not None else target._data.shape
    vshape = np.shape(values._data) if isinstance(values, Tensor) else ()
    try:
        np.broadcast_shapes(vshape, shape)
        if len(vshape) > len(shape) and any(n != 1 for n in vshape[:len(vshape) - len(shape)]):
            raise ValueError
    except ValueError:
        if rest is not None:
            raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, vshape))}] cannot be "
                               f"broadcast to indexing result of shape [{', '.join(map(str, shape))}]") from None
        with no_grad():
            D._expand(values.detach(), shape)  # raises PyTorch's expand error
    if rest is not None and isinstance(values, Tensor) and values._data.dtype != target._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_type_name(target._data.dtype)} for the destination and "
                           f"{_type_name(values._data.dtype)} for the source.")


def setitem(self, key, value):
    """self[key] = value, in place: through the view the basic indices make (the base gets CopySlices),
    then index_put for tensor indices, as PyTorch does."""
    keys, positions = _normalize_key(key, self._data.ndim)
    if not isinstance(value, (Tensor, int, float, bool)):
        value = Tensor._make(np.asarray(value, dtype=self._data.dtype))
    whole = all(isinstance(k, slice) and k == slice(None) for k in keys)
    tracked = _state.enabled and (self._requires_grad or isinstance(value, Tensor) and value._requires_grad)
    if not tracked:
        with no_grad():
            view, rest = _basic_part(self, keys, positions)
        _check_values(view, value, rest)
        raw = value._data if isinstance(value, Tensor) else value
        if not self._data.flags.writeable:
            self._data = self._data.copy()
            view, rest = _basic_part(self, keys, positions)
        if rest is None:
            view._data[...] = raw
        else:
            view._data[rest] = raw
        counter(self)[0] += 1
        return
    if whole:
        if isinstance(value, Tensor):
            copy_(self, value)
        else:
            _commit_inplace(self, _fill_all(self, value))
        return
    view, rest = _basic_part(self, keys, positions)
    if rest is None:
        _check_values(view, value, rest)  # copy_ alone would word a shape error differently
        copy_(view, value) if isinstance(value, Tensor) else fill_(view, value)
    else:  # index_put checks dtypes and shapes itself
        values = value if isinstance(value, Tensor) else Tensor._make(np.asarray(value, self._data.dtype))
        _commit_inplace(view, _index_put(view, rest, values))


# ---- binding ----------------------------------------------------------------------------------------------
def _reflected(fn):
    return lambda self, other: fn(other, self)


def with_numpy_names(fn):
    """PyTorch's argument parser also takes NumPy's names, axis for dim and keepdims for keepdim, and the input as
    input=: a thin wrapper for the functions with a dim (others keep their direct call)."""
    code = getattr(fn, "__code__", None)
    if code is None or not {"dim", "keepdim"} & set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]):
        return fn

    @functools.wraps(fn)
    def aliased(*args, **kwargs):
        if kwargs:
            for numpy_name, name in (("axis", "dim"), ("keepdims", "keepdim")):
                if numpy_name in kwargs:
                    kwargs[name] = kwargs.pop(numpy_name)
            if "input" in kwargs and not args:
                args = (kwargs.pop("input"),)
        return fn(*args, **kwargs)
    return aliased


def install():
    for name, fn in PUBLIC.items():
        code = getattr(fn, "__code__", None)
        if code is not None and code.co_argcount and code.co_varnames[0] == "self":
            setattr(Tensor, name, with_numpy_names(fn))
    T = Tensor
    T.where = lambda self, condition, other: D.where(condition, self, other)  # x.where(c, y): x where c, else y
    T.type_as = lambda self, other: self.to(other.dtype)
    T.__add__ = T.__radd__ = D.add
    T.__sub__ = D.sub
    T.__rsub__ = lambda self, other: D._rsub_scalar(self, other) if not isinstance(other, Tensor) else D.sub(other, self)
    T.__mul__ = T.__rmul__ = D.mul
    T.__truediv__ = D._true_divide
    T.__rtruediv__ = lambda self, other: D.mul(D.reciprocal(self), other)
    T.__floordiv__ = PUBLIC["floor_divide"]
    T.__rfloordiv__ = _reflected(PUBLIC["floor_divide"])
    T.__pow__ = D.pow
    T.__rpow__ = _reflected(D.pow)
    T.__matmul__ = D.matmul
    T.__rmatmul__ = _reflected(D.matmul)
    T.__neg__ = D.neg
    T.__pos__ = lambda self: self
    T.__abs__ = D.abs
    T.__eq__ = D.eq
    T.__ne__ = D.ne
    T.__lt__ = D.lt
    T.__le__ = D.le
    T.__gt__ = D.gt
    T.__ge__ = D.ge
    T.__getitem__ = getitem
    T.__setitem__ = setitem
    T.T = property(lambda self: D._permute(self, tuple(range(self._data.ndim - 1, -1, -1))))
    T.mT = property(lambda self: D.transpose(_matrices(self, "mT"), -2, -1))
    T.mH = property(lambda self: adjoint(_matrices(self, "mH")))
    T.H = property(lambda self: adjoint(_matrix(self)))
    T.zero_ = zero_
    T.fill_ = fill_
    for fill in (uniform_, normal_, log_normal_, exponential_, cauchy_, geometric_, bernoulli_, random_):
        setattr(T, fill.__name__, fill)
    T.copy_ = copy_
    for name in INPLACE:
        setattr(T, name + "_", _inplace(PUBLIC[name]))
    T.__iadd__ = T.add_
    T.__isub__ = T.sub_
    T.__imul__ = T.mul_
    T.__itruediv__ = T.div_
    T.__ipow__ = T.pow_

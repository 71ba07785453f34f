"""Reductions, scans, sorting and selection ops of the table (see derivatives.py for the core, op.py for the format).

sum, mean and norm live in derivatives.py; this file holds the rest of PyTorch's reductions: prod, max/min
(all three overloads), amax/amin/aminmax, argmax/argmin, var/std (+ _mean), logsumexp, the scans (cumsum,
cumprod, cummax, cummin, logcumsumexp), all/any/count_nonzero, nansum/nanmean, and the ops that select values
(median, nanmedian, mode, kthvalue, topk, sort, argsort, msort).

NOTE [Value-selecting ops]
max/min/median/nanmedian/mode/kthvalue with a dim, topk, sort, cummax and cummin return (values, indices).
Each computes its indices first (NumPy, no gradient) and then its values with a gather that carries the op's
own grad_fn name (MaxBackward0, SortBackward0 ...); the gather's backward scatters the gradient to those
indices, which is PyTorch's value_selecting_reduction_backward. The indices travel to the formula as a
non-differentiable input because a formula sees only the first output (`result`) of a node.

NOTE [Ties]
Full reductions that select (max(), min(), amax, amin, aminmax, median(), nanmedian()) split the gradient
evenly among tied elements, as PyTorch does. With a dim, the gradient goes to the one index returned:
max/min pick the first occurrence, median the lower median of a stable sort, mode the last occurrence,
cummax/cummin the last occurrence, sort with stable=True the stable order. PyTorch's topk and kthvalue pick
among ties (NaNs included) with a quickselect whose choice is unspecified: chainrule uses the stable order
there, which can differ from PyTorch's indices for tied values (and topk(sorted=False) returns sorted values).
PyTorch's mode sorts with std::sort, stable only for slices of up to 16 elements, and its NaN handling is
unspecified; chainrule's mode is stable (last occurrence) for any length and counts each NaN on its own.
"""
import builtins
import math
import operator
import sys
import types
import warnings

import numpy as np

from . import derivatives as D
from . import grad_mode
from .derivatives import _where, wrap_dim, wrap_dims
from .op import DIM_LIST, INPLACE, op, public
from .pointwise import maximum, minimum
from .shape_ops import _flip
from .. import _dtype
from .._dtype import LEGACY_NAMES
from .._tensor import Tensor



# ---- torch.return_types ---------------------------------------------------------------------------------
class _StructSeq(tuple):
    """A tuple with named fields, printed like PyTorch's torch.return_types structseqs."""
    __slots__ = ()
    _fields = ()
    n_unnamed_fields = 0

    def __new__(cls, sequence):
        seq = tuple(sequence)
        if len(seq) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return type(self), (tuple(self),)


return_types = types.ModuleType("chainrule.return_types", "Named tuples returned by max(dim), sort, topk ...")


def _return_type(name, fields=("values", "indices")):
    attrs = {"__slots__": (), "_fields": fields, "__module__": return_types.__name__, "n_fields": len(fields),
             "n_sequence_fields": len(fields)}
    attrs.update({f: property(operator.itemgetter(i)) for i, f in enumerate(fields)})
    cls = type(name, (_StructSeq,), attrs)
    setattr(return_types, name, cls)
    return cls


# NOTE: chainrule/__init__.py is not ours to edit; this registers `chainrule.return_types` from here.
sys.modules[return_types.__name__] = return_types
if "chainrule" in sys.modules:
    sys.modules["chainrule"].return_types = return_types


# ---- dims and checks -------------------------------------------------------------------------------------
def _axes(dim, ndim):
    """dim as int, tuple/list or None -> NumPy axes; None and () mean every dim. 0-d tensors accept dim 0/-1
    and reduce over no axis."""
    if isinstance(dim, (tuple, list)) and not dim:
        return tuple(range(ndim))
    return wrap_dims(dim, ndim)


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _restore(t, shape, axes, keepdim):
    """Give a reduced tensor (a gradient or a result) back the reduced dims as size-1 dims."""
    if keepdim or t.ndim == len(shape):
        return t
    return t.reshape(_kept_shape(shape, axes))


def _check_reduction(name, arr, axes, dim_given, specify=True, sep="()"):
    """PyTorch's errors for a reduction without an identity (max, amax, argmax ...) over nothing."""
    if arr.size:
        return
    if not dim_given:
        hint = " Specify the reduction dim with the 'dim' argument." if specify else ""
        error = RuntimeError if specify else IndexError
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.{hint}")
    for d in axes:
        if arr.shape[d] == 0:
            raise IndexError(f"{name}{sep}: Expected reduction dim {d} to have non-zero size.")


def _acc_dtype(arr, dtype):
    """Output dtype of sum-like ops (prod, cumsum, cumprod, nansum): integers and bool accumulate in int64."""
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.dtype(np.int64) if arr.dtype.kind in "biu" else arr.dtype


def _scalar_like(arr, value):
    return np.asarray(value, dtype=arr.dtype)


# ---- gather / scatter: the backward of every value-selecting op --------------------------------------------
@op("GatherBackward0", nondiff=("index",),  # scatter_add: an index may repeat (cummax)
    self=lambda grad, self_shape, dim, index: _scatter_add(grad, dim, index, self_shape),
    raw={"self": lambda grad, self_shape, dim, index: _scatter_add.on_arrays(grad, dim, index, self_shape)})
def _gather(self, dim, index):
    return self[D.along_axis(index, wrap_dim(dim, self.ndim))] if self.ndim else self.copy()


def _scatter_into_zeros(grad_fn, accumulate):
    @op(grad_fn, nondiff=("index",), src=lambda grad, dim, index: _gather(grad, dim, index))
    def _scatter(src, dim, index, shape):
        if not len(shape):
            return src.copy()
        out = np.zeros(shape, src.dtype)
        at = D.along_axis(index, wrap_dim(dim, len(shape)))
        if accumulate:  # cummax's indices repeat
            np.add.at(out, at, src)
        else:
            out[at] = src
        return out
    return _scatter


_scatter = _scatter_into_zeros("ScatterBackward0", False)
_scatter_add = _scatter_into_zeros("ScatterAddBackward0", True)


def _value_selecting_backward(grad, dim, indices, self_shape, keepdim, scatter=_scatter):
    """On Tensors, or on arrays as a raw formula (the scatter's own NumPy function)."""
    if not len(self_shape):
        return grad
    dim = wrap_dim(dim, len(self_shape))  # saved as given, as PyTorch shows it
    if type(grad) is np.ndarray:
        if not keepdim:
            grad, indices = _unsqueeze_np(grad, dim), _unsqueeze_np(indices, dim)
        return scatter.on_arrays(grad, dim, indices, self_shape)
    if not keepdim:
        grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
    return scatter(grad, dim, indices, self_shape)


_UNREDUCED = {"keepdim": None}  # sort, topk, cummax and cummin keep every dim: PyTorch's nodes have no keepdim


def _unsqueeze_np(a, d):
    """np.expand_dims(a, d) for d >= 0, without its ~3 us of Python."""
    return a.reshape(a.shape[:d] + (1,) + a.shape[d:])


def _selector(grad_fn, scatter=_scatter, shown=None):
    """The values half of a (values, indices) op: a gather named after the op (NOTE [Value-selecting ops])."""
    def values(self, dim, indices, keepdim):
        if not self.ndim:
            return self.copy()
        d = wrap_dim(dim, self.ndim)
        out = self[D.along_axis(indices if keepdim else _unsqueeze_np(indices, d), d)]
        return out if keepdim else out.reshape(out.shape[:d] + out.shape[d + 1:])
    values.__name__ = values.__qualname__ = "_" + grad_fn
    return op(grad_fn, nondiff=("indices",), shown=shown, raw=True,
              self=lambda grad, self_shape, dim, indices, keepdim: _value_selecting_backward(
                  grad, dim, indices, self_shape, keepdim, scatter))(values)


def _with_indices(kind, selector, self, dim, indices, keepdim, reduced=True):
    """Wrap (values, indices); `indices` come without the reduced dim when `reduced`."""
    indices = np.asarray(indices, dtype=np.int64)
    if reduced and keepdim and self.ndim:
        indices = _unsqueeze_np(indices, wrap_dim(dim, self.ndim))
    indices = Tensor._make(indices)
    return kind((selector(self, dim, indices, keepdim), indices))


def _evenly_distribute(grad, self, result):
    """Gradient of a full reduction that selects a value: shared evenly by the elements equal to it."""
    a, value = self._data, result._data
    mask = np.isnan(a) if np.isnan(value) else a == value
    return _where(D.constant(mask), grad / int(mask.sum()), 0.0)


def _scale_grad_by_count(grad, self, result, axes, keepdim):
    """amax/amin's gradient: grad / (number of maxima) at every maximum of its slice; on arrays (raw) or Tensors."""
    g = _restore(grad, self.shape, axes, keepdim)
    result = _restore(result, self.shape, axes, keepdim)
    if type(g) is np.ndarray:
        mask = self == result
        return g / np.add.reduce(mask, axis=axes, keepdims=True).astype(g.dtype) * mask
    mask = self._data == result._data
    return g / D.constant(mask.sum(axis=axes, keepdims=True)) * D.constant(mask)


# ---- prod -----------------------------------------------------------------------------------------------
def _reversed_cumsum(t, d):
    return _flip(_cumsum(_flip(t, (d,)), d), (d,))


def _prod_safe_zeros_backward(grad, self, d):
    """grad * (product of all the other elements of the slice), from exclusive cumprods: right with zeros."""
    n = self.shape[d]
    if self.numel() == 0:
        return grad.expand(self.shape)
    ones_shape = tuple(1 if i == d else s for i, s in enumerate(self.shape))
    ones = Tensor._make(np.ones(ones_shape, self._data.dtype))
    before = _cumprod(D.cat([ones, D._slice(self, d, 0, n - 1)], d), d)
    after = _flip(_cumprod(D.cat([ones, _flip(D._slice(self, d, 1, n), (d,))], d), d), (d,))
    return grad * (before * after)


def _prod_backward(grad, self, result, dim=None, keepdim=False):
    if self.ndim == 0:
        return grad
    if dim is None:
        if (self._data == 0).any():
            return _prod_safe_zeros_backward(grad, self.reshape(-1), 0).reshape(self.shape)
        return grad * (result / self)
    d = wrap_dim(dim, self.ndim)
    if not keepdim:
        grad, result = grad.unsqueeze(d), result.unsqueeze(d)
    if (self._data == 0).any():
        return _prod_safe_zeros_backward(grad, self, d)
    return grad * (result / self)


@op("ProdBackward0", self=lambda grad, self, result: _prod_backward(grad, self, result))
def _prod_all(self, dtype=None):
    return np.multiply.reduce(self, axis=None, dtype=_acc_dtype(self, dtype))  # NOTE [Ufuncs, not NumPy's wrappers]


@op("ProdBackward1", self=lambda grad, self, result, dim, keepdim: _prod_backward(grad, self, result, dim, keepdim))
def _prod_dim(self, dim, keepdim=False, dtype=None):
    d = wrap_dim(dim, self.ndim)
    if not self.ndim:
        return self.astype(_acc_dtype(self, dtype))
    return np.multiply.reduce(self, axis=d, keepdims=keepdim, dtype=_acc_dtype(self, dtype))


@public
def prod(self, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one dim (integers and bool give int64).

    The gradient is exact with zeros in the input (PyTorch's prod_safe_zeros_backward).
    """
    D.check_grad_dtype(self, dtype)
    if dim is None:
        return _prod_all(self, dtype)
    if not isinstance(dim, int):
        raise TypeError(f"prod(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
    return _prod_dim(self, dim, keepdim, dtype)


# ---- max / min / amax / amin / aminmax / argmax / argmin -----------------------------------------------------
_max_type = _return_type("max")
_min_type = _return_type("min")
_aminmax_type = _return_type("aminmax", ("min", "max"))


@op("MaxBackward1", self=lambda grad, self, result: _evenly_distribute(grad, self, result))
def _max_all(self):
    D.reject("max_all", self.dtype, "c")
    _check_reduction("max", self, (), False)
    return np.max(self)


@op("MinBackward1", self=lambda grad, self, result: _evenly_distribute(grad, self, result))
def _min_all(self):
    D.reject("min_all", self.dtype, "c")
    _check_reduction("min", self, (), False)
    return np.min(self)


_max_values = _selector("MaxBackward0")
_min_values = _selector("MinBackward0")


def _arg_along(name, arr, dim, np_arg):
    """(wrapped dim, indices of np_arg along it), with PyTorch's errors."""
    D.refuse_complex(arr.dtype, f"{name}(): does not support complex input")
    d = wrap_dim(dim, arr.ndim)
    if not arr.ndim:
        return d, np.zeros((), np.int64)
    _check_reduction(name, arr, (d,), True)
    return d, np_arg(arr, axis=d)


def _extreme(name, self, dim, keepdim, other, full, selector, kind, binary, np_arg):
    if other is not None or isinstance(dim, Tensor):
        return binary(self, dim if other is None else other)
    if dim is None:
        return full(self)
    if not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
    d, idx = _arg_along(name, self._data, dim, np_arg)
    return _with_indices(kind, selector, self, dim, idx, keepdim)


@public
def max(self, dim=None, keepdim=False, *, other=None):
    """max(input) -> Tensor; max(input, dim, keepdim=False) -> (values, indices); max(input, other) -> maximum.

    With a dim, the index is the first occurrence of the maximum (NaN counts as the maximum).
    """
    return _extreme("max", self, dim, keepdim, other, _max_all, _max_values, _max_type, maximum, np.argmax)


@public
def min(self, dim=None, keepdim=False, *, other=None):
    """min(input) -> Tensor; min(input, dim, keepdim=False) -> (values, indices); min(input, other) -> minimum."""
    return _extreme("min", self, dim, keepdim, other, _min_all, _min_values, _min_type, minimum, np.argmin)


@op("AmaxBackward0", shown=DIM_LIST, raw=True, self=lambda grad, self, result, dim, keepdim: _scale_grad_by_count(
    grad, self, result, _axes(dim, self.ndim), keepdim))
def amax(self, dim=(), keepdim=False):
    """Maximum over dim (int or tuple; () means all dims). Ties share the gradient evenly."""
    D.reject("max_values_cpu", self.dtype, "c")
    axes = _axes(dim, self.ndim)
    _check_reduction("amax", self, _raw_dims(dim), _dims_given(dim))
    return np.amax(self, axis=axes, keepdims=keepdim)


@op("AminBackward0", shown=DIM_LIST, raw=True, self=lambda grad, self, result, dim, keepdim: _scale_grad_by_count(
    grad, self, result, _axes(dim, self.ndim), keepdim))
def amin(self, dim=(), keepdim=False):
    """Minimum over dim (int or tuple; () means all dims). Ties share the gradient evenly."""
    D.reject("min_values_cpu", self.dtype, "c")
    axes = _axes(dim, self.ndim)
    _check_reduction("amin", self, _raw_dims(dim), _dims_given(dim))
    return np.amin(self, axis=axes, keepdims=keepdim)


def _raw_dims(dim):
    """The dims as the caller wrote them (PyTorch's amax errors name the dim unwrapped)."""
    return (dim,) if isinstance(dim, int) else tuple(dim)


def _dims_given(dim):
    return dim is not None and not (isinstance(dim, (tuple, list)) and not dim)


def _aminmax_backward(grads, self, result, dim, keepdim):
    gmin, gmax = (list(grads) + [None, None])[:2]
    axes = _axes(dim, self.ndim)
    out = None
    if gmin is not None:
        out = _scale_grad_by_count(gmin, self, result, axes, keepdim)
    if gmax is not None:
        # NOTE: a formula sees only the first output (min); max is recomputed from self.
        biggest = Tensor._make(np.amax(self._data, axis=axes, keepdims=keepdim))
        g = _scale_grad_by_count(gmax, self, biggest, axes, keepdim)
        out = g if out is None else out + g
    return out


@op("AminmaxBackward0", outputs=2, self=lambda grads, self, result, dim, keepdim: _aminmax_backward(
    grads, self, result, dim, keepdim))
def _aminmax(self, dim=None, keepdim=False):
    if dim is None:
        if not self.size:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        axes = tuple(range(self.ndim))
    else:
        axes = _axes(dim, self.ndim)
        _check_reduction("aminmax", self, axes, True, sep="")
    return np.amin(self, axis=axes, keepdims=keepdim), np.amax(self, axis=axes, keepdims=keepdim)


@public
def aminmax(self, *, dim=None, keepdim=False):
    """(min, max) in one call, as torch.return_types.aminmax."""
    return _aminmax_type(_aminmax(self, dim, keepdim))


def _arg_reduce(name, np_arg):
    def arg(self, dim=None, keepdim=False):
        if self.dtype.kind == "b":
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            D.refuse_complex(self.dtype, f"{name}(): does not support complex input")
            _check_reduction(name, self, (), False, specify=False)
            flat = np_arg(self) if self.ndim else np.int64(0)
            return np.full((1,) * self.ndim, flat, np.int64) if keepdim else np.int64(flat)
        if not isinstance(dim, int):
            raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
        d, idx = _arg_along(name, self, dim, np_arg)
        return np.expand_dims(idx, d) if keepdim and self.ndim else idx.astype(np.int64)
    arg.__name__ = arg.__qualname__ = name
    arg.__doc__ = f"Index of the {name[3:]}imum (flattened when dim is None); the first one among ties."
    return op(nondiff=("self",))(arg)


argmax = _arg_reduce("argmax", np.argmax)
argmin = _arg_reduce("argmin", np.argmin)


# ---- var / std / var_mean / std_mean ---------------------------------------------------------------------------
def _variance(name, a, dim, correction, keepdim):
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{'std and var' if name in ('std', 'var') else name} only support floating point and "
                           "complex dtypes")
    axes = _axes(dim, a.ndim)
    dof = math.prod([a.shape[d] for d in axes]) - (1 if correction is None else correction)
    if dof <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=6)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice
        centered = a - D.mean_np(a, axes, keepdims=True)
        squares = np.sum(np.abs(centered) ** 2, axis=axes, keepdims=keepdim)
        return squares / builtins.max(dof, 0), axes


def _var_backward(grad, self, dim, correction, keepdim):
    axes = _axes(dim, self.ndim)
    dof = math.prod([self.shape[d] for d in axes]) - (1 if correction is None else correction)
    if dim is None or self.ndim == 0:
        if dof <= 0:  # 2 / dof is infinite: NaN where self equals its mean, inf elsewhere (as PyTorch)
            return grad * _where(self == self.mean(), float("nan"), float("inf"))
        return (2.0 / dof) * grad * (self - self.mean())
    grad = _restore(grad, self.shape, axes, keepdim)
    scale = 2.0 / dof if dof else float("inf")
    return scale * grad * (self - self.mean(axes, True))


def _var_grad_np(grad, self, dim, correction, keepdim):
    """_var_backward on arrays: the centred input scaled in place by 2 / dof times the gradient."""
    axes = _axes(dim, self.ndim)
    dof = math.prod([self.shape[d] for d in axes]) - (1 if correction is None else correction)
    whole = dim is None or self.ndim == 0
    centred = self - D.mean_np(self, None if whole else axes, keepdims=not whole)
    if whole and dof <= 0:  # 2 / dof is infinite: NaN where self equals its mean, inf elsewhere (as PyTorch)
        return grad * np.where(centred == 0, self.dtype.type(np.nan), self.dtype.type(np.inf))
    coefficient = (2.0 / dof if dof else float("inf")) * (grad if whole else _restore(grad, self.shape, axes,
                                                                                       keepdim))
    if not self.ndim:  # NumPy's arithmetic on 0-d arrays gives scalars, which take no in-place update
        return coefficient * centred
    centred *= coefficient
    return centred


def _std_to_var_grad(grad, result):
    if type(grad) is np.ndarray:
        return np.where(result == 0, grad.dtype.type(0), grad / (result * 2))
    return _where(result == 0, 0.0, grad / (result * 2))


@op("VarBackward0", shown=DIM_LIST, self=lambda grad, self, dim, correction, keepdim: _var_backward(
    grad, self, dim, correction, keepdim), raw={"self": _var_grad_np})
def _var(self, dim, correction, keepdim):
    return _variance("var", self, dim, correction, keepdim)[0]


@op("StdBackward0", shown=DIM_LIST, self=lambda grad, self, result, dim, correction, keepdim: _var_backward(
    _std_to_var_grad(grad, result), self, dim, correction, keepdim),
    raw={"self": lambda grad, self, result, dim, correction, keepdim: _var_grad_np(
        _std_to_var_grad(grad, result), self, dim, correction, keepdim)})
def _std(self, dim, correction, keepdim):
    return np.sqrt(_variance("std", self, dim, correction, keepdim)[0])


def _var_mean_backward(grads, self, result, dim, correction, keepdim, is_std):
    gvar, gmean = (list(grads) + [None, None])[:2]
    out = None
    if gvar is not None:
        out = _var_backward(_std_to_var_grad(gvar, result) if is_std else gvar, self, dim, correction, keepdim)
    if gmean is not None:
        axes = _axes(dim, self.ndim)
        n = math.prod([self.shape[d] for d in axes])
        g = _restore(gmean, self.shape, axes, keepdim).expand(self.shape) / n
        out = g if out is None else out + g
    return out


@op("VarMeanBackward0", outputs=2, shown=DIM_LIST,
    self=lambda grads, self, dim, correction, keepdim: _var_mean_backward(grads, self, None, dim, correction, keepdim,
                                                                          False))
def _var_mean(self, dim, correction, keepdim):
    var, axes = _variance("var_mean", self, dim, correction, keepdim)
    return var, D.mean_np(self, axes, keepdim)


@op("StdMeanBackward0", outputs=2, shown=DIM_LIST,
    self=lambda grads, self, result, dim, correction, keepdim: _var_mean_backward(
        grads, self, result, dim, correction, keepdim, True))
def _std_mean(self, dim, correction, keepdim):
    var, axes = _variance("std_mean", self, dim, correction, keepdim)
    return np.sqrt(var), D.mean_np(self, axes, keepdim)


def _var_args(dim, unbiased, correction):
    """PyTorch's overloads: var(unbiased), var(dim, unbiased, keepdim), var(dim, *, correction, keepdim)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError("var(): received an invalid combination of arguments - cannot specify both unbiased "
                        "and correction")
    if isinstance(dim, (tuple, list)) and not dim:
        dim = None
    if correction is None and (dim is not None or unbiased is not None):  # PyTorch keeps None when nothing says
        correction = 0 if unbiased is False else 1
    return dim, correction


@public
def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dim (int, tuple or None for all), dividing by N - correction (default 1; unbiased=False
    means 0)."""
    dim, correction = _var_args(dim, unbiased, correction)
    return _var(self, dim, correction, keepdim)


@public
def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt(var(...)) with the same arguments."""
    dim, correction = _var_args(dim, unbiased, correction)
    return _std(self, dim, correction, keepdim)


@public
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) in one pass; a plain tuple, as in PyTorch."""
    dim, correction = _var_args(dim, unbiased, correction)
    return _var_mean(input, dim, correction, keepdim)


@public
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) in one pass; a plain tuple, as in PyTorch."""
    dim, correction = _var_args(dim, unbiased, correction)
    return _std_mean(input, dim, correction, keepdim)


# ---- logsumexp ---------------------------------------------------------------------------------------------
def _logsumexp_backward(grad, self, result, dim, keepdim):
    axes = _axes(dim, self.ndim)
    return _restore(grad, self.shape, axes, keepdim) * (self - _restore(result, self.shape, axes, keepdim)).exp()


def _logsumexp_grad_np(grad, self, result, dim, keepdim):
    """_logsumexp_backward on arrays, in one buffer."""
    axes = _axes(dim, self.ndim)
    out = np.subtract(self, _restore(result, self.shape, axes, keepdim))
    if not self.ndim:  # NumPy's arithmetic on 0-d arrays gives scalars, which take no out=
        return grad * np.exp(out)
    np.exp(out, out=out)
    out *= _restore(grad, self.shape, axes, keepdim)
    return out


@op("LogsumexpBackward0", float_op=True, shown=DIM_LIST,
    self=lambda grad, self, result, dim, keepdim: _logsumexp_backward(grad, self, result, dim, keepdim),
    raw={"self": _logsumexp_grad_np})
def logsumexp(self, dim, keepdim=False):
    """log(sum(exp(x))) over dim, stable for large |x|: the max is subtracted first (infinite maxima are not).
    NOTE [Ufuncs, not NumPy's wrappers]: overflow and inf - inf stay silent."""
    axes = _axes(dim, self.ndim)
    top = np.maximum.reduce(self, axis=axes, keepdims=True, initial=-np.inf)
    top = np.where(np.isinf(top), 0, top).astype(self.dtype)
    total = np.log(np.add.reduce(np.exp(self - top), axis=axes, keepdims=keepdim))
    return total + (top if keepdim else np.squeeze(top, axes))


# ---- scans -------------------------------------------------------------------------------------------------
def _cumsum_backward(grad, dim):
    if grad.ndim == 0:
        return grad
    d = wrap_dim(dim, grad.ndim)
    if grad.numel() <= 1 or grad.shape[d] == 1:
        return grad
    return _reversed_cumsum(grad, d)


def _cumsum_grad_np(grad, dim):
    """_cumsum_backward on arrays: the running sum from the end, through reversed views."""
    if grad.ndim == 0:
        return grad
    reverse = (slice(None),) * wrap_dim(dim, grad.ndim) + (slice(None, None, -1),)
    total = np.add.accumulate(grad[reverse], axis=len(reverse) - 1,
                              dtype=np.float32 if grad.dtype == np.float16 else None)  # as _cumsum
    return total[reverse].astype(grad.dtype, copy=False)


@op("CumsumBackward0", self=lambda grad, dim: _cumsum_backward(grad, dim), raw={"self": _cumsum_grad_np})
def _cumsum(self, dim, dtype=None):
    d = wrap_dim(dim, self.ndim)
    out = _acc_dtype(self, dtype)
    if self.ndim and dtype is None and self.dtype == np.float16:  # accumulated in float32 (D.widened), as PyTorch
        return np.add.accumulate(self, axis=d, dtype=np.float32).astype(np.float16)
    return np.add.accumulate(self, axis=d, dtype=out) if self.ndim else self.astype(out)


@public
def cumsum(self, dim=None, *, dtype=None):
    """Running sum along dim (integers and bool give int64)."""
    D.require_dim("cumsum", dim)
    D.check_grad_dtype(self, dtype)
    return _cumsum(self, dim, dtype)


def _cumprod_backward(grad, self, result, dim):
    if self.numel() <= 1:
        return grad
    d = wrap_dim(dim, self.ndim)
    if self.shape[d] == 1:
        return grad
    if not (self._data == 0).any():
        return _reversed_cumsum(result * grad, d) / self
    if not grad_mode.state.enabled:
        return Tensor._make(_cumprod_zeros_grad(grad._data, self._data, result._data, d))
    return _cumprod_backward_exact(grad, self, d)


def _cumprod_zeros_grad(g, x, out, d):
    """O(n) gradient of cumprod with zeros (first order only, like PyTorch's no-grad-mode path).

    With z1 the first zero of a slice: k < z1 gets revcumsum(out * g)[k] / x[k] summed over i < z1; k = z1 gets
    prod(x[:z1]) * sum_{z1 <= i < z2} g[i] * prod(x[z1+1:i+1]); every k > z1 gets 0.
    """
    zeros_seen = np.add.accumulate(x == 0, axis=d, dtype=np.int64)  # NOTE [Ufuncs, not NumPy's wrappers]
    before = zeros_seen == 0
    w = np.where(before, out * g, 0)
    grad = np.where(before, np.flip(np.add.accumulate(np.flip(w, d), axis=d), d) / np.where(before, x, 1), 0)
    first_run = zeros_seen == 1
    first_zero = first_run & (x == 0)
    after_first = np.multiply.accumulate(np.where(first_run & ~first_zero, x, 1), axis=d)
    total = np.add.reduce(np.where(first_run, g * after_first, 0), axis=d, keepdims=True)
    prefix = np.multiply.reduce(np.where(before, x, 1), axis=d, keepdims=True)
    return np.where(first_zero, prefix * total, grad).astype(x.dtype)


def _cumprod_backward_exact(grad, self, d):
    """Differentiable O(n^2) gradient of cumprod, right with zeros:
    grad_k = sum_{i >= k} g_i * prod_{j <= i, j != k} x_j, built from cumprods of x with x_k replaced by 1."""
    x, g = self.transpose(d, -1), grad.transpose(d, -1)
    n = x.shape[-1]
    omit_k = _where(D.constant(np.eye(n, dtype=bool)), 1.0, x.unsqueeze(-2))  # [..., k, j] = x_j, or 1 at j == k
    later = D.constant(np.triu(np.ones((n, n), dtype=self._data.dtype)))  # [k, i] = 1 where i >= k
    return (_cumprod(omit_k, -1) * later * g.unsqueeze(-2)).sum(-1).transpose(d, -1)


@op("CumprodBackward0", self=lambda grad, self, result, dim: _cumprod_backward(grad, self, result, dim))
def _cumprod(self, dim, dtype=None):
    d = wrap_dim(dim, self.ndim)
    out = _acc_dtype(self, dtype)
    if self.ndim and dtype is None and self.dtype == np.float16:  # as _cumsum
        return np.multiply.accumulate(self, axis=d, dtype=np.float32).astype(np.float16)
    return np.multiply.accumulate(self, axis=d, dtype=out) if self.ndim else self.astype(out)


@public
def cumprod(self, dim=None, *, dtype=None):
    """Running product along dim (integers and bool give int64). The gradient is exact with zeros."""
    D.require_dim("cumprod", dim)
    D.check_grad_dtype(self, dtype)
    return _cumprod(self, dim, dtype)


INPLACE.update({"cumsum", "cumprod"})  # Tensor.cumsum_ / cumprod_

_cummax_type = _return_type("cummax")
_cummin_type = _return_type("cummin")
_cummax_values = _selector("CummaxBackward0", _scatter_add, _UNREDUCED)
_cummin_values = _selector("CumminBackward0", _scatter_add, _UNREDUCED)


def _cum_extreme(kind, selector, accumulate, self, dim):
    a = self._data
    D.reject(f"{kind.__name__}_cpu", a.dtype, "c")
    d = wrap_dim(dim, a.ndim)
    if not a.ndim:
        return _with_indices(kind, selector, self, d, 0, True, False)
    running = accumulate(a, axis=d)
    hit = a == running  # NOTE: ties move the index forward (PyTorch compares with >= / <=); so does NaN
    if a.dtype.kind in "fc":
        hit |= np.isnan(a)
    pos = np.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d)
    return _with_indices(kind, selector, self, dim, idx, True, False)


@public
def cummax(self, dim=None):
    """Running maximum along dim and the index where each running maximum was (last) reached."""
    D.require_dim("cummax", dim)
    return _cum_extreme(_cummax_type, _cummax_values, np.maximum.accumulate, self, dim)


@public
def cummin(self, dim=None):
    """Running minimum along dim and the index where each running minimum was (last) reached."""
    D.require_dim("cummin", dim)
    return _cum_extreme(_cummin_type, _cummin_values, np.minimum.accumulate, self, dim)


def _logcumsumexp_backward(grad, self, result, dim):
    """PyTorch's stable formula: positive and negative parts of grad in log space, reverse-accumulated."""
    if grad.ndim == 0 or grad.numel() == 0:
        return grad
    d = wrap_dim(dim, grad.ndim)
    lowest = float(np.finfo(grad._data.dtype).min)
    with np.errstate(divide="ignore"):
        log_abs = grad.abs().log()

    def reverse_logcumsumexp(t):
        return _flip(logcumsumexp(_flip(t, (d,)), d), (d,))
    positive = reverse_logcumsumexp(_where(grad > 0, log_abs, lowest) - result) + self
    negative = reverse_logcumsumexp(_where(grad < 0, log_abs, lowest) - result) + self
    return positive.exp() - negative.exp()


@op("LogcumsumexpBackward0", self=lambda grad, self, result, dim: _logcumsumexp_backward(grad, self, result, dim))
def logcumsumexp(self, dim=None):
    """log(cumsum(exp(x))) along dim, computed stably (logaddexp accumulation)."""
    D.require_dim("logcumsumexp", dim)
    d = wrap_dim(dim, self.ndim)
    if self.dtype.kind not in "fc":
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{LEGACY_NAMES[self.dtype.name]}\'')
    return np.logaddexp.accumulate(self, axis=d) if self.ndim else self.copy()


# ---- logical and counting reductions ----------------------------------------------------------------------
def _logical(name, np_fn):
    def reduce(self, dim=None, keepdim=False):
        # NOTE: dim=() reduces nothing here, as in PyTorch (unlike sum, where () means every dim).
        out = np_fn(self, axis=wrap_dims(dim, self.ndim), keepdims=keepdim)
        return out.astype(np.uint8) if self.dtype == np.uint8 else out
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"Whether {name} elements are nonzero, over dim (int, tuple or None for all); bool result."
    return op(nondiff=("self",))(reduce)


all = _logical("all", np.all)
any = _logical("any", np.any)


@op(nondiff=("self",))
def count_nonzero(self, dim=None):
    """Number of nonzero elements over dim (int, tuple or None for all), as int64."""
    return np.asarray(np.count_nonzero(self, axis=_axes(dim, self.ndim)), dtype=np.int64)


def _nansum_backward(grad, self, dim, keepdim):
    axes = _axes(dim, self.ndim)
    return _restore(grad, self.shape, axes, keepdim).expand(self.shape) * D.constant(~np.isnan(self._data))


@op("NansumBackward0", shown=DIM_LIST, self=lambda grad, self, dim, keepdim: _nansum_backward(grad, self, dim, keepdim))
def _nansum(self, dim=None, keepdim=False, dtype=None):
    return np.add.reduce(np.where(np.isnan(self), 0, self), axis=_axes(dim, self.ndim), keepdims=keepdim,
                         dtype=_acc_dtype(self, dtype))


@public
def nansum(self, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero (integers and bool give int64)."""
    D.refuse_complex(self._data.dtype, "nansum on CPU does not support complex inputs")
    D.check_grad_dtype(self, dtype)
    return _nansum(self, dim, keepdim, dtype)


@public
def nanmean(self, dim=None, keepdim=False, *, dtype=None):
    """Mean of the non-NaN elements: nansum / count, as PyTorch composes it (grad_fn DivBackward0)."""
    a = self._data
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{LEGACY_NAMES[a.dtype.name]}")
    count = D.constant(np.sum(~np.isnan(a), axis=_axes(dim, a.ndim), keepdims=keepdim))
    with np.errstate(invalid="ignore", divide="ignore"):
        return nansum(self, dim, keepdim, dtype=dtype) / count


# ---- sorting and order statistics ------------------------------------------------------------------------
_sort_type = _return_type("sort")
_topk_type = _return_type("topk")
_kthvalue_type = _return_type("kthvalue")
_median_type = _return_type("median")
_nanmedian_type = _return_type("nanmedian")
_mode_type = _return_type("mode")
_sort_values = _selector("SortBackward0", shown=_UNREDUCED)
_sort_stable_values = _selector("SortBackward1", shown=_UNREDUCED)
_topk_values = _selector("TopkBackward0", shown=_UNREDUCED)
_kthvalue_values = _selector("KthvalueBackward0")
_median_values = _selector("MedianBackward1")
_nanmedian_values = _selector("NanmedianBackward1")
_mode_values = _selector("ModeBackward0")


_F32_ZERO = D._numbers(np.dtype(np.float32))[0]
_I32_31, _SIGN_BIT = np.array(31, np.int32), np.array(1 << 31, np.uint32)


def _sort_keys32(a):
    """uint32 keys in a's order, for dtypes of 32 bits or fewer (None for others): a float's bits turned so that
    they compare as the floats do, -0.0 made 0.0 (they compare equal) and every NaN the largest key."""
    if a.dtype.kind == "f" and a.dtype.itemsize <= 4:
        x = np.add(a, _F32_ZERO, dtype=np.float32)  # (-0.0 + 0.0 is 0.0)
        # negative floats: all bits flipped; others: the sign bit set. The arithmetic shift gives 0 or all ones.
        flips = np.bitwise_or(np.right_shift(x.view(np.int32), _I32_31).view(np.uint32), _SIGN_BIT)
        keys = np.bitwise_xor(x.view(np.uint32), flips)
        if math.isnan(np.add.reduce(x, axis=None)):  # a NaN somewhere (or inf - inf): one pass to find them
            nan = np.isnan(x)
            if nan.any():
                keys[nan] = 0xFFFFFFFF
        return keys
    if a.dtype == np.uint32:
        return a
    if a.dtype.kind in "biu" and a.dtype.itemsize <= 4:
        return (a.astype(np.int64) + (1 << 31)).astype(np.uint32)
    return None


def _argsort(a, d, descending):
    """Stable argsort along d; NaN sorts as the largest value (last ascending, first descending).

    NOTE: NumPy's stable sort (a merge sort) is 2-5x slower than its default one. For dtypes of 32 bits or fewer,
    each element's key and position go into one uint64, sorted by the default sort: ties fall in position order,
    which is the stable order (descending: the keys inverted, positions still ascending)."""
    D.refuse_complex(a.dtype, " Sort does not support complex dtypes on CPU")
    keys = _sort_keys32(a)
    if keys is not None and a.shape[d] < 1 << 32:
        packed = (~keys if descending else keys).astype(np.uint64)
        packed <<= 32
        packed |= np.arange(a.shape[d], dtype=np.uint64).reshape((-1,) + (1,) * (a.ndim - 1 - d))
        packed.sort(axis=d)
        packed &= 0xFFFFFFFF
        return packed.astype(np.int64)
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    # Reversing, sorting stably and reversing back keeps equal elements in their original order.
    return (a.shape[d] - 1) - np.flip(np.argsort(np.flip(a, d), axis=d, kind="stable"), d)


def _take(a, d, start, stop):
    return a[(slice(None),) * d + (slice(start, stop),)]


class _NotGiven:
    def __repr__(self):
        return "<not given>"


_NOT_GIVEN = _NotGiven()


@public
def sort(self, dim=-1, descending=False, *, stable=_NOT_GIVEN):
    """(values, indices) sorted along dim. Always stable (stable=False allows any order of ties, and this is one).

    Passing `stable` at all selects PyTorch's sort.stable overload, whose node is SortBackward1.
    """
    d = wrap_dim(dim, self.ndim)
    idx = _argsort(self._data, d, descending) if self.ndim else 0
    selector = _sort_values if stable is _NOT_GIVEN else _sort_stable_values
    return _with_indices(_sort_type, selector, self, dim, idx, True, False)


@op(nondiff=("self",))
def argsort(self, dim=-1, descending=False, *, stable=False):
    """The indices of sort(self, dim, descending): a stable order."""
    d = wrap_dim(dim, self.ndim)
    return _argsort(self, d, descending) if self.ndim else np.zeros((), np.int64)


@public
def msort(self):
    """sort(self, dim=0).values."""
    return sort(self, 0)[0] if self.ndim else sort(self)[0]


@public
def topk(self, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim and their indices, in sorted order (see NOTE [Ties])."""
    if not isinstance(k, int):
        raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
    a = self._data
    D.refuse_complex(a.dtype, " topk does not support complex dtypes on CPU")
    D.refuse_complex(a.dtype, "topk does not support bool dtypes on CPU", kinds="b")
    d = wrap_dim(dim, a.ndim)
    if not 0 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError("selected index k out of range")
    idx = _take(_argsort(a, d, largest), d, 0, k) if a.ndim else 0
    return _with_indices(_topk_type, _topk_values, self, dim, idx, True, False)


@public
def kthvalue(self, k, dim=-1, keepdim=False):
    """The k-th smallest value along dim (k counts from 1) and its index (see NOTE [Ties])."""
    a = self._data
    D.reject("kthvalue_cpu", a.dtype, "bc")
    d = wrap_dim(dim, a.ndim)
    if a.ndim:
        _check_reduction("kthvalue", a, (d,), True)
    if not 1 <= k <= (a.shape[d] if a.ndim else 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    idx = np.take(_argsort(a, d, False), k - 1, axis=d) if a.ndim else 0
    return _with_indices(_kthvalue_type, _kthvalue_values, self, dim, idx, keepdim)


def _lower_median_all(a, ignore_nan):
    D.reject("median_cpu", a.dtype, "bc")
    flat = a.reshape(-1)
    if a.dtype.kind in "fc":
        nan = np.isnan(flat)
        if ignore_nan:
            flat = flat[~nan]
        elif nan.any():
            return _scalar_like(a, np.nan)
    if not flat.size:
        return _scalar_like(a, np.nan) if a.dtype.kind in "fc" else _scalar_like(a, np.iinfo(a.dtype).min)
    k = (flat.size - 1) // 2
    return np.partition(flat, k)[k]


@op("MedianBackward0", self=lambda grad, self, result: _evenly_distribute(grad, self, result))
def _median_all(self):
    return _lower_median_all(self, False)


@op("NanmedianBackward0", self=lambda grad, self, result: _evenly_distribute(grad, self, result))
def _nanmedian_all(self):
    return _lower_median_all(self, True)


def _median_indices(name, a, dim, ignore_nan):
    D.reject("median_out", a.dtype, "bc")
    d = wrap_dim(dim, a.ndim)
    if not a.ndim:
        return d, 0
    _check_reduction(name, a, (d,), True)
    order = _argsort(a, d, False)  # NaN last
    is_float = a.dtype.kind in "fc"
    if ignore_nan and is_float:
        valid = np.sum(~np.isnan(a), axis=d, keepdims=True)
        idx = order[D.along_axis(np.maximum((valid - 1) // 2, 0), d)]
        return d, idx.reshape(idx.shape[:d] + idx.shape[d + 1:])
    idx = np.take(order, (a.shape[d] - 1) // 2, axis=d)
    if is_float and math.isnan(np.add.reduce(a, axis=None)):  # NaN somewhere (or inf - inf): find the slices
        nan = np.isnan(a)  # a slice with NaN has median NaN, at its first NaN
        idx = np.where(nan.any(axis=d), np.argmax(nan, axis=d), idx)
    return d, idx


@public
def median(self, dim=None, keepdim=False):
    """median(input) -> the lower median; median(input, dim, keepdim=False) -> (values, indices).

    NaN propagates. Without dim, tied medians share the gradient; with dim it goes to the returned index.
    """
    if dim is None:
        return _median_all(self)
    d, idx = _median_indices("median", self._data, dim, False)
    return _with_indices(_median_type, _median_values, self, dim, idx, keepdim)


@public
def nanmedian(self, dim=None, keepdim=False):
    """median ignoring NaN (NaN only when a slice is all NaN)."""
    if dim is None:
        return _nanmedian_all(self)
    d, idx = _median_indices("median", self._data, dim, True)  # NOTE: PyTorch's errors say median() here
    return _with_indices(_nanmedian_type, _nanmedian_values, self, dim, idx, keepdim)


def _mode_indices(a, d):
    """Index of the most frequent value of each slice along d: the smallest such value, at its last occurrence."""
    rows = np.moveaxis(a, d, -1)
    n = rows.shape[-1]
    flat = rows.reshape(-1, n)
    order = np.argsort(flat, axis=1, kind="stable")
    values = np.take_along_axis(flat, order, axis=1)
    starts = np.ones(flat.shape, dtype=bool)
    starts[:, 1:] = values[:, 1:] != values[:, :-1]
    run = np.cumsum(starts.reshape(-1)) - 1  # one id per run of equal values, across all slices
    counts = np.bincount(run, minlength=1)[run].reshape(flat.shape)
    best = np.argmax(counts, axis=1)  # first maximal run in sorted order: the smallest value
    rows_at = np.arange(flat.shape[0])
    last = best + counts[rows_at, best] - 1  # a stable sort keeps a run in index order: its end is the last one
    return order[rows_at, last].reshape(rows.shape[:-1])


@public
def mode(self, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest among equally frequent) and its last index."""
    a = self._data
    d = wrap_dim(dim, a.ndim)
    if not a.ndim:
        return _with_indices(_mode_type, _mode_values, self, d, 0, keepdim)
    _check_reduction("mode", a, (d,), True)
    idx = _mode_indices(a, d) if a.size else np.zeros(np.delete(a.shape, d), np.int64)
    return _with_indices(_mode_type, _mode_values, self, dim, idx, keepdim)

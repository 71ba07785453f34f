"""THE op table: each op's forward (on NumPy arrays) beside its backward formula for every input.

See `op.py` for how an entry becomes a function, a Tensor method and a grad_fn class. Formulas are
written with the ops of this table, so every gradient is itself differentiable (create_graph=True).
Entries whose names start with an underscore are building blocks of a public function that picks
between PyTorch's overloads (each overload has its own grad_fn name, e.g. SumBackward0 / SumBackward1).
"""
import math
import re
import warnings

import numpy as np

from . import op as _op
from .op import DIM_LIST, op, public, sum_to, sum_to_array
from .. import _dtype


# ---- dims ------------------------------------------------------------------------------------------------
def wrap_dim(dim, ndim):
    if type(dim) is int and 0 <= dim < ndim:  # already wrapped: the commonest call
        return dim
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % ndim if ndim else 0


def wrap_dims(dim, ndim):
    """dim as int, tuple or None -> sorted tuple of non-negative axes (None means all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dims = (wrap_dim(dim, ndim),)
    else:
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if ndim else ()  # NOTE: a 0-d tensor has dim 0 (or -1), and nothing to reduce


def _size(args):
    """Accept f(2, 3), f((2, 3)) and f(torch.Size([2, 3]))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


# ---- pointwise: arithmetic --------------------------------------------------------------------------
@op("AddBackward0", promote=True, ufunc=np.add, raw=True,
    self=lambda grad: grad,
    other=lambda grad, alpha: grad if alpha == 1 else grad * alpha)
def add(self, other, *, alpha=1):
    return np.add(self, other) if alpha == 1 else np.add(self, other * alpha)


def _no_bool_subtraction(self, other, alpha=1):
    """PyTorch refuses `-` with a bool operand (a Tensor of bools or a Python bool)."""
    bools = [type(v) is bool or isinstance(v, _op.Tensor) and v._data.dtype.kind == "b" for v in (self, other)]
    if all(bools):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


@op("SubBackward0", promote=True, ufunc=np.subtract, raw=True, check=_no_bool_subtraction,
    self=lambda grad: grad,
    other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)
def sub(self, other, *, alpha=1):
    return np.subtract(self, other) if alpha == 1 else np.subtract(self, other * alpha)


@op("RsubBackward1", promote=True, nondiff=("other",), raw=True, check=_no_bool_subtraction,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)
def _rsub_scalar(self, other, alpha=1):
    return np.subtract(other, self) if alpha == 1 else np.subtract(other, self * alpha)


@op("MulBackward0", promote=True, ufunc=np.multiply,
    self=lambda grad, other: grad * other,
    other=lambda grad, self: grad * self,
    raw={"self": lambda grad, other, out=None: grad * other if out is None else np.multiply(grad, other, out=out),
         "other": lambda grad, self, out=None: grad * self if out is None else np.multiply(grad, self, out=out)})
def mul(self, other):
    return np.multiply(self, other)


@op("DivBackward0", promote=True, float_op=True, ufunc=np.true_divide,
    self=lambda grad, other: grad / other,
    other=lambda grad, self, other: -grad * self / (other * other),
    raw={"self": lambda grad, other, out=None: grad / other if out is None else np.true_divide(grad, other, out=out),
         "other": lambda grad, self, other: -grad * self / (other * other)})
def _true_divide(self, other):
    return np.true_divide(self, other)


@op("DivBackward2", promote=True, self=lambda grad: zeros_like(grad), other=lambda grad, other: zeros_like(grad))
def _floor_divide(self, other):
    return np.floor_divide(self, other)


@op("DivBackward2", promote=True, self=lambda grad: zeros_like(grad), other=lambda grad, other: zeros_like(grad))
def _trunc_divide(self, other):
    if np.result_type(self, other).kind in "iu":
        q = np.floor_divide(self, other)
        return q + ((q < 0) & (np.remainder(self, other) != 0))  # round toward zero
    return np.trunc(np.true_divide(self, other))


@public
def div(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _true_divide(self, other)
    if rounding_mode == "floor":
        return _floor_divide(self, other)
    if rounding_mode == "trunc":
        return _trunc_divide(self, other)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"'{rounding_mode}'")


divide = public(div, "divide")
true_divide = public(lambda self, other: _true_divide(self, other), "true_divide")


@op("NegBackward0", ufunc=np.negative, self=lambda grad: -grad,
    raw={"self": lambda grad, out=None: -grad if out is None else np.negative(grad, out=out)})
def neg(self):
    if self.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return np.negative(self)


negative = public(neg, "negative")


@op("PowBackward0", promote=True, nondiff=("exponent",),
    self=lambda grad, self, exponent: _pow_scalar_backward(grad, self, exponent))
def _pow_tensor_scalar(self, exponent):
    return _power(self, exponent)


# NOTE: np.power with a Python int exponent other than 2 (or -1) runs a per-element integer-power loop, ~50 ns an
# element; PyTorch's float kernel computes 3, -2 and -0.5 as products and square roots, and any other exponent as
# a float pow. Done the same way these give PyTorch's values (np.power(x, 3) was 1 ulp off in 30% of float32 values).
_POWERS = {3: lambda b: b * b * b, -2: lambda b: 1 / (b * b), -0.5: lambda b: 1 / np.sqrt(b)}


def _power(base, exponent):
    if (type(exponent) is int or type(exponent) is float) and type(base) is np.ndarray and \
            base.dtype.kind == "f" and base.dtype.itemsize >= 4:
        special = _POWERS.get(exponent)
        if special is not None:
            return special(base)
        if type(exponent) is int and exponent not in (2, -1):
            exponent = float(exponent)
    try:
        return np.power(base, exponent)
    except ValueError as e:  # NumPy's 'Integers to negative integer powers are not allowed.'
        if np.ndim(exponent) == 0 and not isinstance(exponent, np.ndarray):
            raise RuntimeError(str(e)) from None  # a number exponent: PyTorch refuses it too, with NumPy's words
    # a tensor exponent with negative entries: PyTorch's integer kernel gives 1 ** -n = 1, (-1) ** -n = +-1 and 0 for
    # every other base
    exponent = np.asarray(exponent)  # (a number base stays a number: NumPy keeps it weak, as PyTorch)
    out = np.power(base, np.maximum(exponent, 0))
    inverse = np.where(base == 1, 1, np.where(base == -1, 1 - 2 * (exponent % 2), 0))
    return np.where(exponent < 0, inverse, out).astype(out.dtype)


def _pow_scalar_backward(grad, self, exponent):
    if exponent == 0:
        return zeros_like(self)
    return grad * (_pow_tensor_scalar(self, exponent - 1) * exponent)


# NOTE: at a zero base the limits, as PyTorch takes them: x ** 0 has slope 0 in x (not 0 * 0 ** -1 = nan), and
# 0 ** e has slope 0 in e for e >= 0 (not 0 * log 0 = nan); for e < 0 it is -inf.
@op("PowBackward1", promote=True,
    self=lambda grad, self, exponent: where(exponent == 0, 0.0, grad * exponent * pow(self, exponent - 1)),
    exponent=lambda grad, self, exponent, result: grad * where((self == 0) & (exponent >= 0), 0.0,
                                                               result * log(self)))
def _pow_tensor_tensor(self, exponent):
    return _power(self, exponent)


@op("PowBackward2", promote=True, nondiff=("self",),
    exponent=lambda grad, self, exponent, result: _pow_exponent_backward(grad, self, exponent, result))
def _pow_scalar_tensor(self, exponent):
    return _power(self, exponent)


def _pow_exponent_backward(grad, base, exponent, result):
    slope = result * float(np.log(base))
    return grad * (where(exponent >= 0, 0.0, slope) if base == 0 else slope)


@public
def pow(self, exponent):
    if not isinstance(self, _op.Tensor):
        return _pow_scalar_tensor(self, exponent)
    if isinstance(exponent, _op.Tensor):
        return _pow_tensor_tensor(self, exponent)
    if type(exponent) is int and self._data.dtype.kind in "iu":  # an exponent is not wrapped into the dtype
        if exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if not _op._fits(exponent, self._data.dtype):
            raise RuntimeError(f"value cannot be converted to type {self._data.dtype.name}_t without overflow")
    return _pow_tensor_scalar(self, exponent)


# ---- pointwise: functions -------------------------------------------------------------------------------
@op("ExpBackward0", float_op=True, ufunc=np.exp, self=lambda grad, result: grad * result,
    raw={"self": lambda grad, result, out=None: grad * result if out is None else np.multiply(grad, result, out=out)})
def exp(self):
    return np.exp(self)


@op("LogBackward0", float_op=True, ufunc=np.log, self=lambda grad, self: grad / self,
    raw={"self": lambda grad, self, out=None: grad / self if out is None else np.true_divide(grad, self, out=out)})
def log(self):
    return np.log(self)


@op("SqrtBackward0", float_op=True, ufunc=np.sqrt, raw=True, self=lambda grad, result: grad / (2 * result))
def sqrt(self):
    return np.sqrt(self)


@op("ReciprocalBackward0", float_op=True, raw=True, self=lambda grad, result: -grad * (result * result))
def reciprocal(self):
    return np.reciprocal(self)


_NUMBERS = {}


def _numbers(dtype):
    """0, 1 and 0.5 as 0-d arrays of `dtype`. NOTE: NumPy 2 runs a ufunc about 0.25 us faster with an array
    operand than with a Python number, which it must first fit to the other operand's dtype."""
    numbers = _NUMBERS.get(dtype)
    if numbers is None:
        numbers = tuple(_op.read_only(np.array(v, dtype)) for v in (0, 1, 0.5 if dtype.kind in "fc" else 0))
        _NUMBERS[dtype] = numbers
    return numbers


def _sigmoid_into(x, out=None):
    """sigmoid(x) of a float array as (tanh(x / 2) + 1) / 2, so that large |x| never overflows exp; in one buffer
    (`out` when given)."""
    _, one, half = _numbers(x.dtype)
    if out is None and x.size < _SMALL:  # operators: on small arrays ~0.2 us less than out= calls (0-d too)
        return (np.tanh(x * half) + one) * half
    t = np.multiply(x, half, out=out)
    np.tanh(t, out=t)
    np.add(t, one, out=t)
    return np.multiply(t, half, out=t)


@op("SigmoidBackward0", float_op=True, ufunc=_sigmoid_into, self=lambda grad, result: _sigmoid_backward(grad, result),
    raw={"self": lambda grad, result, spent=None: _sigmoid_backward.on_arrays(grad, result) if spent is None
         else by_blocks(_sigmoid_grad_spent_kernel, spent, grad)})
def sigmoid(self):
    if self.dtype.kind != "f":
        return 1 / (1 + np.exp(-self))
    return _sigmoid_into(self)


@op("TanhBackward0", float_op=True, ufunc=np.tanh, self=lambda grad, result: _tanh_backward(grad, result),
    raw={"self": lambda grad, result, spent=None: _tanh_backward.on_arrays(grad, result) if spent is None
         else _tanh_grad_into(spent, result, grad)})
def tanh(self):
    return np.tanh(self)


# The backward of sigmoid and tanh as single ops (one dispatch instead of three), as PyTorch has them.
# NOTE: below _SMALL elements they use array-with-array ufuncs only (NumPy 2 takes ~0.25 us more for a call
# with a Python scalar operand); larger arrays reuse one temporary.
_SMALL = 4096


@op("SigmoidBackwardBackward0", promote=True,
    grad_=lambda grad, output: _sigmoid_backward(grad, output),
    output=lambda grad, grad_, output: grad * grad_ * (1 - 2 * output))
def _sigmoid_backward(grad_, output):
    if output.size < _SMALL or output.shape != np.shape(grad_):
        return grad_ * (output - output * output)
    return by_blocks(_sigmoid_grad_kernel, np.empty_like(output), output, grad_)  # one temporary, reused


def _sigmoid_grad_kernel(buf, output, grad):
    np.subtract(1, output, out=buf)
    np.multiply(buf, output, out=buf)
    np.multiply(buf, grad, out=buf)


def _sigmoid_grad_spent_kernel(output, grad):
    """_sigmoid_grad_kernel written into the output itself: the same values, as y * (1 - y) is (1 - y) * y."""
    np.multiply(output, np.subtract(1, output), out=output)
    np.multiply(output, grad, out=output)


# NOTE: a chain of ufuncs over arrays larger than the cache reads and writes memory once per ufunc; run block by
# block, each block stays in cache through the chain. On 1M float32, tanh's backward (three ufuncs) takes 402 us
# against 594; below ~512k elements the arrays fit in cache anyway, and the extra calls only cost.
_BLOCK = 1 << 16  # elements per block
_BLOCKED_MIN = 1 << 19


def by_blocks(kernel, out, *arrays, least=_BLOCKED_MIN, block=_BLOCK):
    """kernel(out, *arrays), which writes `out` elementwise, run on matching blocks of `block` elements when all are
    C-contiguous arrays of out's shape (they may be `out` itself) of `least` elements or more; returns out."""
    if out.size < least or not out.flags.c_contiguous or any(
            type(a) is not np.ndarray or a.shape != out.shape or not a.flags.c_contiguous for a in arrays):
        kernel(out, *arrays)
        return out
    flats = [out.reshape(-1)] + [a.reshape(-1) for a in arrays]
    for start in range(0, out.size, block):
        kernel(*[f[start:start + block] for f in flats])
    return out


@op("TanhBackwardBackward0", promote=True,
    grad_=lambda grad, output: _tanh_backward(grad, output),
    output=lambda grad, grad_, output: -2 * grad * grad_ * output)
def _tanh_backward(grad_, output):
    if output.size < _SMALL or output.shape != np.shape(grad_):
        return grad_ - grad_ * output * output
    return _tanh_grad_into(np.empty_like(output), output, grad_)  # one temporary, reused


def _tanh_grad_into(buf, output, grad):
    """grad * (1 - output ** 2) computed in `buf`, of output's shape and dtype (output itself when it is spent)."""
    return by_blocks(_tanh_grad_kernel, buf, output, grad)


def _tanh_grad_kernel(buf, output, grad):
    np.multiply(output, output, out=buf)
    np.subtract(1, buf, out=buf)
    np.multiply(buf, grad, out=buf)


def _relu_into(x, out=None):
    return np.maximum(x, _numbers(x.dtype)[0], out=out)


@op("ReluBackward0", ufunc=_relu_into, self=lambda grad, result: _threshold_backward(grad, result, 0),  # relu'(0) = 0
    raw={"self": lambda grad, result, out=None: _relu_grad(grad, result, out)})
def relu(self):
    refuse_complex(self.dtype, *_CLAMP_COMPLEX)  # (the generated path calls _relu_into, on float tensors only)
    refuse_complex(self.dtype, "Boolean inputs not supported for relu", kinds="b")
    return _relu_into(self)


def zero_slope(grad):
    """The formula of an input the result does not vary with, declared all the same: PyTorch's backward nodes of
    piecewise-linear functions have one for their input, so that a first derivative taken with create_graph
    stays on the graph (and its second derivative is zeros)."""
    return zeros_like(grad)


@op("ThresholdBackwardBackward0", promote=True, self=zero_slope,
    grad_=lambda grad, self, threshold: _threshold_backward(grad, self, threshold))
def _threshold_backward(grad_, self, threshold):
    """The gradient where the input is above the threshold, zero elsewhere (PyTorch's threshold_backward)."""
    return _threshold_grad(grad_, self, threshold=threshold)


def all_finite(arr):
    """Whether no element of a float or complex array is inf or nan. The sum of squared magnitudes is finite exactly
    then: one BLAS dot product for a contiguous float32 / float64 / complex array (2.3x quicker than np.add.reduce at
    64k float32). Its overflow (float32 elements past about 1e19 / sqrt(size)) only says False, which sends the
    caller its slower exact way."""
    if 0 in arr.strides and arr.size:  # a broadcast (sum's gradient): each element once
        arr = arr[tuple(0 if stride == 0 else slice(None) for stride in arr.strides)]
    if arr.dtype.char in "fdFD" and arr.flags.c_contiguous:
        return bool(np.isfinite(np.vdot(arr, arr)))
    return bool(np.isfinite(np.add.reduce(arr, axis=None)))


def _passed_grad(grad, passed, out=None):
    """grad where the boolean `passed` holds, an exact 0 elsewhere (PyTorch's where). NOTE: on large arrays
    multiplying by the mask is branch-free, ten times faster than np.where on a random mask; only an inf/nan
    gradient where the mask is off needs where's exact zero."""
    if passed.size >= _SMALL and all_finite(grad):
        return np.multiply(grad, passed, out=out)
    return np.where(passed, grad, np.result_type(grad).type(0))


def _relu_grad(grad, result, out=None):
    """_threshold_grad on relu's result, which is >= 0 or NaN: there "not <= 0" is "!= 0", one ufunc fewer."""
    return _passed_grad(grad, np.not_equal(result, _numbers(result.dtype)[0]), out)


def _threshold_grad(grad, output, out=None, threshold=0):
    # the mask is "not <= threshold", as PyTorch's: a NaN output passes its gradient
    blocked = np.less_equal(output, _numbers(output.dtype)[0] if threshold == 0 else threshold)
    return _passed_grad(grad, np.logical_not(blocked), out)


@op("AbsBackward0", self=lambda grad, self: grad * sign(self))
def abs(self):
    if self.dtype.kind == "b":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return np.abs(self)


def not_implemented_for(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.LEGACY_NAMES[np.dtype(dtype).name]}\'')


def reject(kernel, dtype, kinds):
    """PyTorch's kernels exist for some dtype kinds only (NumPy kinds: b bool, iu integer, f float, c complex)."""
    if np.dtype(dtype).kind in kinds:
        raise not_implemented_for(kernel, dtype)


def refuse_complex(dtype, message, error=RuntimeError, kinds="c"):
    """Where PyTorch refuses complex numbers (or the NumPy `kinds` given) in words of its own, not a kernel name."""
    if np.dtype(dtype).kind in kinds:
        raise error(message)


_CLAMP_COMPLEX = ("clamp is not supported for complex types", NotImplementedError)


@op("SignBackward0", self=lambda grad: zeros_like(grad))
def sign(self):
    refuse_complex(self.dtype, "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                               "torch.sgn instead.", NotImplementedError)
    if self.dtype.kind == "b":
        return self.copy()
    out = np.sign(self)
    # NOTE: PyTorch's sign(nan) is 0
    return np.where(np.isnan(out), 0, out).astype(out.dtype) if out.dtype.kind == "f" else out


@op("WhereBackward0", promote=True, nondiff=("condition",), masks=("condition",),
    self=lambda grad, condition: _where(condition, grad, 0.0),
    other=lambda grad, condition: _where(condition, 0.0, grad),
    raw={"self": lambda grad, condition: np.where(condition, grad, 0),
         "other": lambda grad, condition: np.where(condition, 0, grad)})
def _where(condition, self, other):
    return np.where(condition, self, other)


@public
def where(condition, self=None, other=None):
    if isinstance(condition, _op.Tensor) and condition._data.dtype.kind != "b":
        if condition._data.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{_dtype.LEGACY_NAMES[condition._data.dtype.name]}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a "
                      "future version of PyTorch. Use a boolean condition instead.", stacklevel=2)
    if self is None and other is None:
        return nonzero(condition, as_tuple=True)
    return _where(condition, self, other)


def _clamp_mask(self, min, max):
    mask = np.ones(np.shape(self), dtype=bool)
    if min is not None:
        mask &= self >= min
    if max is not None:
        mask &= self <= max
    return mask


@op("ClampBackward1", promote=True, nondiff=("min", "max"),
    self=lambda grad, self, min, max: grad * _op.Tensor._make(
        _clamp_mask(self._data, _raw(min), _raw(max))),
    raw={"self": lambda grad, self, min, max: grad * _clamp_mask(self, _raw(min), _raw(max))})
def _clamp_number(self, min=None, max=None):  # public clamp (pointwise.py) dispatches here for Number bounds
    refuse_complex(self.dtype, *_CLAMP_COMPLEX)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is not None:
        self = np.maximum(self, min)
    if max is not None:
        self = np.minimum(self, max)
    return self



# ---- comparisons and logic: no gradient ------------------------------------------------------------------
def require_dim(name, dim):
    """PyTorch's TypeError when a required `dim` is left out (chainrule's signatures default it to None to say so)."""
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def invalid_combination(fn, got, signatures):
    """PyTorch's TypeError for arguments that match none of a function's signatures."""
    lines = "\n".join(f" * {s}" for s in signatures)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({', '.join(got)}), but expected "
                     f"one of:\n{lines}\n")


def _comparison(np_fn, name, ordered=True):
    """`ordered`: an order comparison, which PyTorch has no kernel for on complex numbers."""
    def tensor_first(self, other):  # (the generated dispatcher never takes a number first)
        if not isinstance(self, _op.Tensor):
            label = "Tensor" if isinstance(other, _op.Tensor) else type(other).__name__
            raise invalid_combination(name, (type(self).__name__, label), [
                "(Tensor input, Tensor other, *, Tensor out = None)",
                "(Tensor input, Number other, *, Tensor out = None)"])

    def compare(self, other):
        if ordered and np.result_type(self, other).kind == "c":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{_dtype.LEGACY_NAMES[np.result_type(self, other).name]}'")
        return np_fn(self, other)
    compare.__name__ = compare.__qualname__ = name  # a public op, though made here
    return op(promote=True, nondiff=("self", "other"), check=tensor_first)(compare)


eq = _comparison(np.equal, "eq", ordered=False)
ne = _comparison(np.not_equal, "ne", ordered=False)
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")


# ---- reductions -----------------------------------------------------------------------------------------
def _reduce_backward(grad, self_shape, dim, keepdim, expand=None):
    """Expand a reduced gradient back to the input's shape (`expand`: _spread for arrays)."""
    if not keepdim and dim is not None and len(self_shape):
        shape = list(self_shape)
        for d in wrap_dims(dim, len(self_shape)):
            shape[d] = 1
        grad = grad.reshape(tuple(shape))
    return (expand or _expand)(grad, self_shape)


def _sum_dtype(arr, dtype):
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.int64 if arr.dtype.kind in "biu" else None


def along_axis(index, d):
    """The fancy index that np.take_along_axis / np.put_along_axis build for `index` along axis d (d >= 0): each
    other axis by its position. NOTE: built here, it saves those functions' ~8 us of Python per call."""
    last = index.ndim - 1
    return tuple(index if axis == d else np.arange(n).reshape((n,) + (1,) * (last - axis))
                 for axis, n in enumerate(index.shape))


def _share(grad, n):
    """A gradient array divided among n elements; a 0-d one goes through its NumPy scalar, as NumPy's scalar
    arithmetic is about 8x faster than a 0-d array's with a Python number."""
    return grad[()] / max(n, 1)


def _spread(arr, shape):
    """`arr` broadcast to `shape`, for raw formulas: a small one as an array of its own, as NumPy's zero-stride
    views cost more (1.5-2 us) than writing it, and a gradient of its own can become `.grad` as it is; a large one
    as a read-only view, which saves a pass over memory (the formulas downstream read it from cache; no formula
    writes into it, see op.only_here, and a leaf, a hook or autograd.grad gets a copy)."""
    if math.prod(shape) >= _op._REUSE_MIN:
        return np.broadcast_to(arr, shape)
    out = np.empty(shape, arr.dtype)
    out[...] = arr
    return out


@op("SumBackward0", self=lambda grad, self_shape: _expand(grad, self_shape),
    raw={"self": lambda grad, self_shape: _spread(grad, self_shape)})
def _sum_all(self, dtype=None):
    # NOTE [Ufuncs, not NumPy's wrappers]: np.add.reduce is what ndarray.sum and np.sum call. Called directly, a
    # NaN or overflow warning comes from chainrule's frame, where chainrule's filter silences it (see
    # _fp_warnings); from np.sum's Python layer it would reach the user. Likewise mean_np, multiply.reduce, ...
    return np.add.reduce(self, axis=None, dtype=_sum_dtype(self, dtype))


def mean_np(a, axis=None, keepdims=False):
    """np.mean of a float array by np.add.reduce (NOTE [Ufuncs, not NumPy's wrappers])."""
    count = a.size if axis is None else math.prod([a.shape[d] for d in ((axis,) if isinstance(axis, int) else axis)])
    return np.add.reduce(a, axis=axis, keepdims=keepdims) / count


@op("SumBackward1", shown=DIM_LIST,
    self=lambda grad, self_shape, dim, keepdim: _reduce_backward(grad, self_shape, dim, keepdim),
    raw={"self": lambda grad, self_shape, dim, keepdim: _reduce_backward(grad, self_shape, dim, keepdim, _spread)})
def _sum_dim(self, dim, keepdim=False, dtype=None):
    return np.add.reduce(self, axis=wrap_dims(dim, self.ndim), keepdims=keepdim, dtype=_sum_dtype(self, dtype))


def _full_or_dim(whole, along, self, dim, keepdim, dtype):
    """PyTorch's two overloads of sum and mean: over everything (...Backward0) or along dims (...Backward1)."""
    if dim is None and not keepdim:
        return whole(self, dtype)
    if dim is None or dim == () or dim == []:  # NOTE: PyTorch reduces over everything for an empty dim list
        dim = tuple(range(self.ndim))
    return along(self, dim, keepdim, dtype)


def check_grad_dtype(self, dtype):
    """A dtype= that leaves floating point cannot carry a gradient: PyTorch refuses it."""
    if dtype is None or not (_op._state.enabled and isinstance(self, _op.Tensor) and self.requires_grad):
        return
    dtype = _dtype.to_dtype(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f"Autograd not support dtype: {_dtype.LEGACY_NAMES[dtype.name]}")


@public
def sum(self, dim=None, keepdim=False, *, dtype=None):
    check_grad_dtype(self, dtype)
    return _full_or_dim(_sum_all, _sum_dim, self, dim, keepdim, dtype)


def _check_mean_dtype(arr, dtype):
    if dtype is None and arr.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_dtype.LEGACY_NAMES[arr.dtype.name]}")
    return _dtype.to_dtype(dtype).np if dtype is not None else None


@op("MeanBackward0", shown={"self_sym_numel": ("self_shape", math.prod)},
    self=lambda grad, self_shape: _expand(grad, self_shape) / max(math.prod(self_shape), 1),
    raw={"self": lambda grad, self_shape: _spread(_share(grad, math.prod(self_shape)), self_shape)})
def _mean_all(self, dtype=None):
    if dtype is None and self.size and (self.dtype.char == "f" or self.dtype.char == "d"):
        return np.add.reduce(self, axis=None) / self.size  # what ndarray.mean computes, without its Python layer
    return self.mean(dtype=_check_mean_dtype(self, dtype))


@op("MeanBackward1", shown={**DIM_LIST, "self_sym_numel": ("self_shape", math.prod)},
    self=lambda grad, self_shape, dim, keepdim: _reduce_backward(grad, self_shape, dim, keepdim)
    / max(math.prod([self_shape[d] for d in wrap_dims(dim, len(self_shape))]), 1),
    raw={"self": lambda grad, self_shape, dim, keepdim: _reduce_backward(
        grad / max(math.prod([self_shape[d] for d in wrap_dims(dim, len(self_shape))]), 1), self_shape, dim, keepdim,
        _spread)})
def _mean_dim(self, dim, keepdim=False, dtype=None):
    axes = wrap_dims(dim, self.ndim)
    if dtype is None and (self.dtype.char == "f" or self.dtype.char == "d"):  # as _mean_all
        return np.add.reduce(self, axis=axes, keepdims=keepdim) / math.prod([self.shape[d] for d in axes])
    return self.mean(axis=axes, keepdims=keepdim, dtype=_check_mean_dtype(self, dtype))


@public
def mean(self, dim=None, keepdim=False, *, dtype=None):
    return _full_or_dim(_mean_all, _mean_dim, self, dim, keepdim, dtype)


def _norm_backward(grad, self, result, ord, dim, keepdim):
    if not keepdim and dim is not None and self.ndim:
        grad = _reduce_backward(grad, self.shape, dim, False)
        result = _reduce_backward(result, self.shape, dim, False)
    if ord == 0:
        return None  # no gradient at all: PyTorch leaves .grad undefined
    if ord == 1:
        return grad * sign(self)
    if ord == 2:
        return grad * _where(result == 0, 0.0, self / result)
    if ord in (float("inf"), float("-inf")):
        mask = (abs(self) == result)
        count = mask.sum(dim, keepdim=True) if dim is not None else mask.sum()
        return grad * sign(self) * mask / count
    scale = self * pow(abs(self), ord - 2) / pow(result, ord - 1)
    return grad * _where(result == 0, 0.0, scale)


def widened(arr):
    """float16 as float32: PyTorch computes half reductions in float32 (its accumulate type) and rounds once."""
    return arr.astype(np.float32) if arr.dtype == np.float16 else arr


def _norm_grad_np(grad, self, result, ord, dim, keepdim):
    """_norm_backward on arrays: the 2-norm of a real tensor directly, any other through the Tensor formula."""
    if ord != 2 or self.dtype.kind == "c":
        make = _op.Tensor._make
        g = _norm_backward(make(grad), make(self), make(result), ord, dim, keepdim)
        return None if g is None else g._data
    if not keepdim and dim is not None and self.ndim:
        kept = list(self.shape)
        for d in wrap_dims(dim, self.ndim):
            kept[d] = 1
        grad, result = np.reshape(grad, kept), np.reshape(result, kept)
    return grad * np.where(result == 0, self.dtype.type(0), self / result)


@op("LinalgVectorNormBackward0", float_op=True, shown=DIM_LIST,
    self=lambda grad, self, result, ord, dim, keepdim: _norm_backward(grad, self, result, ord, dim, keepdim),
    raw={"self": _norm_grad_np})
def _vector_norm(self, ord=2, dim=None, keepdim=False, *, dtype=None):
    real = np.finfo(self.dtype).dtype if self.dtype.kind == "c" else self.dtype  # a complex tensor's norm is real
    return _vector_norm_wide(widened(self), ord, dim, keepdim).astype(real, copy=False)


def _vector_norm_wide(self, ord, dim, keepdim):
    axes = None if dim is None else wrap_dims(dim, self.ndim)
    a = np.abs(self)
    if ord == 2:
        return np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
    if ord == float("inf"):
        return np.max(a, axis=axes, keepdims=keepdim)
    if ord == float("-inf"):
        return np.min(a, axis=axes, keepdims=keepdim)
    if ord == 0:
        return np.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
    if ord == 1:
        return np.sum(a, axis=axes, keepdims=keepdim)
    return np.power(np.sum(np.power(a, ord), axis=axes, keepdims=keepdim), 1.0 / ord)


@public
def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    from .. import linalg
    if isinstance(p, str) and p != "fro":  # 'nuc': a matrix norm
        return linalg.matrix_norm(self, p, (-2, -1) if dim is None else dim, keepdim)
    return linalg.vector_norm(self, 2 if p == "fro" or p is None else p, dim, keepdim, dtype=dtype)


# ---- linear algebra -------------------------------------------------------------------------------------
# NOTE: products do not promote: PyTorch requires one dtype and says so in C++ type names (_dtype.C_NAMES).


@op("DotBackward0", raw=True,
    self=lambda grad, other: grad * other,
    other=lambda grad, self: grad * self)
def dot(self, other):
    check_vectors(self, other)
    if self.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_dtype.LEGACY_NAMES[self.dtype.name]} and {_dtype.LEGACY_NAMES[other.dtype.name]}")
    return np.dot(self, other)


def check_vectors(self, other):
    """PyTorch's errors for dot products of anything but two 1-d tensors of one length."""
    if self.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
    if self.shape[0] != other.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src [{other.shape[0]}] to have the "
            f"same number of elements, but got {self.shape[0]} and {other.shape[0]} elements respectively")


@op("MvBackward0",
    self=lambda grad, vec: grad.unsqueeze(1) * vec,
    vec=lambda grad, self: mv(self.t(), grad))
def mv(self, vec):
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self.ndim}, {vec.ndim}")
    if self.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({self.shape[0]}), mat ({'x'.join(map(str, self.shape))}), "
                           f"vec ({vec.shape[0]})")
    if self.dtype != vec.dtype:
        v, m = _dtype.LEGACY_NAMES[vec.dtype.name], _dtype.LEGACY_NAMES[self.dtype.name]
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, and {v}")
    return self.dot(vec)


# NOTE: for matrices ndarray.dot computes what np.matmul does, ~0.3 us sooner (no iterator) on small products, but
# up to 5% slower on large ones (784x128 by 128x512: 762 against 733 us; 128x784 by 784x512: 843 against 817), and
# it zeroes its output before the BLAS call (128x10 by 10x256: 12.3 against 10.4 us). The product's size picks.
_LARGE_PRODUCT = 16384


def _product(a, b):
    """a @ b for matrices of one dtype."""
    return a.dot(b) if a.shape[0] * b.shape[1] < _LARGE_PRODUCT else np.matmul(a, b)


@op("MmBackward0",
    self=lambda grad, mat2: mm(grad, mat2.t()),
    mat2=lambda grad, self: mm(self.t(), grad),
    raw={"self": lambda grad, mat2: _product(grad, mat2.T), "mat2": lambda grad, self: _product(self.T, grad)})
def mm(self, mat2):
    s, t = self.shape, mat2.shape
    if len(s) == 2 == len(t) and s[1] == t[0] and self.dtype == mat2.dtype:
        return _product(self, mat2)
    if self.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if self.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({self.shape[0]}x{self.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_dtype.C_NAMES[self.dtype.name]} != "
                       f"{_dtype.C_NAMES[mat2.dtype.name]}")


@op("BmmBackward0",
    self=lambda grad, mat2: bmm(grad, mat2.transpose(1, 2)),
    mat2=lambda grad, self: bmm(self.transpose(1, 2), grad))
def bmm(self, mat2):
    if self.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if mat2.shape[:2] != (self.shape[0], self.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{self.shape[0]}, {self.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    if self.dtype != mat2.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.LEGACY_NAMES[self.dtype.name]} but found "
                           f"{_dtype.LEGACY_NAMES[mat2.dtype.name]}")
    return np.matmul(self, mat2)


@public
def matmul(self, other):
    """PyTorch's matmul, built from dot / mv / mm / bmm as PyTorch builds it (same grad_fn nodes)."""
    if not isinstance(self, _op.Tensor) or not isinstance(other, _op.Tensor):
        k, name, bad = (1, "input", self) if not isinstance(self, _op.Tensor) else (2, "other", other)
        raise TypeError(f"matmul(): argument '{name}' (position {k}) must be Tensor, not {type(bad).__name__}")
    da, db = self._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(self, other)
    if da == 2 and db == 1:
        return mv(self, other)
    if da == 1 and db == 2:
        out = _squeeze_(mm(unsqueeze(self, 0), other), 0)
        out._vc = [1]  # PyTorch squeezes the product in place, which counts as a change
        return out
    if da == 2 and db == 2:
        return mm(self, other)
    if da >= 3 and db <= 2:
        # fold the batch into rows: one GEMM
        lead = self.shape[:-1]
        folded = self.reshape(math.prod(lead), self.shape[-1])
        if db == 1:
            return _unsafe_view(mv(folded, other), lead)
        return _unsafe_view(mm(folded, other), lead + (other.shape[-1],))
    a = self.unsqueeze(0) if da == 1 else self
    b = other.unsqueeze(-1) if db == 1 else other
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
    if b.shape[-2] != k:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{math.prod(batch)}, {k}] but got: [{math.prod(batch)}, {b.shape[-2]}].")
    count = math.prod(batch)  # not -1: a zero-sized batch has no size to infer
    a3 = a.expand(batch + (n, k)).reshape(count, n, k)
    b3 = b.expand(batch + (k, m)).reshape(count, k, m)
    out_shape = batch + ((n,) if da > 1 else ()) + ((m,) if db > 1 else ())
    return _unsafe_view(bmm(a3, b3), out_shape)


@op("TBackward0", self=lambda grad: grad.t(), view=True, raw={"self": lambda grad: grad.T})
def t(self):
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return self.T


# ---- shape ----------------------------------------------------------------------------------------------
@op("TransposeBackward0", view=True, self=lambda grad, dim0, dim1: grad.transpose(dim0, dim1),
    raw={"self": lambda grad, dim0, dim1: np.swapaxes(grad, dim0, dim1)})
def transpose(self, dim0, dim1):
    return np.swapaxes(self, wrap_dim(dim0, self.ndim), wrap_dim(dim1, self.ndim))


swapaxes = public(transpose, "swapaxes")


@op("PermuteBackward0", view=True, self=lambda grad, dims: grad.permute(tuple(np.argsort(
    [d % len(dims) for d in dims]).tolist())),
    raw={"self": lambda grad, dims: grad.transpose(np.argsort([d % len(dims) for d in dims]))})
def _permute(self, dims):
    if len(dims) != self.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {self.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    return np.transpose(self, tuple(wrap_dim(d, self.ndim) for d in dims))


@public
def permute(self, *dim_list, dims=None):  # dims=: PyTorch's keyword
    dims = _size(dim_list if dims is None else (dims,))
    if len({wrap_dim(d, self.ndim) for d in dims}) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permute(self, dims)


def _infer_shape(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


@op("ViewBackward0", view=True, raw=True, self=lambda grad, self_shape: grad.reshape(self_shape))
def _view(self, shape):
    shape = _infer_shape(shape, self.size)
    try:
        return self.reshape(shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.") from None


@op("UnsafeViewBackward0", raw=True, self=lambda grad, self_shape: grad.reshape(self_shape))
def _unsafe_view(self, shape):
    return np.reshape(self, _infer_shape(shape, self.size))


@public
def view(self, *shape, size=None):  # size=: PyTorch's keyword
    if size is not None:
        shape = (size,)
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        raise NotImplementedError("view(dtype) is not supported")
    return _view(self, _size(shape))


@public
def reshape(self, *sizes, shape=None):  # shape=: PyTorch's keyword
    shape = sizes if shape is None else (shape,)
    if self._data.flags.c_contiguous:  # always viewable: _view checks the shape
        return _view(self, _size(shape))
    shape = _infer_shape(_size(shape), self._data.size)
    try:
        self._data.reshape(shape, copy=False)
    except ValueError:
        return _unsafe_view(clone(self), shape)
    return _view(self, shape)


@public
def view_as(self, other):
    return view(self, other.shape)


@public
def reshape_as(self, other):
    return reshape(self, other.shape)


@op("ExpandBackward0", view=True, self=lambda grad, self_shape: sum_to(grad, self_shape),
    raw={"self": lambda grad, self_shape: sum_to_array(grad, self_shape)})
def _expand(self, size):
    lead = len(size) - self.ndim
    if -1 in size[:lead]:
        raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension "
                           f"{list(size[:lead]).index(-1)}")
    if lead < 0:
        kind = _dtype.LEGACY_NAMES[self.dtype.name]
        raise RuntimeError(f"expand(torch.{kind}Tensor{{[{', '.join(map(str, self.shape))}]}}, "
                           f"size=[{', '.join(map(str, size))}]): the number of sizes provided ({len(size)}) must be "
                           f"greater or equal to the number of dimensions in the tensor ({self.ndim})")
    target = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(size))
    strides = [0] * lead
    bad = None
    for i, (s, want) in enumerate(zip(self.shape, target[lead:])):
        if s == want:
            strides.append(self.strides[i])
        elif s == 1:
            strides.append(0)
        else:
            bad = i  # PyTorch names the last such dim
    if bad is not None:
        raise RuntimeError(f"The expanded size of the tensor ({target[bad + lead]}) must match the existing size "
                           f"({self.shape[bad]}) at non-singleton dimension {bad + lead}.  Target sizes: "
                           f"[{', '.join(map(str, size))}].  Tensor sizes: [{', '.join(map(str, self.shape))}]")
    return broadcast_view(self, target, tuple(strides))


def broadcast_view(arr, shape, strides):
    """A read-only view with zero strides: what np.broadcast_to does, at a tenth of its cost."""
    if not arr.flags.c_contiguous:
        return np.broadcast_to(arr, shape)
    view = np.ndarray(shape, arr.dtype, arr, 0, strides)
    view.flags.writeable = False
    return view


@public
def expand(self, *sizes, size=None):  # size=: PyTorch's keyword
    return _expand(self, _size(sizes if size is None else (size,)))


@public
def expand_as(self, other):
    return expand(self, other.shape)


@op("UnsqueezeBackward0", view=True, raw=True, self=lambda grad, dim: grad.squeeze(dim))
def unsqueeze(self, dim):
    return self[(slice(None),) * wrap_dim(dim, self.ndim + 1) + (None,)]  # a view; cheaper than reshape


def _unsqueezed_to(grad, self_shape, dims):
    """squeeze's gradient as PyTorch's (unsqueeze_to): unsqueezed at each of `dims`, ascending, that had size 1,
    so that it differentiates again through UnsqueezeBackward0 nodes. On arrays a reshape does the same."""
    if type(grad) is np.ndarray:
        return grad.reshape(self_shape)
    for d in dims:
        if self_shape[d] == 1:
            grad = unsqueeze(grad, d)
    return grad


@op("SqueezeBackward0", view=True, raw=True,
    self=lambda grad, self_shape: _unsqueezed_to(grad, self_shape, range(len(self_shape))))
def _squeeze_all(self):
    return np.squeeze(self)


@op("SqueezeBackward1", view=True, raw=True,
    self=lambda grad, self_shape, dim: _unsqueezed_to(grad, self_shape, wrap_dims(dim, len(self_shape))))
def _squeeze_dim(self, dim):
    d = wrap_dim(dim, self.ndim)
    return np.squeeze(self, d) if self.ndim and self.shape[d] == 1 else self


@op("SqueezeBackward2", view=True, raw=True,
    self=lambda grad, self_shape, dim: _unsqueezed_to(grad, self_shape, sorted(wrap_dims(dim, len(self_shape)))))
def _squeeze_dims(self, dim):
    dims = tuple(d for d in wrap_dims(dim, self.ndim) if self.shape[d] == 1)
    return np.squeeze(self, dims)


@op("SqueezeBackward4", raw=True, self=lambda grad, self_shape: grad.reshape(self_shape))
def _squeeze_(self, dim):  # the node PyTorch's matmul leaves with its in-place squeeze_: no view, its own tensor
    return self.squeeze(dim)


@public
def squeeze(self, dim=None):
    if dim is None:
        return _squeeze_all(self)
    if isinstance(dim, int):
        return _squeeze_dim(self, dim)
    return _squeeze_dims(self, dim)


@op("CloneBackward0", raw=True, self=lambda grad: grad)
def clone(self, *, memory_format=None):
    return self.copy()


@op("ToCopyBackward0", self=lambda grad: grad)
def _to_copy(self, dtype):
    return _dtype.cast(self, dtype.np)


@op("UnbindBackward0", view=True, outputs=-1,
    self=lambda grads, self_shape, dim: _unbind_backward(grads, self_shape, dim),
    raw={"self": lambda grads, self_shape, dim: _unbind_backward_raw(grads, self_shape, dim)})
def _unbind(self, dim=0):
    d = wrap_dim(dim, self.ndim)
    if self.ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return tuple(_to_front(self, d))


def _unbind_backward(grads, self_shape, dim):
    d = wrap_dim(dim, len(self_shape))
    n = self_shape[d]
    like = next(g for g in grads if g is not None)
    grads = list(grads) + [None] * (n - len(grads))
    return stack([g if g is not None else zeros_like(like) for g in grads], d)


def _unbind_backward_raw(grads, self_shape, dim):
    """_unbind_backward on arrays: one stacking of the gradients, zeros for the outputs that received none."""
    d = wrap_dim(dim, len(self_shape))
    like = next(g for g in grads if g is not None)
    zeros = np.zeros(like.shape, like.dtype)
    return _stacked([g if g is not None else zeros for g in grads] + [zeros] * (self_shape[d] - len(grads)), d)


@public
def unbind(self, dim=0):
    return _unbind(self, dim)


@op("StackBackward0", listed=True, tensors=lambda grad, dim: grad.unbind(dim),
    raw={"tensors": lambda grad, dim: _unstacked(grad, wrap_dim(dim, grad.ndim))})
def _stack(tensors, dim=0):
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    d = wrap_dim(dim, tensors[0].ndim + 1)
    try:
        return _stacked(tensors, d)
    except ValueError:  # the shapes differ: PyTorch's wording
        for i, a in enumerate(tensors[1:], 1):
            if a.shape != tensors[0].shape:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"[{', '.join(map(str, tensors[0].shape))}] at entry 0 and "
                                   f"[{', '.join(map(str, a.shape))}] at entry {i}") from None
        raise


@op("CatBackward0", listed=True, shown={"tensors_sym_sizes": None},  # PyTorch keeps their sizes, not them
    tensors=lambda grad, tensors_shape, dim: _cat_backward(grad, tensors_shape, dim),
    raw={"tensors": lambda grad, tensors_shape, dim: _cat_backward(grad, tensors_shape, dim)})
def _cat(tensors, dim=0):
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    kept = [a for a in tensors if not (a.ndim == 1 and a.shape[0] == 0)]  # PyTorch skips legacy empty 1-d
    if not kept:
        return tensors[0]
    ref = kept[0]
    d = wrap_dim(dim, ref.ndim)
    try:
        return np.concatenate(kept, d)
    except ValueError:  # NumPy refuses what PyTorch does: checked only then, for PyTorch's wording
        for i, a in enumerate(tensors):
            if a.ndim == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated") from None
        for i, a in enumerate(kept):
            if a.ndim != ref.ndim:
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}") from None
            for k in range(ref.ndim):
                if k != d and a.shape[k] != ref.shape[k]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                       f"{ref.shape[k]} but got size {a.shape[k]} for tensor number {i} in the "
                                       f"list.") from None
        raise


def _cat_backward(grad, shapes, dim):
    """Each input's slice of the gradient: Tensors, or views of an array as the raw formula."""
    raw = type(grad) is np.ndarray
    out, start = [], 0
    d = wrap_dim(dim, grad.ndim)
    cut = [slice(None)] * grad.ndim
    for shape in shapes:
        if shape == (0,) and grad.ndim != 1:  # a legacy empty input: its gradient is empty too
            empty = np.zeros(shape, grad.dtype if raw else grad._data.dtype)
            out.append(empty if raw else _op.Tensor._make(empty))
            continue
        n = shape[d]
        if raw:
            cut[d] = slice(start, start + n)
            out.append(grad[tuple(cut)])
        else:
            out.append(_slice(grad, d, start, start + n, 1))
        start += n
    return out


def _stacked(arrays, d):
    """np.stack(arrays, d) with less Python around its copy; a ValueError if the shapes differ. A new last dim takes
    np.array's stacking along the first and a transposed copy: concatenating along the last axis goes element by
    element."""
    if d == 0:
        return np.array(arrays)
    if d == arrays[0].ndim:
        return np.array(arrays).transpose((*range(1, d + 1), 0)).copy()
    key = (slice(None),) * d + (None,)
    return np.concatenate([a[key] for a in arrays], d)


def _unstacked(grad, d):
    """The raw gradients of stack's inputs: views of the gradient along the stacked dim."""
    return list(_to_front(grad, d))


def _to_front(a, d):
    """np.moveaxis(a, d, 0), without its Python overhead."""
    return a if d == 0 else a.transpose((d, *range(d), *range(d + 1, a.ndim)))


@public
def stack(tensors, dim=0):
    return _stack(tensors, dim)


@public
def cat(tensors, dim=0):
    return _cat(tensors, dim)


concat = concatenate = public(cat, "concat")
public(cat, "concatenate")


# ---- indexing -------------------------------------------------------------------------------------------
@op("SelectBackward0", view=True, self=lambda grad, self_shape, dim, index: _select_backward(
    grad, self_shape, dim, index),
    raw={"self": lambda grad, self_shape, dim, index: _select_backward.on_arrays(grad, self_shape, dim, index)})
def select(self, dim, index):
    d = wrap_dim(dim, self.ndim)
    n = self.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size [{', '.join(map(str, self.shape))}] "
                         f"at dimension {d}")
    return self[(slice(None),) * d + (index, Ellipsis)]  # Ellipsis: a view even when no dim is left


@op("SelectBackwardBackward0", self=lambda grad, dim, index: select(grad, dim, index))
def _select_backward(self, input_sizes, dim, index):
    out = np.zeros(input_sizes, dtype=self.dtype)
    out[(slice(None),) * wrap_dim(dim, len(input_sizes)) + (index,)] = self
    return out


@op("SliceBackward0", view=True, self=lambda grad, self_shape, dim, start, end, step: _slice_backward(
    grad, self_shape, dim, start, end, step),
    raw={"self": lambda grad, self_shape, dim, start, end, step: _slice_backward.on_arrays(
        grad, self_shape, dim, start, end, step)})
def _slice(self, dim, start=None, end=None, step=1):
    if step is not None and step <= 0:
        raise ValueError("step must be greater than zero")
    return self[(slice(None),) * wrap_dim(dim, self.ndim) + (slice(start, end, step),)]


@op("SliceBackwardBackward0", self=lambda grad, dim, start, end, step: _slice(grad, dim, start, end, step))
def _slice_backward(self, input_sizes, dim, start, end, step):
    out = np.zeros(input_sizes, dtype=self.dtype)
    out[(slice(None),) * wrap_dim(dim, len(input_sizes)) + (slice(start, end, step),)] = self
    return out


@op("AliasBackward0", view=True, raw=True, self=lambda grad: grad)
def _alias(self):
    return self.view()


def _index_tensors(key):
    """How PyTorch shows an advanced index: a tensor per indexed dim, None for a dim taken whole, none after the
    last tensor."""
    shown = [None if isinstance(k, slice) else constant(k) if isinstance(k, np.ndarray) else k for k in key]
    while shown and shown[-1] is None:
        shown.pop()
    return tuple(shown)


@op("IndexBackward0", nondiff=(), shown={"indices": ("key", _index_tensors), "key": None},
    self=lambda grad, self_shape, key: _index_backward(grad, self_shape, key))
def _index(self, key):
    try:
        return self[key]
    except IndexError as e:  # NumPy's "... indexing arrays ... shapes (2,) (3,) " in PyTorch's words
        shapes = re.findall(r"\(([\d, ]*)\)", str(e))
        if not str(e).startswith("shape mismatch: indexing arrays") or not shapes:
            raise
        shown = ", ".join("[" + ", ".join(d for d in (x.strip() for x in s.split(",")) if d) + "]" for s in shapes)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes {shown}") \
            from None


@op("IndexPutBackward0", self=lambda grad, key: _index(grad, key))
def _index_backward(self, input_sizes, key):
    out = np.zeros(input_sizes, dtype=self.dtype)
    np.add.at(out, key, self)
    return out


def constant(arr):
    """A NumPy array (or number) as a tensor outside any graph: the masks and coefficients of formulas."""
    return _op.Tensor._make(np.asarray(arr))


def no_derivative(name):  # PyTorch's generic NotImplemented node (no formula in derivatives.yaml)
    raise RuntimeError(f"derivative for aten::{name} is not implemented")


def _raw(x):
    return x._data if isinstance(x, _op.Tensor) else x


def zeros_like(t, dtype=None):
    from .._creation import zeros_like as z
    return z(t, dtype=dtype)


def zeros(shape, dtype=None):
    from .._creation import zeros as z
    return z(shape, dtype=dtype)


@public
def nonzero(self, *, as_tuple=False):
    Tensor = _op.Tensor
    arr = self._data
    if as_tuple:  # NOTE: PyTorch treats a 0-d tensor as 1-d here
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(arr)))
    if not arr.ndim:  # one row with no columns when the value is nonzero
        return Tensor._make(np.zeros((int(bool(arr)), 0), np.int64))
    return Tensor._make(np.stack(np.nonzero(arr), 1).astype(np.int64))

"""Pointwise ops of the table (see derivatives.py for the core and op.py for the format).

Formulas follow PyTorch's derivatives.yaml, including its choices at kinks (maximum's ties split the
gradient in halves, fmax's ties go to `self`, clamp's bounds pass the gradient, rounding ops have zero
gradient). Integer inputs keep PyTorch's dtypes: transcendental functions give the default float dtype,
rounding ops and integer arithmetic stay integer.
"""
import math

import numpy as np

from . import derivatives as D
from .derivatives import _where, reject as _reject, zeros_like
from .op import INPLACE, broadcast_shapes, op, public
from .. import _dtype
from .._dtype import C_NAMES, LEGACY_NAMES
from .._tensor import Tensor

_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
_NOT_IMPLEMENTED = "torch::autograd::NotImplemented"  # PyTorch's node for ops with no derivative formula

# PyTorch's names for dtypes in kernel errors ("not implemented for 'Long'") and in C++ checks ("long int").


# ---- argument checks with PyTorch's wording ---------------------------------------------------------------
def _check_tensor(fn, value, name="input", position=1):
    if type(value) is not np.ndarray and not isinstance(value, Tensor):  # (arrays in a forward, Tensors as given)
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def _check_tensors(fn, self, other):
    _check_tensor(fn, self)
    _check_tensor(fn, other, "other", 2)


def _two_tensors(fn):
    """`check=` for ops PyTorch takes on two Tensors only: the arguments as given are named (a bool is a bool,
    where promotion would have made it an int by the time the forward checks)."""
    return lambda self, other: _check_tensors(fn, self, other)


def _common_dtype(*values):
    """The result dtype of arrays and Python numbers (weak, as in PyTorch: numbers only lift the kind)."""
    return np.result_type(*[v for v in values if v is not None])


def _type_label(value):
    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


def _scalar_or_tensor_error(fn, self, other):
    """The error for fn(number, number) of ops with Tensor-Tensor, Number-Tensor and Tensor-Number overloads."""
    got = (type(self).__name__, type(other).__name__)
    return D.invalid_combination(fn, got, [
        "(Tensor input, Tensor other, *, Tensor out = None)",
        f"(Number self, Tensor other)\n      didn't match because some of the arguments have invalid types: "
        f"(!{got[0]}!, !{got[1]}!)",
        "(Tensor input, Number other, *, Tensor out = None)"])


def _check_integer_division(self, other):
    if _common_dtype(self, other).kind in "iu" and np.any(np.asarray(other) == 0):
        raise RuntimeError("ZeroDivisionError")


# ---- erf, erfc, erfinv in NumPy ---------------------------------------------------------------------------
# NOTE [erf without SciPy]: |x| < 1 sums the Maclaurin series; beyond, erfc comes from Laplace's continued
# fraction evaluated bottom-up, and exp(-x*x) is taken without the rounding error of x*x. Both stay within a
# few float64 ulps of the C library's erf/erfc that PyTorch calls. float32 inputs are computed in float64.
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_ONE_OVER_SQRT_PI = 1 / math.sqrt(math.pi)
_MACLAURIN = [(-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(22)]  # last term < 1e-20 on |x| < 1
# Depth of the continued fraction that converges to double precision from each lower bound of x.
_CF_DEPTH = ((1.0, 200), (1.5, 100), (2.0, 60), (3.0, 32), (6.0, 16))


def _exp_neg_square(x):
    """exp(-x*x) with x = hi + lo split so that hi*hi is exact: x*x = hi*hi + lo*(x + hi)."""
    x = np.minimum(x, 40.0)  # exp(-1600) is 0 already; keeps hi finite
    hi = x.astype(np.float32).astype(np.float64)
    return np.exp(-hi * hi) * np.exp(-(x - hi) * (x + hi))


def _erf_series(x):
    z = x * x
    acc = np.full_like(x, _MACLAURIN[-1])
    for c in _MACLAURIN[-2::-1]:  # Horner, in place
        acc *= z
        acc += c
    acc *= x
    acc *= _TWO_OVER_SQRT_PI
    return acc


def _erfc_fraction(x):
    """erfc(x) for x >= 1: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...))))."""
    out = np.empty_like(x)
    lows = [low for low, _ in _CF_DEPTH]
    for (low, depth), high in zip(_CF_DEPTH, lows[1:] + [None]):
        band = (x >= low) & (x < high) if high is not None else x >= low
        if band.any():
            a = x[band]
            t = a.copy()
            for n in range(depth, 0, -1):  # t = a + (n/2) / t, in place
                np.divide(0.5 * n, t, out=t)
                t += a
            out[band] = _exp_neg_square(a) * _ONE_OVER_SQRT_PI / t
    return out


# erf itself needs no continued fraction (absolute accuracy is what erf near 1 needs): around each centre
# c = k/32 up to 6 it is a Taylor polynomial in d = |x| - c, |d| <= 1/64, with the coefficients erf^(n)(c) / n! that
# erf^(n) = 2/sqrt(pi) (-1)^(n-1) H_(n-1) exp(-x^2) gives (H: physicists' Hermite polynomials); past 6, erf is 1
# in float64. Around c = 0 it is the Maclaurin series, exact to the last bit near 0; elsewhere d is exact, as
# c/2 <= |x| <= 2c. Nine terms stay within 2 ulps of the correctly rounded erf in float64; six, within 3e-12,
# what a float32 result needs (over 500k values, all rounded as the correctly rounded erf). The terms are gathered
# per element from one table (1/4-wide intervals with 14 terms took 2.6x as long).
_ERF_STEP = 1 / 32
_ERF_LIMIT = 6.0
_ERF_TERMS = {8: 9, 4: 6, 2: 6}  # by the result's itemsize: float64, float32, float16
_ERF_BLOCK = 1 << 14  # elements: the kernel's five float64 temporaries stay in a 1 MiB cache


def _erf_table(terms):
    """The polynomials' coefficients, [n, k]: erf^(n)(k / 32) / n!."""
    columns = []
    for k in range(int(_ERF_LIMIT / _ERF_STEP) + 1):
        c = k * _ERF_STEP
        scale = _TWO_OVER_SQRT_PI * math.exp(-c * c)
        coefficients = [math.erf(c)]
        hermite_before, hermite, factorial = 0.0, 1.0, 1.0  # H_(n-2), H_(n-1), n!
        for n in range(1, terms):
            factorial *= n
            coefficients.append(scale * (-1) ** (n - 1) * hermite / factorial)
            hermite_before, hermite = hermite, 2 * c * hermite - 2 * (n - 1) * hermite_before
        columns.append(coefficients)
    return np.array(columns).T.copy()


def _erf_kernel(table):
    def erf_into(out, x):
        """erf(x) into `out`, of x's float dtype, computed in float64; NaN stays NaN (through d), +-inf gives +-1
        (as |x| = 6)."""
        a = np.abs(x, dtype=np.float64)
        np.minimum(a, _ERF_LIMIT, out=a)
        nearest = np.rint(a * (1 / _ERF_STEP))
        k = nearest.astype(np.intp)  # (NaN casts to anything: take clips it)
        np.multiply(nearest, _ERF_STEP, out=nearest)
        d = np.subtract(a, nearest, out=a)
        acc = table[-1].take(k, mode="clip")
        for row in table[-2::-1]:  # Horner
            acc *= d
            acc += row.take(k, mode="clip")
        np.copysign(acc, x, out=out)
    return erf_into


_ERF_KERNELS = {size: _erf_kernel(_erf_table(terms)) for size, terms in _ERF_TERMS.items()}


def _erf_np(x):
    """erf of a float array, computed in float64 to the precision x's dtype needs, in x's dtype."""
    flat = np.ascontiguousarray(x).reshape(-1)  # (0-d: NumPy's arithmetic would give scalars, which take no out=)
    out = D.by_blocks(_ERF_KERNELS[x.dtype.itemsize], np.empty_like(flat), flat, least=_ERF_BLOCK, block=_ERF_BLOCK)
    return out.reshape(x.shape)


def _erf64(x):
    return _erf_np(np.asarray(x, np.float64))


def _erfc64(x):
    out = np.empty_like(x)
    right, left = x >= 1.0, x <= -1.0
    out[right] = _erfc_fraction(x[right])
    out[left] = 2.0 - _erfc_fraction(-x[left])
    middle = ~(right | left)  # NaN included
    out[middle] = 1.0 - _erf_series(x[middle])
    return out


# PyTorch's calc_erfinv: a rational first guess (central part |y| <= 0.7, and the tails), then two Newton steps.
_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def _erfinv64(y):
    a, b, c, d = _ERFINV_A, _ERFINV_B, _ERFINV_C, _ERFINV_D
    ay = np.abs(y)
    z = y * y
    central = y * (((a[3] * z + a[2]) * z + a[1]) * z + a[0]) / ((((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1)
    w = np.sqrt(-np.log((1.0 - np.minimum(ay, 1.0)) / 2.0))
    tail = np.copysign(((c[3] * w + c[2]) * w + c[1]) * w + c[0], y) / ((d[1] * w + d[0]) * w + 1)
    x = np.where(ay <= 0.7, central, tail)
    inside = ay < 1.0
    xi, yi = x[inside], y[inside]
    ai = ay[inside]
    near_one = ai > 0.5
    far = ~near_one
    gap = 1.0 - ai[near_one]  # exact for |y| > 0.5
    sign = np.sign(yi[near_one])
    residual = np.empty_like(xi)
    for _ in range(2):
        # NOTE: near |y| = 1 the residual is (1 - |y|) - erfc(|x|): where erf(x) - y would only see the last
        # bits of erf(x) ~ 1, this keeps the root accurate.
        axi = np.abs(xi)
        residual[near_one] = sign * (gap - _erfc64(axi[near_one]))
        residual[far] = _erf64(xi[far]) - yi[far]
        xi = xi - residual / (_TWO_OVER_SQRT_PI * _exp_neg_square(axi))
    x[inside] = xi
    x[ay == 1.0] = np.copysign(np.inf, y[ay == 1.0])
    x[ay > 1.0] = np.nan
    return x


def _no_complex(kernel, fn):
    """fn, refusing complex input as PyTorch does, which has no `kernel` for complex dtypes."""
    def run(x):
        _reject(kernel, x.dtype, "c")
        return fn(x)
    return run


def _in_float64(fn):
    def run(x):
        return fn(np.asarray(x, dtype=np.float64)).astype(x.dtype, copy=False)
    return run


# ---- unary functions: integer inputs give the default float dtype ------------------------------------------
def _float_unary(name, grad_fn, fn, **formula):
    def forward(self):
        _check_tensor(name, self)
        with np.errstate(all="ignore"):  # out-of-domain inputs give nan/inf quietly, as in PyTorch
            return fn(self)
    forward.__name__ = forward.__qualname__ = name
    return public(op(grad_fn, float_op=True, **formula)(forward))  # public: made in a factory


exp2 = _float_unary("exp2", "Exp2Backward0", np.exp2, self=lambda grad, result: grad * result * _LN2)
expm1 = _float_unary("expm1", "Expm1Backward0", np.expm1, self=lambda grad, result: grad * (result + 1))
log2 = _float_unary("log2", "Log2Backward0", np.log2, self=lambda grad, self: grad / (self * _LN2))
log10 = _float_unary("log10", "Log10Backward0", np.log10, self=lambda grad, self: grad / (self * _LN10))
log1p = _float_unary("log1p", "Log1PBackward0", np.log1p, self=lambda grad, self: grad / (self + 1))
rsqrt = _float_unary("rsqrt", "RsqrtBackward0", lambda x: np.reciprocal(np.sqrt(x)),
                     self=lambda grad, result: -0.5 * grad * D.pow(result, 3))
sin = _float_unary("sin", "SinBackward0", np.sin, self=lambda grad, self: grad * cos(self))
cos = _float_unary("cos", "CosBackward0", np.cos, self=lambda grad, self: grad * -sin(self))
tan = _float_unary("tan", "TanBackward0", np.tan, self=lambda grad, result: grad * (1 + D.pow(result, 2)))
asin = _float_unary("asin", "AsinBackward0", np.arcsin, self=lambda grad, self: grad * rsqrt(-self * self + 1))
acos = _float_unary("acos", "AcosBackward0", np.arccos, self=lambda grad, self: grad * -rsqrt(-self * self + 1))
atan = _float_unary("atan", "AtanBackward0", np.arctan, self=lambda grad, self: grad / (self * self + 1))
sinh = _float_unary("sinh", "SinhBackward0", np.sinh, self=lambda grad, self: grad * cosh(self))
cosh = _float_unary("cosh", "CoshBackward0", np.cosh, self=lambda grad, self: grad * sinh(self))
asinh = _float_unary("asinh", "AsinhBackward0", np.arcsinh,
                     self=lambda grad, self: grad * rsqrt(D.pow(self, 2) + 1))
acosh = _float_unary("acosh", "AcoshBackward0", np.arccosh,
                     self=lambda grad, self: grad * rsqrt(D.pow(self, 2) - 1))
atanh = _float_unary("atanh", "AtanhBackward0", np.arctanh, self=lambda grad, self: grad * 1 / (1 - D.pow(self, 2)))
erf = _float_unary("erf", "ErfBackward0", _no_complex("erf_vml_cpu", _erf_np),
                   self=lambda grad, self: _TWO_OVER_SQRT_PI * D.exp(-D.pow(self, 2)) * grad)
erfc = _float_unary("erfc", "ErfcBackward0", _no_complex("erfc_vml_cpu", _in_float64(_erfc64)),
                    self=lambda grad, self: -_TWO_OVER_SQRT_PI * D.exp(-D.pow(self, 2)) * grad)
erfinv = _float_unary("erfinv", "ErfinvBackward0", _no_complex("erfinv_vml_cpu", _in_float64(_erfinv64)),
                      self=lambda grad, self: 0.5 * math.sqrt(math.pi) * D.exp(D.pow(erfinv(self), 2)) * grad)

arcsin, arccos, arctan = public(asin, "arcsin"), public(acos, "arccos"), public(atan, "arctan")
arcsinh, arccosh, arctanh = public(asinh, "arcsinh"), public(acosh, "arccosh"), public(atanh, "arctanh")


@public
def square(self):
    if not isinstance(self, Tensor):
        _check_tensor("square", self)
    return D.pow(self, 2)  # PyTorch's square is pow(self, 2): PowBackward0, and bool/int stay integer


def _logit_backward(grad, self, eps):
    # NOTE: PyTorch's infinitely differentiable form: nan outside [0, 1], or 0 outside [eps, 1 - eps].
    lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
    inside = logical_and(self >= lo, self <= hi)
    return _where(inside, grad / (self * (1.0 - self)), float("nan") if eps is None else 0.0)


@op("LogitBackward0", float_op=True, self=lambda grad, self, eps: _logit_backward(grad, self, eps))
def logit(self, eps=None):
    _check_tensor("logit", self)
    _reject("logit_cpu", self.dtype, "c")
    if eps is not None:
        lo = self.dtype.type(eps)
        self = np.where(self < lo, lo, np.where(self > 1 - lo, 1 - lo, self))
    with np.errstate(all="ignore"):
        return np.log(self / (1 - self))


@op("SgnBackward0", self=lambda grad: zeros_like(grad))  # NOTE: PyTorch's zero gradient for real inputs
def sgn(self):
    _check_tensor("sgn", self)
    if self.dtype == np.bool_:
        return self.copy()
    out = np.sign(self)
    return np.where(np.isnan(out), 0, out).astype(self.dtype, copy=False) if self.dtype.kind == "f" else out


# ---- rounding: integers pass through, gradients are zero -----------------------------------------------------
def _rounding(name, kernel, fn, self):
    _check_tensor(name, self)
    _reject(kernel, self.dtype, "b")
    if name == "round":
        _reject(kernel, self.dtype, "c")
    D.refuse_complex(self.dtype, f"{name} is not supported for complex inputs", NotImplementedError)
    return self.copy() if self.dtype.kind in "iu" else fn(self)


@op("FloorBackward0", self=lambda grad: zeros_like(grad))
def floor(self):
    return _rounding("floor", "floor_vml_cpu", np.floor, self)


@op("CeilBackward0", self=lambda grad: zeros_like(grad))
def ceil(self):
    return _rounding("ceil", "ceil_vml_cpu", np.ceil, self)


@op("TruncBackward0", self=lambda grad: zeros_like(grad))
def trunc(self):
    return _rounding("trunc", "trunc_vml_cpu", np.trunc, self)


fix = public(trunc, "fix")


@op("RoundBackward0", self=lambda grad: zeros_like(grad))
def _round(self):
    return _rounding("round", "round_vml_cpu", np.rint, self)  # NOTE: halves to even, as PyTorch


@op("RoundBackward1", self=lambda grad: zeros_like(grad))
def _round_decimals(self, decimals):
    _check_tensor("round", self)
    _reject("round_vml_cpu" if decimals == 0 else "round_cpu", self.dtype, "biu")
    scale = self.dtype.type(10.0 ** abs(decimals))
    return np.rint(self * scale) / scale if decimals >= 0 else np.rint(self / scale) * scale


class _Unset(int):
    """The default of round's `decimals`: equal to 0, but tells round() from round(decimals=0), which are
    different overloads in PyTorch (RoundBackward0 / RoundBackward1)."""
    def __repr__(self):
        return "0"


_DECIMALS_UNSET = _Unset(0)


@public
def round(self, *, decimals=_DECIMALS_UNSET):
    if decimals is _DECIMALS_UNSET:
        return _round(self)
    return _round_decimals(self, decimals)


@op("FracBackward0", self=lambda grad: grad)
def frac(self):
    _check_tensor("frac", self)
    _reject("frac_cpu", self.dtype, "biuc")
    return self - np.trunc(self)


@op("NanToNumBackward0", self=lambda grad, self: grad * isfinite(self))
def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
    _check_tensor("nan_to_num", self)
    if self.dtype.kind != "f":
        return self.copy()
    return np.nan_to_num(self, nan=nan, posinf=posinf, neginf=neginf)


# ---- predicates: bool results, no gradient ------------------------------------------------------------------
@op(nondiff=("self",))
def isnan(self):
    return np.isnan(self) if self.dtype.kind == "f" else np.zeros(self.shape, bool)


@op(nondiff=("self",))
def isinf(self):
    return np.isinf(self) if self.dtype.kind == "f" else np.zeros(self.shape, bool)


@op(nondiff=("self",))
def isfinite(self):
    return np.isfinite(self) if self.dtype.kind == "f" else np.ones(self.shape, bool)


@op(nondiff=("self",))
def isposinf(self):
    return np.isinf(self) & (self > 0) if self.dtype.kind == "f" else np.zeros(self.shape, bool)


@op(nondiff=("self",))
def isneginf(self):
    return np.isinf(self) & (self < 0) if self.dtype.kind == "f" else np.zeros(self.shape, bool)


# ---- division-like: floor_divide, remainder, fmod -----------------------------------------------------------
@op(_NOT_IMPLEMENTED, promote=True, self=lambda grad: D.no_derivative("floor_divide"),
    other=lambda grad: D.no_derivative("floor_divide"))
def floor_divide(self, other):
    if type(self) is not np.ndarray and type(other) is not np.ndarray:
        raise _scalar_or_tensor_error("floor_divide", self, other)
    _reject("div_floor_cpu", _common_dtype(self, other), "bc")
    _check_integer_division(self, other)
    with np.errstate(all="ignore"):
        return np.floor_divide(self, other)


def _float_remainder(self, other):
    # PyTorch's kernel: fmod, then moved into the divisor's sign (NumPy also signs a zero result).
    mod = np.fmod(self, other)
    return np.where((mod != 0) & ((other < 0) != (mod < 0)), mod + other, mod)


def _remainder_forward(self, other):
    _reject("remainder_cpu", _common_dtype(self, other), "bc")
    _check_integer_division(self, other)
    with np.errstate(all="ignore"):
        if _common_dtype(self, other).kind == "f":
            return _float_remainder(self, other)
        return np.remainder(self, other)


@op("RemainderBackward0", promote=True, nondiff=("other",), self=lambda grad: grad)
def _remainder_scalar(self, other):
    return _remainder_forward(self, other)


@op("RemainderBackward1", promote=True, self=lambda grad: grad,
    other=lambda grad, self, other: -grad * D.div(self, other, rounding_mode="floor"))
def _remainder_tensor(self, other):
    return _remainder_forward(self, other)


@op(_NOT_IMPLEMENTED, promote=True, nondiff=("self",), other=lambda grad: D.no_derivative("remainder"))
def _remainder_number_tensor(self, other):
    return _remainder_forward(self, other)


@public
def remainder(self, other):
    if isinstance(self, Tensor):
        return _remainder_tensor(self, other) if isinstance(other, Tensor) else _remainder_scalar(self, other)
    if isinstance(other, Tensor):
        return _remainder_number_tensor(self, other)
    raise _scalar_or_tensor_error("remainder", self, other)


def _fmod_forward(self, other):
    _reject("fmod_cpu", _common_dtype(self, other), "bc")
    _check_integer_division(self, other)
    with np.errstate(all="ignore"):
        return np.fmod(self, other)


@op("FmodBackward0", promote=True, nondiff=("other",), self=lambda grad: grad)
def _fmod_scalar(self, other):
    return _fmod_forward(self, other)


@op("FmodBackward1", promote=True, self=lambda grad: grad,
    other=lambda grad, self, other: -grad * D.div(self, other, rounding_mode="trunc"))
def _fmod_tensor(self, other):
    return _fmod_forward(self, other)


@public
def fmod(self, other):
    if not isinstance(self, Tensor):
        raise D.invalid_combination("fmod", (type(self).__name__, _type_label(other)), [
            "(Tensor input, Tensor other, *, Tensor out = None)",
            "(Tensor input, Number other, *, Tensor out = None)"])
    return _fmod_tensor(self, other) if isinstance(other, Tensor) else _fmod_scalar(self, other)


# ---- binary functions of two tensors -------------------------------------------------------------------------
def _atan2_grads(grad, self, other):
    """On Tensors, or on arrays as raw formulas."""
    denom = self * self + other * other
    if type(denom) is np.ndarray:
        recip = np.where(denom == 0, 0, np.reciprocal(denom))
    else:
        recip = _where(denom == 0, 0.0, D.reciprocal(denom))  # NOTE: zero gradient at the origin, as PyTorch
    return grad * other * recip, grad * -self * recip


@op("Atan2Backward0", promote=True, check=_two_tensors("atan2"), float_op=True, raw=True,
    self=lambda grad, self, other: _atan2_grads(grad, self, other)[0],
    other=lambda grad, self, other: _atan2_grads(grad, self, other)[1])
def atan2(self, other):
    _check_tensors("atan2", self, other)
    _reject("atan2_cpu", np.result_type(self, other), "c")
    return np.arctan2(self, other)


@public
def arctan2(self, other):
    for value, name, position in ((self, "input", 1), (other, "other", 2)):
        if not isinstance(value, Tensor):
            _check_tensor("arctan2", value, name, position)
    return atan2(self, other)


# NOTE: maximum/minimum split the gradient in halves where self == other; fmax/fmin give it all to self.
@op("MaximumBackward0", promote=True, check=_two_tensors("maximum"),
    self=lambda grad, self, other: _where(self < other, 0.0, _where(self == other, grad / 2, grad)),
    other=lambda grad, self, other: _where(self > other, 0.0, _where(self == other, grad / 2, grad)))
def maximum(self, other):
    _check_tensors("maximum", self, other)
    D.refuse_complex(np.result_type(self, other), "maximum not implemented for complex tensors.")
    return np.maximum(self, other)


@op("MinimumBackward0", promote=True, check=_two_tensors("minimum"),
    self=lambda grad, self, other: _where(self > other, 0.0, _where(self == other, grad / 2, grad)),
    other=lambda grad, self, other: _where(self < other, 0.0, _where(self == other, grad / 2, grad)))
def minimum(self, other):
    _check_tensors("minimum", self, other)
    D.refuse_complex(np.result_type(self, other), "minimum not implemented for complex tensors.")
    return np.minimum(self, other)


@op("FmaxBackward0", promote=True, check=_two_tensors("fmax"),
    self=lambda grad, self, other: _where(logical_or(self >= other, isnan(other)), grad, 0.0),
    other=lambda grad, self, other: _where(logical_or(self >= other, isnan(other)), 0.0, grad))
def fmax(self, other):
    _check_tensors("fmax", self, other)
    D.refuse_complex(np.result_type(self, other), "fmax not implemented for complex tensors.")
    return np.fmax(self, other)


@op("FminBackward0", promote=True, check=_two_tensors("fmin"),
    self=lambda grad, self, other: _where(logical_or(self <= other, isnan(other)), grad, 0.0),
    other=lambda grad, self, other: _where(logical_or(self <= other, isnan(other)), 0.0, grad))
def fmin(self, other):
    _check_tensors("fmin", self, other)
    D.refuse_complex(np.result_type(self, other), "fmin not implemented for complex tensors.")
    return np.fmin(self, other)


@op("HypotBackward0", promote=True, check=_two_tensors("hypot"),
    self=lambda grad, self, result: grad * self / result,
    other=lambda grad, other, result: grad * other / result)
def hypot(self, other):
    _check_tensors("hypot", self, other)
    _reject("hypot_cpu", self.dtype, "biuc")
    return np.hypot(self, other)


@op("LogaddexpBackward0", promote=True, check=_two_tensors("logaddexp"),
    self=lambda grad, self, other: grad / (1 + D.exp(other - self)),
    other=lambda grad, self, other: grad / (1 + D.exp(self - other)))
def logaddexp(self, other):
    _check_tensors("logaddexp", self, other)
    _reject("logaddexp_cpu", self.dtype, "biu")
    with np.errstate(all="ignore"):
        return np.logaddexp(self, other)


# ---- lerp, addcmul, addcdiv ---------------------------------------------------------------------------------
def _lerp_forward(self, end, weight):
    # PyTorch's two-sided formula: exact at both ends, weight 0 gives self and weight 1 gives end.
    if np.ndim(weight) == 0:  # one side for all (NaN takes the second, as np.where would)
        return self + weight * (end - self) if abs(weight) < 0.5 else end - (end - self) * (1 - weight)
    small = np.abs(weight) < 0.5
    return np.where(small, self + weight * (end - self), end - (end - self) * (1 - weight))


@op("LerpBackward0", nondiff=("weight",), raw=True, self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight)
def _lerp_scalar(self, end, weight):
    _reject("lerp_kernel_scalar", self.dtype, "biu")
    return _lerp_forward(self, end, self.dtype.type(weight))


@op("LerpBackward1", raw=True, self=lambda grad, weight: grad * (1 - weight), end=lambda grad, weight: grad * weight,
    weight=lambda grad, self, end: grad * (end - self))
def _lerp_tensor(self, end, weight):
    _reject("lerp_kernel_tensor", self.dtype, "biu")
    return _lerp_forward(self, end, weight.astype(self.dtype, copy=False))


@public
def lerp(self, end, weight):
    if not isinstance(self, Tensor) or not isinstance(end, Tensor):
        raise D.invalid_combination("lerp", [_type_label(v) for v in (self, end, weight)], [
            "(Tensor input, Tensor end, Tensor weight, *, Tensor out = None)",
            "(Tensor input, Tensor end, Number weight, *, Tensor out = None)"])
    dt = self.dtype
    if end.dtype != dt:
        raise RuntimeError(f"expected dtype {C_NAMES[dt.name]} for `end` but got dtype {C_NAMES[end.dtype.name]}")
    broadcast_shapes(self.shape, end.shape, *([weight.shape] if isinstance(weight, Tensor) else []))  # its error
    if not isinstance(weight, Tensor):
        return _lerp_scalar(self, end, weight)
    if weight.dtype != dt and weight.ndim:  # a 0-d weight may have any dtype
        raise RuntimeError(f"expected dtype {C_NAMES[dt.name]} for `weight` but got dtype "
                           f"{C_NAMES[weight.dtype.name]}")
    return _lerp_tensor(self, end, weight)


@op("AddcmulBackward0", promote=True, self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * (tensor2 * value),
    tensor2=lambda grad, tensor1, value: grad * (tensor1 * value))
def addcmul(self, tensor1, tensor2, *, value=1):
    _check_tensor("addcmul", self)
    dt = _common_dtype(self, tensor1, tensor2)
    return self + dt.type(value) * tensor1 * tensor2  # value is cast to the result's dtype, as PyTorch


@op("AddcdivBackward0", promote=True, self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * (value / tensor2),
    tensor2=lambda grad, tensor1, tensor2, value: -grad * (value * tensor1 / (tensor2 * tensor2)))
def _addcdiv(self, tensor1, tensor2, value=1):
    with np.errstate(all="ignore"):
        return self + _common_dtype(self, tensor1, tensor2).type(value) * tensor1 / tensor2


@public
def addcdiv(self, tensor1, tensor2, *, value=1):
    if not isinstance(self, Tensor):
        _check_tensor("addcdiv", self)
    if all(isinstance(t, Tensor) and not t.dtype.is_floating_point for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
            "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
            "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
            "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return _addcdiv(self, tensor1, tensor2, value)


# ---- clamp with tensor bounds -------------------------------------------------------------------------------
def _clamp_self_grad(grad, self, min, max):
    if min is not None and max is not None:
        inside = logical_and(self >= min, self <= max)
    else:
        inside = self >= min if min is not None else self <= max
    return _where(inside, grad, 0.0)  # NOTE: at a bound the gradient passes to self, as PyTorch


def _clamp_min_grad(grad, self, min, max):
    moved = self < min if max is None else logical_and(self < min, min < max)
    return _where(moved, grad, 0.0)


def _clamp_max_grad(grad, self, min, max):
    moved = self > max if min is None else logical_or(self > max, max < min)  # max wins where max < min
    return _where(moved, grad, 0.0)


@op("ClampBackward0", promote=True, self=_clamp_self_grad, min=_clamp_min_grad, max=_clamp_max_grad)
def _clamp_tensor(self, min=None, max=None):
    D.refuse_complex(self.dtype, *D._CLAMP_COMPLEX)
    out = self
    if min is not None:
        out = np.maximum(out, min)
    if max is not None:
        out = np.minimum(out, max)
    return out


_clamp_number = D._clamp_number  # the core entry: Number bounds, ClampBackward1


@public
def clamp(self, min=None, max=None):
    """Clamp to [min, max]; bounds are both numbers (ClampBackward1) or tensors (ClampBackward0, which
    differentiates the bounds too)."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if not all(b is None or isinstance(b, Tensor) for b in (min, max)):
            raise D.invalid_combination("clamp", [_type_label(v) for v in (self, min, max)], [
                "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
                "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)"])
        return _clamp_tensor(self, min, max)
    return _clamp_number(self, min, max)


clip = public(clamp, "clip")


# ---- closeness and equality ----------------------------------------------------------------------------------
def _g(x):
    return f"{x:g}"  # how C++ streams print a double


@op(nondiff=("self", "other"))
def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_tensors("isclose", self, other)
    if self.dtype != other.dtype:
        raise RuntimeError(f"{LEGACY_NAMES[self.dtype.name]} did not match {LEGACY_NAMES[other.dtype.name]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {_g(rtol)}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {_g(atol)}")
    broadcast_shapes(self.shape, other.shape)
    close = self == other
    if equal_nan and self.dtype.kind == "f":
        close |= np.isnan(self) & np.isnan(other)
    if rtol == 0 and atol == 0:
        return close
    # Computed in the inputs' float dtype (integers: the default float dtype), as PyTorch.
    ft = self.dtype if self.dtype.kind == "f" else _dtype.get_default_dtype().np
    with np.errstate(all="ignore"):
        allowed = ft.type(atol) + np.abs(ft.type(rtol) * other.astype(ft))
        actual = np.abs(self - other).astype(ft) if self.dtype.kind != "b" else np.abs(
            self.astype(ft) - other.astype(ft))
        return close | (np.isfinite(actual) & (actual <= allowed))


@public
def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(self, other, rtol, atol, equal_nan)._data.all())


@public
def equal(self, other):
    for value, name, position in ((self, "input", 1), (other, "other", 2)):
        if not isinstance(value, Tensor):
            _check_tensor("equal", value, name, position)
    return self._data.shape == other._data.shape and bool(np.array_equal(self._data, other._data))


# ---- logical and bitwise ------------------------------------------------------------------------------------
def _logical(np_fn, name):
    def forward(self, other):
        _check_tensors(name, self, other)
        return np_fn(self, other)
    forward.__name__ = forward.__qualname__ = name
    # promote: PyTorch's broadcast errors
    return public(op(promote=True, nondiff=("self", "other"), check=_two_tensors(name))(forward))


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


@op(nondiff=("self",))
def logical_not(self):
    _check_tensor("logical_not", self)
    return np.logical_not(self)


def _bitwise(np_fn, name, kernel, rejected):
    def forward(self, other):
        if type(self) is not np.ndarray and type(other) is not np.ndarray:
            raise _scalar_or_tensor_error(name, self, other)
        _reject(kernel, _common_dtype(self, other), rejected)
        return np_fn(self, other)
    forward.__name__ = forward.__qualname__ = name
    return public(op(promote=True, nondiff=("self", "other"))(forward))


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "bitwise_and_cpu", "fc")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "bitwise_or_cpu", "fc")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "bitwise_xor_cpu", "fc")
# NOTE: shifts by a negative amount or by the bit width or more give 0 (>>: the sign), in NumPy as in PyTorch.
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift", "lshift_cpu", "bfc")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift", "rshift_cpu", "bfc")


@op(nondiff=("self",))
def bitwise_not(self):
    _check_tensor("bitwise_not", self)
    _reject("bitwise_not_cpu", self.dtype, "fc")
    return np.invert(self)


# ---- more of PyTorch's pointwise functions and aliases ----------------------------------------------------
@op("ClampMinBackward0", promote=True, nondiff=("min",), self=lambda grad, self, min: _where(self >= min, grad, 0.0))
def _clamp_min_number(self, min):
    return np.maximum(self, min)


@op("ClampMinBackward1", promote=True, self=lambda grad, self, min: _where(self >= min, grad, 0.0),
    min=lambda grad, self, min: _where(self < min, grad, 0.0))
def _clamp_min_tensor(self, min):
    return np.maximum(self, min)


@op("ClampMaxBackward0", promote=True, nondiff=("max",), self=lambda grad, self, max: _where(self <= max, grad, 0.0))
def _clamp_max_number(self, max):
    return np.minimum(self, max)


@op("ClampMaxBackward1", promote=True, self=lambda grad, self, max: _where(self <= max, grad, 0.0),
    max=lambda grad, self, max: _where(self > max, grad, 0.0))
def _clamp_max_tensor(self, max):
    return np.minimum(self, max)


@public
def clamp_min(self, min):
    D.refuse_complex(self._data.dtype, *D._CLAMP_COMPLEX)
    return _clamp_min_tensor(self, min) if isinstance(min, Tensor) else _clamp_min_number(self, min)


@public
def clamp_max(self, max):
    D.refuse_complex(self._data.dtype, *D._CLAMP_COMPLEX)
    return _clamp_max_tensor(self, max) if isinstance(max, Tensor) else _clamp_max_number(self, max)


def _xlogy_forward(self, other):
    with np.errstate(all="ignore"):
        out = np.where(self == 0, 0, self * np.log(other))
        return np.where(np.isnan(other), np.nan, out).astype(_common_dtype(self, other), copy=False)


@op("XlogyBackward0", promote=True, float_op=True,
    self=lambda grad, self, other: _where(logical_and(self == 0, other <= 0), 0.0, xlogy(grad, other)),
    other=lambda grad, self, other: grad * self / other)
def _xlogy_tensor(self, other):
    return _xlogy_forward(self, other)


@op("XlogyBackward1", promote=True, float_op=True, nondiff=("self",),
    other=lambda grad, self, other: grad * self / other)
def _xlogy_number_tensor(self, other):
    return _xlogy_forward(self, other)


@op("XlogyBackward2", promote=True, float_op=True, nondiff=("other",),
    self=lambda grad, self, other: xlogy(grad, other) if other > 0 else _where(self == 0, 0.0, xlogy(grad, other)))
def _xlogy_tensor_number(self, other):
    return _xlogy_forward(self, other)


@public
def xlogy(self, other):
    if isinstance(self, Tensor):
        return _xlogy_tensor(self, other) if isinstance(other, Tensor) else _xlogy_tensor_number(self, other)
    if isinstance(other, Tensor):
        return _xlogy_number_tensor(self, other)
    raise D.invalid_combination("xlogy", (type(self).__name__, type(other).__name__), [
        "(Tensor input, Tensor other, *, Tensor out = None)", "(Number self, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)"])


def _copysign_self_grad(grad, self, result):
    return grad * _where(self == 0, 0.0, result / self)


@op("CopysignBackward0", promote=True, float_op=True, self=_copysign_self_grad, other=lambda grad: zeros_like(grad))
def _copysign_tensor(self, other):
    return np.copysign(self, other)


@op("CopysignBackward1", promote=True, float_op=True, nondiff=("other",), self=_copysign_self_grad)
def _copysign_number(self, other):
    return np.copysign(self, other)


@public
def copysign(self, other):
    if not isinstance(self, Tensor):
        raise D.invalid_combination("copysign", (type(self).__name__, _type_label(other)), [
            "(Tensor input, Tensor other, *, Tensor out = None)",
            "(Tensor input, Number other, *, Tensor out = None)"])
    return _copysign_tensor(self, other) if isinstance(other, Tensor) else _copysign_number(self, other)


@op("Logaddexp2Backward0", promote=True, check=_two_tensors("logaddexp2"),
    self=lambda grad, self, other: grad / (1 + D.pow(2, other - self)),
    other=lambda grad, self, other: grad / (1 + D.pow(2, self - other)))
def logaddexp2(self, other):
    _check_tensors("logaddexp2", self, other)
    _reject("logaddexp2_cpu", self.dtype, "biu")
    with np.errstate(all="ignore"):
        return np.logaddexp2(self, other)


_DEG2RAD = math.pi / 180
_RAD2DEG = 180 / math.pi


def _angle_scale(name, factor):
    def scale(x):
        D.refuse_complex(x.dtype, f"{name} is not supported for complex tensors.")
        return x * x.dtype.type(factor)
    return scale


deg2rad = _float_unary("deg2rad", "Deg2RadBackward0", _angle_scale("deg2rad", _DEG2RAD),
                       self=lambda grad: grad * _DEG2RAD)
rad2deg = _float_unary("rad2deg", "Rad2DegBackward0", _angle_scale("rad2deg", _RAD2DEG),
                       self=lambda grad: grad * _RAD2DEG)


def _sinc_forward(x):
    pix = x * x.dtype.type(math.pi)
    return np.where(x == 0, x.dtype.type(1), np.sin(pix) / pix)


def _sinc_backward(grad, self):
    self_pi = self * math.pi
    self_squared_pi = self * self * math.pi
    out = grad * ((self_pi * cos(self_pi)) - sin(self_pi)) / self_squared_pi
    return _where(self_squared_pi == 0.0, 0.0, out)


sinc = _float_unary("sinc", "SincBackward0", _sinc_forward, self=_sinc_backward)


@public
def float_power(self, exponent):
    """pow computed in float64 (PyTorch copies every tensor operand to double first: ToCopyBackward0)."""
    if not isinstance(self, Tensor) and not isinstance(exponent, Tensor):
        raise D.invalid_combination("float_power", (type(self).__name__, type(exponent).__name__), [
            "(Tensor input, Tensor exponent, *, Tensor out = None)",
            "(Number self, Tensor exponent, *, Tensor out = None)",
            "(Tensor input, Number exponent, *, Tensor out = None)"])
    as_double = [D._to_copy(v, _dtype.float64) if isinstance(v, Tensor) else float(v) for v in (self, exponent)]
    return D.pow(*as_double)


def _float_power_(self, exponent):
    if self.dtype is not _dtype.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {LEGACY_NAMES[self.dtype.name]} but the "
                           f"operation's result requires dtype Double")
    if isinstance(exponent, Tensor):
        exponent = D._to_copy(exponent, _dtype.float64)
    return self.pow_(exponent)


@op(_NOT_IMPLEMENTED, self=lambda grad: D.no_derivative("heaviside"), values=lambda grad: D.no_derivative("heaviside"))
def heaviside(self, values):
    _check_tensor("heaviside", self)
    _check_tensor("heaviside", values, "values", 2)
    D.refuse_complex(self.dtype, "heaviside is not yet implemented for complex tensors.")
    if self.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    broadcast_shapes(self.shape, values.shape)
    return np.where(self == 0, values, (self > 0).astype(self.dtype))


@op(nondiff=("self",))
def signbit(self):
    _check_tensor("signbit", self)
    D.refuse_complex(self.dtype, "signbit is not implemented for complex tensors.", NotImplementedError)
    return np.signbit(self) if self.dtype.kind != "b" else np.zeros(self.shape, bool)


@public
def positive(self):
    if isinstance(self, Tensor) and self.dtype is _dtype.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return self


@op("RsubBackward0", promote=True, self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
    other=lambda grad: grad)
def _rsub_tensor(self, other, alpha=1):
    return np.subtract(other, self) if alpha == 1 else np.subtract(other, self * alpha)


@public
def rsub(input, other, *, alpha=1):  # `input`: a function only, no Tensor method (as PyTorch)
    return _rsub_tensor(input, other, alpha) if isinstance(other, Tensor) else D._rsub_scalar(input, other, alpha)


absolute = public(D.abs, "absolute")
subtract = public(D.sub, "subtract")
multiply = public(D.mul, "multiply")
not_equal, greater, greater_equal = public(D.ne, "not_equal"), public(D.gt, "greater"), public(D.ge, "greater_equal")
less, less_equal = public(D.lt, "less"), public(D.le, "less_equal")


# ---- operators and in-place variants ------------------------------------------------------------------------
def _invert(self):
    if self.dtype.category > 1:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _inplace_operator(name):
    return lambda self, other: getattr(self, name)(other)  # the `name` method exists once _methods installs


INPLACE.update({
    "sgn", "exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
    "logit", "erf", "erfc", "erfinv", "floor", "ceil", "round", "trunc", "fix", "frac", "nan_to_num",
    "floor_divide", "remainder", "fmod", "atan2", "arctan2", "hypot", "lerp", "addcmul", "addcdiv",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "clamp_min", "clamp_max", "xlogy", "copysign",
    "deg2rad", "rad2deg", "sinc", "heaviside", "absolute", "subtract", "multiply", "not_equal",
    "greater", "greater_equal", "less", "less_equal", "eq", "ne", "gt", "ge", "lt", "le", "sign", "negative",
    "divide", "true_divide"})

Tensor.__mod__, Tensor.__rmod__ = remainder, _reflected(remainder)
Tensor.__and__, Tensor.__rand__ = bitwise_and, _reflected(bitwise_and)
Tensor.__or__, Tensor.__ror__ = bitwise_or, _reflected(bitwise_or)
Tensor.__xor__, Tensor.__rxor__ = bitwise_xor, _reflected(bitwise_xor)
Tensor.__lshift__, Tensor.__rlshift__ = bitwise_left_shift, _reflected(bitwise_left_shift)
Tensor.__rshift__, Tensor.__rrshift__ = bitwise_right_shift, _reflected(bitwise_right_shift)
Tensor.__invert__ = _invert
Tensor.float_power_ = _float_power_  # not through INPLACE: the result must already be float64
Tensor.__imod__ = _inplace_operator("remainder_")
Tensor.__iand__ = _inplace_operator("bitwise_and_")
Tensor.__ior__ = _inplace_operator("bitwise_or_")
Tensor.__ixor__ = _inplace_operator("bitwise_xor_")
Tensor.__ilshift__ = _inplace_operator("bitwise_left_shift_")
Tensor.__irshift__ = _inplace_operator("bitwise_right_shift_")
Tensor.__ifloordiv__ = _inplace_operator("floor_divide_")

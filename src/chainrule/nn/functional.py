"""chainrule.nn.functional: neural-network functions and losses, declared like the core op table.

Primitives are private `@op` entries (a leading underscore keeps them out of the `chainrule` namespace);
the public functions below have torch.nn.functional's signatures and pick the primitive PyTorch would
call, so results carry PyTorch's grad_fn names. Only softmax, log_softmax and cdist are also exported as
chainrule.<name> (torch has them there too; softmax / log_softmax are Tensor methods as well).
Compositions (softsign, l1_loss, kl_div ...) are written with chainrule ops exactly as PyTorch composes
them, so their grad_fn is whatever the last op leaves.
Convolutions, pooling, padding and resampling live in `_conv.py`.
"""
import math
import warnings

import numpy as np

from ..autograd.op import broadcast_shapes, counter, joint, op, public
from ..autograd import derivatives as D
from ..autograd.pointwise import erf as _erf, logit as _logit, _erf_np
from ..autograd.grad_mode import no_grad, state as _grad_state
from .._tensor import Tensor
from .. import _dtype

__all__ = [
    "binary_cross_entropy_with_logits", "relu", "relu_", "elu_", "selu_", "celu_", "leaky_relu_", "hardtanh_",
    "threshold_", "sigmoid", "tanh", "relu6", "leaky_relu", "elu", "selu", "celu",
    "gelu", "silu", "mish", "softplus", "softsign", "hardtanh", "hardsigmoid", "hardswish", "logsigmoid",
    "tanhshrink", "softshrink", "hardshrink", "threshold", "glu", "softmax", "log_softmax", "softmin", "linear",
    "bilinear", "dropout", "embedding", "one_hot", "normalize", "cosine_similarity", "pairwise_distance",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "cross_entropy", "nll_loss",
    "kl_div", "poisson_nll_loss", "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "layer_norm", "batch_norm", "group_norm", "instance_norm",
    "scaled_dot_product_attention", "prelu", "rrelu", "rrelu_", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "soft_margin_loss", "multilabel_soft_margin_loss", "gaussian_nll_loss",
    "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss", "embedding_bag",
    "rms_norm", "local_response_norm",
    "pdist", "gumbel_softmax", "multi_head_attention_forward", "ctc_loss",
]

def sigmoid(input):
    return D.sigmoid(input)


def tanh(input):
    return D.tanh(input)


_REDUCTIONS = ("none", "mean", "sum")


def _where(mask, a, b):
    return D._where(mask, a, b)


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _on(x, op):
    """`op`, or its NumPy function when `x` is an array: lets one formula serve as a raw one (see op.py)."""
    return op.on_arrays if type(x) is np.ndarray else op


# ---- small private building blocks PyTorch names separately -----------------------------------------------
@op("ClampMinBackward0", nondiff=("min",), self=lambda grad, self, min: _where(_raw(self) >= min, grad, 0.0),
    raw={"self": lambda grad, self, min: np.where(self >= min, grad, 0)})
def _clamp_min(self, min):
    return np.maximum(self, np.asarray(min, self.dtype))


@op("DivBackward1", nondiff=("other",), self=lambda grad, other: grad / other)
def _div_scalar(self, other):
    return np.true_divide(self, np.asarray(other, self.dtype))


@op("NormBackward1", self=lambda grad, self, result, p, dim, keepdim: D._norm_backward(
    grad, self, result, p, dim, keepdim))
def _norm_dim(self, p, dim, keepdim=False):
    return D._vector_norm._spec.forward(self, p, dim, keepdim, None)


# ---- activations ------------------------------------------------------------------------------------------
def _inplace(input, result_fn, *args):
    """The `inplace=True` / `name_` forms: compute out of place, then write into `input` and move it onto the
    new node, as Tensor's in-place methods do (see _methods._commit_inplace)."""
    from .._methods import _commit_inplace
    from ..autograd.grad_mode import no_grad, state
    if state.enabled and (input.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)):
        return _commit_inplace(input, result_fn(input, *args))
    with no_grad():
        return _commit_inplace(input, result_fn(input, *args))


def relu(input, inplace=False):
    return _inplace(input, D.relu) if inplace else D.relu(input)


def relu_(input):
    return _inplace(input, D.relu)


# The backward of the piecewise-linear activations are ops of their own, named as PyTorch's (see D.zero_slope).
@op("HardtanhBackwardBackward0", promote=True, self=D.zero_slope,
    grad_=lambda grad, self, min_val, max_val: _hardtanh_backward(grad, self, min_val, max_val))
def _hardtanh_backward(grad_, self, min_val, max_val):
    return np.where((self > min_val) & (self < max_val), grad_, 0)  # NOTE [NaN in piecewise backward]


@op("HardtanhBackward0", self=lambda grad, self, min_val, max_val: _hardtanh_backward(grad, self, min_val, max_val),
    raw={"self": lambda grad, self, min_val, max_val: _hardtanh_backward.on_arrays(grad, self, min_val, max_val)})
def _hardtanh(self, min_val, max_val):
    if self.dtype.kind in "iu":  # PyTorch casts the bounds to the integer dtype (truncating): the result stays integer
        min_val, max_val = np.asarray(min_val).astype(self.dtype), np.asarray(max_val).astype(self.dtype)
    return np.clip(self, min_val, max_val)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if inplace:
        return _inplace(input, _hardtanh, min_val, max_val)
    return _hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


@op("LeakyReluBackwardBackward0", promote=True, self=D.zero_slope,
    grad_=lambda grad, self, negative_slope: _leaky_relu_backward(grad, self, negative_slope))
def _leaky_relu_backward(grad_, self, negative_slope):
    return np.where(self > 0, grad_, grad_ * negative_slope)


@op("LeakyReluBackward0", self=lambda grad, self, negative_slope: _leaky_relu_backward(grad, self, negative_slope),
    raw={"self": lambda grad, self, negative_slope: _leaky_relu_backward.on_arrays(grad, self, negative_slope)})
def _leaky_relu(self, negative_slope):
    return np.where(self > 0, self, self * np.asarray(negative_slope, self.dtype))


@op("LeakyReluBackward1", self=lambda grad, self, negative_slope: _leaky_relu_backward(grad, self, negative_slope),
    raw={"self": lambda grad, self, negative_slope: _leaky_relu_backward.on_arrays(grad, self, negative_slope)})
def _leaky_relu_inplace(self, negative_slope):
    return np.where(self > 0, self, self * np.asarray(negative_slope, self.dtype))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_float(input, "leaky_relu_cpu")
    if inplace:
        return _inplace(input, _leaky_relu_inplace, negative_slope)
    return _leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def _elu_grad(grad, self, alpha, scale, input_scale):
    # NOTE: exp of min(x, 0) so the branch where() discards can never overflow into inf * 0 = nan; written
    # with where(x < 0) so that, as in PyTorch's elu_double_backward, x = 0 has second derivative 0. A NaN input
    # gives a NaN gradient, as PyTorch's vectorized kernel (NOTE [NaN in piecewise backward]).
    if type(grad) is np.ndarray:  # as a raw formula: the same numbers on arrays
        neg = grad * (input_scale * scale * alpha) * np.exp(np.minimum(self, 0) * input_scale)
        return np.where(self > 0, grad * scale, neg)
    x = _raw(self)
    neg = grad * (input_scale * scale * alpha) * D.exp(_where((x < 0) | np.isnan(x), self, 0.0) * input_scale)
    return _where(x > 0, grad * scale, neg)


def _elu_forward(self, alpha, scale, input_scale):
    neg = np.expm1(np.minimum(self, 0) * input_scale) * (scale * alpha)
    return np.where(self > 0, self * scale, neg).astype(self.dtype)


@op("EluBackward0", raw=True, self=_elu_grad)
def _elu(self, alpha, scale, input_scale):
    return _elu_forward(self, alpha, scale, input_scale)


@op("CeluBackward0", raw=True, self=_elu_grad)
def _celu(self, alpha, scale, input_scale):
    return _elu_forward(self, alpha, scale, input_scale)


@op("EluBackward1", self=_elu_grad)
def _elu_inplace(self, alpha, scale, input_scale):
    return _elu_forward(self, alpha, scale, input_scale)


@op("CeluBackward1", self=_elu_grad)
def _celu_inplace(self, alpha, scale, input_scale):
    return _elu_forward(self, alpha, scale, input_scale)


def elu(input, alpha=1.0, inplace=False):
    _check_float(input, "elu_cpu")
    if inplace:
        return _inplace(input, _elu_inplace, alpha, 1.0, 1.0)
    return _elu(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    _check_float(input, "elu_cpu")
    if inplace:
        return _inplace(input, _elu_inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _check_float(input, "elu_cpu")
    if inplace:
        return _inplace(input, _celu_inplace, alpha, 1.0, 1.0 / alpha)
    return _celu(input, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _gelu_grad(grad, self, approximate):
    """On Tensors, or on arrays as a raw formula (`_on`)."""
    if approximate == "tanh":
        inner = (self + self * self * self * 0.044715) * _SQRT_2_OVER_PI
        t = _on(self, D.tanh)(inner)
        d_inner = (1 + self * self * (3 * 0.044715)) * _SQRT_2_OVER_PI
        return grad * (0.5 * (1 + t) + self * 0.5 * (1 - t * t) * d_inner)
    if type(self) is np.ndarray:
        return _gelu_grad_np(grad, self)
    cdf = 0.5 * (1 + _erf(self * (1 / math.sqrt(2))))
    pdf = D.exp(self * self * -0.5) * (1 / math.sqrt(2 * math.pi))
    return grad * (cdf + self * pdf)


def _gelu_cdf_np(x):
    """The standard normal's cdf at x, 0.5 * (1 + erf(x / sqrt(2))), in a new buffer."""
    cdf = _erf_np(np.multiply(x, x.dtype.type(1 / math.sqrt(2))))
    cdf += 1
    cdf *= 0.5
    return cdf


def _gelu_grad_np(grad, x):
    """grad * (cdf(x) + x * pdf(x)), in two buffers."""
    if x.ndim == 0:  # NumPy's arithmetic on 0-d arrays gives scalars, which take no out=
        return _gelu_grad_np(np.reshape(grad, 1), x.reshape(1)).reshape(())
    cdf = _gelu_cdf_np(x)
    pdf = np.multiply(x, x)
    pdf *= -0.5
    np.exp(pdf, out=pdf)
    pdf *= x
    pdf *= 1 / math.sqrt(2 * math.pi)
    cdf += pdf
    return np.multiply(grad, cdf, out=cdf)


@op("GeluBackward0", raw=True, self=_gelu_grad)
def _gelu(self, approximate):
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (self + 0.044715 * self * self * self)
        return (0.5 * self * (1 + np.tanh(inner))).astype(self.dtype)
    if not self.size:
        return self.copy()
    out = _gelu_cdf_np(self)
    return np.multiply(out, self, out=out)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_float(input, "GeluKernelImpl")
    return _gelu(input, approximate)


def _silu_grad_np(grad, self):
    """grad * s * (1 + self * (1 - s)), s = sigmoid(self), in two buffers."""
    s = D._sigmoid_into(self)
    t = np.subtract(1, s)
    t *= self
    t += 1
    t *= s
    t *= grad
    return t


@op("SiluBackward0", self=lambda grad, self: grad * (D.sigmoid(self) * (1 + self * (1 - D.sigmoid(self)))),
    raw={"self": _silu_grad_np})
def _silu(self):
    out = D._sigmoid_into(self)
    out *= self
    return out


def silu(input, inplace=False):
    _check_float(input, "silu_cpu")
    return _inplace(input, _silu) if inplace else _silu(input)


def _softplus_np(x, beta, threshold):
    bx = x * beta
    soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return np.where(bx > threshold, x, soft).astype(x.dtype)


@op("SoftplusBackward0", self=lambda grad, self, beta, threshold: _where(
    _raw(self) * beta > threshold, grad, grad * D.sigmoid(self * beta)),
    raw={"self": lambda grad, self, beta, threshold: np.where(
        self * beta > threshold, grad, grad * D._sigmoid_into(self * beta))})
def _softplus(self, beta, threshold):
    return _softplus_np(self, beta, threshold)


def softplus(input, beta=1.0, threshold=20.0):
    _check_float(input, "softplus_cpu")
    return _softplus(input, beta, threshold)


def _mish_grad(grad, self):
    """On Tensors, or on arrays as a raw formula."""
    if type(self) is np.ndarray:
        t = np.tanh(_softplus_np(self, 1.0, 20.0))
        return grad * (t + self * D._sigmoid_into(self) * (1 - t * t))
    t = D.tanh(_softplus(self, 1.0, 20.0))
    return grad * (t + self * D.sigmoid(self) * (1 - t * t))


@op("MishBackward0", raw=True, self=_mish_grad)
def _mish(self):
    return (self * np.tanh(_softplus_np(self, 1.0, 20.0))).astype(self.dtype)


def mish(input, inplace=False):
    _check_float(input, "mish_cpu")
    return _inplace(input, _mish) if inplace else _mish(input)


def softsign(input):
    return input / (D.abs(input) + 1)


_ONE_SIXTH_F = float(np.float32(1 / 6))  # PyTorch's hardsigmoid backward scales by 1/6 as a float in every dtype


@op("HardsigmoidBackward0",
    self=lambda grad, self: _where((_raw(self) > -3) & (_raw(self) < 3), grad * _ONE_SIXTH_F, 0.0))
def _hardsigmoid(self):
    # (x + 3) clamped, then / 6, halves in float32: PyTorch's rounding
    return (np.clip(D.widened(self) + 3, 0, 6) / 6).astype(self.dtype)


def hardsigmoid(input, inplace=False):
    _check_float(input, "hardsigmoid_cpu")
    return _inplace(input, _hardsigmoid) if inplace else _hardsigmoid(input)


def _hardswish_grad(grad, self):
    # NOTE: open interval, as PyTorch; a NaN input falls in it, so its gradient is NaN (PyTorch's vectorized kernel)
    x = _raw(self)
    return _where(x <= -3, 0.0, _where(x >= 3, grad, grad * (self / 3 + 0.5)))


@op("HardswishBackward0", self=_hardswish_grad,
    raw={"self": lambda grad, self: np.where(self <= -3, 0, np.where(self >= 3, grad, grad * (self / 3 + 0.5)))})
def _hardswish(self):
    return (self * np.clip(self + 3, 0, 6) / 6).astype(self.dtype)


def hardswish(input, inplace=False):
    _check_float(input, "hardswish_cpu")
    return _inplace(input, _hardswish) if inplace else _hardswish(input)


@op("LogSigmoidBackward0", self=lambda grad, self: grad * D.sigmoid(-self))
def _log_sigmoid(self):
    return (np.minimum(self, 0) - np.log1p(np.exp(-np.abs(self)))).astype(self.dtype)


def logsigmoid(input):
    _check_float(input, "log_sigmoid_cpu")
    return _log_sigmoid(input)


def tanhshrink(input):
    return input - D.tanh(input)


# NOTE [NaN in piecewise backward]: PyTorch's relu and threshold pass a NaN input's gradient (their masks test
# x <= threshold). Its hardtanh, softshrink and hardshrink kernels disagree with themselves: the vectorized loop
# (any tensor of 8 float64 or 16 float32 elements or more) gives NaN a zero gradient, the scalar one passes it;
# chainrule gives what the vectorized loop gives. Forward, NaN stays NaN in all of them.
def _inside(x, lambd):
    """The shrinks' zero band, |x| <= lambd, tested so that NaN is outside it (and stays NaN)."""
    return (x >= -lambd) & (x <= lambd)


@op("SoftshrinkBackwardBackward0", promote=True, self=D.zero_slope,
    grad_=lambda grad, self, lambd: _softshrink_backward(grad, self, lambd))
def _softshrink_backward(grad_, self, lambd):
    return np.where(np.abs(self) > lambd, grad_, 0)  # NOTE [NaN in piecewise backward]


@op("HardshrinkBackwardBackward0", promote=True, self=D.zero_slope,
    grad_=lambda grad, self, lambd: _hardshrink_backward(grad, self, lambd))
def _hardshrink_backward(grad_, self, lambd):
    return np.where(np.abs(self) > lambd, grad_, 0)


@op("SoftshrinkBackward0", self=lambda grad, self, lambd: _softshrink_backward(grad, self, lambd),
    raw={"self": lambda grad, self, lambd: _softshrink_backward.on_arrays(grad, self, lambd)})
def _softshrink(self, lambd):
    return np.where(_inside(self, lambd), 0, np.where(self > 0, self - lambd, self + lambd)).astype(self.dtype)


def softshrink(input, lambd=0.5):
    _check_float(input, "softshrink_check")
    if lambd < 0:
        dtype = input._data.dtype
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(dtype).max:g}] for input dtype "
                           f"{_type_name(dtype)}, but found {lambd:g}")
    return _softshrink(input, lambd)


@op("HardshrinkBackward0", self=lambda grad, self, lambd: _hardshrink_backward(grad, self, lambd),
    raw={"self": lambda grad, self, lambd: _hardshrink_backward.on_arrays(grad, self, lambd)})
def _hardshrink(self, lambd):
    return np.where(_inside(self, lambd), 0, self).astype(self.dtype)


def hardshrink(input, lambd=0.5):
    _check_float(input, "hardshrink_cpu")
    return _hardshrink(input, lambd)


# NOTE: PyTorch tests x <= threshold, so NaN stays NaN and passes its gradient
@op("ThresholdBackward0", self=lambda grad, self, threshold: D._threshold_backward(grad, self, threshold),
    raw={"self": lambda grad, self, threshold: D._threshold_backward.on_arrays(grad, self, threshold)})
def _threshold(self, threshold, value):
    return np.where(self <= threshold, np.asarray(value, self.dtype), self)


@op("ThresholdBackward1", self=lambda grad, self, threshold: D._threshold_backward(grad, self, threshold),
    raw={"self": lambda grad, self, threshold: D._threshold_backward.on_arrays(grad, self, threshold)})
def _threshold_inplace(self, threshold, value):
    return np.where(self <= threshold, np.asarray(value, self.dtype), self)


def threshold(input, threshold, value, inplace=False):
    D.reject("threshold_cpu", input._data.dtype, "bc")
    if inplace:
        return _inplace(input, _threshold_inplace, threshold, value)
    return _threshold(input, threshold, value)


def threshold_(input, threshold, value):  # (its parameter hides the function threshold)
    D.reject("threshold_cpu", input._data.dtype, "bc")
    return _inplace(input, _threshold_inplace, threshold, value)


def _halves(t, dim):
    d = D.wrap_dim(dim, t.ndim)
    n = t.shape[d] // 2
    return D._slice(t, d, 0, n, 1), D._slice(t, d, n, 2 * n, 1)


def _glu_grad(grad, self, dim):
    a, b = _halves(self, dim)
    s = D.sigmoid(b)
    return D.cat([grad * s, grad * a * s * (1 - s)], D.wrap_dim(dim, self.ndim))


@op("GluBackward0", self=_glu_grad)
def _glu(self, dim):
    if self.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = D.wrap_dim(dim, self.ndim)
    n = self.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = np.split(self, 2, axis=d)
    return (a * D._sigmoid_into(b)).astype(self.dtype)


def glu(input, dim=-1):
    _check_float(input, "glu_cpu")
    return _glu(input, dim)


def _prelu_grad_weight(grad, self, weight):
    g = _where(_raw(self) > 0, 0.0, grad * self)
    if weight.numel() == 1:
        return g.sum().reshape(weight.shape)
    return g.sum((0,) + tuple(range(2, self.ndim))) if self.ndim >= 2 else g


def _prelu_weight_view(weight, ndim):
    """Per-channel weights along dim 1 (tensors or, in the forward, arrays)."""
    return weight.reshape((-1,) + (1,) * (ndim - 2)) if ndim >= 2 and math.prod(weight.shape) > 1 else weight


@op("PreluKernelBackward0", promote=True,
    self=lambda grad, self, weight: _where(_raw(self) > 0, grad, grad * _prelu_weight_view(weight, self.ndim)),
    weight=_prelu_grad_weight)
def _prelu(self, weight):
    return np.where(self > 0, self, self * _prelu_weight_view(weight, self.ndim)).astype(self.dtype)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or one shared."""
    channels = input.shape[1] if input.ndim >= 2 else (input.shape[0] if input.ndim else 1)
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    _check_float(input, "prelu_cpu")
    return _prelu(input, weight)


@op("RreluWithNoiseBackward0", nondiff=("noise",), self=lambda grad, self, noise: _where(
    _raw(self) > 0, grad, grad * D.constant(np.asarray(noise))))
def _rrelu_with_noise(self, noise):
    return np.where(self > 0, self, self * noise).astype(self.dtype)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU whose negative slope is drawn from U(lower, upper) per element in training, else their mean."""
    _check_float(input, "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu")
    if training:
        from .._creation import _rng
        noise = _rng(None).uniform(lower, upper, input.shape).astype(input._data.dtype)
    else:
        noise = np.asarray((lower + upper) / 2, input._data.dtype)
    noise = np.where(input._data > 0, 1, noise).astype(input._data.dtype)
    if inplace:
        return _inplace(input, _rrelu_with_noise, noise)
    return _rrelu_with_noise(input, noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


# ---- softmax family ---------------------------------------------------------------------------------------
def _softmax_np(x, dim):
    if x.ndim == 0:
        return np.ones_like(x)
    if not x.size:
        return np.exp(x)
    e = x - np.maximum.reduce(x, axis=dim, keepdims=True)  # NOTE [Ufuncs, not NumPy's wrappers]
    np.exp(e, out=e)
    e *= 1 / np.add.reduce(e, axis=dim, keepdims=True)  # (one division per row, a multiplication per element)
    return e


def _log_softmax_np(x, dim):
    if not x.size or x.ndim == 0:
        return np.zeros_like(x)
    shifted = x - np.maximum.reduce(x, axis=dim, keepdims=True)  # NOTE [Ufuncs, not NumPy's wrappers]
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True))
    return shifted


def _sum_keep(t, dim):
    # NOTE: works around core sum(dim) failing on 0-d tensors (PyTorch allows dim 0 / -1 there).
    if t.ndim == 0:
        return t
    return t.sum(dim, keepdims=True) if type(t) is np.ndarray else t.sum(dim, keepdim=True)


def _softmax_grad_np(grad, result, dim):
    if result.ndim == 0:
        return result * (grad - grad * result)
    out = np.multiply(grad, result)
    total = np.add.reduce(out, axis=dim, keepdims=True)  # NOTE [Ufuncs, not NumPy's wrappers]
    np.subtract(grad, total, out=out)
    out *= result
    return out


@op("SoftmaxBackward0", self=lambda grad, result, dim: result * (grad - _sum_keep(grad * result, dim)),
    raw={"self": _softmax_grad_np})
def _softmax(self, dim):
    return _softmax_np(D.widened(self), D.wrap_dim(dim, self.ndim)).astype(self.dtype, copy=False)


def _log_softmax_grad_np(grad, result, dim):
    if result.ndim == 0:
        return grad - np.exp(result) * grad
    out = np.exp(result)
    out *= np.add.reduce(grad, axis=dim, keepdims=True)  # NOTE [Ufuncs, not NumPy's wrappers]
    return np.subtract(grad, out, out=out)


@op("LogSoftmaxBackward0",
    self=lambda grad, result, dim: grad - D.exp(result) * _sum_keep(grad, dim),
    raw={"self": _log_softmax_grad_np})
def _log_softmax(self, dim):
    return _log_softmax_np(D.widened(self), D.wrap_dim(dim, self.ndim)).astype(self.dtype, copy=False)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _cast(input, dtype):
    if dtype is not None and _dtype.to_dtype(dtype) is not input.dtype:
        return input.to(_dtype.to_dtype(dtype))
    return input


def _check_float(input, name):
    if input._data.dtype.kind != "f":  # (no complex kernel either)
        raise NotImplementedError(f"\"{name}\" not implemented for '{_type_name(input._data.dtype)}'")


def _check_float_pair(input, target, name):
    """A loss kernel's check on the dtype its two tensors promote to (an integer target of a float input is fine)."""
    common = np.result_type(input._data, target._data)
    if common.kind in "biu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_type_name(common)}'")


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along `dim`, computed with the max subtracted."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    input = _cast(input, dtype)
    _check_float(input, "softmax_lastdim_kernel_impl" if _is_last(dim, input) else "softmax_kernel_impl")
    return _softmax(input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) as x - max - log(sum(exp(x - max))): finite for large inputs."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    input = _cast(input, dtype)
    _check_float(input, "log_softmax_lastdim_kernel_impl" if _is_last(dim, input) else "log_softmax_kernel_impl")
    return _log_softmax(input, dim)


def _is_last(dim, t):
    return D.wrap_dim(dim, t.ndim) == max(t.ndim - 1, 0)


# torch.softmax / Tensor.softmax take (dim, dtype) with dim required, unlike F.softmax's (dim, _stacklevel, dtype).
def _torch_softmax(self, dim=None, dtype=None):
    D.require_dim("softmax", dim)
    return softmax(self, dim, dtype=dtype)


def _torch_log_softmax(self, dim=None, dtype=None):
    D.require_dim("log_softmax", dim)
    return log_softmax(self, dim, dtype=dtype)


public(_torch_softmax, "softmax")
public(_torch_log_softmax, "log_softmax")


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    input = _cast(input, dtype)
    _check_float(input, "softmax_lastdim_kernel_impl" if _is_last(dim, input) else "softmax_kernel_impl")
    return _softmax(-input, dim)


# ---- linear layers ------------------------------------------------------------------------------------------
@op("AddmmBackward0", promote=True,
    self=lambda grad: grad,
    mat1=lambda grad, mat2: D.mm(grad, mat2.t()),
    mat2=lambda grad, mat1: D.mm(mat1.t(), grad),
    raw={"self": lambda grad: grad,  # (summed to the bias's shape by the pass)
         "mat1": lambda grad, mat2: D._product(grad, mat2.T),
         "mat2": lambda grad, mat1: D._product(mat1.T, grad)})
def _addmm(self, mat1, mat2):
    return np.add(self, D._product(mat1, mat2))


def linear(input, weight, bias=None):
    """input @ weight.T + bias, through the same mm / addmm / view nodes PyTorch records."""
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_dtype.C_NAMES[input.dtype.name]} != {_dtype.C_NAMES[weight.dtype.name]}")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_type_name(bias._data.dtype)} and "
                           f"{_type_name(input._data.dtype)}")
    D.reject("addmm_impl_cpu_", input._data.dtype, "b")
    if input.ndim and weight.ndim == 2 and input.shape[-1] != weight.shape[1]:
        rows = math.prod(input.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{weight.shape[1]}x{weight.shape[0]})")
    if bias is None:
        return D.matmul(input, weight.t())
    if input.ndim == 2:
        return _addmm(bias, input, weight.t())
    if input._data.flags.c_contiguous and input.ndim >= 1:
        flat = D._view(input, (-1, input.shape[-1]))
        return D._view(_addmm(bias, flat, weight.t()), tuple(input.shape[:-1]) + (weight.shape[0],))
    return D.matmul(input, weight.t()) + bias


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T W_k x2 + b_k, one GEMM for x1 W and a batched product with x2."""
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    out_f, in1, in2 = weight.shape
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    t = D.matmul(x1, weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1).reshape(lead + (out_f,))
    return y + bias if bias is not None else y


# ---- dropout, embedding, one_hot ------------------------------------------------------------------------
def _dropout(input, p, training, inplace, mask_shape):
    """input times a mask of `mask_shape` (broadcast over input): 0 with probability p, else 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from .._creation import _rng
    keep = _rng(None).random(mask_shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    mask = D.constant((keep * scale).astype(input._data.dtype))
    return input.mul_(mask) if inplace else D.mul(input, mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p (from the default generator) and scale the rest by 1/(1-p)."""
    return _dropout(input, p, training, inplace, input.shape)


def _feature_dropout(input, p, training, inplace):
    """Dropout of whole channels: one mask entry per (item, channel) of a batched (N, C, ...) input."""
    return _dropout(input, p, training, inplace, input.shape[:2] + (1,) * (input.ndim - 2))


def _warn_feature_ndim(input, d):
    """PyTorch's deprecation warning for dropout2d / dropout3d on other than (N,) C and d spatial dims."""
    if input.ndim not in (d + 1, d + 2):
        warnings.warn(f"dropout{d}d: Received a {input.ndim}-D input to dropout{d}d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      f"please use dropout instead. Note that dropout{d}d exists to provide channel-wise dropout on "
                      f"inputs with {d} spatial dimensions, a channel dimension, and an optional batch dimension (i.e. "
                      f"{d + 1}D or {d + 2}D inputs).", stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if input.ndim == 2:
        return D._squeeze_dim(_feature_dropout(input.unsqueeze(0), p, training, inplace), 0)
    return _feature_dropout(input, p, training, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs."""
    _warn_feature_ndim(input, 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _warn_feature_ndim(input, 3)
    if input.ndim == 4:
        return D._squeeze_dim(_feature_dropout(input.unsqueeze(0), p, training, inplace), 0)
    return _feature_dropout(input, p, training, inplace)


_ALPHA_PRIME = -_SELU_ALPHA * _SELU_SCALE


def _alpha_dropout(input, p, training, mask_shape):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    from .._creation import _rng
    keep = (_rng(None).random(mask_shape) >= p).astype(input._data.dtype)
    a = ((1 - p) * (1 + p * _ALPHA_PRIME ** 2)) ** -0.5
    b = (1 - keep) * (_ALPHA_PRIME * a) + (-a * _ALPHA_PRIME * p)
    return input * D.constant((keep * a).astype(input._data.dtype)) + D.constant(b.astype(input._data.dtype))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalizing mean and variance."""
    return _alpha_dropout(input, p, training, input.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, input.shape[:2] + (1,) * (input.ndim - 2))


@op("EmbeddingBackward0", nondiff=("indices",),
    weight=lambda grad, weight_shape, indices, padding_idx, scale_grad_by_freq: _embedding_backward(
        grad, indices, weight_shape[0], padding_idx, scale_grad_by_freq))
def _embedding(weight, indices, padding_idx, scale_grad_by_freq=False):
    return weight[indices]


def _freq_scale(indices, num_weights, dtype):
    """1 / (how often each position's index occurs in the batch), for scale_grad_by_freq."""
    counts = np.bincount(np.asarray(indices).ravel(), minlength=num_weights)
    return (1.0 / counts[indices]).astype(dtype)[..., None]


def _embedding_double_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq):
    out = _where((_raw(indices) == padding_idx)[..., None], 0.0, _embedding(grad, indices, padding_idx))
    if scale_grad_by_freq:
        out = out * D.constant(_freq_scale(_raw(indices), num_weights, _raw(grad).dtype))
    return out


def _segment_sum(rows, segments, n):
    """out[s] = sum of rows[i] with segments[i] == s, as one bincount (np.add.at is an order of magnitude slower)."""
    rows = rows.reshape(len(segments), -1)
    width = rows.shape[1]
    flat = (np.asarray(segments, np.int64)[:, None] * width + np.arange(width)).ravel()
    return np.bincount(flat, weights=rows.ravel().astype(np.float64), minlength=n * width).reshape(n, width)


@op("EmbeddingDenseBackward0", nondiff=("indices",), grad=_embedding_double_backward)
def _embedding_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq=False):
    if scale_grad_by_freq:
        grad = grad * _freq_scale(indices, num_weights, grad.dtype)
    tail = grad.shape[indices.ndim:]
    out = _segment_sum(grad, indices.ravel(), num_weights).astype(grad.dtype).reshape((num_weights,) + tail)
    if padding_idx >= 0:
        out[padding_idx] = 0  # NOTE: the padding row never receives gradient, as in PyTorch
    return out


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer tensor `input`."""
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{_type_name(idx.dtype)}Tensor instead (while checking "
                           f"arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        rows = np.unique(idx)
        w = weight._data
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=-1, keepdims=True)
        w[rows] = np.where(norms > max_norm, w[rows] * (max_norm / (norms + 1e-7)), w[rows]).astype(w.dtype)
        counter(weight)[0] += 1
    return _embedding(weight, input, padding_idx, scale_grad_by_freq)


def _bag_layout(indices, bags, num_bags, padding_idx, mode):
    """Which entries count (not padding) and each entry's scale (1, or 1/count for mean; 0 for padding)."""
    valid = indices != padding_idx
    if mode == "mean":
        return valid, valid / np.maximum(np.bincount(bags[valid], minlength=num_bags)[bags], 1)
    return valid, valid.astype(np.float64)


def _bag_max_rows(weight, indices, bags, num_bags, valid):
    rows = weight[indices]
    best = np.full((num_bags,) + rows.shape[1:], -np.inf, rows.dtype)
    np.maximum.at(best, bags[valid], rows[valid])
    m = len(indices)
    hit = (rows == best[bags]) & valid[:, None]
    first = np.full(best.shape, m)
    np.minimum.at(first, bags, np.where(hit, np.arange(m)[:, None], m))
    empty = first == m
    source = np.where(empty, 0, indices[np.minimum(first, m - 1)] if m else 0)
    return np.where(empty, 0, best), source, empty


def _bag_grad_weight(grad, weight, per_sample_weights, indices, bags, num_bags, mode, padding_idx):
    w = _raw(weight)
    valid, scale = _bag_layout(indices, bags, num_bags, padding_idx, mode)
    if mode == "max":
        _, source, empty = _bag_max_rows(w, indices, bags, num_bags, valid)
        g = grad * D.constant((~empty).astype(w.dtype))
        cols = np.broadcast_to(np.arange(w.shape[1]), source.shape)
        return D._index_backward(g, tuple(w.shape), (source, cols))
    g = D._index(grad, (bags,)) * D.constant(scale[:, None].astype(w.dtype))
    if per_sample_weights is not None:
        g = g * per_sample_weights.unsqueeze(1)
    return _embedding_backward(g, indices, w.shape[0], -1)


def _bag_grad_psw(grad, weight, indices, bags, padding_idx):
    valid = (indices != padding_idx)
    rows = D._index(weight, (indices,))
    return (D._index(grad, (bags,)) * rows).sum(1) * D.constant(valid.astype(_raw(weight).dtype))


@op("EmbeddingBagBackward0", nondiff=("indices", "bags"),
    weight=_bag_grad_weight,
    per_sample_weights=_bag_grad_psw)
def _embedding_bag(weight, per_sample_weights, indices, bags, num_bags, mode, padding_idx):
    valid, scale = _bag_layout(indices, bags, num_bags, padding_idx, mode)
    if mode == "max":
        return _bag_max_rows(weight, indices, bags, num_bags, valid)[0]
    rows = weight[indices] * scale[:, None]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    return _segment_sum(rows, bags, num_bags).astype(weight.dtype)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows, without materializing the per-index rows."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    idx = input._data
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences. However, found offsets of type Tensor")
        offs = np.arange(0, idx.size, idx.shape[1]) if idx.shape[1] else np.zeros(idx.shape[0], np.int64)
        num_bags = idx.shape[0]
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data
        num_bags = len(offs) - 1 if include_last_offset else len(offs)
        offs = offs[:num_bags]
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  f"GitHub.")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx < 0:
        padding_idx += n
    bags = (np.searchsorted(offs, np.arange(idx.size), side="right") - 1).astype(np.int64)
    if max_norm is not None:
        embedding(Tensor._make(idx), weight, None, max_norm, norm_type)
    return _embedding_bag(weight, per_sample_weights, idx.astype(np.int64), bags, num_bags, mode, padding_idx)


def _type_name(np_dtype):
    return _dtype.LEGACY_NAMES[np.dtype(np_dtype).name]


def one_hot(tensor, num_classes=-1):
    """Long tensor with a trailing dimension of size num_classes holding a 1 at each index."""
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if idx.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


# ---- distances ------------------------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along `dim`."""
    denom = D._expand(_clamp_min(D.norm(input, p, dim, True), eps), input._data.shape)
    return D._true_divide(input, denom)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """PyTorch's composite, node for node: inputs of one shape are not expanded, and the norms are clamped in
    place outside the graph (a clamped norm passes its gradient as if unclamped)."""
    if x1._data.shape != x2._data.shape:
        shape = tuple(np.broadcast_shapes(x1.shape, x2.shape))
        x1, x2 = D.expand(x1, shape), D.expand(x2, shape)
    n1, n2 = D.clone(D.norm(x1, 2, dim, True)), D.clone(D.norm(x2, 2, dim, True))
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return D._sum_dim(D.mul(D._true_divide(x1, n1), D._true_divide(x2, n2)), dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    dim = max(x1.ndim, x2.ndim) - 1
    return _norm_dim(x1 - x2 + eps, p, dim if dim >= 0 else None, keepdim)


def _cdist_grad(grad, x1, x2, result, p, first):
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)          # (..., P, R, M)
    d = result.unsqueeze(-1)
    g = grad.unsqueeze(-1)
    if p == 1:
        term = g * D.sign(diff)
    elif p == 2:
        term = _where(_raw(d) == 0, 0.0, g * diff / d)
    elif p == float("inf"):
        mask = D.constant(np.abs(_raw(diff)) == _raw(d))
        term = g * D.sign(diff) * mask
    else:
        term = _where(_raw(d) == 0, 0.0, g * diff * D.pow(D.abs(diff), p - 2) / D.pow(d, p - 1))
    return term.sum(-2) if first else -term.sum(-3)


@op("CdistBackward0", promote=True,
    x1=lambda grad, x1, x2, result, p: _cdist_grad(grad, x1, x2, result, p, True),
    x2=lambda grad, x1, x2, result, p: _cdist_grad(grad, x1, x2, result, p, False))
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distance between each pair of rows of x1 (..., P, M) and x2 (..., R, M)."""
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return np.sum(diff != 0, -1).astype(x1.dtype)
    if p == float("inf"):
        return np.max(diff, -1) if diff.shape[-1] else np.zeros(diff.shape[:-1], x1.dtype)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, -1))
    if p == 1:
        return np.sum(diff, -1)
    return np.power(np.sum(np.power(diff, p), -1), 1.0 / p)


def _pdist_grad(grad, self, result, p, i, j):
    diff = D._index(self, (i,)) - D._index(self, (j,))
    d = result.unsqueeze(-1)
    g = grad.unsqueeze(-1)
    if p == 1:
        term = g * D.sign(diff)
    elif p == float("inf"):
        term = g * D.sign(diff) * D.constant(np.abs(_raw(diff)) == _raw(d))
    else:
        term = _where(_raw(d) == 0, 0.0, g * diff * D.pow(D.abs(diff), p - 2) / D.pow(d, p - 1))
    shape = tuple(self.shape)
    return D._index_backward(term, shape, (i,)) - D._index_backward(term, shape, (j,))


@op("PdistBackward0", nondiff=("i", "j"), self=_pdist_grad)
def _pdist(self, p, i, j):
    diff = np.abs(self[i] - self[j])
    if p == float("inf"):
        return np.max(diff, -1) if diff.shape[-1] else np.zeros(len(i), self.dtype)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, -1))
    if p == 1:
        return np.sum(diff, -1)
    if p == 0:
        return np.sum(diff != 0, -1).astype(self.dtype)
    return np.power(np.sum(np.power(diff, p), -1), 1.0 / p)


def pdist(input, p=2):
    """p-norm distances between all pairs of rows i < j of a 2-d input, in row-major pair order."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    return _pdist(input, p, i, j)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + Gumbel noise) / tau); `hard` returns one-hot samples with the soft gradient."""
    from .._creation import _rng
    gumbels = -np.log(_rng(None).exponential(size=logits.shape)).astype(logits._data.dtype)
    y_soft = _softmax((logits + D.constant(gumbels)) / tau, dim)
    if not hard:
        return y_soft
    d = D.wrap_dim(dim, logits.ndim)
    index = np.argmax(y_soft._data, axis=d)
    y_hard = (np.arange(logits.shape[d]).reshape((-1,) + (1,) * (logits.ndim - d - 1))
              == np.expand_dims(index, d)).astype(logits._data.dtype)
    return D.constant(y_hard) - y_soft.detach() + y_soft


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_swap = dist(positive, negative)
        d_neg = _where(_raw(d_swap) < _raw(d_neg), d_swap, d_neg)
    return _reduce(_clamp_min(d_pos - d_neg + margin, 0), _reduction(reduction))


# ---- losses ---------------------------------------------------------------------------------------------
def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:  # the legacy arguments
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "none" if not reduce else ("mean" if size_average else "sum")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_np(loss, reduction):
    if reduction == "mean":
        return D._mean_all.on_arrays(loss) if loss.size else np.asarray(np.nan, loss.dtype)
    if reduction == "sum":
        return np.sum(loss)
    return loss


def _scale(g, self, reduction):
    return g / max(math.prod(self.shape), 1) if reduction == "mean" else g


def _times_share(g, grad, self, reduction):
    """g times what each element's loss receives of the gradient `grad` of the reduced loss."""
    if reduction != "mean":
        return g * grad
    n = math.prod(self.shape)
    return g * (D._share(grad, n) if type(grad) is np.ndarray else grad / max(n, 1))


def _broadcast_pair(input, target, stacklevel=3):
    if target._data.shape != input._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=stacklevel)
        shape = tuple(broadcast_shapes(input.shape, target.shape))
        return D.expand(input, shape), D.expand(target, shape)
    return input, target


def _mse_grad_np(grad, self, target, reduction, sign):
    """sign * 2 * (self - target) times each element's share of `grad`, in one buffer."""
    d = np.subtract(self, target)
    if d.ndim == 0:  # NumPy's arithmetic on 0-d arrays gives scalars, which take no in-place update
        d = d.reshape(1)
    if reduction == "none":
        d *= grad
        d *= 2 * sign
    else:
        d *= _scale(grad * (2 * sign), self, reduction)  # (a number: each element scaled once)
    return d.reshape(np.shape(self))


@op("MseLossBackward0", promote=True,
    self=lambda grad, self, target, reduction: _scale(grad * 2 * (self - target), self, reduction),
    target=lambda grad, self, target, reduction: _scale(grad * -2 * (self - target), self, reduction),
    raw={"self": lambda grad, self, target, reduction: _mse_grad_np(grad, self, target, reduction, 1),
         "target": lambda grad, self, target, reduction: _mse_grad_np(grad, self, target, reduction, -1)})
def _mse_loss(self, target, reduction):
    d = np.subtract(self, target)
    return _reduce_np(np.multiply(d, d, out=d) if d.ndim else d * d, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_pair(input, target)
    _check_float_pair(input, target, "mse_cpu")
    if weight is not None:
        d = input - target
        return _reduce(d * d * weight, reduction)
    return _mse_loss(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_pair(input, target)
    loss = D.abs(input - target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _signed(d, size):
    """size * sign(d), but NaN where d is NaN, as PyTorch's losses give (sign(NaN) is 0); constant in d, so that
    second derivatives vanish where |d| reaches the threshold, as PyTorch's double backward has them."""
    x = _raw(d)
    return _where(x > 0, size, _where(x < 0, -size, x))


def _smooth_l1_grad(grad, self, target, reduction, beta, sign):
    d = self - target
    g = _where(np.abs(_raw(d)) < beta, d / beta, _signed(d, 1.0))
    return _scale(g * grad * sign, self, reduction)


def _piecewise_loss_grad_np(grad, self, target, reduction, threshold, divisor, outside, sign):
    """The array form of _smooth_l1_grad and _huber_grad: d / divisor where |d| < threshold, else sign(d) *
    outside (NaN where d is NaN), times grad and sign, and each element's share of a reduced loss."""
    d = np.subtract(self, target)
    g = np.where(np.abs(d) < threshold, d / divisor if divisor != 1 else d, np.sign(d) * outside)
    g *= grad
    if sign < 0:
        np.negative(g, out=g)
    return _scale(g, self, reduction)


@op("SmoothL1LossBackward0", promote=True,
    self=lambda grad, self, target, reduction, beta: _smooth_l1_grad(grad, self, target, reduction, beta, 1),
    target=lambda grad, self, target, reduction, beta: _smooth_l1_grad(grad, self, target, reduction, beta, -1),
    raw={"self": lambda grad, self, target, reduction, beta: _piecewise_loss_grad_np(
             grad, self, target, reduction, beta, beta, 1.0, 1),
         "target": lambda grad, self, target, reduction, beta: _piecewise_loss_grad_np(
             grad, self, target, reduction, beta, beta, 1.0, -1)})
def _smooth_l1_loss(self, target, reduction, beta):
    z = np.abs(self - target)
    return _reduce_np(np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta).astype(z.dtype), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_pair(input, target)
    _check_float_pair(input, target, "smooth_l1_cpu")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _smooth_l1_loss(input, target, reduction, beta)


def _huber_grad(grad, self, target, reduction, delta, sign):
    d = self - target
    g = _where(np.abs(_raw(d)) < delta, d, _signed(d, delta))
    return _scale(g * grad * sign, self, reduction)


@op("HuberLossBackward0", promote=True,
    self=lambda grad, self, target, reduction, delta: _huber_grad(grad, self, target, reduction, delta, 1),
    target=lambda grad, self, target, reduction, delta: _huber_grad(grad, self, target, reduction, delta, -1),
    raw={"self": lambda grad, self, target, reduction, delta: _piecewise_loss_grad_np(
             grad, self, target, reduction, delta, 1.0, delta, 1),
         "target": lambda grad, self, target, reduction, delta: _piecewise_loss_grad_np(
             grad, self, target, reduction, delta, 1.0, delta, -1)})
def _huber_loss(self, target, reduction, delta):
    z = np.abs(self - target)
    return _reduce_np(np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)).astype(z.dtype), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    input, target = _broadcast_pair(input, target)
    _check_float_pair(input, target, "huber_cpu")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        d = D.abs(input - target)
        loss = _where(_raw(d) < delta, d * d * 0.5, (d - 0.5 * delta) * delta) * weight
        return _reduce(loss, _reduction(reduction))
    return _huber_loss(input, target, _reduction(reduction), delta)


def _bce_grad_input(grad, self, target, weight, reduction):
    g = (self - target) / _clamp_min(self * (1 - self), 1e-12)
    if weight is not None:
        g = g * weight
    return _scale(g * grad, self, reduction)


def _bce_grad_target(grad, self, target, weight, reduction):
    g = -_logit(self)  # PyTorch's: unclamped, unlike the loss
    if weight is not None:
        g = g * weight
    return _scale(g * grad, self, reduction)


@op("BinaryCrossEntropyBackward0", promote=True, nondiff=("weight",),
    self=_bce_grad_input, target=_bce_grad_target)
def _binary_cross_entropy(self, target, weight, reduction):
    bad_input, bad_target = ~((self >= 0) & (self <= 1)), ~((target >= 0) & (target <= 1))  # NaN too
    if bad_input.any() or bad_target.any():  # PyTorch checks element by element, input before target
        first = np.flatnonzero(bad_input | bad_target)[0]
        raise RuntimeError(f"all elements of {'input' if bad_input.flat[first] else 'target'} should be between 0 "
                           "and 1")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(self), -100)
        log_1mx = np.maximum(np.log1p(-self), -100)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce_np(loss.astype(self.dtype), reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target._data.dtype)} but expected {_type_name(input._data.dtype)}")
    _check_float(input, "binary_cross_entropy")
    if weight is not None:
        weight = D.expand(weight, tuple(np.broadcast_shapes(target.shape, weight.shape)))
    return _binary_cross_entropy(input, target, weight, reduction)


def _bce_logits_grad_input(grad, self, target, weight, pos_weight, reduction):
    # d/dx [(1 - y) x + (1 + (p - 1) y) softplus(-x)] = (1 - y) - (1 + (p - 1) y) sigmoid(-x)
    sigmoid = _on(self, D.sigmoid)
    if pos_weight is None:
        g = sigmoid(self) - target
    else:
        g = (1 - target) - (1 + (pos_weight - 1) * target) * sigmoid(-self)
    if weight is not None:
        g = g * weight
    return _times_share(g, grad, self, reduction)


def _bce_logits_grad_target(grad, self, target, weight, pos_weight, reduction):
    if pos_weight is None:
        g = -self
    else:
        g = (pos_weight - 1) * _softplus_neg(self) - self
    if weight is not None:
        g = g * weight
    return _times_share(g, grad, self, reduction)


def _softplus_neg(x):
    """log(1 + exp(-x)), stable for large |x|."""
    return D.relu(-x) + D.log(1 + D.exp(-D.abs(x)))


def _softplus_neg_np(x, zero):
    """_softplus_neg on an array. np.logaddexp(0, -x) sums the same terms but branches per element, ~13 ns each
    against ~2 for these six ufuncs: it only pays on small arrays, where each call costs most."""
    if x.size < 128:
        return np.logaddexp(zero, -x)
    return np.log1p(np.exp(-np.abs(x))) - np.minimum(x, zero)


@op("BinaryCrossEntropyWithLogitsBackward0", promote=True, nondiff=("weight", "pos_weight"),
    self=_bce_logits_grad_input, target=_bce_logits_grad_target, raw={"self": _bce_logits_grad_input})
def _bce_with_logits(self, target, weight, pos_weight, reduction):
    zero, one, _ = D._numbers(self.dtype)
    # (1 - y) x rather than x - y x: an infinite x gives PyTorch's inf, not inf - inf
    if pos_weight is None:
        loss = (one - target) * self + _softplus_neg_np(self, zero)
    else:
        loss = (one - target) * self + (1 + (pos_weight - 1) * target) * _softplus_neg_np(self, zero)
    if weight is not None:
        loss = loss * weight
    return _reduce_np(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one numerically stable step."""
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if input._data.dtype.kind != "f":  # (tested here: this runs for every step of the tutorial's loop)
        _check_float(input, "log_sigmoid_cpu")  # PyTorch's kernel for the first step
    return _bce_with_logits(input, target, weight, pos_weight, _reduction(reduction, size_average, reduce))


def _nll_pick(self, target, weight, ignore_index):
    """The targets (ignored ones as 0) and their weights w[t] (0 where ignored), with PyTorch's bounds check;
    the weights are None when all are 1 (no class weights, nothing ignored)."""
    n_classes = self.shape[1]
    if target.dtype == np.int64 and target.size and not 0 <= ignore_index < n_classes and \
            np.maximum.reduce(target.view(np.uint64), axis=None) < n_classes:
        # the usual case in one reduction: every target is a class, so none equals an ignore_index outside them
        return target, None if weight is None else weight[target].astype(self.dtype)
    valid = target != ignore_index
    # as unsigned, a negative target is past the end too: one comparison checks both bounds
    outside = (target.view(np.uint64) if target.dtype == np.int64 else target) >= n_classes
    if (outside & valid).any():
        raise IndexError(f"Target {target[outside & valid].flat[0]} is out of bounds.")
    if valid.all():
        return target, None if weight is None else weight[target].astype(self.dtype)
    t = np.where(valid, target, 0)
    w = (weight[t] if weight is not None else np.ones(t.shape, self.dtype)) * valid
    return t, w.astype(self.dtype)


def _nll_count(x, t, w):
    """The mean's divisor: the total weight of the targets."""
    return x.dtype.type(t.size) if w is None else np.add.reduce(w, axis=None)


def _nll_grad(grad, self, target, weight, reduction, ignore_index):
    x = _raw(self)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[None]
    tgt = _raw(target).reshape(x.shape[:1] + x.shape[2:])
    t, w = _nll_pick(x, tgt, _raw(weight), ignore_index)
    count = _nll_count(x, t, w)
    raw = type(grad) is np.ndarray
    if raw:  # PyTorch's kernel: -(grad / total weight) * w[t] at the picked entries only (an inf grad stays there)
        coef = grad if reduction == "none" and not squeeze else grad[()]  # one per target, or one for all
        if reduction == "mean" and count != 0:
            coef = coef / count
        coef = -coef if w is None else -coef * w
    else:
        coef = x.dtype.type(-1) if w is None else -w
        if reduction == "mean" and count != 0:  # NOTE: all targets ignored: loss nan, gradient 0, as PyTorch
            coef = coef / count
    m = np.zeros(x.shape, x.dtype)
    if x.ndim == 2:
        m[np.arange(len(t)), t] = coef
    else:
        np.put_along_axis(m, t[:, None], coef[:, None] if np.ndim(coef) else coef, axis=1)
    if squeeze:
        m = m[0]
    if raw:
        return m
    g = grad.unsqueeze(1) if reduction == "none" and not squeeze else grad
    return g * D.constant(m)


def _nll_forward(self, target, weight, reduction, ignore_index):
    x = self[None] if self.ndim == 1 else self
    tgt = target.reshape(x.shape[:1] + x.shape[2:])
    t, w = _nll_pick(x, tgt, weight, ignore_index)
    picked = x[np.arange(len(t)), t] if x.ndim == 2 else np.take_along_axis(x, t[:, None], axis=1)[:, 0]
    if w is not None:
        picked = picked * w
    if self.ndim == 1:
        picked = picked[0]
    if reduction == "none":
        return -picked
    total = -np.add.reduce(picked, axis=None)  # (negating the sum, not each term: the same bits, one ufunc fewer)
    if reduction == "sum":
        return total
    count = _nll_count(x, t, w)  # of x's dtype, as total
    if count == 0:  # every target ignored, or none given: 0 / 0
        return x.dtype.type(np.nan)
    return total / count


@op("NllLossBackward0", nondiff=("target", "weight"), raw=True, self=_nll_grad)
def _nll_loss(self, target, weight, reduction, ignore_index):
    return _nll_forward(self, target, weight, reduction, ignore_index)


@op("NllLoss2DBackward0", nondiff=("target", "weight"), raw=True, self=_nll_grad)
def _nll_loss2d(self, target, weight, reduction, ignore_index):
    return _nll_forward(self, target, weight, reduction, ignore_index)


_NLL_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


def _nll_loss_nd(input, target, weight, reduction, ignore_index):
    shape, ndim = input._data.shape, input._data.ndim  # (arrays' own shapes: this runs once per training step)
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if ndim != 1 and shape[0] != target._data.shape[0]:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size "
                         f"({target._data.shape[0]}).")
    if target._data.dtype not in _NLL_TARGET_DTYPES:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_name(target._data.dtype)}")
    if weight is not None and weight.numel() != shape[min(1, ndim - 1)]:
        raise RuntimeError(f"weight tensor should be defined either for all {shape[min(1, ndim - 1)]} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"[{', '.join(map(str, weight.shape))}]")
    if ndim <= 2:
        return _nll_loss(input, target, weight, reduction, ignore_index)
    if ndim == 4:
        return _nll_loss2d(input, target, weight, reduction, ignore_index)
    n, c = input.shape[:2]
    out_size = tuple(input.shape[2:])
    x = input.contiguous().view(n, c, 1, -1) if input.numel() else input.view(n, c, 0, 0)
    t = target.contiguous().view(n, 1, -1) if target.numel() else target.view(n, 0, 0)
    out = _nll_loss2d(x, t, weight, reduction, ignore_index)
    return out if reduction != "none" else out.view((n,) + out_size)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of the target classes; input holds log-probabilities (N, C, d1, ...)."""
    return _nll_loss_nd(input, target, weight, _reduction(reduction, size_average, reduce), ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dimension followed by nll_loss (class indices) or by the expected
    negative log-probability (class probabilities, when target has input's shape)."""
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    in_shape = input._data.shape
    class_dim = 0 if len(in_shape) == 1 else 1
    n_classes = in_shape[class_dim] if in_shape else 1
    if in_shape == target._data.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_type_name(target._data.dtype)}")
        logp = _log_softmax(input, class_dim)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            shape = [1] * input.ndim
            shape[class_dim] = weight.shape[0]
            prod = prod * weight.view(*shape)
        if reduction == "mean":
            if input.numel() == 0:
                return D.mul((-prod).sum(), float("nan"))
            return _div_scalar(-prod.sum(), input.numel() // n_classes)
        if reduction == "sum":
            return -prod.sum()
        return -prod.sum(class_dim)
    logp = _log_softmax(input, class_dim)
    loss = _nll_loss_nd(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0:
        return loss
    ignore = target._data == ignore_index
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = weight.shape[0]
        smooth = -(logp * weight.view(*shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = _where(ignore, 0.0, smooth)
    if reduction == "mean":
        if weight is not None:
            denom = float(weight._data[target._data[~ignore]].sum())
        else:
            denom = int((~ignore).sum())
        ret = smooth.sum() / denom
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return loss * (1 - label_smoothing) + ret * (label_smoothing / n_classes)


@op("XlogyBackward0", promote=True,
    self=lambda grad, self, other: _where(_raw(self) == 0, 0.0, grad * D.log(other)),
    other=lambda grad, self, other: grad * self / other)
def _xlogy(self, other):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(self == 0, 0, self * np.log(other))  # (kl_div, its one caller, takes floats only)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise target * (log target - input), reduced; 'batchmean' divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if input._data.dtype.kind in "biu" or target._data.dtype.kind in "biu":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = D.exp(target) * (target - input)
    else:
        loss = _xlogy(target, target) - target * input
    if reduction == "batchmean":
        out = loss.sum()
        return out / input._data.shape[0] if input._data.ndim else out
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = D.exp(input) - target * input
    else:
        loss = input - target * D.log(input + eps)
    if full:
        t = target
        stirling = t * D.log(t) - t + D.log(t * (2 * math.pi)) * 0.5
        loss = loss + _where(_raw(t) <= 1, 0.0, stirling)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce(_clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    t = _raw(target)
    margin_clamp = _clamp_min(margin - input, 0)
    out = _where(t != 1, margin_clamp, 0.0) + _where(t != -1, input, 0.0)
    return _reduce(out, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    td = target.ndim
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"[{', '.join(map(str, input1.shape))}] and [{', '.join(map(str, input2.shape))}].")
    if td == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"[{', '.join(map(str, input1.shape))}] and [{', '.join(map(str, input2.shape))}].")
    prod = (input1 * input2).sum(td)
    m1 = (input1 * input1).sum(td) + 1e-12
    m2 = (input2 * input2).sum(td) + 1e-12
    cos = prod / D.sqrt(m1 * m2)
    t = _raw(target)
    out = _where(t == 1, 1 - cos, 0.0) + _where(t == -1, _clamp_min(cos - margin, 0), 0.0)
    return _reduce(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = _where(_raw(d_swap) < _raw(d_neg), d_swap, d_neg)
    return _reduce(_clamp_min(d_pos - d_neg + margin, 0), reduction)


def _soft_margin_grad(grad, self, target, reduction, wrt_input):
    z = -(self * target)
    g = D.sigmoid(z) * (-target if wrt_input else -self)
    return _scale(g * grad, self, reduction)


@op("SoftMarginLossBackward0", promote=True,
    self=lambda grad, self, target, reduction: _soft_margin_grad(grad, self, target, reduction, True),
    target=lambda grad, self, target, reduction: _soft_margin_grad(grad, self, target, reduction, False))
def _soft_margin_loss(self, target, reduction):
    z = -self * target
    return _reduce_np((np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).astype(self.dtype), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """mean(log(1 + exp(-y x)))."""
    if target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    input, target = _broadcast_pair(input, target)
    return _soft_margin_loss(input, target, _reduction(reduction, size_average, reduce))


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(reduction, size_average, reduce)
    loss = -(target * _log_sigmoid(input) + (1 - target) * _log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)), the clamp invisible to autograd."""
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    if np.any(var._data < 0):
        raise ValueError("var has negative entry/entries")
    var = D.clone(var)
    var._data[...] = np.maximum(var._data, eps)  # PyTorch clamps in place under no_grad
    d = input - target
    loss = (D.log(var) + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _multi_margin_grad(grad, self, target, p, margin, weight, reduction):
    x = self if self.ndim == 2 else self.unsqueeze(0)
    t = _raw(target).reshape(-1)
    n, c = x.shape
    rows = np.arange(n)
    onehot = np.zeros((n, c), bool)
    onehot[rows, t] = True
    m = margin - D._index(x, (rows, t)).unsqueeze(1) + x  # the forward's order: its rounding decides ties
    active = D.constant(((_raw(m) > 0) & ~onehot).astype(_raw(self).dtype))
    h = active if p == 1 else m * active * 2
    g = h - D.constant(onehot.astype(_raw(self).dtype)) * h.sum(1, keepdim=True)
    scale = np.full(n, 1.0 / c)
    if weight is not None:
        scale = scale * _raw(weight)[t]
    if reduction == "mean":
        scale = scale / n
    g = g * D.constant(scale[:, None].astype(_raw(self).dtype))
    g = g * (grad.reshape(-1, 1) if reduction == "none" else grad)
    return g if self.ndim == 2 else g.squeeze(0)


@op("MultiMarginLossBackward0", nondiff=("target", "weight"), self=_multi_margin_grad)
def _multi_margin_loss(self, target, p, margin, weight, reduction):
    x = self if self.ndim == 2 else self[None]
    t = target.reshape(-1)
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    m = margin - x[np.arange(n), t][:, None] + x
    h = np.where(m > 0, m, 0)  # PyTorch adds the terms above zero: a NaN one is left out
    h[np.arange(n), t] = 0
    loss = (h if p == 1 else h * h).sum(1) / c
    if weight is not None:
        loss = loss * weight[t]
    loss = loss.astype(self.dtype)
    if self.ndim < 2 and reduction == "none":
        loss = loss.reshape(target.shape)
    return _reduce_np(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: sum over j != y of max(0, margin - x[y] + x[j])^p / C."""
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    return _multi_margin_loss(input, target, p, margin, weight, reduction)


def _multilabel_tables(x, target):
    """Per-class multiplicity of the labels before the first -1, and the hinge terms that are active."""
    n, c = x.shape
    stop = np.cumsum(target < 0, axis=1) > 0
    labels = np.where(stop, 0, target)
    count = np.zeros((n, c))
    np.add.at(count, (np.arange(n)[:, None], labels), ~stop)
    is_target = count > 0
    margin = 1 - x[:, :, None] + x[:, None, :]                      # (N, j, i)
    weight = count[:, :, None] * (~is_target)[:, None, :] * (margin > 0)
    return margin, weight


def _multilabel_margin_grad(grad, self, target, reduction):
    x = _raw(self).reshape(-1, _raw(self).shape[-1])
    _, weight = _multilabel_tables(x, _raw(target).reshape(x.shape))
    g = (weight.sum(1) - weight.sum(2)) / x.shape[1]
    if reduction == "mean":
        g = g / x.shape[0]
    g = D.constant(g.reshape(_raw(self).shape).astype(x.dtype))
    return g * (grad.unsqueeze(-1) if reduction == "none" else grad)


@op("MultilabelMarginLossBackward0", nondiff=("target",), self=_multilabel_margin_grad)
def _multilabel_margin_loss(self, target, reduction):
    x = self.reshape(-1, self.shape[-1])
    margin, weight = _multilabel_tables(x, target.reshape(x.shape))
    loss = ((margin * weight).sum((1, 2)) / x.shape[1]).astype(self.dtype)
    if self.ndim < 2:
        loss = loss.reshape(())
    return _reduce_np(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Hinge loss between every target class (labels up to the first -1) and every non-target class."""
    reduction = _reduction(reduction, size_average, reduce)
    t = target._data
    if t.size and (t.max() >= input.shape[-1] or t.min() < -1):
        raise RuntimeError("argument #2 'target' is out of range")
    return _multilabel_margin_loss(input, target, reduction)


# ---- CTC ----------------------------------------------------------------------------------------------------
def _logaddexp(*xs):
    with np.errstate(invalid="ignore"):
        out = xs[0]
        for x in xs[1:]:
            out = np.logaddexp(out, x)
    return out


def _shift(a, k):
    """a[:, s - k] (k > 0) or a[:, s + |k|] (k < 0), -inf where that falls outside."""
    out = np.full(a.shape, -np.inf)
    n = a.shape[1]
    if abs(k) < n:
        if k > 0:
            out[:, k:] = a[:, :n - k]
        else:
            out[:, :n + k] = a[:, -k:]
    return out


def _ctc_tables(lp, targets, input_lengths, target_lengths, blank):
    """Extended labels (blank, l1, blank, l2, ..., blank) per sample and where a skip over a blank is allowed."""
    n = lp.shape[1]
    smax = int(target_lengths.max()) if n else 0
    ext = np.full((n, 2 * smax + 1), blank, np.int64)
    ext[:, 1::2] = targets[:, :smax]
    prev2 = np.full(ext.shape, -1)
    prev2[:, 2:] = ext[:, :-2]
    skip = (ext != blank) & (ext != prev2)
    valid = np.arange(2 * smax + 1)[None, :] < (2 * target_lengths + 1)[:, None]
    return ext, skip, valid


def _ctc_alpha(lp, ext, skip, valid, input_lengths):
    """Forward variables in log space; NOTE: one step per time frame (a recursion), vectorized over the batch
    and the extended labels."""
    t_max, n = lp.shape[:2]
    rows = np.arange(n)[:, None]
    emit = lp[:, rows, ext]                                        # (T, N, L)
    alpha = np.full((t_max,) + ext.shape, -np.inf)
    a = np.full(ext.shape, -np.inf)
    a[:, 0] = emit[0, :, 0]
    if ext.shape[1] > 1:
        a[:, 1] = emit[0, :, 1]
    a = np.where(valid, a, -np.inf)
    alpha[0] = a
    for t in range(1, t_max):
        a1 = _shift(a, 1)
        a2 = np.where(skip, _shift(a, 2), -np.inf)
        new = np.where(valid, _logaddexp(a, a1, a2) + emit[t], -np.inf)
        a = np.where((t < input_lengths)[:, None], new, a)
        alpha[t] = a
    return alpha, emit


def _ctc_nll(alpha, input_lengths, target_lengths):
    n = alpha.shape[1]
    last = alpha[np.maximum(input_lengths - 1, 0), np.arange(n)]   # (N, L)
    end = 2 * target_lengths
    a_end = last[np.arange(n), end]
    a_pre = np.where(target_lengths > 0, last[np.arange(n), np.maximum(end - 1, 0)], -np.inf)
    return -_logaddexp(a_end, a_pre)


def _ctc_grad_np(lp, targets, input_lengths, target_lengths, blank, zero_infinity):
    """PyTorch's ctc_loss_backward: exp(lp) - exp(log(sum of alpha*beta over the label) + nll - lp)."""
    t_max, n, c = lp.shape
    ext, skip, valid = _ctc_tables(lp, targets, input_lengths, target_lengths, blank)
    alpha, emit = _ctc_alpha(lp, ext, skip, valid, input_lengths)
    nll = _ctc_nll(alpha, input_lengths, target_lengths)
    length = ext.shape[1]
    end = 2 * target_lengths
    skip_next = np.zeros(skip.shape, bool)   # may s jump to s + 2
    skip_next[:, :-2] = skip[:, 2:]
    beta = np.full(alpha.shape, -np.inf)
    b = np.full(ext.shape, -np.inf)
    cols = np.arange(length)[None, :]
    for t in range(t_max - 1, -1, -1):   # NOTE: the backward recursion, one step per time frame
        b1 = _shift(b, -1)
        b2 = np.where(skip_next, _shift(b, -2), -np.inf)
        step = _logaddexp(b, b1, b2) + emit[t]
        start = np.where((cols == end[:, None]) | ((cols == end[:, None] - 1) & (target_lengths[:, None] > 0)),
                         emit[t], -np.inf)
        last = (t == input_lengths - 1)[:, None]
        b = np.where(last, start, np.where((t < input_lengths - 1)[:, None], np.where(valid, step, -np.inf),
                                           -np.inf))
        beta[t] = b
    ab = alpha + beta                                                  # (T, N, L)
    with np.errstate(invalid="ignore"):
        m = np.max(ab, axis=2, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        acc = np.zeros((t_max, n, c))
        np.add.at(acc, (slice(None), np.arange(n)[:, None], ext), np.exp(ab - m))
        with np.errstate(divide="ignore"):
            lcab = np.log(acc) + m
        grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
    grad = np.where((np.arange(t_max)[:, None] < input_lengths[None, :])[..., None], grad, 0)
    if zero_infinity:
        grad = np.where(np.isinf(nll)[None, :, None], 0, grad)
    return grad.astype(lp.dtype)


@op("CtcLossBackward0", nondiff=("targets", "input_lengths", "target_lengths"),
    log_probs=lambda grad, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity: grad.reshape(
        (1, -1, 1) if log_probs.ndim == 3 else (1, 1)) * D.constant(_ctc_grad_np(
            _raw(log_probs) if log_probs.ndim == 3 else _raw(log_probs)[:, None], _raw(targets), _raw(input_lengths),
            _raw(target_lengths), blank, zero_infinity).reshape(log_probs.shape)))
def _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    lp = log_probs if log_probs.ndim == 3 else log_probs[:, None]
    ext, skip, valid = _ctc_tables(lp, targets, input_lengths, target_lengths, blank)
    alpha, _ = _ctc_alpha(lp, ext, skip, valid, input_lengths)
    nll = _ctc_nll(alpha, input_lengths, target_lengths).astype(log_probs.dtype)
    return nll if log_probs.ndim == 3 else nll[0]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist Temporal Classification loss of log-probabilities (T, N, C) against label sequences.

    NOTE: like PyTorch, the gradient assumes log_probs came from log_softmax (it includes the softmax term), and
    there is no double backward."""
    as_array = lambda t: np.asarray(t._data if isinstance(t, Tensor) else t, np.int64)
    il, tl = as_array(input_lengths).reshape(-1), as_array(target_lengths).reshape(-1)
    tg = as_array(targets)
    if tg.ndim == 1:  # concatenated targets (or an unbatched sample's one sequence)
        if log_probs.ndim == 2:
            tg = tg[None, :]
        else:
            starts = np.concatenate([[0], np.cumsum(tl)[:-1]])
            smax = int(tl.max()) if tl.size else 0
            pos = starts[:, None] + np.arange(smax)[None, :]
            tg = np.where(np.arange(smax)[None, :] < tl[:, None], tg[np.minimum(pos, max(tg.size - 1, 0))], 0) \
                if tg.size else np.zeros((len(tl), smax), np.int64)
    t_len = log_probs.shape[0]
    if il.size and il.max() > t_len:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_len}, but got value {il.max()} (while "
                           f"checking arguments for ctc_loss_allocate_outputs)")
    loss = _ctc_loss(log_probs, tg, il, tl, blank, zero_infinity)
    if zero_infinity:  # the kernel's gradient is already 0 there; the where is PyTorch's node
        loss = _where(np.isinf(loss._data), 0.0, loss)
    reduction = _reduction(reduction)
    if reduction == "mean":
        lengths = D.constant(np.maximum(tl, 1).astype(log_probs._data.dtype))
        return (loss / (lengths if log_probs.ndim == 3 else lengths[0])).mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ---- normalization ------------------------------------------------------------------------------------------
def _normalized_np(a, dims, eps):
    """((a - mean) * rstd, mean, rstd) over `dims` of an array, the statistics kept with their dims."""
    mean = D.mean_np(a, dims, keepdims=True)
    out = a - mean
    rstd = 1.0 / np.sqrt(D.mean_np(np.square(out), dims, keepdims=True) + eps)
    out *= rstd  # in place: one temporary
    return out, mean, rstd


def _normalized(x, dims, eps):
    """((x - mean) * rstd, rstd) over `dims`: arrays for an array (raw formulas); else in chainrule ops, so that
    gradients built from it differentiate again."""
    raw = type(x) is np.ndarray
    if raw or not _grad_state.enabled:  # a plain backward (no create_graph): same numbers, fewer temporaries
        xc, _, rstd = _normalized_np(x if raw else x._data, dims, eps)
        return (xc, rstd) if raw else (Tensor._make(xc), Tensor._make(rstd))
    mu = x.mean(dims, keepdim=True)
    xc = x - mu
    rstd = D.pow(D.mean(xc * xc, dims, True) + eps, -0.5)
    return xc * rstd, rstd


def _norm_input_grad(g, xhat, rstd, dims):
    raw = type(g) is np.ndarray
    if raw or not _grad_state.enabled:
        ga, xa = (g, xhat) if raw else (g._data, xhat._data)
        out = ga - D.mean_np(ga, dims, keepdims=True)
        t = ga * xa
        m = D.mean_np(t, dims, keepdims=True)
        np.multiply(xa, m, out=t)
        out -= t
        out *= rstd if raw else rstd._data
        return out if raw else Tensor._make(out)
    return rstd * (g - g.mean(dims, keepdim=True) - xhat * (g * xhat).mean(dims, keepdim=True))


def _sum_over(t, dims):
    return t.sum(dims) if dims else t


@joint
def _ln_grads(grads, self, normalized_shape, weight, bias_shape, eps):
    """layer_norm's (input, weight, bias) gradients in chainrule ops, so that they differentiate again (the saved
    mean and rstd are outputs without a gradient: they are recomputed from the input here). A missing weight or
    bias (no shape) gets none."""
    lead = tuple(range(self.ndim - len(normalized_shape)))
    xhat, rstd = _normalized(self, tuple(range(len(lead), self.ndim)), eps)
    return _ln_grads_from(grads[0], xhat, rstd, lead, weight, bias_shape)


@joint
def _ln_grads_np(grads, self, normalized_shape, weight, bias_shape, result1, result2):
    """_ln_grads on arrays, from the mean and rstd the forward saved (as PyTorch's native_layer_norm)."""
    xhat = np.subtract(self, result1)
    xhat *= result2
    return _ln_grads_from(grads[0], xhat, result2, tuple(range(self.ndim - len(normalized_shape))), weight,
                          bias_shape)


def _ln_grads_from(grad, xhat, rstd, lead, weight, bias_shape):
    dims = tuple(range(len(lead), xhat.ndim))
    g_input = _norm_input_grad(grad * weight if weight is not None else grad, xhat, rstd, dims)
    return _affine_grads(g_input, grad, xhat, weight, bias_shape, lead)


def _affine_grads(g_input, grad, xhat, weight, bias_shape, dims):
    """A normalization's (input, weight, bias) gradients: the weight's and bias's summed over `dims` (those they
    are shared along); none for a missing weight or bias (no shape)."""
    g_weight = None if weight is None else _sum_over(grad * xhat, dims)
    return g_input, g_weight, _sum_over(grad, dims) if bias_shape else None


@op("NativeLayerNormBackward0", promote=True, outputs=3, nondiff_outputs=(1, 2),
    self=_ln_grads, weight=_ln_grads, bias=_ln_grads,
    raw={"self": _ln_grads_np, "weight": _ln_grads_np, "bias": _ln_grads_np})
def _native_layer_norm(self, normalized_shape, weight, bias, eps):
    """(output, mean, rstd), the mean and rstd of shape (*lead, 1, ...) as PyTorch's native_layer_norm."""
    out, mean, rstd = _normalized_np(self, tuple(range(self.ndim - len(normalized_shape), self.ndim)), eps)
    if weight is not None:
        out *= weight
    if bias is not None:
        out += bias
    return out, mean, rstd


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the trailing `normalized_shape` dimensions, then scale and shift."""
    if isinstance(normalized_shape, int):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape=[{', '.join(map(str, normalized_shape))}], expected input with "
                           f"shape [*, {', '.join(map(str, normalized_shape))}], but got input of size"
                           f"{list(input.shape)}".replace("[", "[", 1))
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype is not input.dtype:
            raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of "
                               f"{_type_name(input._data.dtype)}")
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(normalized_shape)}")
    _check_float(input, "LayerNormKernelImpl")
    return _native_layer_norm(input, normalized_shape, weight, bias, eps)[0]


def _channel_view(t, ndim):
    return t.reshape((t.shape[0],) + (1,) * (ndim - 2))


def _bn_stats_dims(ndim):
    return (0,) + tuple(range(2, ndim))


@joint
def _bn_grads(grad, input, weight, bias_shape, running_mean, running_var, training, eps):
    """batch_norm's (input, weight, bias) gradients, normalizing the input once for both of the first two; on
    arrays (raw) or Tensors. A missing weight or bias (no shape) gets none."""
    dims = _bn_stats_dims(input.ndim)
    g = grad * _channel_view(weight, input.ndim) if weight is not None else grad
    if training:
        xhat, rstd = _normalized(input, dims, eps)
        g_input = _norm_input_grad(g, xhat, rstd, dims)
    else:
        shape = (-1,) + (1,) * (input.ndim - 2)
        rstd = (1 / np.sqrt(_raw(running_var) + eps)).reshape(shape).astype(_raw(input).dtype)
        mean = _raw(running_mean).reshape(shape)
        if type(grad) is np.ndarray:
            g_input, xhat = g * rstd, (input - mean) * rstd
        else:
            g_input, xhat = g * D.constant(rstd), (input - D.constant(mean)) * D.constant(rstd)
    return _affine_grads(g_input, grad, xhat, weight, bias_shape, dims)


@op("NativeBatchNormBackward0", promote=True, nondiff=("running_mean", "running_var"),
    input=_bn_grads, weight=_bn_grads, bias=_bn_grads,
    raw={"input": _bn_grads, "weight": _bn_grads, "bias": _bn_grads})
def _native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    dims = _bn_stats_dims(input.ndim)
    shape = (-1,) + (1,) * (input.ndim - 2)
    if training:
        mu = D.mean_np(input, dims)
        out = input - mu.reshape(shape)
        var = D.mean_np(np.square(out), dims)
        n = input.size // max(input.shape[1], 1)
        if running_mean is not None:
            running_mean[...] = (1 - momentum) * running_mean + momentum * mu
        if running_var is not None:
            running_var[...] = (1 - momentum) * running_var + momentum * var * (n / max(n - 1, 1))
    else:
        mu, var = running_mean, running_var
        out = input - mu.reshape(shape).astype(input.dtype)
    out /= np.sqrt(var.reshape(shape) + eps).astype(out.dtype)  # in place: one buffer from here on
    if weight is not None:
        out *= weight.reshape(shape)
    if bias is not None:
        out += bias.reshape(shape)
    return out


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) over the batch and spatial dims; in training the running statistics
    are updated in place with `momentum` (the variance unbiased), in eval they are used instead."""
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.requires_grad:
            raise RuntimeError(f"The function 'native_batch_norm' is not differentiable with respect to argument "
                               f"'{name}'. This input cannot have requires_grad True.")
    if training:
        size = input.shape
        n = size[0] * math.prod(size[2:])
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    c = input.shape[1] if input.ndim > 1 else 1
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.dtype is not input.dtype:
            raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of "
                               f"{_type_name(input._data.dtype)}")
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    # NOTE: the running statistics go in as arrays: updated in place, but not saved with a version check
    # (PyTorch's formulas never read them in training mode).
    if momentum is None:
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not NoneType")
    out = _native_batch_norm(input, weight, bias, _raw(running_mean), _raw(running_var), training, momentum, eps)
    return out


@joint
def _gn_grads(grads, input, weight, bias_shape, N, C, HxW, group, eps):
    """group_norm's (input, weight, bias) gradients in chainrule ops, so that they differentiate again (the saved
    mean and rstd are outputs without a gradient: they are recomputed from the input here). A missing weight or
    bias (no shape) gets none."""
    xhat, rstd = _normalized(input.reshape(N, group, -1), (2,), eps)
    return _gn_grads_from(grads[0], input, xhat, rstd, weight, bias_shape, N, group)


@joint
def _gn_grads_np(grads, input, weight, bias_shape, N, group, result1, result2):
    """_gn_grads on arrays, from the mean and rstd of shape (N, group) the forward saved (as PyTorch's)."""
    rstd = result2[:, :, None]
    xhat = np.subtract(input.reshape(N, group, -1), result1[:, :, None])
    xhat *= rstd
    return _gn_grads_from(grads[0], input, xhat, rstd, weight, bias_shape, N, group)


def _gn_grads_from(grad, input, xhat, rstd, weight, bias_shape, N, group):
    g = grad * _channel_view(weight, input.ndim) if weight is not None else grad
    g_input = _norm_input_grad(g.reshape(N, group, -1), xhat, rstd, (2,)).reshape(input.shape)
    return _affine_grads(g_input, grad, xhat.reshape(input.shape), weight, bias_shape, _bn_stats_dims(input.ndim))


@op("NativeGroupNormBackward0", promote=True, outputs=3, nondiff_outputs=(1, 2),
    input=_gn_grads, weight=_gn_grads, bias=_gn_grads,
    raw={"input": _gn_grads_np, "weight": _gn_grads_np, "bias": _gn_grads_np})
def _native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """(output, mean, rstd), the mean and rstd of shape (N, group) as PyTorch's native_group_norm."""
    out, mean, rstd = _normalized_np(input.reshape(N, group, -1), (2,), eps)
    out = out.reshape(input.shape)  # (a new buffer: scaled and shifted in place)
    if weight is not None:
        out *= _channel_view(weight, input.ndim)
    if bias is not None:
        out += _channel_view(bias, input.ndim)
    return out, mean[:, :, 0], rstd[:, :, 0]


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    N, C = input.shape[:2]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape [{', '.join(map(str, input.shape))}] and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    return _native_group_norm(input, weight, bias, N, C, math.prod(input.shape[2:]), num_groups, eps)[0]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """batch_norm of the input viewed as (1, N*C, ...), as PyTorch computes it."""
    N, C = input.shape[:2]
    x = input.contiguous().view(1, N * C, *input.shape[2:])
    rep = lambda t: None if t is None else Tensor._make(np.tile(t._data, N))
    rm, rv = rep(running_mean), rep(running_var)
    w = None if weight is None else weight.repeat(N)
    b = None if bias is None else bias.repeat(N)
    out = _native_batch_norm(x, w, b, _raw(rm), _raw(rv), use_input_stats, momentum, eps)
    for src, rep_t in ((running_mean, rm), (running_var, rv)):
        if src is not None and use_input_stats:
            src._data[...] = rep_t._data.reshape(N, C).mean(0)
            counter(src)[0] += 1
    return out.view(*input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing `normalized_shape` dims, times weight."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != tuple(normalized_shape):
        raise RuntimeError(f"Given normalized_shape=[{', '.join(map(str, normalized_shape))}], expected input with "
                           f"shape [*{', '.join(map(str, normalized_shape))}], but got input of size"
                           f"{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * D.pow(D.mean(input * input, dims, True) + eps, -0.5)
    return out * weight if weight is not None else out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta."""
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    from ._conv import avg_pool2d, pad
    div = input * input
    n, c = input.shape[:2]
    div = div.reshape(n, 1, c, -1)
    div = pad(div, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(div, (size, 1), stride=1).reshape(input.shape)
    div = D.pow(div * alpha + k, beta)
    return input / div


# ---- attention ----------------------------------------------------------------------------------------------
@joint
def _attention_grads(grad, query, key, value, bias, scale):
    """Gradients of softmax(q k^T * scale + bias) v, in chainrule ops so they differentiate again."""
    p = _softmax(D.matmul(query, key.transpose(-2, -1)) * scale + D.constant(bias), -1)
    dp = D.matmul(grad, value.transpose(-2, -1))
    ds = p * (dp - (dp * p).sum(-1, keepdim=True))
    return D.matmul(ds, key) * scale, D.matmul(ds.transpose(-2, -1), query) * scale, \
        D.matmul(p.transpose(-2, -1), grad)


@op("ScaledDotProductFlashAttentionForCpuBackward0", promote=True, nondiff=("bias",),
    query=_attention_grads, key=_attention_grads, value=_attention_grads)
def _flash_attention(query, key, value, bias, scale):
    scores = np.matmul(query, np.swapaxes(key, -2, -1)) * scale + bias
    return np.matmul(_softmax_np(scores, scores.ndim - 1), value).astype(query.dtype)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q k^T * scale + mask) v. 4-d inputs without dropout take PyTorch's fused CPU kernel (one node);
    everything else is PyTorch's math reference written with chainrule ops."""
    L, S = query.shape[-2], key.shape[-2]
    scale_factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    bias = np.zeros((L, S), query._data.dtype)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        bias = np.where(np.tril(np.ones((L, S), bool)), bias, -np.inf).astype(bias.dtype)
    mask_grad = attn_mask is not None and attn_mask.requires_grad
    if attn_mask is not None and attn_mask._data.dtype == np.bool_:
        bias = np.where(attn_mask._data, bias, -np.inf).astype(bias.dtype)
    elif attn_mask is not None and not mask_grad:
        bias = (bias + attn_mask._data).astype(bias.dtype)
    # PyTorch's CPU dispatcher picks the fused kernel for 4-d inputs of equal batch and head sizes, no dropout.
    if enable_gqa and key.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        rep = np.repeat(np.arange(key.shape[-3]), query.shape[-3] // key.shape[-3])
        key = D._index(key, (Ellipsis, rep, slice(None), slice(None)))
        value = D._index(value, (Ellipsis, rep, slice(None), slice(None)))
    if (query.ndim == key.ndim == value.ndim == 4 and dropout_p == 0.0 and not mask_grad
            and query.shape[:2] == key.shape[:2] == value.shape[:2] and query.shape[-1] == value.shape[-1]):
        return _flash_attention(query, key, value, bias, scale_factor)
    scores = D.matmul(query, key.transpose(-2, -1)) * scale_factor
    scores = scores + (attn_mask + D.constant(bias) if mask_grad else D.constant(bias))
    weights = _softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return D.matmul(weights, value)


def _canonical_mask(mask, dtype):
    """Boolean masks become additive float masks (-inf where True), as PyTorch's _canonical_mask."""
    if mask is None:
        return None
    if mask._data.dtype == np.bool_:
        return D.constant(np.where(mask._data, -np.inf, 0).astype(dtype.np))
    if mask._data.dtype.kind != "f":
        raise AssertionError("only bool and floating types of masks are supported")
    return mask


def _in_projection_packed(q, k, v, w, b=None):
    e = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b).unflatten(-1, (3, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = (None, None) if b is None else b.split([e, e * 2])
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """nn.MultiheadAttention's forward, a port of PyTorch's Python code (sequence-first layout)."""
    from .. import _creation
    if query.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                             f"tensor")
    is_batched = query.ndim == 3
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, query.dtype)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if not use_separate_proj_weight:
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = (linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k),
                   linear(value, v_proj_weight, b_v))
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, key.shape[0]):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, key.shape[0])}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, key.shape[0]):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, key.shape[0])}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
    if bias_k is not None and bias_v is not None:
        k = D.cat([k, bias_k.repeat(1, bsz, 1)])
        v = D.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k)
    v = (v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v)
    if add_zero_attn:
        zeros = _creation.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k, v = D.cat([k, zeros], 1), D.cat([v, zeros], 1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{key_padding_mask.shape}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        if attn_mask is not None:
            from .. import baddbmm
            weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = D.bmm(q_scaled, k.transpose(-2, -1))
        weights = softmax(weights, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = D.bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 and attn_mask.ndim == 3 else \
            attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None


from . import _conv  # noqa: E402  (convolutions, pooling, padding, resampling: see NOTE [Windows] there)
from ._conv import *  # noqa: E402,F401,F403

__all__ += _conv.__all__

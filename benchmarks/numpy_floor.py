"""Hand-written NumPy versions of the workloads: forward and backward derived by hand, the honest floor.

Each *_grads function returns (loss, gradients) and is checked against PyTorch by verify.py;
the timed steps call the same functions.
"""
import numpy as np

from data import CHAIN_OPS, F32, LR, chain_data, cnn_data, mlp_data
from workloads import chain


# a: the add / mul / tanh chain ------------------------------------------------------------------

def chain_forward_saving(x, a, m, n):
    """The chain's forward, keeping the tanh outputs its backward needs."""
    saved = []
    h = x
    for _ in range(n // 3):
        h = np.tanh((h + a) * m)
        saved.append(h)
    return chain(np.tanh, h, a, m, n % 3), saved


def chain_grads(x, a, m, n):
    """Gradient of chain(x).sum() with respect to x."""
    h, saved = chain_forward_saving(x, a, m, n)
    g = np.ones_like(x)
    if n % 3 == 2:
        g *= m
    for y in reversed(saved):
        g *= 1 - y * y
        g *= m
    return h.sum(), g


def chain_steps(n=CHAIN_OPS):
    x, a, m = chain_data()
    return (lambda: chain(np.tanh, x, a, m, n),
            lambda: chain_forward_saving(x, a, m, n),
            lambda: chain_grads(x, a, m, n))


# b: the tutorial --------------------------------------------------------------------------------

def tutorial_grads(x, w, b, y):
    """binary_cross_entropy_with_logits(x @ w + b, y), mean reduction, and its gradients for w and b."""
    z = x @ w
    z += b
    loss = (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean()
    dz = 1 / (1 + np.exp(-z))
    dz -= y
    dz /= z.size
    return loss, [np.outer(x, dz), dz]


def tutorial_step():
    rng = np.random.default_rng()

    def step():
        x = np.ones(5, F32)
        y = np.zeros(3, F32)
        w = rng.standard_normal((5, 3), dtype=F32)
        b = rng.standard_normal(3, dtype=F32)
        tutorial_grads(x, w, b, y)

    return step


# c and d: layers --------------------------------------------------------------------------------

def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of the rows of `logits` (overwritten) and its gradient with respect to them."""
    rows = np.arange(len(y))
    logits -= logits.max(axis=1, keepdims=True)
    picked = logits[rows, y]
    p = np.exp(logits, out=logits)
    total = p.sum(axis=1, keepdims=True)
    loss = (np.log(total[:, 0]) - picked).mean()
    p /= total
    p[rows, y] -= 1
    p /= len(y)
    return loss, p


def linear(x, w, b):
    out = x @ w
    out += b
    return out


def relu_(x):
    return np.maximum(x, 0, out=x)


def relu_backward_(grad, out):
    """grad *= (out > 0), in place; `out` is the ReLU's output."""
    grad *= out > 0
    return grad


def linear_backward(x, w, grad):
    """(input gradient, weight gradient, bias gradient) of x @ w + b."""
    return grad @ w.T, x.T @ grad, grad.sum(axis=0)


def sgd(params, grads, lr):
    for p, g in zip(params, grads):
        g *= lr
        p -= g


# c: the MLP -------------------------------------------------------------------------------------

def mlp_grads(x, y, params):
    w1, b1, w2, b2, w3, b3 = params
    h1 = relu_(linear(x, w1, b1))
    h2 = relu_(linear(h1, w2, b2))
    loss, d3 = softmax_cross_entropy(linear(h2, w3, b3), y)
    d2, dw3, db3 = linear_backward(h2, w3, d3)
    d1, dw2, db2 = linear_backward(h1, w2, relu_backward_(d2, h2))
    dw1 = x.T @ relu_backward_(d1, h1)
    return loss, [dw1, d1.sum(axis=0), dw2, db2, dw3, db3]


def train_step(grads_fn, x, y, params):
    def step():
        sgd(params, grads_fn(x, y, params)[1], LR)

    return step


def mlp_step():
    return train_step(mlp_grads, *mlp_data())


mlp_step_add_ = mlp_step  # the floor's SGD is in place either way


# d: the CNN, channels-last inside, PyTorch's layouts for inputs and parameters ------------------

def im2col(x):
    """NHWC `x` -> (N*OH*OW, 9*C) patches of the valid 3x3 windows, columns ordered (row, column, channel)."""
    n, h, w, c = x.shape
    patches = np.empty((n, h - 2, w - 2, 3, 3, c), F32)
    for i in range(3):
        for j in range(3):
            patches[:, :, :, i, j] = x[:, i:i + h - 2, j:j + w - 2]
    return patches.reshape(-1, 9 * c)


def col2im(dpatches, input_shape):
    """The adjoint of im2col: sums each patch gradient back onto the input positions it was copied from."""
    n, h, w, c = input_shape
    dpatches = dpatches.reshape(n, h - 2, w - 2, 3, 3, c)
    dx = np.zeros(input_shape, F32)
    for i in range(3):
        for j in range(3):
            dx[:, i:i + h - 2, j:j + w - 2] += dpatches[:, :, :, i, j]
    return dx


def conv3x3(x, w, b):
    """Valid 3x3 convolution of NHWC `x` by an (O, C, 3, 3) weight; returns (out NHWC, patches, weight matrix)."""
    n, h, wd, _ = x.shape
    patches = im2col(x)
    wmat = w.transpose(0, 2, 3, 1).reshape(len(w), -1)
    return linear(patches, wmat.T, b).reshape(n, h - 2, wd - 2, len(w)), patches, wmat


def conv3x3_backward(grad, patches, wmat, input_shape=None):
    """(weight gradient (O, C, 3, 3), bias gradient, input gradient or None) of conv3x3."""
    g = grad.reshape(-1, grad.shape[-1])
    dw = (g.T @ patches).reshape(len(wmat), 3, 3, -1).transpose(0, 3, 1, 2)
    dx = None if input_shape is None else col2im(g @ wmat, input_shape)
    return dw, g.sum(axis=0), dx


def corners(x):
    """The four strided views (top-left, top-right, ...) of the 2x2 windows of NHWC `x`, odd edges dropped."""
    h, w = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
    return [x[:, i:h:2, j:w:2] for i in (0, 1) for j in (0, 1)]


def max_pool2(x):
    """2x2 max-pool, stride 2."""
    first, *rest = corners(x)
    out = first.copy()
    for view in rest:
        np.maximum(out, view, out=out)
    return out


def max_pool2_backward(grad, out, x):
    """Routes each gradient to its window's maximum. Ties only occur between ReLU zeros, whose
    gradient the following ReLU backward clears, so sending it to every tied position is exact here."""
    dx = np.zeros_like(x)
    for view, dview in zip(corners(x), corners(dx)):
        np.multiply(view == out, grad, out=dview)
    return dx


def cnn_grads(x, y, params):
    """x is NHWC; gradients come back in PyTorch's parameter layouts."""
    w1, b1, w2, b2, w3, b3 = params
    c1, patches1, wmat1 = conv3x3(x, w1, b1)
    p1 = max_pool2(relu_(c1))
    c2, patches2, wmat2 = conv3x3(p1, w2, b2)
    p2 = max_pool2(relu_(c2))
    flat = p2.transpose(0, 3, 1, 2).reshape(len(x), -1)
    loss, dlogits = softmax_cross_entropy(linear(flat, w3, b3), y)
    dflat, dw3, db3 = linear_backward(flat, w3, dlogits)
    dp2 = dflat.reshape(p2.shape[0], p2.shape[3], *p2.shape[1:3]).transpose(0, 2, 3, 1)
    dc2 = relu_backward_(max_pool2_backward(dp2, p2, c2), c2)
    dw2, db2, dp1 = conv3x3_backward(dc2, patches2, wmat2, p1.shape)
    dc1 = relu_backward_(max_pool2_backward(dp1, p1, c1), c1)
    dw1, db1, _ = conv3x3_backward(dc1, patches1, wmat1)
    return loss, [dw1, db1, dw2, db2, dw3, db3]


def to_nhwc(x):
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def cnn_step():
    x, y, params = cnn_data()
    return train_step(cnn_grads, to_nhwc(x), y, params)


# e: one op at growing sizes ---------------------------------------------------------------------

def scaling_grads(x, m, grad):
    """Gradient for x of y = tanh(x * m) given dL/dy; y's buffer, spent after the forward, holds it."""
    y = x * m
    np.tanh(y, out=y)
    np.multiply(y, y, out=y)
    np.subtract(1, y, out=y)
    y *= grad
    y *= m
    return y


def scaling_step(size):
    x, _, m = chain_data(size)
    g = np.ones(size, F32)
    return lambda: scaling_grads(x, m, g)

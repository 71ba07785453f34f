"""Convolutions, pooling, padding, unfold/fold, resampling and pixel_shuffle for chainrule.nn.functional.

NOTE [Windows]
Everything spatial is built from two mutually adjoint linear ops: `_im2col` (sliding windows of the padded
input as columns, PyTorch's `unfold` layout (N, C*K, L)) and `_col2im` (its adjoint, `fold`). A convolution
is an im2col plus a matmul (computed in batch chunks by NumPy kernels, see NOTE [Convolution in batch
chunks]); its create_graph backward formulas are written with these same ops and matmul, so they
differentiate again. Pooling that picks elements (max pools, nearest upsampling, reflect / replicate /
circular padding) is a gather from the flattened spatial plane with precomputed int64 indices; its adjoint
is a scatter-add (`np.bincount`). Linear resampling (bilinear, adaptive average) multiplies by one small
interpolation matrix per spatial dimension.
"""
import functools
import itertools
import math
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import op as _op
from ..autograd.op import op
from ..autograd import derivatives as D
from .._tensor import Tensor
from .. import _dtype

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool1d",
           "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d",
           "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "unfold", "fold", "interpolate",
           "pixel_shuffle", "pixel_unshuffle", "pad", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d", "channel_shuffle", "affine_grid", "upsample", "upsample_nearest",
           "upsample_bilinear", "grid_sample", "fractional_max_pool2d", "fractional_max_pool3d"]


def _ntuple(x, n):
    if isinstance(x, (list, tuple)):
        return tuple(int(v) for v in x) if len(x) != 1 else (int(x[0]),) * n
    return (int(x),) * n


def _dims(shape):
    return " x ".join(map(str, shape))


# ---- windows --------------------------------------------------------------------------------------------
def _padded(x, pads, value=0):
    """x with its last len(pads) axes padded by (lo, hi) pairs; a negative hi crops."""
    lead = x.ndim - len(pads)
    if any(hi < 0 for _, hi in pads):  # a negative high pad crops (transposed conv's output_padding, pooling)
        x = x[(Ellipsis,) + tuple(slice(0, n + min(hi, 0)) for n, (_, hi) in zip(x.shape[lead:], pads))]
    if any(lo or hi > 0 for lo, hi in pads):
        # NOTE: np.pad costs ~45 us of Python for a small batch; a filled array and one assignment, ~15 us
        shape = x.shape[:lead] + tuple(n + lo + max(hi, 0) for n, (lo, hi) in zip(x.shape[lead:], pads))
        out = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
        out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[lead:], pads))] = x
        x = out
    return x


def _view(x, shape, strides):
    """A read-only view of x's memory. NOTE: the ndarray constructor over a contiguous buffer takes 0.4 us,
    as_strided 3 us and sliding_window_view 12 us."""
    if x.flags.c_contiguous:
        v = np.ndarray(shape, x.dtype, x, 0, strides)
        v.flags.writeable = False
        return v
    return as_strided(x, shape, strides, writeable=False)


def _windows(x, kernel, dilation, pads, stride):
    """Views of the windows over the last len(kernel) axes: (*lead, *O, *K). `pads` holds (lo, hi) pairs."""
    lead = x.ndim - len(kernel)
    x = _padded(x, pads)
    outs = tuple((n - dl * (k - 1) - 1) // s + 1 for n, k, dl, s in zip(x.shape[lead:], kernel, dilation, stride))
    st = x.strides[lead:]
    return _view(x, x.shape[:lead] + outs + tuple(kernel), x.strides[:lead] + tuple(a * s for a, s in zip(
        st, stride)) + tuple(a * dl for a, dl in zip(st, dilation)))


def _out_size(size, k, dl, lo, hi, s):
    return (size + lo + hi - dl * (k - 1) - 1) // s + 1


def _im2col_np(x, kernel, dilation, pads, stride):
    """(N, C, *S) -> (N, C * prod(K), prod(O)), the layout of PyTorch's unfold."""
    d = len(kernel)
    if x.ndim == d + 1:  # unbatched
        return _im2col_np(x[None], kernel, dilation, pads, stride)[0]
    win = _windows(x, kernel, dilation, pads, stride)       # (N, C, *O, *K)
    n, c = x.shape[:2]
    perm = (0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d))
    return np.ascontiguousarray(win.transpose(perm)).reshape(n, c * math.prod(kernel), -1)


def _col2im_np(cols, size, kernel, dilation, pads, stride):
    """The adjoint of _im2col_np: sum every column entry back into its input position."""
    if cols.ndim == 2:  # unbatched
        return _col2im_np(cols[None], size, kernel, dilation, pads, stride)[0]
    n = cols.shape[0]
    c = cols.shape[1] // math.prod(kernel)
    outs = tuple(_out_size(s, k, dl, lo, hi, st) for s, k, dl, (lo, hi), st in zip(size, kernel, dilation, pads,
                                                                                     stride))
    cols = cols.reshape((n, c) + tuple(kernel) + outs)
    padded = tuple(s + lo + max(hi, 0) for s, (lo, hi) in zip(size, pads))
    out = np.zeros((n, c) + padded, dtype=cols.dtype)
    # NOTE: a loop over the prod(kernel) kernel offsets (9 for 3x3), never over pixels or batch items:
    # each iteration adds one strided slab of columns.
    for off in np.ndindex(*kernel):
        key = tuple(slice(k * dl, k * dl + (o - 1) * st + 1, st) for k, dl, o, st in zip(off, dilation, outs, stride))
        out[(slice(None), slice(None)) + key] += cols[(slice(None), slice(None)) + off]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(size, pads))
    return out[(slice(None), slice(None)) + crop]


@op("Im2ColBackward0", self=lambda grad, self_shape, kernel_size, dilation, padding, stride: _col2im(
    grad, tuple(self_shape[len(self_shape) - len(kernel_size):]), kernel_size, dilation, padding, stride))
def _im2col(self, kernel_size, dilation, padding, stride):
    return _im2col_np(self, kernel_size, dilation, padding, stride)


@op("Col2ImBackward0", self=lambda grad, kernel_size, dilation, padding, stride: _im2col(
    grad, kernel_size, dilation, padding, stride))
def _col2im(self, output_size, kernel_size, dilation, padding, stride):
    return _col2im_np(self, output_size, kernel_size, dilation, padding, stride)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) input as columns (N, C*kh*kw, L)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    k, dl, p, st = (_ntuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    size = tuple(input.shape[-2:])
    blocks = [_out_size(n, kk, d, pp, pp, t) for n, kk, d, pp, t in zip(size, k, dl, p, st)]
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size ({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({dl[0]}, {dl[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array of "
                           f"sliding blocks as ({blocks[0]}, {blocks[1]}), but its components must be at least one.")
    return _im2col(input, k, dl, tuple((v, v) for v in p), st)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: sums columns (N, C*kh*kw, L) back into a (N, C, H, W) image."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.ndim}D)")
    k, dl, p, st, size = (_ntuple(v, 2) for v in (kernel_size, dilation, padding, stride, output_size))
    c_dim = input.ndim - 2
    if input.shape[c_dim] % math.prod(k):
        raise RuntimeError(f"Expected size of input's dimension {c_dim} to be divisible by the product of "
                           f"kernel_size, but got input.size({c_dim})={input.shape[c_dim]} and kernel_size=({k[0]}, "
                           f"{k[1]}).")
    blocks = [_out_size(s, kk, d, pp, pp, t) for s, kk, d, pp, t in zip(size, k, dl, p, st)]
    if blocks[0] * blocks[1] != input.shape[-1]:
        raise RuntimeError(f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), dilation=("
                           f"{dl[0]}, {dl[1]}), padding=({p[0]}, {p[1]}), stride=({st[0]}, {st[1]}), expected size of "
                           f"input's dimension {c_dim + 1} to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size({c_dim + 1})="
                           f"{input.shape[-1]}.")
    return _col2im(input, size, k, dl, tuple((v, v) for v in p), st)


# ---- convolution ----------------------------------------------------------------------------------------
# NOTE [Convolution in batch chunks]
# Three NumPy kernels serve both convolutions and their transposes: `_conv_np` (im2col, then matmul),
# `_conv_t_np` (its adjoint in the input: matmul, then col2im) and `_conv_w_np` (its adjoint in the weight).
# Each walks the batch in chunks whose columns fill about _CHUNK_BYTES, in one buffer reused chunk after chunk:
# the columns stay in cache between the copy that makes them and the matmul that reads them, and no
# batch-sized temporary is made. A large temporary is expensive beyond its copy: the allocator hands the
# memory back to the system when a step ends and page-faults it in again the next time (about 1 us per 4 KiB
# page where this was measured), which cost more than the im2col itself. For the same reason the backward
# makes the columns again, chunk by chunk, rather than keeping the forward's for the whole step.
# The backward runs these kernels on arrays (the op's `raw` formulas) unless it makes a graph of itself
# (create_graph): then the formulas are written with `_im2col`, `_col2im` and matmul, to differentiate again.
# Stride-1 convolutions also lay their columns out so that copies and adds run long: NOTE [Row columns]
# (forward, weight gradient) and NOTE [Plane columns] (input gradient).
_CHUNK_BYTES = 1 << 18


def _batched_matmul(w, x):
    """(G, M, K) @ (N, G, K, L). NOTE: NumPy's matmul is several times slower on 4-d or stride-0 broadcast
    operands than on one 3-d stack, so the (small) weight is copied along the batch and both are flattened."""
    n, g, k, l_ = x.shape
    w = np.ascontiguousarray(np.broadcast_to(w, (n,) + w.shape)).reshape(n * g, w.shape[1], k)
    return np.matmul(w, np.ascontiguousarray(x).reshape(n * g, k, l_)).reshape(n, g, -1, l_)


def _chunks(n, item_bytes):
    """Slices of a batch of n whose items take about _CHUNK_BYTES together (as even as can be), and the
    largest slice's length."""
    count = -(-n // max(1, min(n, _CHUNK_BYTES // max(item_bytes, 1))))
    step = -(-n // count) if n else 1
    return [slice(i, min(i + step, n)) for i in range(0, n, step)], step


def _group_matmul(w, x, out):
    """out = w @ x for (G, M, K) weights and (N, G*K, L) columns; out is (N, G*M, L)."""
    g = w.shape[0]
    if g == 1:  # NOTE: a 2-d operand broadcasts along the batch at full speed, a 3-d one does not
        np.matmul(w[0], x, out=out)
    else:
        n, _, l_ = x.shape
        out[...] = _batched_matmul(w, x.reshape(n, g, -1, l_)).reshape(out.shape)


def _columns(x, kernel, dilation, pads, stride, o, rows=True):
    """The im2col of x as a view (N, C, *K, *E) to copy a chunk at a time, E, the output size, and, for row
    columns (when `rows` allows them and they pay), the padded plane's last size (else None).

    NOTE [Row columns]: with stride 1 in the last two dimensions, the window rows of one kernel offset follow
    each other in the padded plane, one plane row apart: taking every position of those rows (E's last size
    is (rows - 1) * plane width + output width, not rows * output width) makes each (item, channel, offset)
    one contiguous run instead of a run per output row, whose copy NumPy pays per row. Positions past the
    last window of a row are extra columns: the matmul computes them too, outputs cropped afterwards, and
    gradients padded with zeros there. Worth it where the columns outnumber the outputs' rows (C * K >= 2 O)
    and the extra columns are few (plane width <= 1.5 output width)."""
    d = len(kernel)
    c = x.shape[1]
    xp = _padded(x, pads)
    plane = xp.shape[2:]
    outs = tuple((n - dl * (k - 1) - 1) // s + 1 for n, k, dl, s in zip(plane, kernel, dilation, stride))
    if not rows or d < 2 or stride[-1] != 1 or stride[-2] != 1 or c * math.prod(kernel) < 2 * o or \
            2 * plane[-1] > 3 * outs[-1]:
        win = _view(xp, xp.shape[:2] + outs + tuple(kernel), xp.strides[:2] + tuple(
            a * s for a, s in zip(xp.strides[2:], stride)) + tuple(a * dl for a, dl in zip(xp.strides[2:], dilation)))
        return win.transpose((0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d))), outs, outs, None
    xp = np.ascontiguousarray(xp)
    st = xp.strides
    ext = outs[:-2] + ((outs[-2] - 1) * plane[-1] + outs[-1],)
    win = _view(xp, xp.shape[:2] + tuple(kernel) + ext, st[:2] + tuple(a * dl for a, dl in zip(st[2:], dilation)) +
                tuple(a * s for a, s in zip(st[2:-2], stride[:-2])) + (st[-1],))
    return win, ext, outs, plane[-1]


def _row_outputs(buf, ext, outs, width):
    """The view (N, O, *outs) of the outputs' positions in row columns `buf` (N, O, prod(ext)), contiguous."""
    inner = [math.prod(ext[j + 1:]) for j in range(len(ext) - 1)]
    steps = (buf.shape[1] * buf.shape[2], buf.shape[2]) + tuple(inner) + (width, 1)
    return np.ndarray(buf.shape[:2] + tuple(outs), buf.dtype, buf, 0, tuple(v * buf.itemsize for v in steps))


def _conv_np(x, weight, stride, pads, dilation, groups):
    """Cross-correlation of x (N, C, *S) with weight (O, C/G, *K): (N, O, *out)."""
    n, c = x.shape[:2]
    o = weight.shape[0]
    kernel = tuple(weight.shape[2:])
    win, ext, outs, width = _columns(x, kernel, dilation, pads, stride, o)          # (N, C, *K, *ext)
    ck, le = c * math.prod(kernel), math.prod(ext)
    dtype = np.result_type(x, weight)
    w = weight.reshape(groups, o // groups, -1)                                      # (G, Og, Cg*K)
    out = np.empty((n, o) + outs, dtype)
    chunks, step = _chunks(n, ck * le * dtype.itemsize)
    buf = np.empty((step, ck, le), dtype)
    rows = None if width is None else np.empty((step, o, le), dtype)
    for sl in chunks:
        nb = sl.stop - sl.start
        cols = buf[:nb]
        np.copyto(cols.reshape(win[sl].shape), win[sl])                             # im2col of this chunk
        if rows is None:
            _group_matmul(w, cols, out[sl].reshape(nb, o, le))
        else:
            _group_matmul(w, cols, rows[:nb])
            out[sl] = _row_outputs(rows[:nb], ext, outs, width)
    return out


def _conv_t_np(g, weight, size, stride, pads, dilation, groups):
    """The adjoint of _conv_np in x: (N, O, *out) -> (N, C, *size), a matmul and a col2im per chunk."""
    n, o = g.shape[:2]
    kernel = tuple(weight.shape[2:])
    outs = tuple(g.shape[2:])
    c = weight.shape[1] * groups
    ck, l_ = c * math.prod(kernel), math.prod(outs)
    dtype = np.result_type(g, weight)
    padded = tuple(s + lo + max(hi, 0) for s, (lo, hi) in zip(size, pads))
    if groups == 1 and all(st == 1 for st in stride) and all(hi >= 0 for _, hi in pads) and \
            math.prod(padded) <= 4 * l_ and np.isfinite(weight).all():
        return _conv_t_plane(g, weight, size, pads, dilation, dtype)
    w = weight.reshape(groups, o // groups, -1).transpose(0, 2, 1)                # (G, Cg*K, Og)
    dx = np.zeros((n, c) + padded, dtype)
    slabs = [dx[(slice(None), slice(None)) + tuple(slice(k * dl, k * dl + (m - 1) * st + 1, st) for k, dl, m, st in
                                                   zip(off, dilation, outs, stride))] for off in np.ndindex(*kernel)]
    g = g.reshape(n, o, l_)
    chunks, step = _chunks(n, ck * l_ * dtype.itemsize)
    buf = np.empty((step, ck, l_), dtype)
    for sl in chunks:
        nb = sl.stop - sl.start
        cols = buf[:nb]
        _group_matmul(w, g[sl], cols)
        cols = cols.reshape((nb, c, len(slabs)) + outs)
        # NOTE: a loop over the kernel offsets (9 for 3x3), never over pixels: each adds one strided slab
        for k, slab in enumerate(slabs):
            slab[sl] += cols[:, :, k]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(size, pads))
    return dx[(slice(None), slice(None)) + crop]


@functools.lru_cache(maxsize=256)
def _plane_offsets(kernel, dilation, padded):
    """The flat offset in a padded plane of each kernel offset, in np.ndindex order."""
    steps = [math.prod(padded[i + 1:]) for i in range(len(padded))]
    return tuple(sum(k * dl * st for k, dl, st in zip(off, dilation, steps)) for off in np.ndindex(*kernel))


def _conv_t_plane(g, weight, size, pads, dilation, dtype):
    """_conv_t_np for stride 1, as sums of whole planes.

    NOTE [Plane columns]: with stride 1, kernel offset k moves every window by one flat offset f_k in the
    padded plane. Columns made for every plane position (an output's plane is padded with zeros to the input's
    padded plane: rows and columns past the last window) put each (item, channel) plane's column for offset k
    at f_k in that plane, and, with the columns ordered (k, c) and the planes of a batch laid end to end, the
    col2im of a chunk is one add per offset of a contiguous run of chunk * C planes. The strided slabs of the
    general col2im add short rows (11 elements for a 3x3 kernel on 13 x 13), and NumPy's strided add pays
    per row: several times the cost, though the plane's columns make the matmul up to 4x larger. Columns past
    the last window multiply zeros, so they add nothing (hence the finite weight the caller checks); the
    last plane's run reaches past its end, into a short tail the buffer keeps for it."""
    n, o = g.shape[:2]
    kernel = tuple(weight.shape[2:])
    c = weight.shape[1]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(size, pads))
    q = math.prod(padded)
    offsets = _plane_offsets(kernel, tuple(dilation), padded)
    nk, cq = len(offsets), c * q
    w = weight.reshape(o, c, nk).transpose(2, 1, 0).reshape(nk * c, o)             # rows ordered (k, c)
    dx = np.zeros(n * cq + offsets[-1], dtype)
    chunks, step = _chunks(n, nk * cq * dtype.itemsize)
    g_plane = np.zeros((step, o) + padded, dtype)       # only the windows' part is written: the rest stays 0
    buf = np.empty((step, nk * c, q), dtype)
    windows = (slice(None), slice(None)) + tuple(slice(0, m) for m in g.shape[2:])
    for sl in chunks:
        nb = sl.stop - sl.start
        gp = g_plane[:nb]
        gp[windows] = g[sl]
        cols = buf[:nb]
        np.matmul(w, gp.reshape(nb, o, q), out=cols)
        cols = cols.reshape(nb, nk, cq)
        at = sl.start * cq
        for k, f in enumerate(offsets):
            run = dx[at + f:at + f + nb * cq].reshape(nb, cq)
            run += cols[:, k]
    dx = dx[:n * cq].reshape((n, c) + padded)
    return dx[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(size, pads))]


def _conv_w_np(g, x, kernel, stride, pads, dilation, groups, rows=True):
    """The adjoint of _conv_np in the weight: sum over the batch of g (N, O, *out) times x's columns.
    `rows`: row columns allowed (NOTE [Row columns])."""
    n, c = x.shape[:2]
    o = g.shape[1]
    win, ext, outs, width = _columns(x, kernel, dilation, pads, stride, o, rows)
    ck, le = c * math.prod(kernel), math.prod(ext)
    dtype = np.result_type(g, x)
    gw = np.zeros((groups, o // groups, ck // groups), dtype)
    chunks, step = _chunks(n, ck * le * dtype.itemsize)
    buf = np.empty((step, ck, le), dtype)
    g_rows = None if width is None else np.zeros((step, o, le), dtype)  # stays 0 past the windows
    for sl in chunks:
        nb = sl.stop - sl.start
        cols = buf[:nb]
        np.copyto(cols.reshape(win[sl].shape), win[sl])
        cols = cols.reshape(nb, groups, ck // groups, le).transpose(0, 1, 3, 2)  # (nb, G, L, Cg*K)
        if g_rows is None:
            gs = g[sl].reshape(nb, groups, o // groups, le)
        else:
            gs = g_rows[:nb]
            _row_outputs(gs, ext, outs, width)[...] = g[sl]  # (a view of the buffer: written through)
            gs = gs.reshape(nb, groups, o // groups, le)
        if groups == 1:
            gw[0] += np.matmul(gs[:, 0], cols[:, 0]).sum(0)
        else:
            gw += np.matmul(gs, cols).sum(0)
    if width is not None and not np.isfinite(gw).all():
        # A non-finite input that no window reads still reaches the extra columns (times a zero gradient):
        # the general columns then decide.
        return _conv_w_np(g, x, kernel, stride, pads, dilation, groups, rows=False)
    return gw.reshape((o, c // groups) + tuple(kernel))


def _conv_grad_input(grad, input, weight, stride, padding, dilation, transposed, groups):
    n, g = input.shape[0], groups
    kernel = tuple(weight.shape[2:])
    if not transposed:
        w = weight.reshape(g, weight.shape[0] // g, -1).transpose(-2, -1)          # (G, Cg*K, Og)
        cols = D.matmul(w, grad.reshape(n, g, grad.shape[1] // g, -1))              # (N, G, Cg*K, L)
        return _col2im(cols.reshape(n, -1, cols.shape[-1]), tuple(input.shape[2:]), kernel, dilation, padding,
                       stride)
    cols = _im2col(grad, kernel, dilation, padding, stride)                         # (N, Cout*K, L)
    w = weight.reshape(g, weight.shape[0] // g, -1)                                  # (G, Cin_g, Cout_g*K)
    out = D.matmul(w, cols.reshape(n, g, -1, cols.shape[-1]))                       # (N, G, Cin_g, L)
    return out.reshape(input.shape)


def _conv_grad_weight(grad, input, weight_shape, stride, padding, dilation, transposed, groups):
    # The input's windows times the gradient; transposed, the roles swap (as in the raw formula).
    other, windowed = (input, grad) if transposed else (grad, input)
    n, g = input.shape[0], groups
    cols = _im2col(windowed, tuple(weight_shape[2:]), dilation, padding, stride)
    cols = cols.reshape(n, g, -1, cols.shape[-1]).transpose(-2, -1)                # (N, G, L, Cg*K)
    gw = D.matmul(other.reshape(n, g, other.shape[1] // g, -1), cols)               # (N, G, Og, Cg*K)
    return gw.sum(0).reshape(weight_shape)


def _conv_grad_bias(grad):  # the same on Tensors and on arrays
    return grad.sum((0,) + tuple(range(2, grad.ndim)))


@op("ConvolutionBackward0", promote=True, input=_conv_grad_input, weight=_conv_grad_weight, bias=_conv_grad_bias,
    raw=dict(  # without create_graph: the NumPy kernels, on arrays
        input=lambda grad, input, weight, stride, padding, dilation, transposed, groups: _conv_np(
            grad, weight, stride, padding, dilation, groups) if transposed else _conv_t_np(
            grad, weight, input.shape[2:], stride, padding, dilation, groups),
        weight=lambda grad, input, weight_shape, stride, padding, dilation, transposed, groups: _conv_w_np(
            *((input, grad) if transposed else (grad, input)), tuple(weight_shape[2:]), stride, padding, dilation,
            groups),
        bias=_conv_grad_bias))
def _convolution(input, weight, bias, stride, padding, dilation, transposed, output_size, groups):
    if not transposed:
        out = _conv_np(input, weight, stride, padding, dilation, groups)
    else:
        out = _conv_t_np(input, weight, output_size, stride, padding, dilation, groups)
    if bias is not None:
        out += bias.reshape((-1,) + (1,) * (out.ndim - 2))  # `out` is this call's own buffer
    return out.astype(input.dtype, copy=False)


def _check_conv_dtypes(input, weight, bias):
    scalar = _dtype.LEGACY_NAMES
    if weight.dtype is not input.dtype and input.dtype.name == "float32" and input.ndim > 3 and input.shape[0] > 1:
        # NOTE: PyTorch's CPU dispatcher sends batched float32 convolutions to mkldnn, whose check words it so.
        raise RuntimeError(f"Input type (torch.FloatTensor) and weight type (torch.{scalar[weight.dtype.name]}"
                           f"Tensor) should be the same or input should be a MKLDNN tensor and weight is a dense "
                           f"tensor")
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {scalar[input.dtype.name]} but found {scalar[weight.dtype.name]}")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_dtype.C_NAMES[input.dtype.name]}) and bias type "
                           f"({_dtype.C_NAMES[bias.dtype.name]}) should be the same")


def _batched(input, d, name):
    """(input with a batch dim, whether it had one), or PyTorch's error for a wrong number of dims."""
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, but got input of "
                           f"size: [{', '.join(map(str, input.shape))}]")
    return (input, True) if input.ndim == d + 2 else (input.unsqueeze(0), False)


def _conv(input, weight, bias, stride, padding, dilation, groups, d, name):
    x, batched = _batched(input, d, name)
    _check_conv_dtypes(input, weight, bias)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _ntuple(stride, d), _ntuple(dilation, d)
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * d
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
            pads = tuple((t // 2, t - t // 2) for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _ntuple(padding, d))
    c = x.shape[1]
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [[{', '.join(map(str, weight.shape))}]] instead")
    if weight.shape[1] * groups != c:
        raise RuntimeError(f"Given groups={groups}, weight of size [{', '.join(map(str, weight.shape))}], expected "
                           f"input[{', '.join(map(str, x.shape))}] to have {weight.shape[1] * groups} channels, but "
                           f"got {c} channels instead")
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    ext = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    if any(p < e for p, e in zip(padded, ext)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_dims(padded)}). Kernel size: "
                           f"({_dims(ext)}). Kernel size can't be greater than actual input size")
    out = _convolution(x, weight, bias, stride, pads, dilation, False, None, groups)
    return out if batched else D._squeeze_dim(out, 0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation: im2col and matmul in batch chunks (NOTE [Convolution in batch chunks])."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation: im2col and matmul in batch chunks (NOTE [Convolution in batch chunks])."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d cross-correlation: im2col and matmul in batch chunks (NOTE [Convolution in batch chunks])."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, d, name):
    x, batched = _batched(input, d, name)
    _check_conv_dtypes(input, weight, bias)
    stride, dilation = _ntuple(stride, d), _ntuple(dilation, d)
    padding, output_padding = _ntuple(padding, d), _ntuple(output_padding, d)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size [{', '.join(map(str, weight.shape))}], expected "
                           f"input[{', '.join(map(str, x.shape))}] to have {weight.shape[0]} channels, but got "
                           f"{x.shape[1]} channels instead")
    kernel = tuple(weight.shape[2:])
    if any(o >= s and o >= dl for o, s, dl in zip(output_padding, stride, dilation)):
        # PyTorch checks 1-d transposed convolutions as 2-d ones of height 1.
        lift = (lambda v, fill: (fill,) + v) if d == 1 else (lambda v, fill: v)
        names = ("depth", "height", "width")[-max(d, 2):]
        parts = lambda what, vals: " ".join(f"{what}_{n}: {v}" for n, v in zip(names, vals))
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"{parts('output_padding', lift(output_padding, 0))} {parts('stride', lift(stride, 1))} "
                           f"{parts('dilation', lift(dilation, 1))}")
    size = tuple((i - 1) * s - 2 * p + dl * (k - 1) + op_ + 1 for i, s, p, dl, k, op_ in zip(
        x.shape[2:], stride, padding, dilation, kernel, output_padding))
    if min(size) < 1:
        raise RuntimeError(f"Given input size per channel: ({_dims(x.shape[2:])}). Calculated output size per "
                           f"channel: ({_dims(size)}). Output size is too small")
    # NOTE: output_padding extends the output past the last window: a negative high pad in the window geometry.
    pads = tuple((p, p - op_) for p, op_ in zip(padding, output_padding))
    out = _convolution(x, weight, bias, stride, pads, dilation, True, size, groups)
    return out if batched else D._squeeze_dim(out, 0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


# ---- gathers from the spatial plane and their scatter adjoint ------------------------------------------
def _per_geometry(build):
    """A builder of resampling matrices or indices, cached per geometry: the same for every call of a layer, and
    5-10 us of small NumPy calls to build. Read-only: they are shared."""
    return functools.lru_cache(maxsize=256)(lambda *args: _op.read_only(build(*args)))


@_per_geometry
def _row_starts(rows, size):
    """Where each row of a (rows, size) array starts in the flat array, as a column."""
    return (np.arange(rows) * size)[:, None]


def _flat_plane_index(index, shape, d):
    """Plane indices of the last d axes (broadcast over the leading ones) as indices into the flat array."""
    lead = tuple(shape[:len(shape) - d])
    m, p = math.prod(lead), math.prod(shape[len(shape) - d:])
    plane = index.shape[index.ndim - d:]
    if index.ndim == d:  # one plane index for every leading position: the sum below broadcasts it
        idx = index.reshape(1, -1)
    else:
        idx = (index if index.shape == lead + plane else np.broadcast_to(index, lead + plane)).reshape(m, -1)
    return idx + _row_starts(m, p), lead + plane


def _gather_np(x, index, d):
    if index.ndim == d:  # one plane index for every leading position
        lead = x.shape[:x.ndim - d]
        rows = x.reshape(math.prod(lead), math.prod(x.shape[x.ndim - d:]))
        return np.take(rows, index.reshape(-1), axis=1).reshape(lead + index.shape)
    flat, shape = _flat_plane_index(index, x.shape, d)
    return np.take(x.reshape(-1), flat).reshape(shape)  # NOTE: a flat take is 4x faster than take_along_axis


def _scatter_np(grad, index, shape, d, unique=False):
    """The adjoint of _gather_np; `unique` promises no plane position is gathered twice (an assignment
    then does what a sum would)."""
    flat, _ = _flat_plane_index(index, shape, d)
    out = np.zeros(math.prod(shape), grad.dtype)
    if unique:
        out[flat.ravel()] = grad.reshape(-1)
    else:
        np.add.at(out, flat.ravel(), grad.reshape(-1))  # NOTE: NumPy 2's add.at is 3x faster here than bincount
    return out.reshape(shape)


@op("GatherPlaneBackward0", nondiff=("index",), self=lambda grad, self_shape, index, d: _scatter_plane(
    grad, index, self_shape, d))
def _gather_plane(self, index, d):
    return _gather_np(self, index, d)


def _scatter_op(name):
    """The scatter adjoint of a gather, as the node of its first derivative under create_graph: PyTorch names it
    after the gather's backward (MaxPool2DWithIndicesBackwardBackward0, ReflectionPad1DBackwardBackward0 ...)."""
    def scatter_plane(self, index, shape, d, unique=False):
        return _scatter_np(self, index, shape, d, unique)
    return op(name.removesuffix("0") + "Backward0", nondiff=("index",),
              self=lambda grad, index, d: _gather_plane(grad, index, d))(scatter_plane)


_scatter_plane = _scatter_op("ScatterPlane")  # (ScatterPlaneBackward0) for GatherPlaneBackward0 and grid_sample


def _gather_op(name, with_indices=False):
    """A gather with PyTorch's grad_fn name (pads, upsampling, max pools); max pools also return indices, and
    say when their windows cannot overlap (`unique`: the backward may assign instead of summing)."""
    scatter_plane = _scatter_op(name)
    if with_indices:
        def gather(self, index, d, unique=False, values=None):
            # `values`: the gathered values when the caller has them already (max pools find the maxima first)
            out = _gather_np(self, index, d) if values is None else values
            if index.shape != out.shape or index.dtype != np.int64 or not index.flags.c_contiguous:
                index = np.ascontiguousarray(np.broadcast_to(index, out.shape)).astype(np.int64)
            return out, index
        # the backward reads the returned indices (result1), as PyTorch's: changing them in place is its error
        return op(name, nondiff=("index",), outputs=2, self=lambda grads, self_shape, result1, d, unique: (
            scatter_plane(grads[0], result1, self_shape, d, unique)), raw={"self": lambda grads, self_shape,
                result1, d, unique: _scatter_np(grads[0], result1, self_shape, d, unique)})(gather)

    def gather(self, index, d):
        return _gather_np(self, index, d)
    return op(name, nondiff=("index",), self=lambda grad, self_shape, index, d: scatter_plane(
        grad, index, self_shape, d), raw={"self": lambda grad, self_shape, index, d: _scatter_np(
            grad, index, self_shape, d)})(gather)


def _flat_index(per_dim, sizes):
    """Combine per-dimension index vectors into flat indices of the plane, shape (*len(per_dim[i]))."""
    flat = np.zeros((), np.int64)
    for idx, n in zip(per_dim, sizes):
        flat = flat[..., None] * n + np.asarray(idx, np.int64)
    return flat


# ---- padding ----------------------------------------------------------------------------------------------
@op("ConstantPadNdBackward0", self=lambda grad, pad: _constant_pad_nd(grad, tuple(-p for p in pad), 0))
def _constant_pad_nd(self, pad, value):
    """A filled array with the kept part of self assigned into it (a negative pad crops). NOTE: np.pad costs
    ~20 us of Python on a small tensor."""
    n = len(pad) // 2
    lead = self.ndim - n
    shape, kept, into = list(self.shape[:lead]), [slice(None)] * lead, [slice(None)] * lead
    for i in range(n):
        lo, hi = pad[2 * (n - 1 - i)], pad[2 * (n - 1 - i) + 1]
        size = self.shape[lead + i]
        if size + min(lo, 0) + min(hi, 0) < 0:  # PyTorch crops first, by narrow(), then pads
            raise RuntimeError("narrow(): length must be non-negative.")
        start, stop = max(-lo, 0), max(size - max(-hi, 0), max(-lo, 0))
        shape.append(size + lo + hi)
        kept.append(slice(start, stop))
        into.append(slice(max(lo, 0), max(lo, 0) + stop - start))
    out = np.zeros(shape, self.dtype) if value == 0 else np.full(shape, value, self.dtype)
    out[tuple(into)] = self[tuple(kept)]
    return out


_PAD_OPS = {(m, d): _gather_op(f"{m}Pad{d}DBackward0") for m in ("Reflection", "Replication") for d in (1, 2, 3)}
_CIRCULAR = _gather_op("torch::autograd::CopySlices")


def _pad_index(mode, n, lo, hi):
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dimensions; pad = (last_lo, last_hi, second_last_lo, ...)."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    if mode == "constant":
        return _constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    d = len(pad) // 2
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if d not in (1, 2, 3) or input.ndim not in (d + 1, d + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: "
            "padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    sizes = tuple(input.shape[input.ndim - d:])
    per_dim = []
    for i, n in enumerate(sizes):
        lo, hi = pad[2 * (d - 1 - i)], pad[2 * (d - 1 - i) + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {input.ndim - d + i} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        per_dim.append(_pad_index(mode, n, lo, hi))
    index = _flat_index(per_dim, sizes)
    fn = _CIRCULAR if mode == "circular" else _PAD_OPS["Reflection" if mode == "reflect" else "Replication", d]
    return fn(input, index, d)


# ---- pooling ----------------------------------------------------------------------------------------------
def _pool_sizes(sizes, kernel, stride, padding, dilation, ceil_mode):
    outs, pads = [], []
    for n, k, s, p, dl in zip(sizes, kernel, stride, padding, dilation):
        ext = dl * (k - 1) + 1
        o = (n + 2 * p - ext + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        outs.append(o)
        pads.append((p, (o - 1) * s + ext - n - p))
    return tuple(outs), tuple(pads)


def _default_stride(stride, kernel):
    """A pool's stride: PyTorch reads a missing (None) or empty one as the kernel size."""
    return kernel if stride is None or stride == [] or stride == () else stride


def _check_pool(input, kernel, stride, padding, dilation, name, ceil_mode=False):
    d = len(kernel)
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for input")
    for k, p, dl in zip(kernel, padding, dilation):
        if p > (dl * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={dl}")
    if name.startswith("max_pool") and any(p > k // 2 for k, p in zip(kernel, padding)):
        # PyTorch's shape check then asks the same of the kernel itself, whatever the dilation
        if d == 3:
            raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got kT: {kernel[0]} "
                               f"kW: {kernel[2]} kH: {kernel[1]} padT: {padding[0]} padW: {padding[2]} "
                               f"padH: {padding[1]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {padding[1]}, "
                           f"padH = {padding[0]}, kW = {kernel[1]}, kH = {kernel[0]}")
    outs, _ = _pool_sizes(input.shape[-d:], kernel, stride, padding, dilation, ceil_mode)
    if min(outs) < 1:
        if name == "avg_pool3d":
            t, h, w = input.shape[-3:]
            raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size (kT: {kernel[0]} kH: "
                               f"{kernel[1]} kW: {kernel[2]})")
        c = input.shape[-d - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, input.shape[-d - 1:]))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + outs))}). Output size is too small")


_MAX_POOL = {2: _gather_op("MaxPool2DWithIndicesBackward0", with_indices=True),
             3: _gather_op("MaxPool3DWithIndicesBackward0", with_indices=True)}
_ADAPTIVE_MAX_POOL2D = _gather_op("AdaptiveMaxPool2DBackward0", with_indices=True)


def _window_max(x, stages):
    """Each window's maximum, one window axis at a time (sum(k - 1) passes rather than prod(k) - 1): `stages` holds,
    for each axis, the index of every kernel offset's elements. NaN propagates; on a tie of 0.0 and -0.0, float32 and
    float64's np.maximum return the second argument: the earlier element along the axis, as PyTorch's scan."""
    out = x
    for keys in stages:
        best = out[keys[0]]
        for key in keys[1:]:
            best = np.maximum(out[key], best)
        out = best
    return out if out is not x and out.flags.owndata else out.copy()  # windows of one element: views of x


def _max_index(x, kernel, stride, padding, dilation, ceil_mode):
    """Flat plane indices of each window's maximum and the maxima, as PyTorch's scan, which takes an element when
    it is greater or NaN: the first maximum on ties, the last NaN in a window holding NaN.

    NOTE: a handful of whole-array passes whatever the kernel, each over long inner loops: the maxima axis by axis,
    then one comparison of every window element with its maximum, laid out kernel offset first (a reduction over
    the leading axes runs over long rows; over short last axes it loops per window, 4-20x slower). A hit scores
    one more than its distance back from the window's end: the highest score is the first hit, 0 none (NaN)."""
    pads, stages, taps, end, score, inside = _max_pool_plan(x.shape, x.itemsize, kernel, stride, padding, dilation,
                                                            ceil_mode)
    fill = np.iinfo(x.dtype).min if x.dtype.kind in "iu" else -np.inf  # never above an element
    x = np.ascontiguousarray(x) if pads is None else _padded(x, pads, fill)
    best = _window_max(x, stages)
    taps = _view(x, *taps)  # (*K, *lead, *O)
    kernel_axes = tuple(range(len(kernel)))
    first = np.multiply(np.equal(taps, best, order="C").view(np.uint8), score).max(axis=kernel_axes)
    index = end - first
    if not first.all():  # a NaN maximum: PyTorch's scan takes every NaN, so the last one is kept
        nearest = np.where(np.isnan(taps), score, np.iinfo(score.dtype).max).min(axis=kernel_axes)
        index = np.where(first == 0, end - nearest, index)
    if inside is not None:  # all of a window's elements equal the fill: PyTorch keeps its first element inside
        low = best == fill
        if low.any():
            index = np.where(low, inside, index)
    return index, best


@functools.lru_cache(maxsize=256)
def _max_pool_plan(shape, itemsize, kernel, stride, padding, dilation, ceil_mode):
    """What _max_index needs of a geometry: the same for every call of a layer, and ~40 us of Python and small
    NumPy calls to build. The padding (None: none); _window_max's stages; the shape and strides of a view of the
    window elements of the (contiguous, padded) input, kernel offset first; the plane index just past each window's
    last element; each kernel offset's score (see _max_index) in the smallest unsigned type; with padding, the plane
    index of each window's first element inside the plane. Read-only: shared."""
    d = len(kernel)
    lead, plane = shape[:len(shape) - d], shape[len(shape) - d:]
    outs, pads = _pool_sizes(plane, kernel, stride, padding, dilation, ceil_mode)
    pads = tuple((lo, max(hi, 0)) for lo, hi in pads)  # the windows stop short of a cropped end
    size = tuple(n + lo + hi for n, (lo, hi) in zip(plane, pads))
    stages = tuple(tuple((Ellipsis, slice(j * dl, j * dl + (o - 1) * s + 1, s)) + (slice(None),) * (d - 1 - i)
                         for j in range(k))
                   for i, (k, s, dl, o) in enumerate(zip(kernel, stride, dilation, outs))
                   if k > 1 or s > 1)  # a window of one element along the whole axis: nothing to take
    strides = [itemsize * math.prod(size[i + 1:]) for i in range(d)]
    taps = (kernel + lead + outs, tuple(st * dl for st, dl in zip(strides, dilation))
            + tuple(itemsize * math.prod(size + lead[j + 1:]) for j in range(len(lead)))
            + tuple(st * s for st, s in zip(strides, stride)))
    corner = inside = np.zeros((), np.int64)
    for i in range(d):
        start = np.arange(outs[i]) * stride[i] - padding[i]
        axis = (-1,) + (1,) * (d - 1 - i)
        corner = corner * plane[i] + start.reshape(axis)
        inside = inside * plane[i] + (start - np.minimum(start, 0) // dilation[i] * dilation[i]).reshape(axis)
    step = [dilation[i] * math.prod(plane[i + 1:]) for i in range(d)]
    delta = np.array([sum(o * s for o, s in zip(off, step)) for off in np.ndindex(*kernel)])  # from the corner
    end = corner + (delta[-1] + 1)
    score = (delta[-1] + 1 - delta).astype(np.min_scalar_type(delta[-1] + 1)).reshape(kernel + (1,) * (len(lead) + d))
    for a in (end, score, inside):
        _op.read_only(a)
    return (pads if any(lo or hi for lo, hi in pads) else None, stages, taps, end, score,
            inside if any(padding) else None)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, d):
    kernel = _ntuple(kernel_size, d)
    stride = _ntuple(_default_stride(stride, kernel), d)
    padding, dilation = _ntuple(padding, d), _ntuple(dilation, d)
    _check_pool(input, kernel, stride, padding, dilation, f"max_pool{d}d", ceil_mode)
    index, maxima = _max_index(input._data, kernel, stride, padding, dilation, ceil_mode)
    apart = all(s >= dl * (k - 1) + 1 for k, s, dl in zip(kernel, stride, dilation))  # windows never overlap
    out, idx = _MAX_POOL[d](input, index, d, apart, maxima)
    return (out, idx) if return_indices else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over each window; indices point into the flattened (H*W) input plane."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    k, s, p, dl = (_ntuple(a, 1)[0] for a in (kernel_size, _default_stride(stride, kernel_size), padding, dilation))
    if not return_indices and p > k // 2:  # (PyTorch's 1-d kernel checks first)
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    res = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, dl), ceil_mode, return_indices)
    if return_indices:
        return D._squeeze_dim(res[0], -2), D._squeeze_dim(res[1], -2)
    return D._squeeze_dim(res, -2)


def _pool_counts(n, k, s, p, o, include_pad):
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    if include_pad:
        return size
    return np.minimum(end, n) - np.maximum(start, 0)


def _avg_divisor(shape, kernel, stride, padding, outs, count_include_pad, divisor_override):
    if divisor_override:
        return np.full(outs, float(divisor_override))
    d = len(kernel)
    div = np.ones((), np.float64)
    for i in range(d):
        div = div[..., None] * _pool_counts(shape[len(shape) - d + i], kernel[i], stride[i], padding[i], outs[i],
                                            count_include_pad)
    return div


def _avg_pool_grad(grad, self_shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    d = len(kernel)
    outs, pads = _pool_sizes(self_shape[-d:], kernel, stride, padding, (1,) * d, ceil_mode)
    div = _avg_divisor(self_shape, kernel, stride, padding, outs, count_include_pad, divisor_override)
    m = math.prod(self_shape[:-d])
    g = (grad / D.constant(div.astype(np.dtype(grad.dtype.np)))).reshape(m, 1, -1)
    g = g.expand(m, math.prod(kernel), g.shape[-1])
    return _col2im(g, tuple(self_shape[-d:]), kernel, (1,) * d, pads, stride).reshape(self_shape)


def _window_positions(outs, kernel, stride):
    """For each position in the window, in row-major order, the slices of the padded input that hold that
    position of every window. NOTE: one strided ufunc per position; NumPy's reduction over the window axes of a
    strided view took 14x as long (32x16x28x28, 2x2: 3.0 ms against 0.2)."""
    return [(Ellipsis,) + tuple(slice(i, i + s * (o - 1) + 1, s) for i, s, o in zip(offset, stride, outs))
            for offset in itertools.product(*(range(k) for k in kernel))]


def _avg_pool_forward(self, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    d = len(kernel)
    outs, pads = _pool_sizes(self.shape[-d:], kernel, stride, padding, (1,) * d, ceil_mode)
    x = _padded(D.widened(self), pads)
    total = np.zeros(self.shape[:-d] + outs, x.dtype)
    for window in _window_positions(outs, kernel, stride):  # summed in the window's order, as PyTorch's kernel
        total += x[window]
    total /= _avg_divisor(self.shape, kernel, stride, padding, outs, count_include_pad,
                          divisor_override).astype(x.dtype)
    return total.astype(self.dtype, copy=False)


def _avg_pool_grad_np(grad, self_shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Each window's share of its gradient, added into every position of the window."""
    d = len(kernel)
    outs, pads = _pool_sizes(self_shape[-d:], kernel, stride, padding, (1,) * d, ceil_mode)
    wide = D.widened(grad)
    share = wide / _avg_divisor(self_shape, kernel, stride, padding, outs, count_include_pad,
                                divisor_override).astype(wide.dtype)
    full = np.zeros(tuple(self_shape[:-d]) + tuple(n + lo + max(hi, 0) for n, (lo, hi) in
                                                   zip(self_shape[-d:], pads)), share.dtype)
    for window in _window_positions(outs, kernel, stride):
        full[window] += share
    inside = (Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(self_shape[-d:], pads))
    return full[inside].astype(grad.dtype)


@op("AvgPool2DBackward0", self=_avg_pool_grad, raw={"self": _avg_pool_grad_np})
def _avg_pool2d(self, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    return _avg_pool_forward(self, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)


@op("AvgPool3DBackward0", self=_avg_pool_grad, raw={"self": _avg_pool_grad_np})
def _avg_pool3d(self, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    return _avg_pool_forward(self, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, d):
    kernel = _ntuple(kernel_size, d)
    stride = _ntuple(_default_stride(stride, kernel), d)
    padding = _ntuple(padding, d)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_pool(input, kernel, stride, padding, (1,) * d, f"avg_pool{d}d", ceil_mode)
    fn = _avg_pool2d if d == 2 else _avg_pool3d
    return fn(input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over each window; count_include_pad chooses whether zero padding counts in the divisor."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"avg_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    stride = _default_stride(stride, kernel_size)
    out = avg_pool2d(input.unsqueeze(-2), (1, _ntuple(kernel_size, 1)[0]), (1, _ntuple(stride, 1)[0]),
                     (0, _ntuple(padding, 1)[0]), ceil_mode, count_include_pad)
    return D._squeeze_dim(out, -2)


def _adaptive_bins(n, o):
    start = (np.arange(o) * n) // o
    end = -((-(np.arange(o) + 1) * n) // o)
    return start, end


@_per_geometry
def _adaptive_matrix(n, o, dtype):
    start, end = _adaptive_bins(n, o)
    j = np.arange(n)
    inside = (j[None, :] >= start[:, None]) & (j[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _separable_grad(grad, mats):
    """The transposed resampling; on arrays (raw) or Tensors."""
    if type(grad) is np.ndarray:
        return _separable_np(grad, [m.T for m in mats])
    if len(mats) == 1:
        return D.matmul(grad, D.constant(mats[0]))
    if len(mats) == 2:
        return D.matmul(D.matmul(D.constant(mats[0].T.copy()), grad), D.constant(mats[1]))
    d = len(mats)
    for k, m in enumerate(mats):
        ax = grad.ndim - d + k
        grad = D.matmul(D.constant(m.T.copy()), grad.transpose(ax, -2)).transpose(ax, -2)
    return grad


def _separable_np(x, mats, keep_infinities=False):
    """x resampled by one matrix per trailing dim. `keep_infinities`: an inf or nan reaches only the outputs whose
    nonzero weights read it (exact for pooling bins; PyTorch's interpolation kernels also multiply zero weights,
    so they are left to the plain products)."""
    finite = not keep_infinities or D.all_finite(x)
    if finite and len(mats) == 1:
        return np.matmul(x, mats[0].T)
    if finite and len(mats) == 2:
        return np.matmul(np.matmul(mats[0], x), mats[1].T)
    d = len(mats)
    for k, m in enumerate(mats):
        ax = x.ndim - d + k
        moved = np.swapaxes(x, ax, -2)
        x = np.swapaxes(np.matmul(m, moved) if finite else _weigh_keeping_infinities(m, moved), ax, -2)
    return np.ascontiguousarray(x)


def _weigh_keeping_infinities(m, x):
    """m @ x for x holding inf or nan: an output is inf, -inf or nan by what its nonzero weights read, as in
    PyTorch's kernels, instead of nan wherever a zero weight meets an infinity (0 * inf)."""
    finite = np.isfinite(x)
    out = np.matmul(m, np.where(finite, x, 0))
    plus, minus, reads = (m > 0).astype(x.dtype), (m < 0).astype(x.dtype), (m != 0).astype(x.dtype)
    pos_inf, neg_inf = (x == np.inf).astype(x.dtype), (x == -np.inf).astype(x.dtype)
    up = np.matmul(plus, pos_inf) + np.matmul(minus, neg_inf)
    down = np.matmul(plus, neg_inf) + np.matmul(minus, pos_inf)
    nan = np.matmul(reads, np.isnan(x).astype(x.dtype))
    out = np.where(up > 0, np.inf, np.where(down > 0, -np.inf, out))
    return np.where((nan > 0) | ((up > 0) & (down > 0)), np.nan, out).astype(x.dtype, copy=False)


def _separable_op(name, keep_infinities=False):
    """Multiply the last len(mats) dims by one small matrix each (a linear resampling)."""
    def separable(self, mats):
        return _separable_np(self, mats, keep_infinities).astype(self.dtype, copy=False)
    return op(name, raw=True, self=lambda grad, mats: _separable_grad(grad, mats))(separable)


_ADAPTIVE_AVG2D = _separable_op("AdaptiveAvgPool2DBackward0", keep_infinities=True)
_ADAPTIVE_AVG3D = _separable_op("AdaptiveAvgPool3DBackward0", keep_infinities=True)
_BILINEAR = _separable_op("UpsampleBilinear2DBackward0")
_LINEAR = _separable_op("UpsampleLinear1DBackward0")
_TRILINEAR = _separable_op("UpsampleTrilinear3DBackward0")
_BICUBIC = _separable_op("UpsampleBicubic2DBackward0")


def _output_sizes(output_size, sizes):
    """An adaptive pool's output size per dimension of `sizes`; None keeps that input size."""
    out = _ntuple(output_size, len(sizes)) if not isinstance(output_size, (list, tuple)) else tuple(output_size)
    return tuple(s if o is None else int(o) for o, s in zip(out, sizes))


def adaptive_avg_pool2d(input, output_size):
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    outs = _output_sizes(output_size, tuple(input.shape[-2:]))
    if outs == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    dt = input._data.dtype
    mats = (_adaptive_matrix(input.shape[-2], outs[0], dt), _adaptive_matrix(input.shape[-1], outs[1], dt))
    return _ADAPTIVE_AVG2D(input, mats)


def adaptive_avg_pool3d(input, output_size):
    if input.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got {list(input.shape)}")
    sizes = tuple(input.shape[-3:])
    outs = _output_sizes(output_size, sizes)
    if outs == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    dt = input._data.dtype
    return _ADAPTIVE_AVG3D(input, tuple(_adaptive_matrix(n, o, dt) for n, o in zip(sizes, outs)))


def adaptive_avg_pool1d(input, output_size):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    return D._squeeze_dim(adaptive_avg_pool2d(input.unsqueeze(-2), (1, _ntuple(output_size, 1)[0])), -2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    res = adaptive_max_pool2d(input.unsqueeze(-2), (1, _ntuple(output_size, 1)[0]), return_indices)
    if return_indices:
        return D._squeeze_dim(res[0], -2), D._squeeze_dim(res[1], -2)
    return D._squeeze_dim(res, -2)


def _adaptive_max_index(x, outs):
    """Flat plane indices of each adaptive bin's maximum. Bins differ in size by at most one, so each is
    padded to the largest by repeating its last element (which cannot change the max or its first index)."""
    d = len(outs)
    sizes = x.shape[x.ndim - d:]
    taps = []
    for n, o in zip(sizes, outs):
        start, end = _adaptive_bins(n, o)
        k = int((end - start).max())
        taps.append(np.minimum(start[:, None] + np.arange(k), end[:, None] - 1))       # (O_i, k_i)
    key = []
    for i, t in enumerate(taps):   # broadcast to (O_0, k_0, O_1, k_1, ...)
        shape = [1] * (2 * d)
        shape[2 * i:2 * i + 2] = t.shape
        key.append(t.reshape(shape))
    cand = x[(Ellipsis,) + tuple(key)]
    lead = cand.ndim - 2 * d
    cand = np.transpose(cand, tuple(range(lead)) + tuple(lead + 2 * i for i in range(d))
                        + tuple(lead + 2 * i + 1 for i in range(d)))
    ks = tuple(t.shape[1] for t in taps)
    cand = cand.reshape(cand.shape[:lead + d] + (-1,))
    arg = np.argmax(np.where(np.isnan(cand), np.inf, cand), axis=-1)
    offsets = np.unravel_index(arg, ks)
    index = 0
    for i, (t, n) in enumerate(zip(taps, sizes)):
        o = np.arange(outs[i]).reshape((-1,) + (1,) * (d - 1 - i))
        index = index * n + t[o, offsets[i]]
    return index


_ADAPTIVE_MAX_POOL3D = _gather_op("AdaptiveMaxPool3DBackward0", with_indices=True)


def _adaptive_max_pool(input, output_size, return_indices, d, gather):
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"adaptive_max_pool{d}d(): Expected {d + 1}D or {d + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    outs = _output_sizes(output_size, tuple(input.shape[-d:]))
    out, idx = gather(input, _adaptive_max_index(input._data, outs), d)
    return (out, idx) if return_indices else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, output_size, return_indices, 2, _ADAPTIVE_MAX_POOL2D)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, output_size, return_indices, 3, _ADAPTIVE_MAX_POOL3D)


_FRACTIONAL_MAX_POOL = {2: _gather_op("FractionalMaxPool2DBackward0", with_indices=True),
                        3: _gather_op("FractionalMaxPool3DBackward0", with_indices=True)}


def _fractional_starts(u, n, o, k):
    """PyTorch's generate_intervals: window starts for one plane's random sample u, vectorized over planes."""
    if o <= 1:
        return np.full(u.shape + (max(o, 0),), n - k, np.int64)
    alpha = (n - k) / (o - 1)
    i = np.arange(o - 1)
    starts = ((i + u[..., None]) * alpha).astype(np.int64) - (u[..., None] * alpha).astype(np.int64)
    return np.concatenate([starts, np.full(u.shape + (1,), n - k, np.int64)], -1)


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, d):
    name = f"fractional_max_pool{d}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    sizes = tuple(input.shape[-d:])
    if output_size is None:
        if len(output_ratio) > d:  # NOTE: like PyTorch, a bare float fails here with len()'s TypeError
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = tuple(output_ratio) if len(output_ratio) == d else tuple(output_ratio) * d
        output_size = tuple(int(n * r) for n, r in zip(sizes, ratio))
    outs, kernel = _ntuple(output_size, d), _ntuple(kernel_size, d)
    batched = input.ndim == d + 2
    if _random_samples is None:
        from .._creation import _rng
        samples = _rng(None).random((input.shape[0] if batched else 1, input.shape[-d - 1], d))
    else:
        samples = _random_samples._data
    u = samples if batched else samples[0]                                   # (..., C, d)
    names = ("height", "width") if d == 2 else ("time", "height", "width")
    checks = (0, 1) if d == 2 else (0, 2, 1)  # the order PyTorch's kernels check in
    for n, o, k, dim in (tuple(v[i] for v in (sizes, outs, kernel, names)) for i in checks):
        # NOTE: PyTorch's 2-d kernel allows o + k - 1 == n, its 3-d kernel does not.
        if o + k - 1 > n or (d == 3 and o + k - 1 == n):
            where = "fractional_max_pool2d()" if d == 2 else "fractional_max_pool3d_out()"
            raise RuntimeError(f"{where}: pool {dim} {k} too large relative to input {dim} {n}")
    x = input._data
    lead = x.shape[:x.ndim - d]
    # per plane and dim: taps (…, O_i, k_i) of window positions; samples index dims last-to-first
    order = (1, 0) if d == 2 else (0, 1, 2)  # NOTE: PyTorch's 2-d kernel reads (w, h) samples, its 3-d (t, h, w)
    taps = [_fractional_starts(u[..., order[i]], n, o, k)[..., None] + np.arange(k)
            for i, (n, o, k) in enumerate(zip(sizes, outs, kernel))]
    flat_index = 0
    index_shape = lead + outs + kernel
    for i, t in enumerate(taps):
        shape = list(lead + (1,) * (2 * d))
        shape[len(lead) + i] = outs[i]
        shape[len(lead) + d + i] = kernel[i]
        flat_index = flat_index * sizes[i] + t.reshape(tuple(shape))
    flat_index = np.broadcast_to(flat_index, index_shape).reshape(lead + outs + (-1,))
    plane = x.reshape(lead + (-1,))
    cand = np.take_along_axis(plane, flat_index.reshape(lead + (-1,)), -1).reshape(flat_index.shape)
    arg = np.argmax(np.where(np.isnan(cand), np.inf, cand), axis=-1)
    index = np.take_along_axis(flat_index, arg[..., None], -1)[..., 0]
    out, idx = _FRACTIONAL_MAX_POOL[d](input, index, d)
    return (out, idx) if return_indices else out


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max over pseudo-random overlapping windows (Graham, 2014); `_random_samples` (N, C, 2) fixes them."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 2)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 3)


# ---- resampling ---------------------------------------------------------------------------------------------
_NEAREST = {d: _gather_op(f"UpsampleNearest{d}DBackward0") for d in (1, 2, 3)}
_NEAREST_EXACT = {d: _gather_op(f"UpsampleNearestExact{d}DBackward0") for d in (1, 2, 3)}
_CUBIC_A = -0.75


@_per_geometry
def _cubic_matrix(n, o, align_corners, scale, dtype):
    """Keys' cubic convolution (A = -0.75) with edge-clamped taps, PyTorch's bicubic."""
    dst = np.arange(o, dtype=np.float64)
    if align_corners:
        src = dst * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
    else:
        src = (dst + 0.5) * scale - 0.5
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    a = _CUBIC_A
    near = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1
    far = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    m = np.zeros((o, n))
    for k, w in enumerate(weights):  # NOTE: four taps, not a loop over pixels
        np.add.at(m, (np.arange(o), np.clip(i0 - 1 + k, 0, n - 1)), w)
    return m.astype(dtype)


@_per_geometry
def _nearest_index(sizes, outs, scales, shift):
    """The flat plane index each output position copies, for nearest (shift 0) and nearest-exact (0.5)."""
    return _flat_index([np.minimum(np.floor((np.arange(o) + shift) * s).astype(np.int64), n - 1)
                        for n, o, s in zip(sizes, outs, scales)], sizes)


@_per_geometry
def _linear_matrix(n, o, align_corners, scale, dtype):
    dst = np.arange(o, dtype=np.float64)
    if align_corners:
        src = dst * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    m = np.zeros((o, n))
    np.add.at(m, (np.arange(o), i0), 1 - lam)
    np.add.at(m, (np.arange(o), i1), lam)
    return m.astype(dtype)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims (all dims after the first two): nearest, linear or bilinear."""
    d = input.ndim - 2
    if d < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
                         f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got "
                         f"{mode})")
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    sizes = tuple(input.shape[2:])
    if isinstance(size, (list, tuple)) and len(size) != d:
        raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                         f"spatial dimensions of {list(sizes)} and output size of {size}. Please provide input tensor "
                         f"in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
    if size is not None:
        outs = _ntuple(size, d)
        scales = [n / o for n, o in zip(sizes, outs)]
    elif scale_factor is not None:
        factors = scale_factor if isinstance(scale_factor, (list, tuple)) else (scale_factor,) * d
        outs = tuple(int(math.floor(n * f)) for n, f in zip(sizes, factors))
        scales = [n / o for n, o in zip(sizes, outs)] if recompute_scale_factor else [1.0 / f for f in factors]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not implemented in chainrule")
    if mode in ("nearest", "nearest-exact"):
        shift = 0.5 if mode == "nearest-exact" else 0.0
        index = _nearest_index(sizes, tuple(outs), tuple(scales), shift)
        return (_NEAREST if mode == "nearest" else _NEAREST_EXACT)[d](input, index, d)
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[d - 1](input, outs)
    dt = input._data.dtype
    if (mode, d) in (("linear", 1), ("bilinear", 2), ("trilinear", 3)):
        mats = tuple(_linear_matrix(n, o, align_corners, s, dt) for n, o, s in zip(sizes, outs, scales))
        return (_LINEAR, _BILINEAR, _TRILINEAR)[d - 1](input, mats)
    if (mode, d) == ("bicubic", 2):
        return _BICUBIC(input, tuple(_cubic_matrix(n, o, align_corners, s, dt) for n, o, s in zip(sizes, outs, scales)))
    raise NotImplementedError(f"Input Error: interpolate mode '{mode}' with {input.ndim}D input is not supported "
                              f"by chainrule")


@op("PixelShuffleBackward0", self=lambda grad, upscale_factor: _pixel_unshuffle(grad, upscale_factor))  # as PyTorch
def _pixel_shuffle(self, upscale_factor):
    r = upscale_factor
    *lead, c, h, w = self.shape
    k = len(lead)
    x = self.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    x = x.transpose(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return np.ascontiguousarray(x).reshape(tuple(lead) + (c // (r * r), h * r, w * r))


@op("PixelUnshuffleBackward0", self=lambda grad, downscale_factor: _pixel_shuffle(grad, downscale_factor))
def _pixel_unshuffle(self, downscale_factor):
    r = downscale_factor
    *lead, c, h, w = self.shape
    k = len(lead)
    x = self.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    x = x.transpose(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return np.ascontiguousarray(x).reshape(tuple(lead) + (c * r * r, h // r, w // r))


def _check_shuffle(input, r, name, factor):
    if input.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                           f"dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{name} expects a positive {factor}, but got {r}")


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), the inverse of pixel_shuffle."""
    r = downscale_factor
    _check_shuffle(input, r, "pixel_unshuffle", "downscale_factor")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    return _pixel_unshuffle(input, r)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = upscale_factor
    _check_shuffle(input, r, "pixel_shuffle", "upscale_factor")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return _pixel_shuffle(input, r)


# ---- unpooling, lp pooling, shuffles, affine grids --------------------------------------------------------
def _unpool_forward(self, indices, output_size, d):
    lead = self.shape[:self.ndim - d]
    out = np.zeros(lead + (math.prod(output_size),), self.dtype)
    np.put_along_axis(out, indices.reshape(lead + (-1,)), self.reshape(lead + (-1,)), axis=-1)
    return out.reshape(lead + tuple(output_size))


@op("MaxUnpool2DBackward0", nondiff=("indices",), self=lambda grad, indices: _gather_plane(grad, indices, 2))
def _max_unpool2d(self, indices, output_size):
    return _unpool_forward(self, indices, output_size, 2)


@op("MaxUnpool3DBackward0", nondiff=("indices",), self=lambda grad, indices: _gather_plane(grad, indices, 3))
def _max_unpool3d(self, indices, output_size):
    return _unpool_forward(self, indices, output_size, 3)


def _unpool_size(input, kernel_size, stride, padding, output_size, d):
    kernel = _ntuple(kernel_size, d)
    stride = kernel if stride is None else _ntuple(stride, d)
    padding = _ntuple(padding, d)
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(input.shape[-d:], stride, padding, kernel))
    if output_size is None:
        return default
    size = tuple(output_size)[-d:]
    for i, (n, dflt, s) in enumerate(zip(size, default, stride)):
        if not dflt - s < n < dflt + s:
            raise ValueError(f"invalid output_size \"{output_size}\" (dim {i} must be between {dflt - s} and "
                             f"{dflt + s})")
    return size


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    size = _unpool_size(input, kernel_size, stride, padding, output_size, 1)
    out = _max_unpool2d(input.unsqueeze(-2), indices._data[..., None, :], (1,) + size)
    return D._squeeze_dim(out, -2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value back at the position max_pool2d took it from; zeros elsewhere."""
    return _max_unpool2d(input, indices._data, _unpool_size(input, kernel_size, stride, padding, output_size, 2))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool3d(input, indices._data, _unpool_size(input, kernel_size, stride, padding, output_size, 3))


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    out = avg_pool1d(D.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    return D.pow(D.sign(out) * D.relu(D.abs(out)) * kernel_size, 1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p), as PyTorch composes it from avg_pool2d."""
    kw, kh = _ntuple(kernel_size, 2)
    out = avg_pool2d(D.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    return D.pow(D.sign(out) * D.relu(D.abs(out)) * (kw * kh), 1.0 / norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kd, kw, kh = _ntuple(kernel_size, 3)
    out = avg_pool3d(D.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    return D.pow(D.sign(out) * D.relu(D.abs(out)) * (kd * kw * kh), 1.0 / norm_type)


def _shuffle_np(x, groups):
    n, c = x.shape[:2]
    rest = x.shape[2:]
    return np.ascontiguousarray(x.reshape((n, groups, c // groups) + rest).swapaxes(1, 2)).reshape(x.shape)


@op("ChannelShuffleBackward0", self=lambda grad, groups: _channel_shuffle(grad, grad.shape[1] // groups))
def _channel_shuffle(self, groups):
    return _shuffle_np(self, groups)


def channel_shuffle(input, groups):
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if input.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {input.shape[1]} channels and "
                           f"{groups} groups.")
    return _channel_shuffle(input, groups)


def _grid_axis(n, align_corners):
    if n <= 1:
        return np.zeros(max(n, 0))
    return np.linspace(-1.0, 1.0, n) if align_corners else (np.arange(n) * 2 + 1) / n - 1


def _base_grid(spatial, align_corners, dtype):
    """(*spatial, d + 1) rows of [x, y, (z,) 1]: the last spatial dim varies along x."""
    axes = [_grid_axis(n, align_corners) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack(list(mesh[::-1]) + [np.ones(tuple(spatial))], -1).astype(dtype)


@op("AffineGridGeneratorBackward0", theta=lambda grad, theta, size, align_corners: D.matmul(
    grad.reshape(grad.shape[0], -1, grad.shape[-1]).transpose(1, 2),
    D.constant(_base_grid(size[2:], align_corners, grad._data.dtype).reshape(-1, len(size) - 1))))
def _affine_grid(theta, size, align_corners):
    base = _base_grid(size[2:], align_corners, theta.dtype)
    flat = base.reshape(-1, base.shape[-1])
    out = np.matmul(flat, np.swapaxes(theta, 1, 2))
    return out.reshape((size[0],) + tuple(size[2:]) + (theta.shape[1],))


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) of the affine maps `theta` (N, 2, 3); (N, D, H, W, 3) for (N, 3, 4)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return _affine_grid(theta, size, align_corners)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- grid sampling ------------------------------------------------------------------------------------------
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _pad_coord_np(x, n, padding_mode, align_corners):
    """Pixel coordinates after 'border' / 'reflection' handling, and d(result)/d(x) (PyTorch's grad mults)."""
    slope = np.ones_like(x)
    if padding_mode == "reflection":
        lo, hi = (0, 2 * (n - 1)) if align_corners else (-1, 2 * n - 1)
        if lo == hi:
            return np.zeros_like(x), np.zeros_like(x)
        low, span = lo / 2, (hi - lo) / 2
        dist = x - low
        a = np.abs(dist)
        extra, flips = np.fmod(a, span), np.floor(a / span)
        even = flips % 2 == 0
        x = np.where(even, extra + low, span - extra + low)
        slope = np.where(dist < 0, -1.0, 1.0) * np.where(even, 1.0, -1.0)
    # NOTE: PyTorch's clip passes no gradient at or beyond the edges.
    slope = slope * ((x > 0) & (x < n - 1))
    return np.clip(x, 0, n - 1), slope


def _unnormalize(coord, n, align_corners):
    return (coord + 1) * ((n - 1) / 2) if align_corners else ((coord + 1) * n - 1) / 2


def _grid_coord(coord, n, padding_mode, align_corners):
    """Grid values in [-1, 1] -> pixel coordinates (chainrule ops), folded back for 'border' / 'reflection'."""
    ix = _unnormalize(coord, n, align_corners)
    if padding_mode == "zeros":
        return ix
    raw = ix._data
    x, slope = _pad_coord_np(raw, n, padding_mode, align_corners)
    return ix * D.constant(slope.astype(raw.dtype)) + D.constant((x - slope * raw).astype(raw.dtype))


def _grid_corners(input_shape, grid, mode, padding_mode, align_corners):
    """[(flat plane index (N, 1, Ho, Wo), weight tensor (N, Ho, Wo) or None, validity), ...] and (ix, iy)."""
    h, w = input_shape[-2:]
    ix = _grid_coord(D.select(grid, -1, 0), w, padding_mode, align_corners)
    iy = _grid_coord(D.select(grid, -1, 1), h, padding_mode, align_corners)
    x, y = D._raw(ix), D._raw(iy)
    if mode == "nearest":
        xs, ys = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
        corners = [(xs, ys, None)]
    else:
        x0, y0 = np.floor(x), np.floor(y)
        a, b = ix - D.constant(x0), iy - D.constant(y0)
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        corners = [(x0, y0, (1 - a) * (1 - b)), (x0 + 1, y0, a * (1 - b)), (x0, y0 + 1, (1 - a) * b),
                   (x0 + 1, y0 + 1, a * b)]
    out = []
    for cx, cy, wt in corners:
        valid = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
        index = (np.clip(cy, 0, h - 1) * w + np.clip(cx, 0, w - 1))[:, None]
        out.append((index, wt, valid[:, None]))
    return out, (ix, iy)


def _grid_grad_input(grad, input_shape, grid, mode, padding_mode, align_corners):
    corners, _ = _grid_corners(input_shape, grid, mode, padding_mode, align_corners)
    total = None
    for index, wt, valid in corners:
        g = grad * D.constant(valid.astype(D._raw(grad).dtype))
        if wt is not None:
            g = g * wt.unsqueeze(1)
        term = _scatter_plane(g, index, tuple(input_shape), 2)
        total = term if total is None else total + term
    return total


def _grid_grad_grid(grad, input, grid, mode, padding_mode, align_corners):
    if mode == "nearest":
        return D.zeros_like(grid)
    h, w = input.shape[-2:]
    corners, (ix, iy) = _grid_corners(tuple(input.shape), grid, mode, padding_mode, align_corners)
    a = ix - D.constant(np.floor(D._raw(ix)))
    b = iy - D.constant(np.floor(D._raw(iy)))
    da = (-(1 - b), 1 - b, -b, b)          # d weight / d a for nw, ne, sw, se
    db = (-(1 - a), -a, 1 - a, a)          # d weight / d b
    ga = gb = None
    for (index, _, valid), wa, wb in zip(corners, da, db):
        v = _gather_plane(input, index, 2) * D.constant(valid.astype(D._raw(grad).dtype))
        s = (grad * v).sum(1)
        ga = s * wa if ga is None else ga + s * wa
        gb = s * wb if gb is None else gb + s * wb
    sx = (w - 1) / 2 if align_corners else w / 2
    sy = (h - 1) / 2 if align_corners else h / 2
    if padding_mode != "zeros":
        g = grid._data
        ga = ga * D.constant(_pad_coord_np(_unnormalize(g[..., 0], w, align_corners), w, padding_mode,
                                       align_corners)[1].astype(g.dtype))
        gb = gb * D.constant(_pad_coord_np(_unnormalize(g[..., 1], h, align_corners), h, padding_mode,
                                       align_corners)[1].astype(g.dtype))
    return D.stack([ga * sx, gb * sy], -1)


@op("GridSampler2DBackward0",
    input=lambda grad, input_shape, grid, mode, padding_mode, align_corners: _grid_grad_input(
        grad, input_shape, grid, mode, padding_mode, align_corners),
    grid=lambda grad, input, grid, mode, padding_mode, align_corners: _grid_grad_grid(
        grad, input, grid, mode, padding_mode, align_corners))
def _grid_sampler_2d(input, grid, mode, padding_mode, align_corners):
    g = Tensor._make(grid)
    corners, _ = _grid_corners(input.shape, g, mode, padding_mode, align_corners)
    out = 0
    for index, wt, valid in corners:
        v = _gather_np(input, index, 2) * valid
        out = out + (v if wt is None else v * wt._data[:, None])
    return np.asarray(out, input.dtype)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample `input` (N, C, H, W) at the normalized (x, y) locations of `grid` (N, Ho, Wo, 2)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.ndim != 4 or mode == "bicubic":
        raise NotImplementedError("chainrule's grid_sample supports 4-d inputs with modes 'bilinear' / 'nearest'")
    return _grid_sampler_2d(input, grid, mode, padding_mode, align_corners)

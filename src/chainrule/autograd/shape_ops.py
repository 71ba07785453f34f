"""shape_ops ops of the table (see derivatives.py for the core and op.py for the format).

Shape, joining and indexing ops. Where PyTorch builds an op out of others (flatten -> reshape, movedim ->
permute, hstack -> cat, take_along_dim -> expand + gather ...), so do we: the grad_fn nodes then match
PyTorch's, and the gradient comes free. Primitives carry their own formulas, written with the ops of this
file so that they differentiate again (gather <-> scatter_add, index_select <-> index_add, take <-> put).
"""
import math

import numpy as np

from . import derivatives as D
from . import op as _op
from .derivatives import wrap_dim, wrap_dims, _size
from .op import INPLACE, broadcast_shapes, op, public
from .. import _dtype
from .._dtype import C_NAMES, LEGACY_NAMES



def _wrap(arr):
    return _op.Tensor._make(arr)


def _shape_str(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _is_tensor(x):
    return isinstance(x, _op.Tensor)


def _wrap_dim_no_scalar(dim, ndim):
    """wrap_dim for ops that, like PyTorch's, refuse a dim on a 0-d tensor."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, ndim)


def _zeros(shape, like):
    return D.zeros(tuple(shape), dtype=like.dtype)


# ---- reshaping: compositions of the core view ops -------------------------------------------------------
@public
def flatten(self, start_dim=0, end_dim=-1):
    """Flatten dims `start_dim`..`end_dim` into one (a view when possible, as `reshape`)."""
    nd = self.ndim
    if nd == 0:
        return D.reshape(self, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shape = self.shape
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return D.reshape(self, tuple(shape[:s]) + (n,) + tuple(shape[e + 1:]))


@public
def unflatten(self, dim, sizes):
    """Split dim `dim` into `sizes` (one entry may be -1)."""
    # NOTE: for these two errors PyTorch's message goes on with a C++ stack trace; we give its first lines.
    if self.ndim == 0:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but tensor has no "
                           f"dimensions")
    d = wrap_dim(dim, self.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
    n = self.shape[d]
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
        raise RuntimeError(f"unflatten: Provided sizes {_shape_str(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({n}) in the input tensor")
    if -1 in sizes:
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    return D.view(self, tuple(self.shape[:d]) + sizes + tuple(self.shape[d + 1:]))


@public
def movedim(self, source, destination):
    """Move dims `source` to positions `destination` (a permute)."""
    nd = self.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({_shape_str(src)} dims) should "
                           f"contain the same number of dims as destination ({_shape_str(dst)} dims)")
    src = [wrap_dim(d, nd) for d in src]
    dst = [wrap_dim(d, nd) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({_shape_str(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({_shape_str(dst)})")
    perm = [-1] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    perm = [p if p != -1 else next(rest) for p in perm]
    return D._permute(self, tuple(perm))


moveaxis = public(movedim, "moveaxis")


@public
def broadcast_to(self, size):
    """`expand` to `size`; like PyTorch, always a new ExpandBackward0 view (even for the same shape)."""
    return D._expand(self, _size((size,)))


# ---- repeating ------------------------------------------------------------------------------------------
def _repeat_backward(grad, self_shape, repeats):
    # grad has shape (r0*s0, r1*s1, ...) with self padded by leading 1s: view it as (r0, s0, r1, s1, ...)
    # and sum the r axes.
    lead = len(repeats) - len(self_shape)
    padded = (1,) * lead + tuple(self_shape)
    inter = []
    for r, s in zip(repeats, padded):
        inter += [r, s]
    g = grad.reshape(tuple(inter)).sum(tuple(range(0, 2 * len(repeats), 2)))
    return g.reshape(tuple(self_shape))


@op("RepeatBackward0", self=lambda grad, self_shape, repeats: _repeat_backward(grad, self_shape, repeats))
def _repeat(self, repeats):
    if len(repeats) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    padded = (1,) * (len(repeats) - self.ndim) + self.shape
    target = tuple(r * s for r, s in zip(repeats, padded))
    for i, t in enumerate(target):
        if t < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {t}: {_shape_str(target)}")
    return np.tile(self, repeats)


@public
def repeat(self, *sizes, repeats=None):  # repeats=: PyTorch's keyword
    """Tile the tensor `sizes[i]` times along each dim (new leading dims when there are more sizes)."""
    return _repeat(self, _size(sizes if repeats is None else (repeats,)))


@public
def tile(self, *args, dims=None):
    """`repeat` with `dims` padded by leading 1s to the tensor's number of dims."""
    dims = _size(args if dims is None else (dims,))
    if len(dims) < self.ndim:
        dims = (1,) * (self.ndim - len(dims)) + dims
    return _repeat(self, dims)


@public
def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
    """Repeat each element `repeats` times (an int, or a tensor of per-element counts) along `dim`."""
    T = _op.Tensor
    if repeats is None:  # torch.repeat_interleave(repeats): the indices 0, 0, 1, ... themselves
        return T._make(_repeat_indices(self._data))
    inp = self if dim is not None else flatten(self)
    d = wrap_dim(dim, self.ndim) if dim is not None else 0
    if not isinstance(repeats, T):
        # PyTorch: unsqueeze -> expand -> clone -> flatten (so the node is ViewBackward0).
        repeats = int(repeats)
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        shape = list(inp.shape)
        shape.insert(d + 1, repeats)
        out = D.clone(D._expand(D.unsqueeze(inp, d + 1), tuple(shape)))
        return flatten(out, d, d + 1)
    r = repeats._data
    n = inp.shape[d] if inp.ndim else 1
    if r.ndim == 0 or (r.ndim == 1 and r.shape[0] == 1):
        r = np.broadcast_to(r.reshape(1), (n,))
    elif r.ndim == 1:
        if r.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{r.shape[0]} and input.size({d}) = {n}")
    else:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    return index_select(inp, d, T._make(_repeat_indices(r)))


def _repeat_indices(r):
    if r.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if r.dtype.kind not in "iu":
        raise RuntimeError("repeats has to be Long or Int tensor")
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return np.repeat(np.arange(r.shape[0], dtype=r.dtype), r).astype(r.dtype)


# ---- joining: compositions of cat -----------------------------------------------------------------------
def _nonempty(tensors, name):
    if _is_tensor(tensors) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return list(tensors)


def _atleast(t, n):
    nd = t.ndim
    if nd >= n:
        return t
    if nd == 0:
        return D.reshape(t, (1,) * n)
    if n == 2:
        return D.unsqueeze(t, 0)
    return D.unsqueeze(D.unsqueeze(t, 0), -1) if nd == 1 else D.unsqueeze(t, -1)


@public
def hstack(tensors):
    """Concatenate along dim 1 (dim 0 for 1-d tensors)."""
    ts = [_atleast(t, 1) for t in _nonempty(tensors, "hstack")]
    return D.cat(ts, 0 if ts[0].ndim == 1 else 1)


@public
def vstack(tensors):
    """Concatenate along dim 0 after making every tensor at least 2-d."""
    return D.cat([_atleast(t, 2) for t in _nonempty(tensors, "vstack")], 0)


row_stack = public(vstack, "row_stack")


@public
def dstack(tensors):
    """Concatenate along dim 2 after making every tensor at least 3-d."""
    return D.cat([_atleast(t, 3) for t in _nonempty(tensors, "dstack")], 2)


@public
def column_stack(tensors):
    """Stack 0-d/1-d tensors as columns (and concatenate n-d ones along dim 1)."""
    ts = _nonempty(tensors, "column_stack")
    return D.cat([D.reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in ts], 1)


# ---- splitting: multi-output views ----------------------------------------------------------------------
def _split_sizes(n, split_size):
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size}")
    if split_size == 0:
        if n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        return [0]
    k = max((n + split_size - 1) // split_size, 1)
    return [split_size] * (k - 1) + [n - split_size * (k - 1)]


def _split_backward(grads, self_shape, dim, sizes):
    """The pieces' gradients (zeros for those without one) joined along dim."""
    dim = wrap_dim(dim, len(self_shape))
    like = next(g for g in grads if g is not None)
    grads = list(grads) + [None] * (len(sizes) - len(grads))
    out = []
    for g, n in zip(grads, sizes):
        if g is None:
            shape = list(self_shape)
            shape[dim] = n
            g = _zeros(shape, like)
        out.append(g)
    return D.cat(out, dim)


def _split_backward_raw(grads, self_shape, dim, sizes):
    """_split_backward on arrays: one concatenation when every piece has a gradient, else the gradients written
    into one array of zeros (of the dtype the concatenation would have)."""
    if len(grads) == len(sizes) and all(g is not None for g in grads):
        return np.concatenate(grads, dim)
    out = np.zeros(self_shape, np.result_type(*[g for g in grads if g is not None]))
    pre, start = (slice(None),) * wrap_dim(dim, len(self_shape)), 0
    for g, n in zip(grads, sizes):
        if g is not None:
            out[pre + (slice(start, start + n),)] = g
        start += n
    return out


def _split_arrays(self, d, sizes):
    pre, start, pieces = (slice(None),) * d, 0, []
    for n in sizes:
        pieces.append(self[pre + (slice(start, start + n),)])
        start += n
    return tuple(pieces)


_SPLIT = {  # the formulas of split and unsafe_split, on Tensors and (raw) on arrays
    "self": lambda grads, self_shape, split_size, dim: _split_backward(
        grads, self_shape, dim, _split_sizes(self_shape[dim], split_size)),
    "raw": {"self": lambda grads, self_shape, split_size, dim: _split_backward_raw(
        grads, self_shape, dim, _split_sizes(self_shape[dim], split_size))}}
_SPLIT_WITH_SIZES = {
    "self": lambda grads, self_shape, split_sizes, dim: _split_backward(grads, self_shape, dim, split_sizes),
    "raw": {"self": lambda grads, self_shape, split_sizes, dim: _split_backward_raw(
        grads, self_shape, dim, split_sizes)}}


@op("SplitBackward0", view=True, outputs=-1, **_SPLIT)
def _split(self, split_size, dim=0):
    if self.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, self.ndim)
    return _split_arrays(self, d, _split_sizes(self.shape[d], split_size))


@op("SplitWithSizesBackward0", view=True, outputs=-1, **_SPLIT_WITH_SIZES)
def _split_with_sizes(self, split_sizes, dim=0):
    if self.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, self.ndim)
    n = self.shape[d]
    if any(s < 0 for s in split_sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={_shape_str(split_sizes)}")
    if sum(split_sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension {d}), but got split_sizes={_shape_str(split_sizes)}")
    return _split_arrays(self, d, split_sizes)


def _split_dispatch(self, split_size, dim):
    if isinstance(split_size, (list, tuple)):
        return _split_with_sizes(self, tuple(int(s) for s in split_size), dim)
    return _split(self, int(split_size), dim)


@public
def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of `split_size_or_sections` (an int) or of the given sizes (a list) along `dim`."""
    return _split_dispatch(tensor, split_size_or_sections, dim)


def _split_method(self, split_size, dim=0):
    return _split_dispatch(self, split_size, dim)


def _chunk(self, chunks, dim, split, split_with_sizes):
    shape = self._data.shape  # (not self.shape: a Size made on every read)
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = shape[wrap_dim(dim, len(shape))]
    size = (n + chunks - 1) // chunks
    if size == 0 and n == 0:  # PyTorch: `chunks` empty pieces
        return split_with_sizes(self, (0,) * chunks, dim)
    return split(self, size, dim)


@public
def chunk(self, chunks, dim=0):
    """Split into `chunks` pieces of equal size (the last may be smaller; there may be fewer pieces)."""
    return _chunk(self, chunks, dim, _split, _split_with_sizes)


# unsafe_split*: the same pieces as split, but copies, not views (PyTorch's non-aliasing variants).
@op("UnsafeSplitBackward0", outputs=-1, **_SPLIT)
def unsafe_split(self, split_size, dim=0):
    return tuple(a.copy() for a in _split._spec.forward(self, split_size, dim))


@op("UnsafeSplitWithSizesBackward0", outputs=-1, **_SPLIT_WITH_SIZES)
def unsafe_split_with_sizes(self, split_sizes, dim=0):
    return tuple(a.copy() for a in _split_with_sizes._spec.forward(self, tuple(split_sizes), dim))


@public
def split_with_sizes(self, split_sizes, dim=0):
    """Split into pieces of the given sizes along `dim` (views)."""
    return _split_with_sizes(self, tuple(int(s) for s in split_sizes), dim)


@public
def unsafe_chunk(self, chunks, dim=0):
    """`chunk` without views."""
    return _chunk(self, chunks, dim, unsafe_split, unsafe_split_with_sizes)


@public
def tensor_split(self, indices_or_sections, dim=0):
    """Split at `indices_or_sections`: a number of near-equal sections, or the indices to cut before."""
    if self.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = wrap_dim(dim, self.ndim)
    n = self.shape[d]
    ios = indices_or_sections
    if _is_tensor(ios):
        if ios._data.dtype != np.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{LEGACY_NAMES[ios._data.dtype.name]}")
        if ios.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios.ndim} dims")
        ios = int(ios._data) if ios.ndim == 0 else [int(i) for i in ios._data]
    if isinstance(ios, (list, tuple)):
        bounds = [0] + [_clamp_index(int(i), n) for i in ios] + [n]
        return tuple(D._slice(self, d, a, max(a, b), 1) for a, b in zip(bounds[:-1], bounds[1:]))
    sections = int(ios)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    small, extra = divmod(n, sections)
    out, start = [], 0
    for i in range(sections):
        size = small + (1 if i < extra else 0)
        out.append(D._slice(self, d, start, start + size, 1))
        start += size
    return tuple(out)


def _clamp_index(i, n):
    """A slice bound as PyTorch's slice() takes it: negative counts from the end, clamped to [0, n]."""
    if i < 0:
        i += n
    return min(max(i, 0), n)


def _dir_split(self, indices_or_sections, name, need, dim):
    if self.ndim < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor with "
                           f"{self.ndim} dimensions!")
    if isinstance(indices_or_sections, int) and indices_or_sections and self.shape[dim] % indices_or_sections:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{self.shape[dim]} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(self, indices_or_sections, dim)


@public
def hsplit(self, indices_or_sections):
    """`tensor_split` along dim 1 (dim 0 for 1-d tensors); an int must divide the size."""
    return _dir_split(self, indices_or_sections, "hsplit", 1, 1 if self.ndim > 1 else 0)


@public
def vsplit(self, indices_or_sections):
    """`tensor_split` along dim 0 of a tensor with at least 2 dims."""
    return _dir_split(self, indices_or_sections, "vsplit", 2, 0)


@public
def dsplit(self, indices_or_sections):
    """`tensor_split` along dim 2 of a tensor with at least 3 dims."""
    return _dir_split(self, indices_or_sections, "dsplit", 3, 2)


def _atleast_nd(tensors, n):
    if len(tensors) == 1:
        tensors = tensors[0]
    if isinstance(tensors, (list, tuple)):
        return tuple(_atleast(t, n) for t in tensors)
    return _atleast(tensors, n)


@public
def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (a tuple for several tensors or a list)."""
    return _atleast_nd(tensors, 1)


@public
def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims (a 1-d one becomes a row)."""
    return _atleast_nd(tensors, 2)


@public
def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims."""
    return _atleast_nd(tensors, 3)


swapdims = public(D.transpose, "swapdims")


@op("UnfoldBackward0", view=True, self=lambda grad, self_shape, dimension, size, step: _unfold_backward(
    grad, self_shape, dimension, size, step),
    raw={"self": lambda grad, self_shape, dimension, size, step: _unfold_backward.on_arrays(
        grad, self_shape, dimension, size, step)})
def unfold(self, dimension, size, step):
    """Tensor.unfold: every window of `size` elements along `dimension`, `step` apart, as a new last dim."""
    d = wrap_dim(dimension, self.ndim)
    n = self.shape[d] if self.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if self.ndim == 0:
        return self.reshape(1)[:size]  # one window of the one element, or none
    # the windows as a read-only strided view, as sliding_window_view makes it without its ~20 us of Python
    shape = self.shape[:d] + ((n - size) // step + 1,) + self.shape[d + 1:] + (size,)
    strides = self.strides[:d] + (self.strides[d] * step,) + self.strides[d + 1:] + (self.strides[d],)
    return np.lib.stride_tricks.as_strided(self, shape, strides, writeable=False)


@op("UnfoldBackwardBackward0", self=lambda grad, dim, size, step: unfold(grad, dim, size, step))
def _unfold_backward(self, input_sizes, dim, size, step):
    """Each window's gradient added back where the window read: one strided add per position in the window."""
    if not input_sizes:  # a 0-d input: its window of size 1, or none
        return self.reshape(()) if self.size else np.zeros((), self.dtype)
    out = np.zeros(input_sizes, dtype=self.dtype)
    d = wrap_dim(dim, len(input_sizes))
    last, before = step * (self.shape[d] - 1) + 1, (slice(None),) * d
    for k in range(size):
        out[before + (slice(k, k + last, step),)] += self[..., k]
    return out


def _check_narrow(self, dim, start, length):
    """narrow's checks, worded as PyTorch's; returns the wrapped dim and the non-negative start."""
    if self.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, self.ndim)
    start = int(start)
    n = self.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if start > n - length:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return d, start


@public
def diff(self, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim, after prepend and append are joined on; bool tensors differ by xor.
    Built as PyTorch builds it: narrow, then sub (SubBackward0 over two SliceBackward0)."""
    if not self.ndim:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    if any(t is not None and t.ndim != self.ndim for t in (prepend, append)):
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    parts = [t for t in (prepend, self, append) if t is not None]
    out = D.cat(parts, dim) if len(parts) > 1 else self
    if n == 0:  # a fresh tensor copied from out, as PyTorch's (CopyBackwards)
        return _op.Tensor._make(np.empty_like(out._data)).copy_(out)
    for _ in range(n):
        size = out.shape[wrap_dim(dim, out.ndim)]
        later, earlier = narrow(out, dim, min(size, 1), max(size - 1, 0)), narrow(out, dim, 0, max(size - 1, 0))
        out = D.ne(later, earlier) if out._data.dtype.kind == "b" else D.sub(later, earlier)
    return out


@public
def narrow(self, dim, start, length):
    """The slice `start:start+length` of dim `dim` (a view)."""
    _, start = _check_narrow(self, dim, start, length)
    return D._slice(self, dim, start, start + length, 1)  # dim as given: PyTorch's node shows it so


# ---- flip, roll -----------------------------------------------------------------------------------------
@op("FlipBackward0", self=lambda grad, dims: _flip(grad, dims), raw={"self": lambda grad, dims: _flip.on_arrays(
    grad, dims)})
def _flip(self, dims):
    axes = wrap_dims(dims, self.ndim) if self.ndim else tuple(wrap_dim(d, 0) for d in dims)
    reverse = slice(None, None, -1)  # by a slice per axis: np.flip costs ~3 us of Python
    return self[tuple(reverse if axis in axes else slice(None) for axis in range(self.ndim))].copy()


@public
def flip(self, *args, dims=None):
    """Reverse the order of elements along `dims` (x.flip(0, 1), torch.flip(x, [0, 1]) or dims=...)."""
    return _flip(self, _size(args if dims is None else (dims,)))


@public
def fliplr(self):
    """Flip dim 1 (left/right)."""
    if self.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return _flip(self, (1,))


@public
def flipud(self):
    """Flip dim 0 (up/down)."""
    if self.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return _flip(self, (0,))


@op("RollBackward0", self=lambda grad, shifts, dims: _roll(grad, tuple(-s for s in shifts), dims),
    raw={"self": lambda grad, shifts, dims: _roll.on_arrays(grad, tuple(-s for s in shifts), dims)})
def _roll(self, shifts, dims):
    if not shifts:
        raise RuntimeError("`shifts` required")
    if not dims:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return np.roll(self, shifts[0])
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return np.roll(self, shifts, tuple(_wrap_dim_no_scalar(d, self.ndim) for d in dims))


@public
def roll(self, shifts, dims=None):
    """Shift elements cyclically by `shifts` along `dims` (over the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    return _roll(self, shifts, dims)


# ---- meshgrid -------------------------------------------------------------------------------------------
@public
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-d/1-d tensors; `indexing` is 'ij' (matrix, default) or 'xy' (Cartesian)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors[1:]:
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.numel() for t in ts)
    grids = []
    for i, t in enumerate(ts):
        view_shape = [1] * len(ts)
        view_shape[i] = shape[i]
        grids.append(D._expand(D.view(t, tuple(view_shape)), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ---- index checks ---------------------------------------------------------------------------------------
def _first_out_of_bounds(index, n):
    bad = (index >= n) | (index < -n)
    return int(index.ravel()[np.argmax(bad.ravel())]) if bad.any() else None


def _check_gather_like(self, dim, index, name, src=None):
    """PyTorch's gather/scatter shape checks; returns the wrapped dim."""
    nd = max(self.ndim, 1)
    d = wrap_dim(dim, self.ndim)
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if max(index.ndim, 1) != nd and index.size:
        what = "input" if name == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    if index.size == 0:
        return d
    ishape = index.shape if index.ndim else (1,)
    sshape = self.shape if self.ndim else (1,)
    if name == "gather":
        for k in range(nd):
            if k != d and ishape[k] > sshape[k]:
                raise RuntimeError(f"Size does not match at dimension {k} expected index {_shape_str(ishape)} to be "
                                   f"no larger than self {_shape_str(sshape)} apart from dimension {d}")
    else:
        bad = any(k != d and ishape[k] > sshape[k] for k in range(nd))
        if src is not None:
            rshape = src.shape if src.ndim else (1,)
            if bad or any(ishape[k] > rshape[k] for k in range(nd)):
                raise RuntimeError(f"Expected index {_shape_str(ishape)} to be no larger than self "
                                   f"{_shape_str(sshape)} apart from dimension {d} and to be no larger size than "
                                   f"src {_shape_str(rshape)}")
        elif bad:
            raise RuntimeError(f"Expected index {_shape_str(ishape)} to be no larger than self {_shape_str(sshape)} "
                               f"apart from dimension {d}")
    n = sshape[d]
    bad = (index >= n) | (index < 0)
    if bad.any():
        v = int(index.ravel()[np.argmax(bad.ravel())])
        raise RuntimeError(f"index {v} is out of bounds for dimension {d} with size {n}")
    return d


def _crop(src, shape):
    return src[tuple(slice(0, s) for s in shape)]


def _as1d(a):
    return a.reshape(1) if a.ndim == 0 else a


def _check_same_dtype(self, src, name="scatter"):
    if self.dtype != src.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")


# ---- gather / scatter -----------------------------------------------------------------------------------
def _gather_grad_np(grad, self_shape, dim, index):
    """Zeros of self's shape with grad added where the gather read (repeated entries add up)."""
    if not self_shape:  # every read was the one entry
        return np.add.reduce(np.reshape(grad, -1), keepdims=True).reshape(())
    out = np.zeros(self_shape, grad.dtype)
    np.add.at(out, D.along_axis(index, wrap_dim(dim, len(self_shape))), grad)
    return out


@op("GatherBackward0", nondiff=("index",),
    self=lambda grad, self_shape, dim, index: scatter_add(_zeros(self_shape, grad), dim, index, grad),
    raw={"self": _gather_grad_np})
def _gather(self, dim, index):
    d = _check_gather_like(self, dim, index, "gather")
    if self.ndim == 0:
        return self[()] if index.ndim == 0 else np.broadcast_to(self, index.shape).copy()
    return self[D.along_axis(index, d)]


@public
def gather(self, dim, index, *, sparse_grad=False):
    """out[i][j][k] = self[i][index[i][j][k]][k] (for dim=1)."""
    return _gather(self, dim, index)


def _scatter_np(self, d, index, src, how):
    out = self.copy()
    if index.size == 0:
        return out
    o, idx = (out.reshape(1), index.reshape(1)) if out.ndim == 0 else (out, index)
    coords = D.along_axis(idx, d)
    vals = _crop(_as1d(src), idx.shape) if isinstance(src, np.ndarray) and src.ndim else src
    if how is None:
        o[coords] = vals
    elif how == "add":
        np.add.at(o, coords, vals)
    else:
        np.multiply.at(o, coords, vals)
    return out


def _src_grad(node, grad, dim, index, src_shape):
    """gather(grad, dim, index): src's gradient. PyTorch's engine rejects it when src is larger than index."""
    if tuple(index.shape) != tuple(src_shape):
        raise RuntimeError(f"Function {node} returned an invalid gradient at index 1 - got "
                           f"{_shape_str(index.shape)} but expected shape compatible with {_shape_str(src_shape)}")
    return gather(grad, dim, index)


@op("ScatterBackward0", nondiff=("index",),
    self=lambda grad, dim, index: _scatter_value(grad, dim, index, 0),
    src=lambda grad, dim, index, src_shape: _src_grad("ScatterBackward0", grad, dim, index, src_shape))
def _scatter_src(self, dim, index, src):
    _check_same_dtype(self, src)
    d = _check_gather_like(self, dim, index, "scatter", src)
    return _scatter_np(self, d, index, src, None)


@op("ScatterBackward1", nondiff=("index",), self=lambda grad, dim, index: _scatter_value(grad, dim, index, 0))
def _scatter_value(self, dim, index, value):
    d = _check_gather_like(self, dim, index, "scatter")
    return _scatter_np(self, d, index, np.asarray(value).astype(self.dtype), None)


def _not_implemented(name):
    raise NotImplementedError(f"the derivative for '{name}' is not implemented.")


@op("torch::autograd::NotImplemented", nondiff=("index",),
    self=lambda grad: D.no_derivative("scatter"), src=lambda grad: D.no_derivative("scatter"))
def _scatter_src_reduce(self, dim, index, src, reduce):
    _check_same_dtype(self, src)
    d = _check_gather_like(self, dim, index, "scatter", src)
    return _scatter_np(self, d, index, src, _scatter_how(reduce))


@op("torch::autograd::NotImplemented", nondiff=("index",), self=lambda grad: D.no_derivative("scatter"))
def _scatter_value_reduce(self, dim, index, value, reduce):
    d = _check_gather_like(self, dim, index, "scatter")
    return _scatter_np(self, d, index, np.asarray(value).astype(self.dtype), _scatter_how(reduce))


def _scatter_how(reduce):
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    return reduce


@public
def scatter(self, dim, index, src=None, value=None, *, reduce=None):
    """Write `src` (a tensor) or `value` (a number) into self at `index` along `dim`; reduce='add'/'multiply'."""
    if src is None:
        src = value
    if _is_tensor(src):
        if reduce is None:
            return _scatter_src(self, dim, index, src)
        import warnings
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                      "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.")
        return _scatter_src_reduce(self, dim, index, src, reduce)
    if reduce is None:
        return _scatter_value(self, dim, index, src)
    return _scatter_value_reduce(self, dim, index, src, reduce)


@op("ScatterAddBackward0", nondiff=("index",),
    self=lambda grad: grad,
    src=lambda grad, dim, index, src_shape: _src_grad("ScatterAddBackward0", grad, dim, index, src_shape))
def scatter_add(self, dim, index, src):
    _check_same_dtype(self, src, "scatter_add")
    d = _check_gather_like(self, dim, index, "scatter_add", src)
    return _scatter_np(self, d, index, src, "add")


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_np(self, d, index, src, reduce, include_self):
    out = self.copy()
    if index.size == 0:
        return out
    o, idx = (out.reshape(1), index.reshape(1)) if out.ndim == 0 else (out, index)
    coords = D.along_axis(idx, d)
    vals = _crop(_as1d(src), idx.shape)
    if reduce in ("sum", "mean"):
        if not include_self:
            o[coords] = 0
        np.add.at(o, coords, vals)
        if reduce == "mean":
            count = np.full(o.shape, 1 if include_self else 0, dtype=o.dtype)
            np.add.at(count, coords, 1)
            count[count == 0] = 1
            o[...] = o / count if o.dtype.kind in "fc" else o // count
    elif reduce == "prod":
        if not include_self:
            o[coords] = 1
        np.multiply.at(o, coords, vals)
    else:
        fn = np.maximum if reduce == "amax" else np.minimum
        if not include_self:
            info = np.finfo(o.dtype) if o.dtype.kind == "f" else np.iinfo(o.dtype)
            o[coords] = (-np.inf if o.dtype.kind == "f" else info.min) if reduce == "amax" else \
                (np.inf if o.dtype.kind == "f" else info.max)
        fn.at(o, coords, vals)
    return out


def _scatter_reduce_backward(which, grad, self, dim, index, src, reduce, include_self, result):
    """PyTorch's scatter_reduce_backward (FunctionsManual.cpp), term for term.

    NOTE: for amax/amin with include_self=False, PyTorch counts an excluded self element that happens to equal
    the result among the ties (then zeroes its share), so src gets a fraction; we reproduce that.
    """
    T = _op.Tensor
    if which == "src" and tuple(index.shape) != tuple(src.shape):
        _src_grad("ScatterReduceBackward0", grad, dim, index, src.shape)
    if reduce == "sum":
        g_self, g_src = (lambda: grad), (lambda: gather(grad, dim, index))
    elif reduce == "mean":
        n = _scatter_reduce_np(np.full(grad.shape, 1 if include_self else 0, dtype=grad._data.dtype),
                               wrap_dim(dim, grad.ndim), index._data,
                               np.ones(index.shape, dtype=grad._data.dtype), "sum", True)
        n[n == 0] = 1
        n = T._make(n)
        g_self, g_src = (lambda: grad / n), (lambda: gather(grad, dim, index) / gather(n, dim, index))
    elif reduce in ("amax", "amin"):
        value = gather(result, dim, index)
        self_is = T._make((self._data == result._data).astype(grad._data.dtype))
        src_is = T._make((_crop(src._data, index.shape) == value._data).astype(grad._data.dtype))
        n = scatter_add(self_is, dim, index, src_is)
        dist = grad / n
        g_self, g_src = (lambda: self_is * dist), (lambda: src_is * gather(dist, dim, index))
    else:  # prod
        def g_self():
            masked_self = masked_fill(self, T._make(self._data == 0), 1)
            return grad * scatter_reduce(masked_self, dim, index, src, reduce, include_self=include_self) / masked_self

        def g_src():
            s = _crop(src._data, index.shape)
            src_zero = s == 0
            nz = _scatter_reduce_np(np.zeros(self.shape, grad._data.dtype), wrap_dim(dim, self.ndim), index._data,
                                    src_zero.astype(grad._data.dtype), "sum", True)
            if self.ndim:
                src_zero &= nz[D.along_axis(index._data, wrap_dim(dim, self.ndim))] == 1
            single = src_zero
            srcc = src if src.shape == index.shape else src[tuple(slice(0, k) for k in index.shape)]
            masked_src = masked_fill(srcc, T._make(single), 1)
            masked_src_result = scatter_reduce(self, dim, index, masked_src, reduce, include_self=include_self)
            return D._where(T._make(single), gather(grad * masked_src_result, dim, index),
                            gather(grad * result, dim, index) / masked_fill(srcc, T._make(src_zero), 1))
    if which == "src":
        return g_src()
    g = g_self()
    return g if include_self else _scatter_value(g, dim, index, 0)


@op("ScatterReduceBackward0", nondiff=("index",),
    self=lambda grad, self, dim, index, src, reduce, include_self, result: _scatter_reduce_backward(
        "self", grad, self, dim, index, src, reduce, include_self, result),
    src=lambda grad, self, dim, index, src, reduce, include_self, result: _scatter_reduce_backward(
        "src", grad, self, dim, index, src, reduce, include_self, result))
def _scatter_reduce(self, dim, index, src, reduce, include_self=True):
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    _check_same_dtype(self, src, "scatter_reduce")
    d = _check_gather_like(self, dim, index, "scatter_reduce", src)
    return _scatter_reduce_np(self, d, index, src, reduce, include_self)


@public
def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
    """Reduce `src` into self at `index` along `dim` with 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    return _scatter_reduce(self, dim, index, src, reduce, include_self)


# ---- index_select and the index_* family ----------------------------------------------------------------
def _check_index_vector(index, name):
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    return _as1d(index)


def _moved(arr, d):
    return np.moveaxis(arr.reshape(1) if arr.ndim == 0 else arr, d, 0)


def _index_select_grad_np(grad, self_shape, dim, index):
    """Zeros of self's shape with grad added at the selected entries (repeated ones add up)."""
    if not self_shape:  # a 0-d tensor's one entry
        return np.array(grad, copy=True).reshape(())
    out = np.zeros(self_shape, grad.dtype)
    d = wrap_dim(dim, len(self_shape))
    np.add.at(out, (slice(None),) * d + (_as1d(index),), grad)
    return out


@op("IndexSelectBackward0", nondiff=("index",),
    self=lambda grad, self_shape, dim, index: index_add(_zeros(self_shape, grad), dim, index, grad),
    raw={"self": _index_select_grad_np})
def _index_select(self, dim, index):
    idx = _check_index_vector(index, "index_select")
    d = wrap_dim(dim, self.ndim)
    n = self.shape[d] if self.ndim else 1
    bad = (idx >= n) | (idx < 0)
    if bad.any():
        # NOTE: PyTorch's CPU kernels word this differently: a dedicated dim-1 kernel, a generic one otherwise.
        if d != 1:
            raise IndexError("index out of range in self")
        v = int(idx[np.argmax(bad)])
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={v} axis_dim={n}")
    if self.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
        return self.reshape(1)[idx].reshape(())
    return np.take(self, idx, axis=d)


@public
def index_select(self, dim, index):
    """The entries `index` (a 1-d integer tensor) of dim `dim`."""
    return _index_select(self, dim, index)


def _check_index_argument(index, name):
    """index_add_'s and index_reduce_'s checks of the index's rank and dtype."""
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {index.ndim} with type: "
                         f"{LEGACY_NAMES[index.dtype.name]} and size: {_shape_str(index.shape)}")
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: {LEGACY_NAMES[index.dtype.name]}")


def _check_index_family(self, d, index, source, name):
    n = self.shape[d] if self.ndim else 1
    idx = _as1d(index)
    if source is not None:
        k = source.shape[d] if source.ndim else 1
        if idx.shape[0] != k:
            if name == "index_copy_":
                raise IndexError(f"index_copy_(): Number of indices ({idx.shape[0]}) should be equal to "
                                 f"source.size(dim) ({k})")
            raise RuntimeError(f"{name}(): Number of indices ({idx.shape[0]}) should be equal to source.size(dim): "
                               f"({k}), for dim: {d}")
    bad = (idx >= n) | (idx < -n if name == "index_fill_" else idx < 0)
    if bad.any():
        v = int(idx[np.argmax(bad)])
        if name == "index_add_":
            # NOTE: as PyTorch's CPU kernels: the first and last dims of an n-d tensor (int64 index) go through
            # a scatter-like kernel with its own message; other cases through a per-slice loop.
            if self.ndim > 1 and index.dtype == np.int64 and d in (0, self.ndim - 1):
                raise RuntimeError(f"index {v} is out of bounds for dimension {d} with size {n}")
            raise IndexError("index out of range in self")
        prefix = "index_copy_(): " if name == "index_copy_" else ""
        raise IndexError(f"{prefix}index {v} is out of bounds for dimension {d} with size {n}")
    return idx


@op("IndexAddBackward0", nondiff=("index",),
    self=lambda grad: grad,
    source=lambda grad, dim, index, alpha: _index_select(grad, dim, index) if alpha == 1 else
    _index_select(grad, dim, index) * alpha)
def _index_add(self, dim, index, source, alpha=1):
    _check_index_argument(index, "index_add_")
    d = wrap_dim(dim, self.ndim)
    idx = _check_index_family(self, d, index, source, "index_add_")
    out = self.copy()
    np.add.at(_moved(out, d), idx, _moved(source, d) if alpha == 1 else _moved(source, d) * alpha)
    return out


@public
def index_add(self, dim, index, source, *, alpha=1):
    """self with `alpha * source` added at entries `index` of dim `dim`."""
    return _index_add(self, dim, index, source, alpha)


@op("IndexCopyBackward0", nondiff=("index",),
    self=lambda grad, dim, index: _index_fill_scalar(grad, dim, index, 0),
    source=lambda grad, dim, index: _index_select(grad, dim, index))
def index_copy(self, dim, index, source):
    if index.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    if index.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {LEGACY_NAMES[index.dtype.name]}")
    d = wrap_dim(dim, self.ndim)
    idx = _check_index_family(self, d, index, source, "index_copy_")
    out = self.copy()
    _moved(out, d)[idx] = _moved(source, d)
    return out


def _index_fill_np(self, dim, index, value):
    if index.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    d = wrap_dim(dim, self.ndim)
    idx = _check_index_family(self, d, index, None, "index_fill_")
    out = self.copy()
    _moved(out, d)[idx] = value
    return out


@op("IndexFillBackward0", nondiff=("index",), self=lambda grad, dim, index: _index_fill_scalar(grad, dim, index, 0))
def _index_fill_scalar(self, dim, index, value):
    return _index_fill_np(self, dim, index, value)


@op("IndexFillBackward1", nondiff=("index",),
    self=lambda grad, dim, index: _index_fill_scalar(grad, dim, index, 0),
    value=lambda grad, dim, index: _index_select(grad, dim, index).sum())
def _index_fill_tensor(self, dim, index, value):
    if value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    return _index_fill_np(self, dim, index, value)


@public
def index_fill(self, dim, index, value):
    """self with entries `index` of dim `dim` set to `value` (a number or a 0-d tensor)."""
    if _is_tensor(value):
        return _index_fill_tensor(self, dim, index, value)
    return _index_fill_scalar(self, dim, index, value)


def _index_reduce_np(self, d, idx, source, reduce, include_self):
    out = self.copy()
    o, src = _moved(out, d), _moved(source, d)
    if reduce == "mean":
        if not include_self:
            o[idx] = 0
        np.add.at(o, idx, src)
        count = np.full(o.shape[:1], 1 if include_self else 0, dtype=o.dtype)
        np.add.at(count, idx, 1)
        count[count == 0] = 1
        count = count.reshape((-1,) + (1,) * (o.ndim - 1))
        o[...] = o / count if o.dtype.kind in "fc" else o // count
        return out
    if reduce == "prod":
        init, fn = 1, np.multiply
    else:
        big = np.inf if o.dtype.kind == "f" else np.iinfo(o.dtype).max
        init, fn = (-big if o.dtype.kind == "f" else np.iinfo(o.dtype).min, np.maximum) if reduce == "amax" else \
            (big, np.minimum)
    if not include_self:
        o[idx] = init
    fn.at(o, idx, src)
    return out


def _index_reduce_backward(which, grad, self, dim, index, source, reduce, include_self, result):
    """index_reduce along `dim` is scatter_reduce with the index spread over the source's shape: the same
    backward (PyTorch's index_reduce_backward mirrors scatter_reduce_backward term for term)."""
    d = wrap_dim(dim, self.ndim)
    shape = [1] * source.ndim
    if source.ndim:
        shape[d] = -1
    spread = _op.Tensor._make(np.ascontiguousarray(np.broadcast_to(
        _as1d(index._data).astype(np.int64).reshape(shape), source.shape)))
    return _scatter_reduce_backward("src" if which == "source" else "self", grad, self, dim, spread, source,
                                    reduce, include_self, result)


@op("IndexReduceBackward0", nondiff=("index",),
    self=lambda grad, self, dim, index, source, reduce, include_self, result: _index_reduce_backward(
        "self", grad, self, dim, index, source, reduce, include_self, result),
    source=lambda grad, self, dim, index, source, reduce, include_self, result: _index_reduce_backward(
        "source", grad, self, dim, index, source, reduce, include_self, result))
def _index_reduce(self, dim, index, source, reduce, include_self=True):
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    _check_index_argument(index, "index_reduce_")
    if self.dtype != source.dtype:
        raise RuntimeError(f"index_reduce_(): self ({LEGACY_NAMES[self.dtype.name]}) and source "
                           f"({LEGACY_NAMES[source.dtype.name]}) must have the same scalar type")
    d = wrap_dim(dim, self.ndim)
    idx = _as1d(index)
    k = source.shape[d] if source.ndim else 1
    if idx.shape[0] != k:
        raise RuntimeError(f"index_reduce_(): Number of indices ({idx.shape[0]}) should be equal to "
                           f"source.size(dim): ({k}), for dim: {d}")
    n = self.shape[d] if self.ndim else 1
    if ((idx >= n) | (idx < 0)).any():
        raise IndexError("index out of range in self")
    return _index_reduce_np(self, d, idx, source, reduce, include_self)


@public
def index_reduce(self, dim, index, source, reduce, *, include_self=True):
    """Reduce the slices of `source` into self at entries `index` of dim `dim` ('prod', 'mean', 'amax', 'amin')."""
    import warnings
    warnings.warn("index_reduce() is in beta and the API may change at any time.")
    return _index_reduce(self, dim, index, source, reduce, include_self)


# ---- masks ----------------------------------------------------------------------------------------------
def _check_bool_mask(mask, message):
    if mask.dtype != np.bool_:
        raise RuntimeError(message.format(C_NAMES.get(mask.dtype.name, mask.dtype.name)))


def _masked_fill_np(self, mask, value):
    _check_bool_mask(mask, "masked_fill_ only supports boolean masks, but got mask with dtype {}")
    broadcast_shapes(mask.shape, self.shape)
    return np.where(mask, np.asarray(value).astype(self.dtype), self)


@op("MaskedFillBackward0", nondiff=("mask",),
    self=lambda grad, mask: _masked_fill_scalar(grad, mask, 0))
def _masked_fill_scalar(self, mask, value):
    return _masked_fill_np(self, mask, value)


@op("MaskedFillBackward1", nondiff=("mask",),
    self=lambda grad, mask: _masked_fill_scalar(grad, mask, 0),
    value=lambda grad, mask: D._where(mask, grad, 0).sum())
def _masked_fill_tensor(self, mask, value):
    if value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    return _masked_fill_np(self, mask, value)


@public
def masked_fill(self, mask, value):
    """self with the elements where `mask` is True set to `value` (a number or a 0-d tensor)."""
    if _is_tensor(value):
        return _masked_fill_tensor(self, mask, value)
    return _masked_fill_scalar(self, mask, value)


def _masked_scatter_source_backward(grad, mask, source_shape):
    picked = masked_select(grad, mask)
    n = math.prod(source_shape)
    if picked.numel() < n:
        picked = D.cat([picked, _zeros((n - picked.numel(),), grad)])
    return D.reshape(picked, tuple(source_shape))


@op("MaskedScatterBackward0", nondiff=("mask",),
    self=lambda grad, mask: _masked_fill_scalar(grad, mask, 0),
    source=lambda grad, mask, source_shape: _masked_scatter_source_backward(grad, mask, source_shape))
def masked_scatter(self, mask, source):
    _check_bool_mask(mask, "masked_scatter_ only supports boolean masks, but got mask with dtype {}")
    if self.dtype != source.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{LEGACY_NAMES[self.dtype.name]} and {LEGACY_NAMES[source.dtype.name]}")
    shape = broadcast_shapes(mask.shape, self.shape)
    out = np.broadcast_to(self, shape).copy()
    m = np.broadcast_to(mask, shape)
    k = int(m.sum())
    if k > source.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[m] = source.ravel()[:k]
    return out


@op("MaskedSelectBackward0", nondiff=("mask",),
    self=lambda grad, self_shape, mask: masked_scatter(
        _zeros(np.broadcast_shapes(tuple(self_shape), tuple(mask.shape)), grad), mask, grad))
def masked_select(self, mask):
    if mask.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(mask.shape, self.shape)
    return np.broadcast_to(self, shape)[np.broadcast_to(mask, shape)]


# ---- take, take_along_dim -------------------------------------------------------------------------------
@op("TakeBackward0", nondiff=("index",),
    self=lambda grad, self_shape, index: _put_accumulate(self_shape, index, grad))
def take(self, index):
    if index.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {LEGACY_NAMES[index.dtype.name]}")
    n = self.size
    v = _first_out_of_bounds(index, n)
    if v is not None:
        raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")
    return self.reshape(-1)[index] if n else np.zeros(index.shape, self.dtype)


@op("PutBackward0", nondiff=("index",), source=lambda grad, index: take(grad, index))
def _put_accumulate(input_shape, index, source):
    out = np.zeros(input_shape, dtype=source.dtype)
    np.add.at(out.reshape(-1), index.reshape(-1), source.reshape(-1))
    return out


@public
def take_along_dim(self, indices, dim=None):
    """`gather` with `indices` broadcast against self (over the flattened tensor when dim is None)."""
    if indices.dtype != _dtype.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{LEGACY_NAMES[indices._data.dtype.name]}")
    if dim is None:
        return gather(D.view(self, (-1,)), 0, D.view(indices, (-1,)))
    if self.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {self.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    d = wrap_dim(dim, self.ndim)
    s = list(self.shape)
    s[d] = indices.shape[d]
    ishape = np.broadcast_shapes(tuple(s), tuple(indices.shape))
    i = list(indices.shape)
    i[d] = self.shape[d]
    sshape = np.broadcast_shapes(tuple(i), tuple(self.shape))
    return gather(D._expand(self, sshape), d, _wrap(np.broadcast_to(indices._data, ishape)))


# ---- unique ---------------------------------------------------------------------------------------------
@op("Unique2Backward0", outputs=3, nondiff_outputs=(1, 2), self=lambda grads: _not_implemented("_unique2"))
def _unique2(self, sorted=True, return_inverse=False, return_counts=False):
    # NOTE: PyTorch keeps every NaN as its own unique value (NumPy's default merges them).
    values, inverse, counts = np.unique(self.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
    return values, inverse.reshape(self.shape).astype(np.int64), counts.astype(np.int64)


@op("UniqueDimBackward0", outputs=3, nondiff_outputs=(1, 2), self=lambda grads: _not_implemented("unique_dim"))
def _unique_dim(self, dim, sorted=True, return_inverse=False, return_counts=False):
    d = _wrap_dim_no_scalar(dim, self.ndim)
    values, inverse, counts = np.unique(self, return_inverse=True, return_counts=True, axis=d)
    return values, inverse.reshape(-1).astype(np.int64), counts.astype(np.int64)


@public
def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The unique elements (sorted), optionally with the inverse indices and the counts."""
    D.reject("unique", self._data.dtype, "c")
    if dim is None:
        out = _unique2(self, sorted, return_inverse, return_counts)
    else:
        out = _unique_dim(self, dim, sorted, return_inverse, return_counts)
    return _asked_outputs(out, return_inverse, return_counts)


def _asked_outputs(out, return_inverse, return_counts):
    """The values alone, or a tuple with the inverse and/or the counts when asked for."""
    res = tuple(o for o, k in zip(out, (True, return_inverse, return_counts)) if k)
    return res[0] if len(res) == 1 else res


def _consecutive(self, d):
    """unique_consecutive on arrays: (values, inverse, counts); d None means over the flattened tensor."""
    if d is None:
        flat = self.reshape(-1)
        keep = np.ones(flat.shape[0], dtype=bool)
        keep[1:] = flat[1:] != flat[:-1]
        values, shape = flat[keep], self.shape
    else:
        moved = np.moveaxis(self, d, 0)
        keep = np.ones(moved.shape[0], dtype=bool)
        keep[1:] = (moved[1:] != moved[:-1]).reshape(moved.shape[0] - 1, -1).any(1)
        values, shape = np.moveaxis(moved[keep], 0, d), (moved.shape[0],)
    inverse = (np.cumsum(keep) - 1).reshape(shape).astype(np.int64)
    starts = np.flatnonzero(keep)
    counts = np.diff(np.append(starts, keep.shape[0])).astype(np.int64)
    return values, inverse, counts


@op("UniqueConsecutiveBackward0", outputs=3, nondiff_outputs=(1, 2),
    self=lambda grads: _not_implemented("unique_consecutive"))
def _unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
    return _consecutive(self, None if dim is None else wrap_dim(dim, self.ndim))


@public
def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along `dim`)."""
    return _asked_outputs(_unique_consecutive(self, return_inverse, return_counts, dim), return_inverse,
                          return_counts)


# ---- more views and copies: ravel, rot90, adjoint, narrow_copy, select/slice_scatter ------------------------
@public
def ravel(self):
    """A flat view when the tensor is contiguous, else a flat copy (PyTorch: contiguous().view(-1))."""
    if not self._data.flags.c_contiguous:
        self = D.clone(self)
    return D.view(self, (-1,))


def _rot90_dims(ndim, k, dims):
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = wrap_dim(dims[0], ndim), wrap_dim(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    return d0, d1


@op("Rot90Backward0", self=lambda grad, k, dims: _rot90(grad, -k, dims))
def _rot90(self, k, dims):
    return np.rot90(self, k, _rot90_dims(self.ndim, k, dims)).copy()


@public
def rot90(self, k=1, dims=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `dims`, from the first dim towards the second."""
    return _rot90(self, int(k), tuple(dims))


@public
def adjoint(self):
    """The conjugate transpose of the last two dims (a transpose for real tensors)."""
    if self.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. Got "
                           f"{self.ndim}-D tensor.")
    return D.transpose(self, -2, -1)


@op("NarrowCopyBackward0", self=lambda grad, self_shape, dim, start, length: D._slice_backward(
    grad, self_shape, wrap_dim(dim, len(self_shape)), _narrow_start(start, self_shape, dim),
    _narrow_start(start, self_shape, dim) + length, 1))
def narrow_copy(self, dim, start, length):
    """`narrow`, as a copy."""
    d, start = _check_narrow(self, dim, start, length)
    return self[(slice(None),) * d + (slice(start, start + length),)].copy()


def _narrow_start(start, shape, dim):
    start = int(start)
    return start + shape[wrap_dim(dim, len(shape))] if start < 0 else start


def _check_scatter_slice(src_shape, slice_shape):
    if tuple(src_shape) != tuple(slice_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{_shape_str(src_shape)}, slice size = {_shape_str(slice_shape)}")


@op("SelectScatterBackward0",
    self=lambda grad, src, dim, index: select_scatter(grad, D.zeros_like(src), dim, index),
    src=lambda grad, dim, index: D.select(grad, dim, index))
def select_scatter(self, src, dim, index):
    """A copy of self with the slice `select(dim, index)` replaced by `src`."""
    d = wrap_dim(dim, self.ndim)
    n = self.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {_shape_str(self.shape)} at "
                         f"dimension {d}")
    key = (slice(None),) * d + (index,)
    _check_scatter_slice(src.shape, self[key].shape)
    out = self.copy()
    out[key] = src
    return out


def _slice_key(shape, dim, start, end, step):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = wrap_dim(dim, len(shape))
    return (slice(None),) * d + (slice(start, end, step),)


@op("SliceScatterBackward0",
    self=lambda grad, src, dim, start, end, step: slice_scatter(grad, D.zeros_like(src), dim, start, end, step),
    src=lambda grad, dim, start, end, step: grad[_slice_key(grad.shape, dim, start, end, step)])
def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
    """A copy of self with the slice `start:end:step` of dim `dim` replaced by `src`."""
    key = _slice_key(self.shape, dim, start, end, step)
    _check_scatter_slice(src.shape, self[key].shape)
    out = self.copy()
    out[key] = src
    return out


# ---- put, index_put ----------------------------------------------------------------------------------------
@op("PutBackward0", nondiff=("index",),
    self=lambda grad, index, source, accumulate: grad if accumulate else put(grad, index, D.zeros_like(source)),
    source=lambda grad, index, source_shape: D.reshape(take(grad, index), tuple(source_shape)))
def put(self, index, source, accumulate=False):
    """A copy of self with the elements at flat positions `index` set to (or, accumulate=True, added) `source`."""
    if index.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {LEGACY_NAMES[index.dtype.name]}")
    if self.dtype != source.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{LEGACY_NAMES[self.dtype.name]} and source.dtype = {LEGACY_NAMES[source.dtype.name]}")
    if index.size != source.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.size}, index.numel() = {index.size}")
    v = _first_out_of_bounds(index, self.size)
    if v is not None:
        raise IndexError(f"out of range: tried to access index {v} on a tensor of {self.size} elements.")
    out = self.copy()
    flat = out.reshape(-1)
    if accumulate:
        np.add.at(flat, index.reshape(-1), source.reshape(-1))
    else:
        flat[index.reshape(-1)] = source.reshape(-1)
    return out


@op("IndexPutBackward0",
    self=lambda grad, key, values, accumulate: grad if accumulate else _index_put(
        grad, key, D.zeros_like(values), False),
    values=lambda grad, key: D._index(grad, key))
def _index_put(self, key, values, accumulate=False):
    if self.dtype != values.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{LEGACY_NAMES[self.dtype.name]} for the destination and {LEGACY_NAMES[values.dtype.name]} "
                           f"for the source.")
    target = self[key].shape
    try:
        np.broadcast_to(values, target)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(values.shape)} cannot be broadcast to "
                           f"indexing result of shape {_shape_str(target)}") from None
    out = self.copy()
    if accumulate:
        np.add.at(out, key, np.broadcast_to(values, target))
    else:
        out[key] = values
    return out


@public
def index_put(self, indices, values, accumulate=False):
    """A copy of self with self[indices] set to (or, accumulate=True, added) `values`; indices is a tuple of
    integer or bool tensors."""
    key = []
    for i, t in enumerate(indices):
        if not _is_tensor(t):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        if t._data.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        key.append(t._data)
    key = tuple(key)
    dim = 0
    for k in key:  # bounds, with PyTorch's wording
        if k.dtype == np.bool_:
            dim += max(k.ndim, 1)
            continue
        n = self.shape[dim]
        v = _first_out_of_bounds(k, n)
        if v is not None:
            raise IndexError(f"index {v} is out of bounds for dimension {dim} with size {n}")
        dim += 1
    return _index_put(self, key, values, accumulate)


# ---- block_diag, cartesian_prod, combinations -------------------------------------------------------------
def _as_2d(a):
    return a.reshape(1, 1) if a.ndim == 0 else a.reshape(1, -1) if a.ndim == 1 else a


@op("BlockDiagBackward0", listed=True, tensors=lambda grad, tensors: _block_diag_backward(grad, tensors))
def _block_diag(tensors):
    for i, a in enumerate(tensors):
        if a.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{a.ndim} dimensions")
    blocks = [_as_2d(a) for a in tensors]
    rows = sum(b.shape[0] for b in blocks)
    cols = sum(b.shape[1] for b in blocks)
    out = np.zeros((rows, cols), dtype=blocks[0].dtype if blocks else np.float32)
    r = c = 0
    for b in blocks:  # one slice assignment per input tensor, not per element
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


def _block_diag_backward(grad, tensors):
    out, r, c = [], 0, 0
    for t in tensors:
        h, w = _as_2d(t._data).shape
        out.append(D.reshape(grad[r:r + h, c:c + w], tuple(t.shape)))
        r, c = r + h, c + w
    return out


@public
def block_diag(*tensors):
    """The block-diagonal matrix with the given tensors (0-d, 1-d as a row, or 2-d) on its diagonal."""
    return _block_diag(list(tensors))


@public
def cartesian_prod(*tensors):
    """Every combination of one element from each 1-d tensor, as rows (the tensor itself for one input)."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {_shape_str(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return D.stack([flatten(g) for g in grids], 1)


@public
def combinations(self, r=2, with_replacement=False):
    """All length-`r` combinations of the elements of a 1-d tensor (itertools.combinations order)."""
    if self.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {_shape_str(self.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.zeros(0, self._data.dtype))
    n = self.shape[0]
    grids = meshgrid(*([self] * r), indexing="ij")
    ii = np.indices((n,) * r)
    ok = np.ones((n,) * r, dtype=bool)
    for a, b in zip(ii[:-1], ii[1:]):
        ok &= (a <= b) if with_replacement else (a < b)
    mask = _wrap(ok)
    return D.stack([masked_select(g, mask) for g in grids], 1)


# ---- unravel_index, argwhere (no gradient) -----------------------------------------------------------------
@public
def unravel_index(indices, shape):
    """The coordinates (a tuple of tensors) of flat `indices` in a tensor of `shape` (wrapping like PyTorch)."""
    T = _op.Tensor
    if not isinstance(indices, T):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coefs = np.cumprod((shape[1:] + (1,))[::-1])[::-1]
    idx = indices._data.astype(np.int64)[..., None]
    coords = np.mod(np.floor_divide(idx, coefs), np.array(shape, dtype=np.int64))
    return tuple(T._make(np.array(coords[..., k])) for k in range(len(shape)))


@public
def argwhere(self):
    """The indices of the non-zero elements, one row each (nonzero())."""
    if self.ndim == 0:  # NOTE: core nonzero() refuses 0-d tensors; PyTorch gives shape (1, 0) or (0, 0)
        return _wrap(np.zeros((int(bool(self._data)), 0), dtype=np.int64))
    return D.nonzero(self)


# ---- bucketize, searchsorted (no gradient) --------------------------------------------------------------
def _search(seq, values, right):
    side = "right" if right else "left"
    if seq.ndim == 1:
        return np.searchsorted(seq, values, side=side)
    # batched rows: count the row's elements below (or not above) each value
    cmp = np.less_equal if right else np.less
    return cmp(seq[..., None, :], values[..., :, None]).sum(-1)


@op(nondiff=("sorted_sequence", "self"))
def _searchsorted(sorted_sequence, self, out_int32=False, right=False, side=None, sorter=None):
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side is not None and (side == "right") != bool(right) and right:
        raise RuntimeError(f"torch.searchsorted(): side and right can't be set to opposites, got side of {side} "
                           f"while right was True")
    right = right or side == "right"
    if sorted_sequence.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    values = np.asarray(self)
    if sorted_sequence.ndim > 1 and (values.ndim != sorted_sequence.ndim or
                                     values.shape[:-1] != sorted_sequence.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got boundaries "
                           f"tensor {_shape_str(sorted_sequence.shape)} and input value tensor "
                           f"{_shape_str(values.shape)}")
    seq = sorted_sequence
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data if _is_tensor(sorter) else np.asarray(sorter), -1)
    out = _search(seq, values, right)
    return np.asarray(out, dtype=np.int32 if out_int32 else np.int64)


@public
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None, sorter=None):
    """Indices at which `input` would be inserted into the (last dim of) `sorted_sequence` to keep it sorted."""
    return _searchsorted(sorted_sequence, input, out_int32, right, side, sorter)


@public
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each element of `input` given the 1-d sorted `boundaries`."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return _searchsorted(boundaries, input, out_int32, right, None, None)


# ---- binding --------------------------------------------------------------------------------------------
# Argument errors raised by the dispatcher name the op: give the private overloads their public names.
for _fn, _name in [(_gather, "gather"), (_scatter_src, "scatter"), (_scatter_value, "scatter"),
                   (_scatter_src_reduce, "scatter"), (_scatter_value_reduce, "scatter"),
                   (_scatter_reduce, "scatter_reduce"), (_index_select, "index_select"), (_index_add, "index_add"),
                   (_index_fill_scalar, "index_fill"), (_index_fill_tensor, "index_fill"),
                   (_masked_fill_scalar, "masked_fill"), (_masked_fill_tensor, "masked_fill"),
                   (_index_reduce, "index_reduce"), (_index_put, "index_put"), (_split, "split"),
                   (_split_with_sizes, "split_with_sizes"), (_repeat, "repeat"), (_flip, "flip"), (_roll, "roll"),
                   (_rot90, "rot90"), (_searchsorted, "searchsorted"), (_block_diag, "block_diag")]:
    _fn._spec.name = _name

# Tensor.split names its second parameter `split_size`, torch.split `split_size_or_sections`.
_split_method.__name__ = _split_method.__qualname__ = "split"
_op.Tensor.split = _split_method
INPLACE.update({"scatter", "scatter_add", "scatter_reduce", "index_add", "index_fill", "index_copy", "masked_fill",
                "masked_scatter", "index_put", "put", "index_reduce"})

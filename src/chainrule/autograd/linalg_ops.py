"""Linear algebra ops of the table (see derivatives.py for the core and op.py for the format).

Products (vdot, outer, addmm, einsum, tensordot, kron ...), diagonals and triangles, and the matrix
functions behind `chainrule.linalg` (det, inv, solve, cholesky, qr, eigh, svd, pinv, lstsq ...).

NOTE [Decompositions recompute in backward]: `op` saves only the first output of a node (`result`).
Backward formulas that need every factor (eigh, svd, qr) recompute the decomposition from the saved
input with chainrule ops. LAPACK is deterministic, so the factors (and their signs) are the ones the
forward returned, and the recomputed factors carry a graph when create_graph=True, so double backward
works like PyTorch's.
"""
import functools
import math
import string
from collections import namedtuple

import numpy as np

from . import derivatives as D
from . import op as _op
from .derivatives import wrap_dim
from .op import INPLACE, broadcast_shapes, op, public
from .._dtype import LEGACY_NAMES


class LinAlgError(RuntimeError):
    """PyTorch's torch.linalg.LinAlgError (a RuntimeError): a matrix is singular or not positive-definite."""


LinAlgError.__module__ = "chainrule.linalg"



_LOWER_NAMES = {"float32": "float", "float64": "double", "float16": "half", "int64": "long", "int32": "int",
                "int16": "short", "int8": "char", "uint8": "unsigned char", "bool": "bool"}


def _type_name(a):
    return LEGACY_NAMES[a.dtype.name]


def _check_same_dtype(a, b, message):
    if a.dtype != b.dtype:
        raise RuntimeError(message.format(_type_name(a), _type_name(b)))


def _check_float(a, name):
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{LEGACY_NAMES[a.dtype.name]}")


def _check_matrix(a, name, square=True, arg="A"):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")


def _batch_prefix(a, index):
    return f"(Batch element {index}): " if a.ndim > 2 else ""


def _eye_like(n, dtype):
    return _op.Tensor._make(np.eye(n, dtype=dtype))


# ---- products ---------------------------------------------------------------------------------------------
@op("VdotBackward0",
    self=lambda grad, other: grad * other,
    other=lambda grad, self: grad * self)
def vdot(self, other):
    D.check_vectors(self, other)
    _check_same_dtype(self, other, "dot : expected both vectors to have same dtype, but found {} and {}")
    return np.vdot(self, other)


@public
def outer(self, vec2):
    """Outer product of two vectors: PyTorch builds it as self[:, None] * vec2 (one MulBackward0)."""
    for name, v in (("self", self), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return D.mul(D.reshape(self, (-1, 1)), vec2)


ger = public(outer, "ger")


def _check_addmm_dtypes(self, mat1, mat2):
    _check_same_dtype(self, mat2, "self and mat2 must have the same dtype, but got {} and {}")
    _check_same_dtype(mat1, mat2, "mat1 and mat2 must have the same dtype, but got {} and {}")


def _check_mm(m1, m2, n1="mat1", n2="mat2"):
    for name, m in ((n1, m1), (n2, m2)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    if m1.shape[1] != m2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({m1.shape[0]}x{m1.shape[1]} and "
                           f"{m2.shape[0]}x{m2.shape[1]})")


def _check_expand(self, target):
    lead = len(target) - self.ndim
    if lead < 0:
        kind = LEGACY_NAMES[self.dtype.name]
        raise RuntimeError(f"expand(torch.{kind}Tensor{{[{', '.join(map(str, self.shape))}]}}, size=["
                           f"{', '.join(map(str, target))}]): the number of sizes provided ({len(target)}) must be "
                           f"greater or equal to the number of dimensions in the tensor ({self.ndim})")
    try:
        np.broadcast_to(self, target)
    except ValueError:
        for i, s in reversed(list(enumerate(self.shape))):  # PyTorch reports the last mismatching dimension
            want = target[i + lead] if i + lead >= 0 else None
            if s != want and s != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({want}) must match the existing size ({s}) at non-singleton "
                    f"dimension {i + lead}.  Target sizes: [{', '.join(map(str, target))}].  Tensor sizes: "
                    f"[{', '.join(map(str, self.shape))}]") from None
        raise


def _scaled_sum(self, prod, beta, alpha):
    _check_expand(self, prod.shape)
    out = prod if alpha == 1 else prod * alpha
    if beta == 0:  # NOTE: beta=0 ignores self entirely (nan and inf in self do not propagate), as PyTorch
        return np.broadcast_to(out, prod.shape).copy()
    return out + (self if beta == 1 else self * beta)


def _scale(t, s):
    return t if s == 1 else t * s


@op("AddmmBackward0",
    self=lambda grad, beta: _scale(grad, beta),
    mat1=lambda grad, mat2, alpha: _scale(D.mm(grad, mat2.t()), alpha),
    mat2=lambda grad, mat1, alpha: _scale(D.mm(mat1.t(), grad), alpha),
    raw={"self": lambda grad, beta: _scale(grad, beta),
         "mat1": lambda grad, mat2, alpha: _scale(D._product(grad, mat2.T), alpha),
         "mat2": lambda grad, mat1, alpha: _scale(D._product(mat1.T, grad), alpha)})
def addmm(self, mat1, mat2, *, beta=1, alpha=1):
    _check_mm(mat1, mat2)
    _check_addmm_dtypes(self, mat1, mat2)
    return _scaled_sum(self, np.matmul(mat1, mat2), beta, alpha)


@op("AddmvBackward0",
    self=lambda grad, beta: _scale(grad, beta),
    mat=lambda grad, vec, alpha: _scale(grad.unsqueeze(1) * vec, alpha),
    vec=lambda grad, mat, alpha: _scale(D.mv(mat.t(), grad), alpha))
def addmv(self, mat, vec, *, beta=1, alpha=1):
    if mat.ndim != 2 or vec.ndim != 1 or self.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {mat.ndim}, {vec.ndim}")
    if mat.ndim != 2 or vec.ndim != 1 or mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({self.shape[0] if self.ndim else 1}), mat "
                           f"({'x'.join(map(str, mat.shape))}), vec ({vec.shape[0] if vec.ndim else 1})")
    if not self.dtype == mat.dtype == vec.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_type_name(self)}, "
                           f"{_type_name(mat)}, and {_type_name(vec)}")
    return _scaled_sum(self, np.matmul(mat, vec), beta, alpha)


def _check_bmm(b1, b2):
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b2.shape[:2] != (b1.shape[0], b1.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")


@op("AddbmmBackward0",
    self=lambda grad, beta: _scale(grad, beta),
    batch1=lambda grad, batch2, alpha: _scale(D.matmul(grad.unsqueeze(0), batch2.transpose(1, 2)), alpha),
    batch2=lambda grad, batch1, alpha: _scale(D.matmul(batch1.transpose(1, 2), grad.unsqueeze(0)), alpha))
def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
    if batch1.ndim == 3 and batch2.ndim == 3:
        if batch1.shape[0] != batch2.shape[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1.shape[0]} and "
                               f"{batch2.shape[0]}")
        if batch1.shape[2] != batch2.shape[1]:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x{batch1.shape[2]} and "
                               f"{batch2.shape[1]}x{batch2.shape[2]})")
    _check_bmm(batch1, batch2)
    _check_addmm_dtypes(self, batch1, batch2)
    return _scaled_sum(self, np.matmul(batch1, batch2).sum(0), beta, alpha)


@op("BaddbmmBackward0",
    self=lambda grad, beta: _scale(grad, beta),
    batch1=lambda grad, batch2, alpha: _scale(D.bmm(grad, batch2.transpose(1, 2)), alpha),
    batch2=lambda grad, batch1, alpha: _scale(D.bmm(batch1.transpose(1, 2), grad), alpha))
def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
    _check_bmm(batch1, batch2)
    if not self.dtype == batch1.dtype == batch2.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_LOWER_NAMES[self.dtype.name]}, batch1: "
                           f"{_LOWER_NAMES[batch1.dtype.name]}, batch2: {_LOWER_NAMES[batch2.dtype.name]}")
    return _scaled_sum(self, np.matmul(batch1, batch2), beta, alpha)


@public
def kron(self, other):
    """PyTorch's kron: interleave singleton dims, multiply, and merge (an UnsafeViewBackward0 on top)."""
    nd = max(self.ndim, other.ndim)
    a = (1,) * (nd - self.ndim) + tuple(self.shape)
    b = (1,) * (nd - other.ndim) + tuple(other.shape)
    a_shape = tuple(x for s in a for x in (s, 1))
    b_shape = tuple(x for s in b for x in (1, s))
    prod = D.mul(D._unsafe_view(self, a_shape), D._unsafe_view(other, b_shape))
    return D._unsafe_view(prod, tuple(x * y for x, y in zip(a, b)))


@public
def tensordot(a, b, dims=2, out=None):
    """Contract `dims` (an int: the last dims of a with the first of b, or a pair of lists) as one mm."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    ca = [wrap_dim(d, a.ndim) for d in dims_a]
    cb = [wrap_dim(d, b.ndim) for d in dims_b]
    for wrapped in (ca, cb):
        for d in wrapped:
            if wrapped.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    for da, db, ra, rb in zip(ca, cb, dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim {ra}"
                               f" and second has size {b.shape[db]} in dim {rb}")
    fa = [d for d in range(a.ndim) if d not in ca]
    fb = [d for d in range(b.ndim) if d not in cb]
    size = math.prod([a.shape[d] for d in ca])
    left = D.reshape(D._permute(a, tuple(fa + ca)), (math.prod([a.shape[d] for d in fa]), size))
    right = D.reshape(D._permute(b, tuple(cb + fb)), (size, math.prod([b.shape[d] for d in fb])))
    return D.reshape(D.mm(left, right), tuple(a.shape[d] for d in fa) + tuple(b.shape[d] for d in fb))


# ---- einsum -------------------------------------------------------------------------------------------------
_LETTERS = string.ascii_letters
_ZERO = np.zeros(())


@op("EinsumBackward0", listed=True,
    tensors=lambda grad, tensors, subscripts: _einsum_contract_backward(grad, tensors, subscripts),
    raw={"tensors": lambda grad, tensors, subscripts: _einsum_contract_backward(grad, tensors, subscripts)})
def _einsum_contract(tensors, subscripts):
    # Every operand's labels are distinct and sized consistently (diagonals and broadcasts already taken).
    # NOTE: pairwise contraction order for three or more operands; a single C loop is faster for two.
    if len(tensors) < 3:
        return np.einsum(subscripts, *tensors)
    return np.einsum(subscripts, *tensors, optimize=_contraction_path(subscripts, tuple([t.shape for t in tensors])))


@functools.lru_cache(maxsize=1024)
def _contraction_path(subscripts, shapes):
    """NumPy's optimize=True path (its greedy search costs more than small contractions), once per equation and
    shapes; it reads the operands' shapes only, so stand-ins of those shapes, strided over one number, serve."""
    return np.einsum_path(subscripts, *[np.broadcast_to(_ZERO, shape) for shape in shapes], optimize=True)[0]


@functools.lru_cache(maxsize=256)
def _einsum_gradient_plan(subscripts):
    """For each operand of a contraction: the other operands, the equation contracting grad with them, and which
    of its labels that equation gives (None when all: else those summed inside the operand alone are broadcast)."""
    ins, out = subscripts.split("->")
    ins = ins.split(",")
    plan = []
    for k, labels in enumerate(ins):
        others = tuple(i for i in range(len(ins)) if i != k)
        seen = set(out).union(*[set(ins[i]) for i in others])
        present = "".join(c for c in labels if c in seen)
        equation = ",".join([out] + [ins[i] for i in others]) + "->" + present
        plan.append((others, equation, None if len(present) == len(labels) else tuple(c in seen for c in labels)))
    return tuple(plan)


def _einsum_contract_backward(grad, tensors, subscripts):
    """Each operand's gradient: the contraction of grad with the other operands; on arrays (raw) or Tensors."""
    raw = type(grad) is np.ndarray
    grads = []
    for t, (others, equation, seen) in zip(tensors, _einsum_gradient_plan(subscripts)):
        operands = [grad] + [tensors[i] for i in others]
        g = _einsum_contract.on_arrays(operands, equation) if raw else _einsum_contract(operands, equation)
        if seen is not None:
            kept = tuple(n if s else 1 for s, n in zip(seen, t.shape))
            g = np.broadcast_to(g.reshape(kept), t.shape) if raw else D.reshape(g, kept).expand(t.shape)
        grads.append(g)
    return grads


def _parse_term(term, eq_index):
    labels, i = [], 0
    while i < len(term):
        c = term[i]
        if c == ".":
            if term[i:i + 3] != "..." or "..." in term[:i]:
                raise RuntimeError("einsum(): found '.' for operand 0 that is not part of any ellipsis")
            labels.append(...)
            i += 3
            continue
        if c not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq_index + i} in the equation string, "
                               f"subscripts must be in [a-zA-Z]")
        labels.append(c)
        i += 1
    return labels


def _sublist_equation(args):
    def term(sub):
        out = ""
        for n in sub:
            if n is Ellipsis:
                out += "..."
            elif 0 <= n < 52:
                out += _LETTERS[26 + n] if n < 26 else _LETTERS[n - 26]
            else:
                raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
        return out
    pairs = len(args) // 2
    ops = list(args[0:2 * pairs:2])
    equation = ",".join(term(s) for s in args[1:2 * pairs:2])
    if len(args) % 2:
        equation += "->" + term(args[-1])
    return equation, tuple(ops)


# What einsum derives from an equation and its operands' shapes, checks passed: for each operand the diagonals
# (dim pairs) to take and the shape without its broadcast dims (None: kept), then the contraction's equation, or
# each operand's permutation, and the sum dims (one operand) or the shape to multiply in (several).
_EinsumPlan = namedtuple("_EinsumPlan", ["prep", "equation", "perms", "sum_dims", "shapes"])


@functools.lru_cache(maxsize=1024)  # (bounded: shapes may vary without end; a refused call stores nothing)
def _einsum_plan(equation, shapes):
    """einsum's plan for an equation and its operands' shapes (see _EinsumPlan), checked."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    parsed, pos = [], 0
    for term in terms:
        parsed.append(_parse_term(term, pos))
        pos += len(term) + 1
    # expand ellipses into shared, right-aligned labels 0..n_ell-1
    n_ell = 0
    for k, (labels, shape) in enumerate(zip(parsed, shapes)):
        n = len([c for c in labels if c is not ...])
        if ... in labels:
            if n > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is more than the "
                                   f"number of dimensions ({len(shape)}) for operand {k}")
            n_ell = max(n_ell, len(shape) - n)
        elif n != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the number "
                               f"of dimensions ({len(shape)}) for operand {k} and no ellipsis was given")
    full = []
    for labels, shape in zip(parsed, shapes):
        if ... in labels:
            i = labels.index(...)
            k = len(shape) - (len(labels) - 1)
            labels = labels[:i] + list(range(n_ell - k, n_ell)) + labels[i + 1:]
        full.append(labels)
    if arrow:
        out = _parse_term(rhs, len(lhs) + 2)
        if ... in out:
            i = out.index(...)
            out = out[:i] + list(range(n_ell)) + out[i + 1:]
        everywhere = set().union(*map(set, full))
        for c in out:
            if c not in everywhere:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   f"operand")
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
    else:
        counts = {}
        for labels in full:
            for c in labels:
                counts[c] = counts.get(c, 0) + 1
        out = list(range(n_ell)) + sorted(c for c, n in counts.items() if n == 1 and isinstance(c, str))
    # sizes: a label of size 1 broadcasts against any other size
    sizes = {}
    for k, (labels, shape) in enumerate(zip(full, shapes)):
        k_ell = sum(1 for c in labels if not isinstance(c, str))
        for j, c in enumerate(labels):
            i = labels.index(c)
            if i != j and shape[i] != shape[j]:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                                   f"{shape[j]} != {shape[i]}")
        for c, n in zip(labels, shape):
            old = sizes.get(c, 1)
            if n != 1 and old != 1 and n != old:
                if not isinstance(c, str):  # NOTE: PyTorch's wording, with the operand's own ellipsis index
                    j = c - (n_ell - k_ell)
                    raise RuntimeError(f"einsum(): dimension {j} covered by ellipsis in operand {k}has size {n} which "
                                       f"does not broadcast with previously seen ellipsis with size {old} for the "
                                       f"respective dimension")
                name = c
                raise RuntimeError(f"einsum(): subscript {name} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {old}")
            sizes[c] = max(old, n) if n != 1 else old
    # diagonals for repeated labels (their sizes match), then drop broadcast (size 1) dims
    prep, ops = [], []
    for labels, shape in zip(full, shapes):
        shape, diagonals, squeezed = list(shape), [], None
        while len(set(labels)) != len(labels):
            c = next(c for c in labels if labels.count(c) > 1)
            i = labels.index(c)
            j = labels.index(c, i + 1)
            diagonals.append((i, j))
            labels = [x for n, x in enumerate(labels) if n not in (i, j)] + [c]
            shape = [x for n, x in enumerate(shape) if n not in (i, j)] + [shape[i]]
        if len(shapes) > 1:
            keep = [n for n, c in enumerate(labels) if not (shape[n] == 1 and sizes[c] != 1)]
            if len(keep) != len(labels):
                squeezed = tuple(shape[n] for n in keep)
                labels = [labels[n] for n in keep]
        prep.append((tuple(diagonals), squeezed))
        ops.append(labels)
    if len(ops) == 1:
        labels = ops[0]
        summed = [c for c in labels if c not in out]
        return _EinsumPlan(tuple(prep), None, (tuple(labels.index(c) for c in out + summed),),
                           tuple(range(len(out), len(out) + len(summed))), None)
    every = set().union(*map(set, ops))
    if every - set(out):
        letter = {c: _LETTERS[i] for i, c in enumerate(sorted(every | set(out), key=str))}
        subs = ",".join("".join(letter[c] for c in labels) for labels in ops)
        return _EinsumPlan(tuple(prep), subs + "->" + "".join(letter[c] for c in out), None, None, None)
    # nothing summed: a broadcast product, as PyTorch computes it
    return _EinsumPlan(tuple(prep), None, tuple(tuple(labels.index(c) for c in out if c in labels) for labels in ops),
                       None, tuple(tuple(sizes[c] if c in labels else 1 for c in out) for labels in ops))


@public
def einsum(equation, *operands):
    """Einstein summation as PyTorch plans it: diagonals for repeated subscripts, then one permute (+ sum)
    for a single operand, one contraction for several (ViewBackward0 on top, or MulBackward0 when nothing is
    summed). The contraction's gradient for each operand is an einsum of the gradient with the others.
    The plan depends on the equation and the shapes alone: it is made (and checked) once for each."""
    if not isinstance(equation, str):  # sublist format: einsum(op0, [0, 1], op1, [1, 2], [0, 2])
        equation, operands = _sublist_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for k, t in enumerate(operands):
        if not isinstance(t, _op.Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 1, but got {type(t).__name__}")
    plan = _einsum_plan(equation, tuple([t._data.shape for t in operands]))
    ops = []
    for t, (diagonals, squeezed) in zip(operands, plan.prep):
        for i, j in diagonals:
            t = diagonal(t, 0, i, j)
        if squeezed is not None:
            t = D.reshape(t, squeezed)
        ops.append(t)
    if plan.equation is not None:
        for t in ops[1:]:
            if t.dtype != ops[0].dtype:
                raise RuntimeError(f"expected scalar type {_type_name(ops[0]._data)} but found {_type_name(t._data)}")
        result = _einsum_contract(ops, plan.equation)
        return D._view(result, result._data.shape)
    if len(ops) == 1:
        t = D._permute(ops[0], plan.perms[0])
        return D._sum_dim(t, plan.sum_dims) if plan.sum_dims else t
    result = None
    for t, perm, shape in zip(ops, plan.perms, plan.shapes):
        t = D.reshape(D._permute(t, perm), shape)
        result = t if result is None else D.mul(result, t)
    return result


# ---- diagonals and triangles --------------------------------------------------------------------------
def _diag_index(length, offset):
    i = np.arange(length)
    return (i, i + offset) if offset >= 0 else (i - offset, i)


@op("DiagonalBackwardBackward0", self=lambda grad, offset, dim1, dim2: diagonal(grad, offset, dim1, dim2))
def _diagonal_backward(self, input_sizes, offset, dim1, dim2):
    out = np.zeros(input_sizes, dtype=self.dtype)
    n = len(input_sizes)
    moved = np.moveaxis(out, (wrap_dim(dim1, n), wrap_dim(dim2, n)), (-2, -1))
    rows, cols = _diag_index(self.shape[-1], offset)
    moved[..., rows, cols] = self
    return out


def _check_diag_dims(ndim, dim1, dim2):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@op("DiagonalBackward0", view=True,
    self=lambda grad, self_shape, offset, dim1, dim2: _diagonal_backward(grad, self_shape, offset, dim1, dim2),
    raw={"self": lambda grad, self_shape, offset, dim1, dim2: _diagonal_backward.on_arrays(
        grad, self_shape, offset, dim1, dim2)})
def diagonal(self, offset=0, dim1=0, dim2=1):
    d1, d2 = _check_diag_dims(self.ndim, dim1, dim2)
    return np.diagonal(self, offset, d1, d2)


@op("DiagonalBackward0_copy",
    self=lambda grad, self_shape, diagonal: _diagonal_backward(grad, self_shape, diagonal, 0, 1))
def _diag_copy(self, diagonal=0):
    return np.diagonal(self, diagonal).copy()


@op("DiagEmbedBackward0", self=lambda grad, offset, dim1, dim2: diagonal(grad, offset, dim1, dim2))
def diag_embed(self, offset=0, dim1=-2, dim2=-1):
    d1, d2 = _check_diag_dims(self.ndim + 1, dim1, dim2)
    n = self.shape[-1] + abs(offset)
    out = np.zeros(self.shape[:-1] + (n, n), dtype=self.dtype)
    rows, cols = _diag_index(self.shape[-1], offset)
    out[..., rows, cols] = self
    return np.moveaxis(out, (-2, -1), (d1, d2))


@public
def diag(self, diagonal=0):
    if self.ndim == 1:
        return diag_embed(self, diagonal, 0, 1)
    if self.ndim == 2:
        return _diag_copy(self, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")


@op("TraceBackward0", self=lambda grad, self_shape: _diagonal_backward(
    grad.expand(min(self_shape)), self_shape, 0, 0, 1))
def trace(self):
    if self.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
    D.reject("trace", self.dtype, "b")
    return np.trace(self, dtype=np.int64 if self.dtype.kind in "biu" else None)


@op("TriuBackward0", self=lambda grad, diagonal: triu(grad, diagonal),
    raw={"self": lambda grad, diagonal: np.triu(grad, diagonal)})
def triu(self, diagonal=0):
    if self.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return np.triu(self, diagonal)


@op("TrilBackward0", self=lambda grad, diagonal: tril(grad, diagonal),
    raw={"self": lambda grad, diagonal: np.tril(grad, diagonal)})
def tril(self, diagonal=0):
    if self.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return np.tril(self, diagonal)


@op("LinalgCrossBackward0",
    self=lambda grad, other, dim: _linalg_cross(other, grad, dim),
    other=lambda grad, self, dim: _linalg_cross(grad, self, dim))
def _linalg_cross(self, other, dim=-1):
    if self.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if self.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(self)} but found {_type_name(other)}")
    broadcast_shapes(self.shape, other.shape)
    d = wrap_dim(dim, self.ndim)
    if self.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {self.shape[d]} and "
                           f"{other.shape[d]}")
    return np.cross(self, other, axis=d)


@public
def cross(self, other, dim=None):
    if dim is None:  # NOTE: PyTorch's deprecated default: the first dimension of size 3
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.", UserWarning)
        shape = np.broadcast_shapes(self.shape, other.shape)
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _linalg_cross(self, other, dim)


# ---- determinants and inverses --------------------------------------------------------------------------
def _det_backward(grad, self, result):
    # d det(A) = det(A) tr(A^{-1} dA): the gradient is (grad * det) A^{-T}, for invertible A; singular
    # matrices take the SVD formula (as PyTorch: a batch is split between the two).
    singular = result._data == 0
    if self.shape[-1] == 0 or not singular.any():
        return _det_backward_invertible(grad, self, result)
    if singular.all():
        return _det_backward_singular(grad, self)
    n = self.shape[-1]
    flat, g, r = self.reshape(-1, n, n), grad.reshape(-1), result.reshape(-1)
    sing = np.nonzero(singular.reshape(-1))[0]
    reg = np.nonzero(~singular.reshape(-1))[0]
    parts = [D._index_backward(_det_backward_invertible(D._index(g, (reg,)), D._index(flat, (reg,)),
                                                        D._index(r, (reg,))), flat.shape, (reg,)),
             D._index_backward(_det_backward_singular(D._index(g, (sing,)), D._index(flat, (sing,))),
                               flat.shape, (sing,))]
    return (parts[0] + parts[1]).reshape(self.shape)


def _det_backward_invertible(grad, self, result):
    return (grad * result).unsqueeze(-1).unsqueeze(-1) * _linalg_inv(self).mT


def _det_backward_singular(grad, self):
    # det = det(U) det(Vh) prod(S): the gradient is U diag(det(U) det(Vh) prod_{j != i} S_j) Vh (the cofactors)
    U, S, Vh = _linalg_svd(self, False)
    alpha = np.linalg.det(U._data) * np.linalg.det(Vh._data)  # +-1, locally constant
    n = S.shape[-1]
    others = []
    for i in range(n):  # NOTE: a loop over the matrix size (products that leave out one singular value)
        p = None
        for j in range(n):
            if j != i:
                p = S[..., j] if p is None else p * S[..., j]
        others.append(p if p is not None else (S[..., 0] * 0 + 1))
    cof = D.stack(others, -1) * _op.Tensor._make(np.asarray(alpha, dtype=S._data.dtype)[..., None])
    return D.matmul(U * (grad.unsqueeze(-1) * cof).unsqueeze(-2), Vh)


@op("LinalgDetBackward0", self=lambda grad, self, result: _det_backward(grad, self, result))
def _linalg_det(self):
    _check_float(self, "linalg.det")
    _check_matrix(self, "linalg.det")
    return np.linalg.det(self).astype(self.dtype)


def _pad(grads, n):
    """The engine passes gradients for a multi-output node up to the last output that received one."""
    grads = tuple(grads)
    return grads + (None,) * (n - len(grads))


@op("LinalgSlogdetBackward0", outputs=2,
    self=lambda grads, self: _slogdet_backward(grads, self))
def _linalg_slogdet(self):
    _check_float(self, "linalg.slogdet")
    _check_matrix(self, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(self)
    return sign.astype(self.dtype), logabs.astype(self.dtype)


def _slogdet_backward(grads, self):
    g = _pad(grads, 2)[1]
    if g is None:
        return D.zeros_like(self)
    try:
        inv = _linalg_inv(self)
    except LinAlgError:  # NOTE: singular: PyTorch's LU solve divides by the zero pivot (infinite gradient)
        inv = _op.Tensor._make(_lu_inverse(self._data))
    return g.unsqueeze(-1).unsqueeze(-1) * inv.mT


def _lu_inverse(a):
    """A^{-1} from getf2's LU by substitution, letting zero pivots give inf / nan as LAPACK's getrs does."""
    lu, piv, _ = _lu_forward(a)
    n = a.shape[-1]
    x = np.swapaxes(_permutation(piv, n, a.dtype), -1, -2).copy()  # solve L U X = P^T
    with np.errstate(all="ignore"):
        for i in range(n):  # forward substitution with the unit lower factor (a loop over the matrix size)
            x[..., i, :] -= np.einsum("...k,...kj->...j", lu[..., i, :i], x[..., :i, :])
        for i in range(n - 1, -1, -1):  # back substitution with U
            x[..., i, :] = (x[..., i, :] - np.einsum("...k,...kj->...j", lu[..., i, i + 1:], x[..., i + 1:, :])) \
                / lu[..., i, i, None]
    return x


def _lu_singular_index(a):
    """1-based index of the first zero pivot of LAPACK's partial-pivoting LU for each matrix (0 if none).
    Only called on the error path, to word the error as PyTorch does."""
    a = np.array(a, dtype=np.float64).reshape((-1,) + a.shape[-2:])
    n = a.shape[-1]
    info = np.zeros(a.shape[0], dtype=np.int64)
    rows = np.arange(a.shape[0])
    for k in range(n):  # loop over pivot columns (the matrix size), vectorised over the batch
        p = k + np.argmax(np.abs(a[:, k:, k]), axis=1)
        a[rows, k], a[rows, p] = a[rows, p].copy(), a[rows, k].copy()
        piv = a[:, k, k]
        zero = piv == 0
        info[(info == 0) & zero] = k + 1
        safe = np.where(zero, 1.0, piv)
        factors = np.where(zero[:, None], 0.0, a[:, k + 1:, k] / safe[:, None])
        a[:, k + 1:, k + 1:] -= factors[:, :, None] * a[:, k, None, k + 1:]
    return info


def _raise_singular(a, name, message):
    info = _lu_singular_index(a)
    bad = int(np.argmax(info > 0))
    raise LinAlgError(f"{name}: " + _batch_prefix(a, bad) + message.format(int(info[bad]))) from None


@op("LinalgInvExBackward0", self=lambda grad, result: -D.matmul(result.mT, D.matmul(grad, result.mT)))
def _linalg_inv(self, errors="linalg.inv"):
    """`errors`: the name PyTorch's error for a singular matrix gives; None (inv_ex) returns what LAPACK's
    substitution gives instead (inf, nan)."""
    _check_float(self, "linalg.inv")
    _check_matrix(self, "linalg.inv")
    try:
        out = np.linalg.inv(self)
    except np.linalg.LinAlgError:
        if errors is not None:
            _raise_singular(self, errors, "The diagonal element {} is zero, the inversion could not be completed "
                                          "because the input matrix is singular.")
        out = _solve_by_factors(self, np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype), self.shape))
    return out.astype(self.dtype)


def _solve_by_factors(a, b):
    """x with a x = b as LAPACK's getrf and getrs: a zero pivot gives inf or nan, not an error."""
    lu, piv, _ = _lu_forward(a)
    L, U = _unpack_arrays(lu)
    P = _permutation(piv, a.shape[-1], a.dtype)
    with np.errstate(all="ignore"):
        return _plu_solve(P, L, U, b)


def _plu_solve(P, L, U, b):
    """x with P L U x = b, as LAPACK's getrs: two triangular solves."""
    return _solve_triangle(U, _solve_triangle(L, np.matmul(np.swapaxes(P, -1, -2), b), False), True)


@public
def slogdet(self):
    """torch.slogdet: (sign, logabsdet) as a named tuple."""
    return _SlogdetResult(*_linalg_slogdet(self))


_SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])


@public
def inverse(self):
    return _linalg_inv(self)


@public
def det(self):
    return _linalg_det(self)


@public
def logdet(self):
    """PyTorch's logdet: slogdet, with nan where the determinant is negative (a WhereBackward0 on top)."""
    sign, logabs = _linalg_slogdet(self)
    return D._where(D.eq(sign, -1.0), float("nan"), logabs)


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve_backward_B(grad, A, left):
    return _linalg_solve_ex(A.mT, grad, left)


def _solve_backward_A(grad, A, B, result, left):
    gB = _linalg_solve_ex(A.mT, grad, left)
    if _is_vector_rhs(A, B):
        gB, X = gB.unsqueeze(-1), result.unsqueeze(-1)
    else:
        X = result
    return -D.matmul(gB, X.mT) if left else -D.matmul(X.mT, gB)


@op("LinalgSolveExBackward0",
    A=lambda grad, A, B, result, left: _solve_backward_A(grad, A, B, result, left),
    B=lambda grad, A, left: _solve_backward_B(grad, A, left))
def _linalg_solve_ex(A, B, left=True, errors="torch.linalg.solve"):
    _check_float(A, "linalg.solve")
    _check_matrix(A, "linalg.solve")
    if B.ndim == 0:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    _check_same_dtype(A, B, "linalg.solve: Expected A and B to have the same dtype, but found A of type {} and B of "
                            "type {} instead")
    vector = _is_vector_rhs(A, B)
    b = B[..., None] if vector else B
    if not left:
        b = np.swapaxes(b, -1, -2)
    n = A.shape[-1]
    if b.shape[-2] != n:
        shown = b.shape[-2:] if left or vector else B.shape[-2:]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown[0]}x{shown[1]})")
    a = A if left else np.swapaxes(A, -1, -2)
    batch = broadcast_shapes(b.shape[:-2], a.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    try:
        x = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        if errors is not None:
            _raise_singular(a, errors, "The solver failed because the input matrix is singular.")
        x = _solve_by_factors(a, b)
    if not left:
        x = np.swapaxes(x, -1, -2)
    return (x[..., 0] if vector else x).astype(A.dtype)


# ---- factorizations ----------------------------------------------------------------------------------------
def _cholesky_backward(grad, result, upper):
    L, gL = (result.mT, grad.mT) if upper else (result, grad)
    phi = tril(D.matmul(L.mT, gL))
    phi = phi - diag_embed(diagonal(phi, 0, -2, -1) * 0.5)
    Linv = _linalg_inv(L)
    gA = D.matmul(Linv.mT, D.matmul(phi, Linv))
    return (gA + gA.mT) * 0.5


@op("LinalgCholeskyExBackward0", self=lambda grad, result, upper: _cholesky_backward(grad, result, upper))
def _linalg_cholesky_ex(self, upper=False, errors="linalg.cholesky"):
    return _cholesky_forward(self, upper, errors)


def _cholesky_forward(self, upper, name="linalg.cholesky"):
    """`name`: the one PyTorch's error for a matrix that is not positive-definite gives; None (cholesky_ex) returns
    LAPACK's partial factor instead."""
    if name == "cholesky":
        D.reject("cholesky_cpu", self.dtype, "biu")
    _check_float(self, name or "linalg.cholesky")
    _check_matrix(self, name or "linalg.cholesky")
    try:
        L = np.linalg.cholesky(self)
    except np.linalg.LinAlgError:
        L = None
    if name is None and L is None:
        L = _cholesky_unblocked(self)[0]
    elif L is None or not np.isfinite(L).all():
        order = _cholesky_unblocked(self)[1].reshape(-1)
        b = int(np.argmax(order > 0))
        raise LinAlgError(f"{name}: " + _batch_prefix(self, b) + f"The factorization could not be completed "
                          f"because the input is not positive-definite (the leading minor of order {order[b]} is not "
                          f"positive-definite).")
    L = L.astype(self.dtype)
    return np.swapaxes(L, -1, -2).copy() if upper else L


def _cholesky_unblocked(a):
    """LAPACK's dpotf2 on the lower triangle, batched: the factor and info, the order of the first leading minor
    that is not positive-definite (0 if none). A failing matrix keeps its failing pivot's value and the columns
    after it as LAPACK leaves them; the strict upper triangle is zero, as PyTorch returns it."""
    n = a.shape[-1]
    L = np.tril(a).reshape((-1, n, n)).astype(np.result_type(a.dtype, np.float32), copy=True)
    info = np.zeros(L.shape[0], dtype=np.int32)
    with np.errstate(all="ignore"):
        for j in range(n):  # NOTE: a loop over the matrix size, vectorised over the batch
            go = info == 0
            pivot = L[:, j, j] - np.einsum("bk,bk->b", L[:, j, :j], L[:, j, :j].conj())
            failed = go & ~(pivot.real > 0)
            L[failed, j, j] = pivot[failed]
            info[failed] = j + 1
            go &= ~failed
            root = np.sqrt(np.where(go, pivot, 1))
            L[go, j, j] = root[go]
            L[go, j + 1:, j] = (L[go, j + 1:, j] - np.einsum("bik,bk->bi", L[go, j + 1:, :j], L[go, j, :j].conj())) \
                / root[go, None]
    return L.reshape(a.shape), info.reshape(a.shape[:-2])


def _cholesky_solve_grads(grad, self, input2, result, upper, which):
    g_self = cholesky_solve(grad, input2, upper)
    if which == 0:
        return g_self
    common = D.matmul(g_self, result.mT)
    common = common + common.mT
    return -D.matmul(input2, common) if upper else -D.matmul(common, input2)


@op("CholeskySolveBackward0",
    self=lambda grad, self, input2, result, upper: _cholesky_solve_grads(grad, self, input2, result, upper, 0),
    input2=lambda grad, self, input2, result, upper: _cholesky_solve_grads(grad, self, input2, result, upper, 1))
def cholesky_solve(self, input2, upper=False):
    if self.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {self.ndim} dimensions instead")
    if input2.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {input2.ndim} dimensions instead")
    if input2.shape[-1] != self.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {input2.shape[-1]} by "
                           f"{input2.shape[-1]} but each b matrix is {self.shape[-2]} by {self.shape[-1]}")
    _check_same_dtype(self, input2, "Expected b and A to have the same dtype, but found b of type {} and A of type {} "
                                    "instead.")
    broadcast_shapes(self.shape[:-2], input2.shape[:-2])  # PyTorch's error for batches that do not broadcast
    # as LAPACK's potrs: one triangle of the factor, two triangular solves (A = L L^H, or U^H U)
    L = np.conj(np.swapaxes(np.triu(input2), -1, -2)) if upper else np.tril(input2)
    y = _solve_triangle(L, self, False)
    return _solve_triangle(np.conj(np.swapaxes(L, -1, -2)), y, True).astype(self.dtype)


def _qr_backward(grads, self, mode):
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    m, n = self.shape[-2], self.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    Q, R = _linalg_qr(self, mode)
    gQ, gR = _pad(grads, 2)
    if m >= n:
        return _qr_backward_tall(gQ, gR, Q, R)
    # A = [X | Y] with X square: X = QU, Y = QV
    U = R[..., :, :m]
    gU = gR[..., :, :m] if gR is not None else None
    gV = gR[..., :, m:] if gR is not None else None
    Y = self[..., :, m:]
    if gV is not None:
        gQ = D.matmul(Y, gV.mT) if gQ is None else gQ + D.matmul(Y, gV.mT)
    gX = _qr_backward_tall(gQ, gU, Q, U)
    gY = D.matmul(Q, gV) if gV is not None else D.zeros_like(Y)
    return D.cat([gX, gY], -1)


def _qr_backward_tall(gQ, gR, Q, R):
    # gA = (gQ + Q copyltu(M)) R^{-T},  M = R gR^T - gQ^T Q,  copyltu(M) = tril(M) + tril(M, -1)^T
    M = None
    if gR is not None:
        M = D.matmul(R, gR.mT)
    if gQ is not None:
        M = -D.matmul(gQ.mT, Q) if M is None else M - D.matmul(gQ.mT, Q)
    b = D.matmul(Q, tril(M) + tril(M, -1).mT)
    if gQ is not None:
        b = b + gQ
    # b R^{-T} by a triangular solve, as PyTorch: a zero on R's diagonal gives inf, not an error
    return _linalg_solve_triangular(R.mT, b, upper=False, left=False)


@op("LinalgQrBackward0", outputs=2, self=lambda grads, self, mode: _qr_backward(grads, self, mode))
def _linalg_qr(self, mode="reduced"):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           f"or 'complete'")
    _check_float(self, "linalg.qr")
    _check_matrix(self, "linalg.qr", square=False)
    if mode == "r":
        R = np.linalg.qr(self, mode="r")
        return np.zeros((0,), self.dtype), R.astype(self.dtype)
    Q, R = np.linalg.qr(self, mode=mode)
    return Q.astype(self.dtype), R.astype(self.dtype)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def _eigh_forward(self, UPLO):
    _check_uplo(UPLO)
    if self.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{LEGACY_NAMES[self.dtype.name]}'")
    _check_matrix(self, "linalg.eigh")
    L, V = np.linalg.eigh(self, UPLO=UPLO)
    return L.astype(self.dtype), V.astype(self.dtype)


def _eigh_backward(gL, gV, L, V):
    """PyTorch's linalg_eig_backward for Hermitian input: gA = V (diag(gL) + skew(V^T gV) / E) V^T."""
    if gV is None:
        return D.matmul(V * gL.unsqueeze(-2), V.mT)
    VhgV = D.matmul(V.mT, gV)
    VhgV = (VhgV - VhgV.mT) * 0.5
    E = L.unsqueeze(-2) - L.unsqueeze(-1)
    n = L.shape[-1]
    eye = _eye_like(n, np.dtype(L._data.dtype))
    inner = VhgV / (E + eye)  # the diagonal of VhgV is zero: the 1 on E's diagonal only avoids 0/0
    if gL is not None:
        inner = inner + diag_embed(gL)
    return D.matmul(V, D.matmul(inner, V.mT))


@op("LinalgEighBackward0", outputs=2,
    self=lambda grads, result, result1: _eigh_backward(*_pad(grads, 2), result, result1))
def _linalg_eigh(self, UPLO="L"):
    return _eigh_forward(self, UPLO)


@op("LinalgEighBackward0",
    self=lambda grad, self, UPLO: _eigh_backward(grad, None, *_linalg_eigh(self, UPLO)))
def _linalg_eigvalsh(self, UPLO="L"):
    return _eigh_forward(self, UPLO)[0]


def _svd_forward(self, full_matrices=True, compute_uv=True):
    _check_float(self, "linalg.svd")
    _check_matrix(self, "linalg.svd", square=False)
    if not compute_uv:
        return np.linalg.svd(self, compute_uv=False).astype(self.dtype)
    U, S, Vh = np.linalg.svd(self, full_matrices=full_matrices)
    return U.astype(self.dtype), S.astype(self.dtype), Vh.astype(self.dtype)


def _svd_backward(gU, gS, gVh, U, S, Vh):
    """PyTorch's svd_backward (real case), on the reduced factors."""
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return D.matmul(U, gS.unsqueeze(-1) * Vh) if m >= n else D.matmul(U * gS.unsqueeze(-2), Vh)
    k = S.shape[-1]
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye_like(k, np.dtype(S._data.dtype))
    if gU is not None:
        UhgU = D.matmul(U.mT, gU)
        UhgU = UhgU - UhgU.mT
    if gVh is not None:
        VhgV = D.matmul(Vh, gVh.mT)
        VhgV = VhgV - VhgV.mT
    if gU is not None and gVh is not None:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif gU is not None:
        gA = (UhgU / E) * S.unsqueeze(-2)
    else:
        gA = S.unsqueeze(-1) * (VhgV / E)
    if gS is not None:
        gA = gA + diag_embed(gS)
    if m > n and gU is not None:
        gA = D.matmul(U, gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - D.matmul(U, D.matmul(U.mT, gUSinv))
        return D.matmul(gA, Vh)
    if m < n and gVh is not None:
        gA = D.matmul(gA, Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - D.matmul(D.matmul(SinvgVh, Vh.mT), Vh)
        return D.matmul(U, gA)
    return D.matmul(U, D.matmul(gA, Vh)) if m >= n else D.matmul(D.matmul(U, gA), Vh)


def _svd_grads(grads, self, full_matrices):
    gU, gS, gVh = _pad(grads, 3)
    U, S, Vh = _linalg_svd(self, False)
    k = S.shape[-1]
    if full_matrices:  # the completing columns of U and rows of Vh do not influence A
        gU = gU[..., :, :k] if gU is not None else None
        gVh = gVh[..., :k, :] if gVh is not None else None
    return _svd_backward(gU, gS, gVh, U, S, Vh)


@op("LinalgSvdBackward0", outputs=3,
    self=lambda grads, self, full_matrices: _svd_grads(grads, self, full_matrices))
def _linalg_svd(self, full_matrices=True):
    return _svd_forward(self, full_matrices)


@op("LinalgSvdBackward0",
    self=lambda grad, self: _svd_backward(None, grad, None, *_linalg_svd(self, False)))
def _linalg_svdvals(self):
    return _svd_forward(self, compute_uv=False)


# ---- pseudo-inverse and least squares ----------------------------------------------------------------------
def _pinv_backward(grad, pinvA, A):
    """PyTorch's pinv_backward."""
    m, n = A.shape[-2], A.shape[-1]
    pinvAh = pinvA.mT
    gradh = grad.mT
    mm = D.matmul
    if m <= n:
        K = mm(gradh, pinvA)
        KpinvAh = mm(K, pinvAh)
        return (-mm(pinvA, K).mT + KpinvAh - mm(mm(A, pinvA), KpinvAh)
                + mm(mm(pinvAh, pinvA), gradh - mm(K, A)))
    K = mm(pinvA, gradh)
    pinvAhK = mm(pinvAh, K)
    return (-mm(K, pinvA).mT + mm(mm(gradh - mm(A, K), pinvA), pinvAh) + pinvAhK
            - mm(mm(pinvAhK, pinvA), A))


def _above_tolerance(s, atol, rtol, A):
    """Which singular values s of A pinv and matrix_rank keep: s > max(atol, rtol * max(s)), rtol defaulting
    to max(m, n) * eps when neither tolerance is given."""
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    if atol is None and rtol is None:
        rtol = max(A.shape[-2:]) * np.finfo(A.dtype).eps
    atol = 0.0 if atol is None else np.asarray(D._raw(atol))[..., None]
    rtol = 0.0 if rtol is None else np.asarray(D._raw(rtol))[..., None]
    return s > np.maximum(atol, rtol * smax)


def _pinv_forward(A, atol, rtol, hermitian):
    if hermitian:
        w, V = np.linalg.eigh(A)
        s = np.abs(w)
    else:
        U, s, Vh = np.linalg.svd(A, full_matrices=False)
    keep = _above_tolerance(s, atol, rtol, A)
    if hermitian:
        inv_w = np.where(keep, 1 / np.where(keep, w, 1), 0)
        return np.matmul(V * inv_w[..., None, :], np.swapaxes(V, -1, -2)).astype(A.dtype)
    inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0)
    return np.matmul(np.swapaxes(Vh, -1, -2) * inv_s[..., None, :], np.swapaxes(U, -1, -2)).astype(A.dtype)


@op("LinalgPinvBackward0", self=lambda grad, self, result: _pinv_backward(grad, result, self))
def _linalg_pinv(self, atol=None, rtol=None, hermitian=False):
    if self.ndim < 2 or self.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.pinv({LEGACY_NAMES[self.dtype.name]}{{[{', '.join(map(str, self.shape))}]}}): "
                           f"expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types")
    return _pinv_forward(self, atol, rtol, hermitian)


@public
def pinverse(self, rcond=1e-15):
    return _linalg_pinv(self, 0.0, rcond)


def _lstsq_backward(grads, self, b, result, which):
    gX, gL = _pad(grads, 2)[:2]
    vector = _is_vector_rhs(self, b)
    X = result
    if vector:
        b, X = b.unsqueeze(-1), X.unsqueeze(-1)
        gX = gX.unsqueeze(-1) if gX is not None else None
    out = None
    if gX is not None:
        pinvA = _linalg_pinv(self)
        out = _pinv_backward(D.matmul(gX, b.mT), pinvA, self) if which == 0 else D.matmul(pinvA.mT, gX)
    if gL is not None and gL.numel():
        # residuals = |A X - B|^2 per column, at the least-squares optimum (A^T (A X - B) = 0), so only the
        # explicit dependence remains: d/dA = 2 R X^T, d/dB = -2 R, R = A X - B
        R = (D.matmul(self, X) - b) * gL.unsqueeze(-2)  # residuals keep a last dim of 1 for a vector b
        extra = D.matmul(R, X.mT) * 2 if which == 0 else R * -2
        out = extra if out is None else out + extra
    if out is not None and which == 1 and vector:
        out = out.squeeze(-1)
    return out


@op("LinalgLstsqBackward0", outputs=4, nondiff_outputs=(3,),
    self=lambda grads, self, b, result: _lstsq_backward(grads, self, b, result, 0),
    b=lambda grads, self, b, result: _lstsq_backward(grads, self, b, result, 1))
def _linalg_lstsq(self, b, rcond=None, driver=None):
    if self.dtype.kind not in "fc":  # PyTorch's own words here, not the usual "Expected a floating point ..."
        raise RuntimeError("This function doesn't handle types other than float and double")
    if self.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if self.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {_type_name(self)} and other's dtype {_type_name(b)}")
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = _is_vector_rhs(self, b)
    B = b[..., None] if vector else b
    if B.shape[-2] != self.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size({-1 if vector else -2})")
    m, n = self.shape[-2], self.shape[-1]
    broadcast_shapes(self.shape[:-2], B.shape[:-2])
    driver = driver or "gelsy"
    s = np.linalg.svd(self, compute_uv=False)
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    tol = (rcond if rcond is not None else np.finfo(self.dtype).eps * max(m, n)) * smax
    rank = (s > tol).sum(-1).astype(np.int64)
    X = np.matmul(_pinv_forward(self, None, rcond if rcond is not None else None, False), B)
    dt = self.dtype
    empty = np.zeros((0,), dt)
    residuals = empty
    if driver != "gelsy" and m > n and (rank == n).all():
        residuals = ((np.matmul(self, X) - B) ** 2).sum(-2).astype(dt)
    sv = s.astype(dt) if driver in ("gelsd", "gelss") else empty
    if driver == "gels":
        rank = np.zeros((0,), np.int64)
    return (X[..., 0] if vector else X).astype(dt), residuals, rank, sv


# ---- powers and chains ------------------------------------------------------------------------------------
@op("torch::autograd::CopyBackwards", self=lambda grad: D.zeros_like(grad))
def _eye_copy(self):
    return np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype), self.shape).copy()


@public
def matrix_power(self, n):
    """PyTorch's binary powering: identity for 0, inverse for negative n, then repeated matmul."""
    _check_matrix(self, "linalg.matrix_power")
    if n == 0:
        return _eye_copy(self)
    if n == -1:
        return _linalg_inv(self)
    a = self
    if n < 0:
        a = _linalg_inv(self)
        n = -n
    if n == 1:
        return D.clone(a)
    if n == 2:
        return D.matmul(a, a)
    if n == 3:
        return D.matmul(D.matmul(a, a), a)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else D.matmul(z, z)
        if bit:
            result = z if result is None else D.matmul(result, z)
    return result


# ---- legacy torch.* spellings of the factorizations ----------------------------------------------------
_SvdResult = namedtuple("svd", ["U", "S", "V"])
_QrResult = namedtuple("qr", ["Q", "R"])


@public
def svd(self, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with V = Vh^T (a TransposeBackward0), reduced unless some=False."""
    if self.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has {self.ndim} dimensions "
                           f"instead")
    if not compute_uv:
        m, n = self.shape[-2], self.shape[-1]
        U = D.zeros(tuple(self.shape[:-2]) + (m, m), dtype=self.dtype)
        V = D.zeros(tuple(self.shape[:-2]) + (n, n), dtype=self.dtype)
        return _SvdResult(U, _linalg_svdvals(self), V)
    U, S, Vh = _linalg_svd(self, not some)
    return _SvdResult(U, S, D.transpose(Vh, -2, -1))


@public
def qr(self, some=True):
    """torch.qr: linalg.qr with mode 'reduced' (some=True) or 'complete'."""
    return _QrResult(*_linalg_qr(self, "reduced" if some else "complete"))


@op("CholeskyBackward0", self=lambda grad, result, upper: _cholesky_backward(grad, result, upper))
def cholesky(self, upper=False):
    return _cholesky_forward(self, upper, "cholesky")


@op("CholeskyInverseBackward0", self=lambda grad, self, result, upper: _cholesky_inverse_backward(
    grad, self, result, upper))
def cholesky_inverse(self, upper=False):
    _check_matrix(self, "cholesky_inverse")
    L = np.swapaxes(np.triu(self), -1, -2) if upper else np.tril(self)  # LAPACK's potri reads one triangle
    zero = (np.diagonal(L, axis1=-2, axis2=-1) == 0).reshape(-1, L.shape[-1])
    if zero.any():
        b = int(np.argmax(zero.any(-1)))
        raise LinAlgError(f"cholesky_inverse: {_batch_prefix(self, b)}The diagonal element {np.argmax(zero[b]) + 1} "
                          "is zero, the inversion could not be completed because the input matrix is singular.")
    return np.linalg.inv(np.matmul(L, np.swapaxes(L, -1, -2))).astype(self.dtype)


def _cholesky_inverse_backward(grad, L, inverse, upper):
    common = D.matmul(inverse, D.matmul(grad + grad.mT, inverse))
    return -D.matmul(L, common) if upper else -D.matmul(common, L)


def _triangle(a, upper, unitriangular):
    """The triangle a triangular solve reads: a new array, with ones on the diagonal when unitriangular."""
    a = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        n = a.shape[-1]
        a[..., np.arange(n), np.arange(n)] = 1
    return a


def _solve_triangular_grads(grad, A, result, upper, left, unitriangular, which):
    gB = _linalg_solve_triangular(A.mT, grad, upper=not upper, left=left, unitriangular=unitriangular)
    if which == 1:
        return gB
    gA = -D.matmul(gB, result.mT) if left else -D.matmul(result.mT, gB)
    return triu(gA, int(unitriangular)) if upper else tril(gA, -int(unitriangular))


@op("LinalgSolveTriangularBackward0",
    self=lambda grad, self, result, upper, left, unitriangular: _solve_triangular_grads(
        grad, self, result, upper, left, unitriangular, 0),
    B=lambda grad, self, result, upper, left, unitriangular: _solve_triangular_grads(
        grad, self, result, upper, left, unitriangular, 1))
def _linalg_solve_triangular(self, B, *, upper, left=True, unitriangular=False):
    D.reject("triangular_solve_cpu", self.dtype, "biu")
    for name, t in (("A", self), ("B", B)):
        if t.ndim < 2:
            raise RuntimeError(f"linalg.solve_triangular: The input tensor {name} must have at least 2 dimensions.")
    _check_matrix(self, "linalg.solve_triangular")
    _check_same_dtype(self, B, "linalg.solve_triangular: Expected A and B to have the same dtype, but found A of "
                               "type {} and B of type {} instead")
    n = self.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    a = _triangle(self, upper, unitriangular)
    b = B
    if not left:  # X A = B  <=>  A^T X^T = B^T
        a, b = np.swapaxes(a, -1, -2), np.swapaxes(B, -1, -2)
    x = _solve_triangle(a, b, upper == left)
    return (np.swapaxes(x, -1, -2) if not left else x).astype(self.dtype)


def _solve_triangle(a, b, upper):
    """x with a x = b for a triangular (upper or lower), batched. NOTE: a zero on the diagonal gives inf or nan,
    as PyTorch's (BLAS trsm's) substitution does, where np.linalg.solve raises; so do inf and nan in the input."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])
    with np.errstate(all="ignore"):
        if D.all_finite(a) and D.all_finite(b) and \
                np.all(np.diagonal(a, axis1=-2, axis2=-1)):  # np.linalg.solve may not see an exact zero
            return np.linalg.solve(a, b)
        x = np.zeros(np.broadcast_shapes(a.shape[:-1] + (1,), b.shape), np.result_type(a, b))
        n = a.shape[-1]
        for i in (range(n - 1, -1, -1) if upper else range(n)):  # NOTE: a loop over the matrix size
            known = slice(i + 1, n) if upper else slice(0, i)
            x[..., i, :] = (b[..., i, :] - np.einsum("...j,...jk->...k", a[..., i, known], x[..., known, :])) \
                / a[..., i, i][..., None]
        return x


# ---- matrix exponential ---------------------------------------------------------------------------------------
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)


def _expm(a):
    """Scaling and squaring with a [13/13] Pade approximant (Higham 2005), vectorised over the batch."""
    a = a.astype(np.float64)
    n = a.shape[-1]
    norm = np.abs(a).sum(-2).max(-1) if n else np.zeros(a.shape[:-2])
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / 5.371920351148152))).astype(np.int64)
    a = a / (2.0 ** s)[..., None, None]
    b = _PADE13
    eye = np.broadcast_to(np.eye(n), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, u + v)
    for k in range(int(s.max()) if s.size else 0):  # squarings: a loop over the scaling exponent
        r = np.where((k < s)[..., None, None], r @ r, r)
    return r


def _matrix_exp_backward(grad, self):
    # The Frechet derivative's adjoint: the top-right block of exp([[A^T, G], [0, A^T]])
    n = self.shape[-1]
    top = D.cat([self.mT, grad], -1)
    bottom = D.cat([D.zeros_like(grad), self.mT], -1)
    return _linalg_matrix_exp(D.cat([top, bottom], -2))[..., :n, n:]


@op("LinalgMatrixExpBackward0", self=lambda grad, self: _matrix_exp_backward(grad, self))
def _linalg_matrix_exp(self):
    _check_matrix(self, "linalg.matrix_exp")
    _check_float(self, "linalg.matrix_exp")
    return _expm(self).astype(self.dtype)


@public
def matrix_exp(self):
    return _linalg_matrix_exp(self)


# ---- more products -------------------------------------------------------------------------------------------
@public
def inner(self, other):
    """Inner product over the last dimension: a tensordot (ViewBackward0), or a product for a 0-d input."""
    if self.ndim == 0 or other.ndim == 0:
        return D.mul(self, other)
    if self.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"[{', '.join(map(str, self.shape))}] and [{', '.join(map(str, other.shape))}]")
    return tensordot(self, other, ([-1], [-1]))


@op("AddrBackward0",
    self=lambda grad, beta: _scale(grad, beta),
    vec1=lambda grad, vec2, alpha: _scale(D.mv(grad, vec2), alpha),
    vec2=lambda grad, vec1, alpha: _scale(D.mv(grad.t(), vec1), alpha))
def addr(self, vec1, vec2, *, beta=1, alpha=1):
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    return _scaled_sum(self, np.multiply.outer(vec1, vec2), beta, alpha)


@public
def diagflat(self, offset=0):
    return diag_embed(D.reshape(self, (-1,)), offset, 0, 1)


@public
def chain_matmul(*matrices, out=None):
    import warnings
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                  "multiple parameters.", UserWarning)
    from .. import linalg
    if len(matrices) == 1:
        return D.clone(matrices[0])
    return linalg.multi_dot(list(matrices))


@op("ReshapeAliasBackward0", view=True, self=lambda grad, self_shape: D.reshape(grad, self_shape))
def _reshape_alias(self, shape):
    return np.reshape(self, shape)


# ---- LU --------------------------------------------------------------------------------------------------------
def _lu_forward(a):
    """LAPACK's getf2: partial pivoting, the first largest pivot in each column. Returns the packed LU, the
    1-based int32 pivots and info (1-based index of the first zero pivot, 0 if none)."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    b = math.prod(a.shape[:-2])
    lu = np.array(a, dtype=a.dtype).reshape((b, m, n))
    rows = np.arange(b)
    piv = np.zeros((b, k), dtype=np.int32)
    info = np.zeros(b, dtype=np.int32)
    for j in range(k):  # NOTE: a loop over the pivot columns (the matrix size), vectorised over the batch
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        lu[rows, j], lu[rows, p] = lu[rows, p].copy(), lu[rows, j].copy()
        d = lu[:, j, j]
        zero = d == 0
        info[(info == 0) & zero] = j + 1
        lu[:, j + 1:, j] = np.where(zero[:, None], lu[:, j + 1:, j], lu[:, j + 1:, j] / np.where(zero, 1, d)[:, None])
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    batch = a.shape[:-2]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _permutation(piv, m, dtype):
    """P with A = P L U, from LAPACK's sequential row swaps."""
    batch = piv.shape[:-1]
    b = math.prod(batch)
    perm = np.broadcast_to(np.arange(m), batch + (m,)).reshape(b, m).copy()
    p = piv.reshape(b, piv.shape[-1]).astype(np.int64) - 1
    rows = np.arange(perm.shape[0])
    for j in range(p.shape[-1]):  # the swaps, in order (a loop over the pivots)
        perm[rows, j], perm[rows, p[:, j]] = perm[rows, p[:, j]].copy(), perm[rows, j].copy()
    P = np.zeros((perm.shape[0], m, m), dtype=dtype)
    P[rows[:, None], perm, np.arange(m)] = 1  # row perm[i] of A is row i of L U: A = P (L U)
    return P.reshape(batch + (m, m))


def _unpack_arrays(lu):
    """L (unit lower, m x k) and U (upper, k x n) from a packed LU array."""
    k = min(lu.shape[-2:])
    return np.tril(lu[..., :, :k], -1) + np.eye(lu.shape[-2], k, dtype=lu.dtype), np.triu(lu[..., :k, :])


def _unpack(lu):
    """_unpack_arrays with chainrule ops, for the backward formulas."""
    m, n = lu.shape[-2], lu.shape[-1]
    k = min(m, n)
    L = tril(lu[..., :, :k], -1) + _eye_like(m, np.dtype(lu._data.dtype))[:, :k]
    U = triu(lu[..., :k, :])
    return L, U


def _lu_backward(gL, gU, P, L, U):
    """PyTorch's linalg_lu_backward: gA = P L^{-T} [(L^T gL) o 1_L + (gU U^T) o 1_U] U^{-T} (square case)."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    st = _linalg_solve_triangular
    if m == n:
        gR = None
        if gL is not None:
            gR = tril(D.matmul(L.mT, gL), -1)
        if gU is not None:
            t = triu(D.matmul(gU, U.mT))
            gR = t if gR is None else gR + t
        gA = st(L.mT, gR, upper=True, left=True, unitriangular=True)
        gA = st(U.mT, gA, upper=False, left=False)
    elif m < n:  # wide: A = P L [U1 | U2]
        U1 = U[..., :, :k]
        gA = D.matmul(L.mT, gL) if gL is not None else None
        if gU is not None:
            t = D.matmul(triu(gU), U.mT)
            gA = -t if gA is None else gA - t
        gA = st(U1.mT, tril(gA, -1), upper=False, left=False)
        if gU is not None:
            gA = D.cat([gA + triu(gU)[..., :, :k], gU[..., :, k:]], -1)
        else:  # A2 = P L U2 only reaches the output through U
            gA = D.cat([gA, D.zeros(tuple(gA.shape[:-1]) + (n - k,), dtype=gA.dtype)], -1)
        gA = st(L.mT, gA, upper=True, left=True, unitriangular=True)
    else:  # tall: A = P [L1; L2] U
        L1 = L[..., :k, :]
        gA = D.matmul(gU, U.mT) if gU is not None else None
        if gL is not None:
            t = D.matmul(L.mT, tril(gL, -1))
            gA = -t if gA is None else gA - t
        gA = st(L1.mT, triu(gA), upper=True, left=True, unitriangular=True)
        if gL is not None:
            gA = D.cat([gA + tril(gL, -1)[..., :k, :], gL[..., k:, :]], -2)
        else:  # A2 = P L2 U only reaches the output through L
            gA = D.cat([gA, D.zeros(tuple(gA.shape[:-2]) + (m - k, k), dtype=gA.dtype)], -2)
        gA = st(U.mT, gA, upper=False, left=False)
    return D.matmul(P, gA)


def _check_lu_input(self, name, pivot):
    if self.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"[{', '.join(map(str, self.shape))}] instead")
    if self.dtype.kind not in "fc":
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{LEGACY_NAMES[self.dtype.name]}'")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _lu_factor_grads(grads, self):
    gLU = _pad(grads, 3)[0]
    lu, piv, _ = _linalg_lu_factor_ex(self)
    L, U = _unpack(lu)
    P = _op.Tensor._make(_permutation(piv._data, self.shape[-2], self._data.dtype))
    m, n = self.shape[-2], self.shape[-1]
    k = min(m, n)
    return _lu_backward(tril(gLU, -1)[..., :, :k], triu(gLU)[..., :k, :], P, L, U)


@op("LinalgLuFactorExBackward0", outputs=3, self=lambda grads, self: _lu_factor_grads(grads, self))
def _linalg_lu_factor_ex(self, pivot=True):
    _check_lu_input(self, "torch.lu_factor", pivot)
    return _lu_forward(self)


def _lu_grads(grads, self):
    _, gL, gU = _pad(grads, 3)
    P, L, U = _linalg_lu(self)
    return _lu_backward(gL, gU, P, L, U)


@op("LinalgLuBackward0", outputs=3, nondiff_outputs=(0,), self=lambda grads, self: _lu_grads(grads, self))
def _linalg_lu(self, pivot=True):
    _check_lu_input(self, "linalg.lu", pivot)
    lu, piv, _ = _lu_forward(self)
    return (_permutation(piv, self.shape[-2], self.dtype),) + _unpack_arrays(lu)


def _lu_solve_grads(grad, LU, pivots, result, left, adjoint, which):
    gB = _linalg_lu_solve(LU, pivots, grad, left=left, adjoint=not adjoint)
    if which == 1:
        return gB
    X = result
    if left:
        gA = -D.matmul(X, gB.mT) if adjoint else -D.matmul(gB, X.mT)
    else:
        gA = -D.matmul(gB.mT, X) if adjoint else -D.matmul(X.mT, gB)
    # A = P L U with L, U read from the packed LU: chain through them
    L, U = _unpack(LU)
    P = _op.Tensor._make(_permutation(pivots._data, LU.shape[-2], LU._data.dtype))
    PtgA = D.matmul(P.mT, gA)
    return tril(D.matmul(PtgA, U.mT), -1) + triu(D.matmul(L.mT, PtgA))


@op("LinalgLuSolveBackward0", nondiff=("pivots",),
    LU=lambda grad, LU, pivots, result, left, adjoint: _lu_solve_grads(grad, LU, pivots, result, left, adjoint, 0),
    B=lambda grad, LU, pivots, result, left, adjoint: _lu_solve_grads(grad, LU, pivots, result, left, adjoint, 1))
def _linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    _check_matrix(LU, "linalg.lu_solve", arg="LU")
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    _check_same_dtype(LU, B, "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type {} and "
                             "B of type {} instead")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    P = _permutation(pivots, n, LU.dtype)
    L, U = _unpack_arrays(LU)
    b = B if left else np.swapaxes(B, -1, -2)  # X A = B: solve A^T X^T = B^T (conj(A) for the adjoint)
    if left != adjoint:  # P L U x = b, or conj(P L U) x = b
        x = _plu_solve(P, L, U, b) if left else _plu_solve(P, L.conj(), U.conj(), b)
    else:  # (P L U)^T x = b, or (P L U)^H x = b
        Lt, Ut = np.swapaxes(L, -1, -2), np.swapaxes(U, -1, -2)
        if adjoint:
            Lt, Ut = Lt.conj(), Ut.conj()
        x = np.matmul(P, _solve_triangle(Lt, _solve_triangle(Ut, b, False), True))
    return (x if left else np.swapaxes(x, -1, -2)).astype(LU.dtype)


def _lu_unpack_grads(grads, LU_data):
    _, gL, gU = _pad(grads, 3)
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    g = None
    if gL is not None:
        g = tril(gL, -1)
        if n > k:
            g = D.cat([g, D.zeros(tuple(g.shape[:-1]) + (n - k,), dtype=g.dtype)], -1)
    if gU is not None:
        u = triu(gU)
        if m > k:
            u = D.cat([u, D.zeros(tuple(u.shape[:-2]) + (m - k, n), dtype=u.dtype)], -2)
        g = u if g is None else g + u
    return g


@op("LuUnpackBackward0", outputs=3, nondiff=("LU_pivots",), nondiff_outputs=(0,),
    LU_data=lambda grads, LU_data: _lu_unpack_grads(grads, LU_data))
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    P = _permutation(LU_pivots, LU_data.shape[-2], LU_data.dtype) if unpack_pivots else np.zeros((0,), LU_data.dtype)
    if not unpack_data:
        return P, np.zeros((0,), LU_data.dtype), np.zeros((0,), LU_data.dtype)
    return (P,) + _unpack_arrays(LU_data)


@public
def lu_solve(self, LU_data, LU_pivots):
    import warnings
    warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future "
                  "PyTorch release.", UserWarning)
    return _linalg_lu_solve(LU_data, LU_pivots, self)


_TriangularSolveResult = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
_LuWithInfo = namedtuple("_lu_with_info", ["LU", "pivots", "infos"])


def _triangular_solve_grads(grads, self, A, upper, transpose, unitriangular, which):
    gX, gM = _pad(grads, 2)
    if gX is None:
        return gM if which == 1 else None
    X = _triangular_solve(self, A, upper, transpose, unitriangular)[0]
    gB = _triangular_solve(gX, A, upper, not transpose, unitriangular)[0]
    if which == 0:
        return gB
    gA = -D.matmul(X, gB.mT) if transpose else -D.matmul(gB, X.mT)
    gA = triu(gA, int(unitriangular)) if upper else tril(gA, -int(unitriangular))
    return gA if gM is None else gA + gM


@op("TriangularSolveBackward0", outputs=2,
    self=lambda grads, self, A, upper, transpose, unitriangular: _triangular_solve_grads(
        grads, self, A, upper, transpose, unitriangular, 0),
    A=lambda grads, self, A, upper, transpose, unitriangular: _triangular_solve_grads(
        grads, self, A, upper, transpose, unitriangular, 1))
def _triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
    for name, t in (("b", self), ("A", A)):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 dimensions, but it has "
                               f"{t.ndim} dimensions instead")
    a = _triangle(A, upper, unitriangular)
    if transpose:
        a = np.swapaxes(a, -1, -2)
    batch = np.broadcast_shapes(a.shape[:-2], self.shape[:-2])
    x = _solve_triangle(a, self, upper != transpose)
    return x.astype(self.dtype), np.broadcast_to(A, batch + A.shape[-2:]).copy()


@public
def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
    """Deprecated torch.triangular_solve: (solution, cloned_coefficient) for op(A) X = self."""
    return _TriangularSolveResult(*_triangular_solve(self, A, upper, transpose, unitriangular))


@public
def lu(self, pivot=True, get_infos=False, out=None):
    """Deprecated torch.lu: (LU, pivots), plus infos when asked."""
    LU, pivots, infos = _linalg_lu_factor_ex(self, pivot)
    return _LuWithInfo(LU, pivots, infos) if get_infos else (LU, pivots)


# In-place Tensor methods (x.triu_(), x.addmm_(a, b) ...), bound by _methods.install().
INPLACE.update({"triu", "tril", "addmm", "addmv", "addbmm", "baddbmm", "addr"})

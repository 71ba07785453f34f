"""chainrule.linalg: PyTorch's torch.linalg namespace.

The ops (forward + backward formulas) live in autograd/linalg_ops.py; this module gives them
torch.linalg's signatures, named-tuple results and the compositions PyTorch uses for the norms.
"""
import math
from collections import namedtuple

import numpy as np

from .autograd import derivatives as _D
from .autograd import linalg_ops as _L
from .autograd import op as _op
from .autograd import pointwise as _P
from .autograd import reductions as _R
from .autograd.linalg_ops import LinAlgError

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "det", "slogdet", "inv", "inv_ex", "solve",
           "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq",
           "matrix_power", "matrix_exp", "solve_triangular", "multi_dot",
           "lu", "lu_factor", "lu_factor_ex", "lu_solve", "solve_ex", "cond", "tensorinv", "tensorsolve", "vander",
           "cross", "vecdot", "matrix_rank", "diagonal", "matmul"]

# PyTorch's torch.return_types: tuples whose fields are also attributes.
linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
linalg_inv_ex = namedtuple("linalg_inv_ex", ["inverse", "info"])
linalg_cholesky_ex = namedtuple("linalg_cholesky_ex", ["L", "info"])
linalg_qr = namedtuple("linalg_qr", ["Q", "R"])
linalg_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
linalg_lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])

_INF = float("inf")


def _check_float(A, name):
    _L._check_float(A._data, name)


def _info(A):
    return _op.Tensor._make(np.zeros(A.shape[:-2], dtype=np.int32))


def _pivot_info(A, result):
    """LAPACK's getrf info per matrix of A; zeros without the factorization when the result is finite."""
    if np.isfinite(result._data).all():
        return _info(A)
    return _op.Tensor._make(_L._lu_forward(A._data)[2])


# ---- norms --------------------------------------------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ord-norm of x over dim (all of x when dim is None) as one LinalgVectorNormBackward0 node."""
    _check_float(x, "linalg.vector_norm")
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(dim, int):
        dim = (dim,)
    return _D._vector_norm(x, ord, dim, keepdim)


def _backshift(A, dims):
    d0, d1 = dims
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    return _D._permute(A, tuple(rest + [d0, d1]))


def _keep(result, dims):
    """keepdim for the SVD-based norms, as PyTorch: two trailing unit dims moved back into place."""
    ndim = result.ndim + 2
    d0, d1 = dims
    perm = [d for d in range(ndim) if d not in (d0, d1)] + [d0, d1]
    return _D._permute(result.unsqueeze(-1).unsqueeze(-1), tuple(int(i) for i in np.argsort(perm)))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norms as PyTorch composes them: 'fro' a vector norm, 'nuc' and +-2 from the singular values,
    +-1 and +-inf a vector 1-norm followed by amax / amin."""
    _check_float(A, "linalg.matrix_norm")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if isinstance(dim, int) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {_fmt(dim)}")
    dims = tuple(_D.wrap_dim(d, A.ndim) for d in dim)
    if dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _D._vector_norm(A, 2, dims, keepdim)
    if ord == "nuc":
        result = _D._sum_dim(_L._linalg_svdvals(_backshift(A, dims)), -1)
        return _keep(result, dims) if keepdim else result
    if ord in (2, -2):
        sv = _L._linalg_svdvals(_backshift(A, dims))
        result = _largest(sv, -1, False) if ord == 2 else _R.amin(sv, (-1,))
        return _keep(result, dims) if keepdim else result
    if ord in (1, -1, _INF, -_INF):
        d0, d1 = dims if abs(ord) == 1 else dims[::-1]
        if not keepdim and d0 < d1:
            d1 -= 1
        reduced = _D._vector_norm(A, 1, (d0,), keepdim)
        return _largest(reduced, d1, keepdim) if ord > 0 else _R.amin(reduced, (d1,), keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def _largest(x, dim, keepdim):
    """amax along dim; of an empty dim (no singular values, no row or column sums) PyTorch's matrix norms give
    0s with no graph, where amax itself raises."""
    if x.shape[dim]:
        return _R.amax(x, (dim,), keepdim)
    shape = list(x.shape)
    if keepdim:
        shape[dim] = 1
    else:
        del shape[dim]
    return _op.Tensor._make(np.zeros(shape, x._data.dtype))


def _fmt(dim):
    if isinstance(dim, int):
        return str(dim)
    return "[" + ", ".join(map(str, dim)) + "]"


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """torch.linalg.norm: a matrix norm when ord is given for 2 dims (or a 2-D input), else a vector norm."""
    given = dim
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {_fmt(dim)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    if isinstance(ord, str):
        return matrix_norm(A, ord, given if given is not None else (0, 1), keepdim, dtype=dtype)
    if ord is not None and ((dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2)):
        return matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


# ---- determinants, inverses, solves -----------------------------------------------------------------------
def det(A, *, out=None):
    """Determinant of each square matrix in A (LinalgDetBackward0)."""
    return _L._linalg_det(A)


def slogdet(A, *, out=None):
    """(sign, logabsdet) of the determinant, as the named tuple linalg_slogdet."""
    return linalg_slogdet(*_L._linalg_slogdet(A))


def inv(A, *, out=None):
    """Inverse of each square matrix; raises LinAlgError for a singular one, worded as PyTorch."""
    return _L._linalg_inv(A)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is LAPACK's, the 1-based index of the first zero pivot (0: invertible); a singular
    matrix's inverse holds what LAPACK's substitution gives (inf, nan), unless check_errors raises."""
    inverse = _L._linalg_inv(A, "linalg.inv_ex" if check_errors else None)
    return linalg_inv_ex(inverse, _pivot_info(A, inverse))


def solve(A, B, *, left=True, out=None):
    """X with A X = B (left=True) or X A = B; B may be a vector or a batch of them."""
    return _L._linalg_solve_ex(A, B, left)


def cholesky(A, *, upper=False, out=None):
    """Lower Cholesky factor L with A = L L^T (upper=True: U = L^T); LinAlgError when not positive-definite."""
    return _L._linalg_cholesky_ex(A, upper)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info) of linalg.cholesky: info is the order of the first leading minor that is not positive-definite
    (0: none), and then L is LAPACK's partial factor, unless check_errors raises."""
    L = _L._linalg_cholesky_ex(A, upper, "linalg.cholesky_ex" if check_errors else None)
    try:
        np.linalg.cholesky(A._data)
        info = _info(A)
    except np.linalg.LinAlgError:
        info = _op.Tensor._make(_L._cholesky_unblocked(A._data)[1])
    return linalg_cholesky_ex(L, info)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (or X A = B) for triangular A (upper); unitriangular ignores the diagonal."""
    return _L._linalg_solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular)


def matrix_exp(A):
    """Matrix exponential (scaling and squaring with a Pade approximant)."""
    return _L._linalg_matrix_exp(A)


def matrix_power(A, n):
    """A raised to the integer power n (n < 0 inverts first)."""
    if not isinstance(n, int):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    return _L.matrix_power(A, n)


# ---- decompositions -------------------------------------------------------------------------------------------
def qr(A, mode="reduced", *, out=None):
    """QR decomposition, mode 'reduced', 'complete' or 'r' (Q empty)."""
    return linalg_qr(*_L._linalg_qr(A, mode))


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices read from the UPLO triangle."""
    return linalg_eigh(*_L._linalg_eigh(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues of symmetric matrices (their gradient is V diag(g) V^T)."""
    return _L._linalg_eigvalsh(A, UPLO)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """U, S, Vh with A = U diag(S) Vh; full_matrices completes U and Vh to square."""
    return linalg_svd(*_L._linalg_svd(A, full_matrices))


def svdvals(A, *, driver=None, out=None):
    """Singular values, descending."""
    return _L._linalg_svdvals(A)


def _tolerances(atol, rtol, rcond):
    if rcond is not None:
        return 0.0, rcond
    if rtol is None and atol is not None and not (isinstance(atol, (int, float)) and atol <= 0):
        rtol = 0.0
    return atol, rtol


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Moore-Penrose pseudo-inverse; singular values below max(atol, rtol * max(S)) are dropped."""
    atol, rtol = _tolerances(atol, rtol, rcond)
    return _L._linalg_pinv(A, atol, rtol, hermitian)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B: (solution, residuals, rank, singular_values), each filled as
    PyTorch's CPU drivers fill them (gelsy: no residuals or singular values; gels: no rank)."""
    return linalg_lstsq(*_L._linalg_lstsq(A, B, rcond, driver))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Number of singular values above the tolerance (an int64 tensor, no gradient)."""
    a = A._data
    if a.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    atol, rtol = _tolerances(atol, rtol, None)
    return _op.Tensor._make(_L._above_tolerance(s, atol, rtol, a).sum(-1).astype(np.int64))


# ---- products --------------------------------------------------------------------------------------------------
def cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along dim (inputs broadcast)."""
    return _L._linalg_cross(input, other, dim)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product along dim: (x * y).sum(dim)."""
    _check_float(x, "linalg.vecdot")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_L._type_name(x._data)} and y of type {_L._type_name(y._data)} instead")
    if x.ndim == 1 and y.ndim == 1 and x.shape[0] != y.shape[0]:
        n, m = x.shape[0], y.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                           f"of elements, but got {n} and {m} elements respectively")
    return _D._sum_dim(_D.mul(x, y), dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """View of the diagonal (offset) over dim1, dim2 (the last two by default)."""
    return _L.diagonal(A, offset, dim1, dim2)


matmul = _D.matmul


def _chain_order(shapes):
    n = len(shapes)
    p = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def multi_dot(tensors, *, out=None):
    """Chain of mm in the cheapest order (PyTorch's matrix-chain order), viewed to the output shape."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    ts = list(tensors)
    out_shape = []
    if ts[0].ndim == 1:
        ts[0] = ts[0].unsqueeze(0)
    elif ts[0].ndim == 2:
        out_shape.append(ts[0].shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {ts[0].ndim}D")
    if ts[-1].ndim == 1:
        ts[-1] = ts[-1].unsqueeze(-1)
    elif ts[-1].ndim == 2:
        out_shape.append(ts[-1].shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {ts[-1].ndim}D")
    for i in range(1, n - 1):
        if ts[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i].ndim}D")
    for i in range(1, n):
        if ts[i].dtype != ts[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_L._LOWER_NAMES[ts[0]._data.dtype.name]} and tensor {i} "
                               f"{_L._LOWER_NAMES[ts[i]._data.dtype.name]}")
        if ts[i - 1].shape[-1] != ts[i].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {_fmt(tensors[i - 1].shape)} and "
                               f"{_fmt(tensors[i].shape)} cannot be multiplied")
    if n == 2:
        result = _D.mm(ts[0], ts[1])
    elif n == 3:
        a, b, c, d = ts[0].shape[0], ts[1].shape[0], ts[2].shape[0], ts[2].shape[1]
        if (a * c) * (b + d) > (b * d) * (a + c):
            result = _D.mm(ts[0], _D.mm(ts[1], ts[2]))
        else:
            result = _D.mm(_D.mm(ts[0], ts[1]), ts[2])
    else:
        split = _chain_order([t.shape for t in ts])

        def chain(i, j):
            if i == j:
                return ts[i]
            return _D.mm(chain(i, split[i][j]), chain(split[i][j] + 1, j))
        result = chain(0, n - 1)
    return _D._view(result, tuple(out_shape))


linalg_solve_ex = namedtuple("linalg_solve_ex", ["result", "info"])


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info) of linalg.solve: info as inv_ex's; for a singular matrix the result holds what LAPACK's
    substitution gives (inf, nan), unless check_errors raises."""
    result = _L._linalg_solve_ex(A, B, left, "torch.linalg.solve_ex" if check_errors else None)
    return linalg_solve_ex(result, _pivot_info(A, result))


def cond(A, p=None, *, out=None):
    """Condition number: a ratio of singular values for p in (None, 2, -2), else norm(A) * norm(inv(A))."""
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p in (None, 2, -2):
        s = _L._linalg_svdvals(A)
        first, last = _D._slice(s, s.ndim - 1, 0, 1), _D._slice(s, s.ndim - 1, s.shape[-1] - 1, s.shape[-1])
        ratio = _D._true_divide(last, first) if p == -2 else _D._true_divide(first, last)
        return _D._squeeze_dim(ratio, -1)
    if p not in ("fro", "nuc", 1, -1, _INF, -_INF):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _L._check_matrix(A._data, f"linalg.cond(ord={p if isinstance(p, str) else format(p, 'g')})")
    try:
        result = _D.mul(matrix_norm(A, p), matrix_norm(_L._linalg_inv(A), p))
    except LinAlgError:  # singular: PyTorch fills the inverse with inf
        inv_inf = _op.Tensor._make(np.full(A.shape, np.inf, dtype=A._data.dtype))
        result = _D.mul(matrix_norm(A, p), matrix_norm(inv_inf, p))
    if p != "nuc":
        result = _P.nan_to_num(result, _INF, _INF, -_INF)
    return result


def tensorinv(A, ind=2, *, out=None):
    """Inverse of A seen as a matrix of its first ind dims by the rest."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    p, q = math.prod(rows), math.prod(cols)
    if p != q:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]),"
                           f" but got {q} != {p}")
    return _L._reshape_alias(_L._linalg_inv(_D.reshape(A, (p, p))), cols + rows)


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B."""
    if dims is not None:
        moved = [_D.wrap_dim(d, A.ndim) for d in dims]
        A = _D._permute(A, tuple([d for d in range(A.ndim) if d not in moved] + moved))
    rest = tuple(A.shape[B.ndim:])
    n = math.prod(B.shape)
    m = math.prod(rest)
    if n != m:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {m} != {n}")
    x = _L._linalg_solve_ex(_D.reshape(A, (n, m)), _D.reshape(B, (n,)), True)
    return _D.reshape(x, rest)


def vander(x, N=None):
    """Columns x^0, x^1, ..., x^(N-1) (PyTorch: ones, then a cumulative product; one CatBackward0)."""
    if x.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n < 2:
        raise RuntimeError("N must be greater than 1.")
    ones = _D.reshape(x * 0 + 1, tuple(x.shape) + (1,))
    powers, p = [], None
    for _ in range(n - 1):  # NOTE: a loop over the N columns (the cumulative product)
        p = x if p is None else p * x
        powers.append(p)
    return _D.cat([ones, _D.stack(powers, -1)], -1)


linalg_lu_factor = namedtuple("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = namedtuple("linalg_lu", ["P", "L", "U"])
lu_unpack = namedtuple("lu_unpack", ["P", "L", "U"])


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): packed LU factorization with partial pivoting (LAPACK's getrf)."""
    return linalg_lu_factor_ex(*_L._linalg_lu_factor_ex(A, pivot))


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of lu_factor_ex; raises for an exactly singular matrix, as PyTorch."""
    LU, pivots, info = _L._linalg_lu_factor_ex(A, pivot)
    bad = np.nonzero(info._data.reshape(-1))[0]
    if bad.size:
        i = int(bad[0])
        k = int(info._data.reshape(-1)[i])
        raise RuntimeError(f"torch.linalg.lu_factor: {_L._batch_prefix(A, i)}U[{k},{k}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to perform the "
                           "factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return linalg_lu_factor(LU, pivots)


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U."""
    return linalg_lu(*_L._linalg_lu(A, pivot))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B from lu_factor's output (left / adjoint select op(A) and the side)."""
    return _L._linalg_lu_solve(LU, pivots, B, left=left, adjoint=adjoint)


def __getattr__(name):
    raise AttributeError(f"module 'chainrule.linalg' has no attribute '{name}' (chainrule does not implement "
                         f"torch.linalg.{name} yet)")

"""Linear algebra beyond op_db's rows: eigenvector and singular-vector gradients through gauge-invariant
losses (the sign of each vector is arbitrary, so only sign-free quantities are compared), finite differences
along symmetric directions for ops that read one triangle, and LinAlgError wording. Everything is compared
with PyTorch or with finite differences."""
import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")


def rand(*shape, seed=0):
    return np.random.default_rng(seed + 11 * len(shape) + sum(shape)).standard_normal(shape)


def sym(*shape, seed=0):
    x = rand(*shape, seed=seed)
    return x + np.swapaxes(x, -1, -2)


def distinct_sv(m, n, *batch, seed=0):
    k = min(m, n)
    u, _ = np.linalg.qr(rand(*batch, m, m, seed=seed))
    v, _ = np.linalg.qr(rand(*batch, n, n, seed=seed + 1))
    s = np.zeros(batch + (m, n))
    s[..., np.arange(k), np.arange(k)] = 1.0 + 0.7 * np.arange(k)[::-1]
    return u @ s @ v


def run(lib, loss, arrays, create_graph=False):
    """Value of loss(lib, *tensors) and its gradient (and, with create_graph, a second derivative)."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = loss(lib, *xs)
    grads = lib.autograd.grad(out, xs, create_graph=create_graph)
    result = [out.detach().numpy()] + [g.detach().numpy() for g in grads]
    if create_graph:
        total = sum((g * g).sum() for g in grads)
        result += [g.numpy() for g in lib.autograd.grad(total, xs)]
    return result


def compare(loss, *arrays, create_graph=True, rtol=1e-7, atol=1e-8):
    got = run(chainrule, loss, arrays, create_graph)
    want = run(torch, loss, arrays, create_graph)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return got


def finite_difference(loss, a, direction, eps=1e-6):
    def f(x):
        with chainrule.no_grad():
            return float(loss(chainrule, chainrule.tensor(x)).numpy())
    return (f(a + eps * direction) - f(a - eps * direction)) / (2 * eps)


def check_directional(loss, a, directions, rtol=1e-5):
    """The analytic gradient against central differences along each direction (symmetric ones for
    ops that read a single triangle)."""
    x = chainrule.tensor(a, requires_grad=True)
    g, = chainrule.autograd.grad(loss(chainrule, x), x)
    for d in directions:
        numeric = finite_difference(loss, a, d)
        analytic = float((g.numpy() * d).sum())
        assert abs(analytic - numeric) <= rtol * (1 + abs(numeric)), (analytic, numeric)


def sym_directions(shape, count=4):
    return [sym(*shape, seed=100 + k) for k in range(count)]


# ---- eigh: eigenvectors through sign-free losses ----------------------------------------------------
W3 = rand(3, 3, seed=7)


def eigh_squares(lib, A):
    L, V = lib.linalg.eigh(A)
    return (V * V * lib.tensor(W3)).sum() + (L * L).sum()


def eigh_projector(lib, A):
    L, V = lib.linalg.eigh(A)
    P = V[..., :, :1] @ V[..., :, :1].mT  # projector onto the lowest eigenvector
    return (P * lib.tensor(W3)).sum()


def eigh_reconstruct(lib, A):
    L, V = lib.linalg.eigh(A)
    return ((V * L.unsqueeze(-2)) @ V.mT * lib.tensor(W3)).sum()


@pytest.mark.parametrize("loss", [eigh_squares, eigh_projector, eigh_reconstruct])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_eigh_vectors_against_torch(loss, shape):
    compare(loss, sym(*shape))


@pytest.mark.parametrize("loss", [eigh_squares, eigh_projector])
def test_eigh_vectors_finite_differences(loss):
    check_directional(loss, sym(3, 3), sym_directions((3, 3)))


def test_eigh_upper_and_eigvalsh():
    a = sym(3, 3) + np.triu(rand(3, 3, seed=3), 1)  # different triangles: UPLO decides
    compare(lambda lib, A: (lib.linalg.eigh(A, UPLO="U")[1] ** 2 * lib.tensor(W3)).sum(), a)
    compare(lambda lib, A: (lib.linalg.eigvalsh(A) * lib.tensor([1.0, 2.0, 3.0])).sum(), a)
    check_directional(lambda lib, A: (lib.linalg.eigvalsh(A) ** 3).sum(), sym(3, 3), sym_directions((3, 3)))


def test_eigh_result_is_named_tuple():
    out = chainrule.linalg.eigh(chainrule.tensor(sym(3, 3)))
    ref = torch.linalg.eigh(torch.tensor(sym(3, 3)))
    assert out._fields == type(ref).__match_args__
    np.testing.assert_allclose(out.eigenvalues.numpy(), ref.eigenvalues.numpy())


# ---- svd: singular vectors through sign-free losses ---------------------------------------------------
def svd_loss(full_matrices, part):
    def loss(lib, A):
        U, S, Vh = lib.linalg.svd(A, full_matrices=full_matrices)
        k = S.shape[-1]
        U, Vh = U[..., :, :k], Vh[..., :k, :]  # completing columns are not unique: PyTorch ignores them
        wu = lib.tensor(rand(*U.shape, seed=5))
        wv = lib.tensor(rand(*Vh.shape, seed=6))
        if part == "U":
            return (U * U * wu).sum()
        if part == "Vh":
            return (Vh * Vh * wv).sum()
        if part == "USVh":
            return ((U * S.unsqueeze(-2)) @ Vh * lib.tensor(rand(*A.shape, seed=8))).sum()
        return (U * U * wu).sum() + (Vh * Vh * wv).sum() + (S * S).sum()
    return loss


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 5), (2, 4, 3), (2, 3, 4)])
@pytest.mark.parametrize("part", ["U", "Vh", "USVh", "all"])
@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd_vectors_against_torch(shape, part, full_matrices):
    compare(svd_loss(full_matrices, part), distinct_sv(shape[-2], shape[-1], *shape[:-2]), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 5)])
def test_svd_vectors_finite_differences(shape):
    a = distinct_sv(*shape)
    check_directional(svd_loss(False, "all"), a, [rand(*shape, seed=20 + k) for k in range(4)])


def test_svd_named_tuple_and_svdvals():
    a = distinct_sv(4, 3)
    out = chainrule.linalg.svd(chainrule.tensor(a))
    assert out._fields == ("U", "S", "Vh")
    assert out.U.shape == (4, 4) and out.Vh.shape == (3, 3)
    np.testing.assert_allclose(out.S.numpy(), torch.linalg.svdvals(torch.tensor(a)).numpy())


# ---- factorizations that read one triangle: finite differences along symmetric directions ------------------
def spd(n, seed=0):
    x = rand(n, n, seed=seed)
    return x @ x.T + n * np.eye(n)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_symmetric_finite_differences(upper):
    w = rand(3, 3, seed=4)
    loss = lambda lib, A: (lib.linalg.cholesky(A, upper=upper) * lib.tensor(w)).sum()
    check_directional(loss, spd(3), sym_directions((3, 3)))
    compare(loss, spd(3))


def test_pinv_hermitian_symmetric_finite_differences():
    w = rand(3, 3, seed=4)
    loss = lambda lib, A: (lib.linalg.pinv(A, hermitian=True) * lib.tensor(w)).sum()
    check_directional(loss, spd(3), sym_directions((3, 3)))


# ---- qr -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,mode", [((4, 3), "reduced"), ((3, 5), "reduced"), ((3, 5), "complete"),
                                        ((2, 4, 3), "reduced")])
def test_qr_both_outputs(shape, mode):
    def loss(lib, A):
        Q, R = lib.linalg.qr(A, mode=mode)
        return (Q * lib.tensor(rand(*Q.shape, seed=1))).sum() + (R * lib.tensor(rand(*R.shape, seed=2))).sum()
    compare(loss, rand(*shape))
    check_directional(loss, rand(*shape), [rand(*shape, seed=30 + k) for k in range(3)])


def test_qr_backward_errors():
    for mode, shape in (("r", (3, 3)), ("complete", (4, 3))):
        msgs = []
        for lib in (torch, chainrule):
            A = lib.tensor(rand(*shape), requires_grad=True)
            Q, R = lib.linalg.qr(A, mode=mode)
            with pytest.raises(RuntimeError) as e:
                R.sum().backward()
            msgs.append(str(e.value))
        assert msgs[1] == msgs[0]


# ---- determinants of singular matrices ---------------------------------------------------------------------
def test_det_gradient_at_singular_matrix():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])
    compare(lambda lib, A: lib.linalg.det(A), a, atol=1e-7)
    compare(lambda lib, A: lib.linalg.det(A).sum(), np.stack([a, np.eye(3) * 2]), atol=1e-7)


# ---- errors -----------------------------------------------------------------------------------------------------
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.inv(lib.tensor(SINGULAR)),
    lambda lib: lib.linalg.inv(lib.zeros(3, 3)),
    lambda lib: lib.linalg.inv(lib.tensor(np.stack([np.eye(2), SINGULAR]))),
    lambda lib: lib.inverse(lib.tensor(SINGULAR)),
    lambda lib: lib.linalg.solve(lib.tensor(SINGULAR), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.linalg.solve(lib.tensor(np.stack([np.eye(2), SINGULAR])), lib.ones(2, 2, 1, dtype=lib.float64)),
    lambda lib: lib.linalg.cholesky(lib.tensor(NOT_PD)),
    lambda lib: lib.linalg.cholesky(-lib.eye(3)),
    lambda lib: lib.linalg.cholesky(lib.tensor(np.stack([np.eye(2), NOT_PD]))),
    lambda lib: lib.linalg.cholesky(lib.tensor([[4.0, 2.0, 0.0], [2.0, 5.0, 0.0], [0.0, 0.0, float("nan")]])),
    lambda lib: lib.linalg.cholesky(lib.tensor([[4.0, 2.0, 0.0], [2.0, -3.0, 0.0], [0.0, 0.0, float("nan")]])),
    lambda lib: lib.linalg.matrix_power(lib.zeros(2, 2), -1),
])
def test_linalg_errors(call):
    with pytest.raises(torch.linalg.LinAlgError) as want:
        call(torch)
    with pytest.raises(chainrule.linalg.LinAlgError) as got:
        call(chainrule)
    assert str(got.value) == str(want.value)
    assert isinstance(got.value, RuntimeError) and issubclass(torch.linalg.LinAlgError, RuntimeError)


@pytest.mark.parametrize("a", [np.zeros((2, 2)), np.stack([np.eye(2), SINGULAR])], ids=["matrix", "batch"])
def test_lu_factor_singular_error(a):
    with pytest.raises(RuntimeError) as want:
        torch.linalg.lu_factor(torch.tensor(a))
    with pytest.raises(RuntimeError) as got:
        chainrule.linalg.lu_factor(chainrule.tensor(a))
    assert str(got.value) == str(want.value)


def test_named_tuples_match_torch():
    a = distinct_sv(4, 3)
    for name, args in (("slogdet", (a[:3],)), ("qr", (a,)), ("lstsq", (a, rand(4, 2))), ("inv_ex", (a[:3],)),
                       ("cholesky_ex", (spd(3),))):
        got = getattr(chainrule.linalg, name)(*[chainrule.tensor(x) for x in args])
        want = getattr(torch.linalg, name)(*[torch.tensor(x) for x in args])
        assert type(got).__name__ == type(want).__name__
        assert got._fields == type(want).__match_args__
        for g, w in zip(got, want):
            assert tuple(g.shape) == tuple(w.shape)
            assert repr(g.dtype) == repr(w.dtype)
    sd = chainrule.slogdet(chainrule.tensor(a[:3]))
    assert type(sd).__name__ == type(torch.slogdet(torch.tensor(a[:3]))).__name__ and sd._fields == ("sign", "logabsdet")


def test_lstsq_solution_and_residual_values():
    a, b = distinct_sv(5, 3), rand(5, 2)
    for driver in (None, "gelsd", "gelss", "gels"):
        got = chainrule.linalg.lstsq(chainrule.tensor(a), chainrule.tensor(b), driver=driver)
        want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-7, atol=1e-10)


def test_einsum_double_backward_repeated_indices():
    compare(lambda lib, A, B: lib.einsum("ii,ij->j", A, B).pow(2).sum(), rand(3, 3), rand(3, 2, seed=1))
    compare(lambda lib, A: lib.einsum("bii->b", A).pow(3).sum(), rand(2, 3, 3))
    compare(lambda lib, A, B: lib.einsum("i,j,ij->", A, B, lib.tensor(W3)).pow(2), rand(3), rand(3, seed=1))


EINSUM_REPEATS = [("ij,jk->ik", [(3, 4), (4, 5)], [(2, 1), (1, 3)], [(3, 4), (5, 5)]),
                  ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], [(1, 2, 2), (3, 2, 1)], [(2, 3, 4), (3, 4, 5)]),
                  ("ii->", [(3, 3)], [(1, 1)], [(3, 4)]),
                  ("i,j->ij", [(3,), (4,)], [(1,), (2,)], [(3, 1), (4,)]),
                  ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)], [(3, 4), (2, 1, 4, 2)], [(2, 3, 4), (3, 4, 5)]),
                  ("ij,jk,kl->il", [(5, 2), (2, 6), (6, 3)], [(2, 6), (6, 3), (3, 5)], [(5, 2), (2, 6), (5, 3)])]


@pytest.mark.parametrize("equation,first,second,bad", EINSUM_REPEATS)
def test_einsum_same_equation_other_shapes_and_dtypes(equation, first, second, bad):
    """einsum plans once per equation and shapes: each call of a repeated equation still gives torch's values,
    gradients and errors, whatever the calls before it."""
    for shapes, dtype, tol in [(first, np.float64, 1e-7), (second, np.float64, 1e-7), (first, np.float32, 1e-4),
                               (second, np.float32, 1e-4), (first, np.float64, 1e-7)]:
        arrays = [rand(*s, seed=k).astype(dtype) for k, s in enumerate(shapes)]
        compare(lambda lib, *xs: lib.einsum(equation, *xs).pow(2).sum(), *arrays, rtol=tol, atol=tol)
    # refused calls (twice: a refused call leaves no plan behind), then mixed dtypes: an error where summed
    mixed = [rand(*s).astype(np.float32 if k else np.float64) for k, s in enumerate(first)]
    too_many = [rand(*s) for s in first + first[:1]]
    for arrays in [[rand(*s) for s in bad], too_many] * 2 + [mixed]:
        want, got = einsum_outcome(torch, equation, arrays), einsum_outcome(chainrule, equation, arrays)
        if arrays is not mixed:
            assert isinstance(want, str)
        if isinstance(want, str):
            assert got == want
        else:
            np.testing.assert_allclose(got, want, rtol=1e-6)
    compare(lambda lib, *xs: lib.einsum(equation, *xs).pow(2).sum(), *[rand(*s) for s in first])


def einsum_outcome(lib, equation, arrays):
    """einsum's value, or the message of the error it raises."""
    try:
        return lib.einsum(equation, *[lib.tensor(x) for x in arrays]).detach().numpy()
    except RuntimeError as e:
        return str(e)


# ---- in-place variants --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,extra", [("triu_", (1,)), ("tril_", (-1,)), ("addmm_", ((3, 4), (4, 3))),
                                        ("addmv_", None), ("baddbmm_", None), ("addr_", ((3,), (3,)))])
def test_inplace_variants(name, extra):
    a = rand(2, 3, 3) if name == "baddbmm_" else rand(3) if name == "addmv_" else rand(3, 3)
    if name == "addmv_":
        extra = ((3, 4), (4,))
    if name == "baddbmm_":
        extra = ((2, 3, 4), (2, 4, 3))
    others = [rand(*s, seed=k + 1) if isinstance(s, tuple) else s for k, s in enumerate(extra)]
    got = []
    for lib in (torch, chainrule):
        x = lib.tensor(a, requires_grad=True)
        ts = [lib.tensor(o, requires_grad=True) if isinstance(o, np.ndarray) else o for o in others]
        y = x * 1
        out = getattr(y, name)(*ts)
        assert out is y
        out.pow(2).sum().backward()
        got.append((y.grad_fn.name(), y.detach().numpy(), x.grad.numpy(),
                    [t.grad.numpy() for t in ts if not isinstance(t, int)]))
    assert got[0][0] == got[1][0]
    for g, w in zip(got[1][1:3] + tuple(got[1][3]), got[0][1:3] + tuple(got[0][3])):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0), (0, 2, 3)])
@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf")])
def test_matrix_norm_of_empty_matrices(shape, ord):
    # The largest of no values is 0 (a tensor with no graph); the smallest of none is amin's error.
    def call(lib):
        try:
            r = lib.linalg.matrix_norm(lib.ones(*shape, requires_grad=True), ord=ord, keepdim=True)
        except (RuntimeError, IndexError) as e:
            return type(e).__name__, str(e)
        return r.tolist(), tuple(r.shape), None if r.grad_fn is None else r.grad_fn.name()
    assert call(chainrule) == call(torch)


@pytest.mark.parametrize("rows", [4, 160])  # below and above the size where the backward switches to matmul
def test_mm_gradients_of_small_and_large_products_match_torch(rows):
    a, b, g = rand(rows, 130), rand(130, 120), rand(rows, 120)
    grads = []
    for lib in (chainrule, torch):
        x, w = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        lib.mm(x, w).backward(lib.tensor(g))
        grads.append((x.grad.numpy(), w.grad.numpy()))
    for got, want in zip(*grads):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_reads_one_triangle_and_names_a_zero_diagonal(upper):
    # LAPACK's potri reads only the factor's triangle; PyTorch's gradient is the formula on the whole input
    m = rand(2, 3, 3) + 3 * np.eye(3)
    loss = lambda lib, a: (lib.cholesky_inverse(a, upper) ** 2).sum()  # noqa: E731
    compare(loss, m, rtol=1e-6)
    triangle = np.triu if upper else np.tril  # on a factor, finite differences agree along the triangle it reads
    check_directional(loss, triangle(m), [triangle(rand(2, 3, 3, seed=100 + k)) for k in range(3)])
    singular = np.stack([np.eye(3), [[2.0, 0, 0], [1, 0, 0], [1, 1, 3]]])
    singular = np.swapaxes(singular, -1, -2) if upper else singular
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(RuntimeError) as e:
            lib.cholesky_inverse(lib.tensor(singular), upper)
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def test_triangular_solves_give_inf_and_nan_where_pytorch_does():
    # a zero on the diagonal (or inf / nan in B) is no error: substitution gives inf or nan, as BLAS trsm does
    rng = np.random.default_rng(1)
    for trial in range(60):
        n, k = int(rng.integers(1, 5)), int(rng.integers(1, 3))
        a, b = rng.standard_normal((2, n, n)), rng.standard_normal((2, n, k))
        a[..., np.arange(n), np.arange(n)] *= rng.random(n) > 0.3
        if trial % 3 == 0:
            b.flat[rng.integers(b.size)] = rng.choice([np.inf, -np.inf, np.nan])
        upper, left, unit = (bool(v) for v in rng.integers(2, size=3))
        rhs = b if left else np.swapaxes(b, -1, -2)
        got, want = (lib.linalg.solve_triangular(lib.tensor(a), lib.tensor(rhs), upper=upper, left=left,
                                                 unitriangular=unit).numpy() for lib in (chainrule, torch))
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
        got, want = (lib.triangular_solve(lib.tensor(b), lib.tensor(a), upper=upper, transpose=not left,
                                          unitriangular=unit)[0].numpy() for lib in (chainrule, torch))
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("left, adjoint", [(True, False), (False, True), (False, False), (True, True)])
def test_lu_solve_through_the_factors_as_getrs(left, adjoint):
    # two triangular solves on the factors, as LAPACK's getrs: PyTorch's values (complex included), and for an
    # exactly singular U inf / nan instead of an error: PyTorch's pattern for real factors solved untransposed;
    # transposed, which entries come out nan may differ
    rng = np.random.default_rng(3)
    for trial in range(20):
        n = int(rng.integers(1, 6))
        a = rng.standard_normal((3, n, n)) + (1j * rng.standard_normal((3, n, n)) if trial % 3 == 0 else 0)
        singular = trial % 2 == 1
        if singular:
            a[0, :, rng.integers(n)] = 0
        b = rng.standard_normal((3, n, 2) if left else (3, 2, n)).astype(a.dtype)
        LU, pivots = torch.linalg.lu_factor_ex(torch.tensor(a))[:2]
        want = torch.linalg.lu_solve(LU, pivots, torch.tensor(b), left=left, adjoint=adjoint).resolve_conj().numpy()
        got = chainrule.linalg.lu_solve(chainrule.tensor(LU.numpy()), chainrule.tensor(pivots.numpy()),
                                        chainrule.tensor(b), left=left, adjoint=adjoint).numpy()
        if not singular:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
        elif left != adjoint and not np.iscomplexobj(a):  # complex 1/0 is inf in NumPy, nan in PyTorch
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
        else:
            np.testing.assert_allclose(got[1:], want[1:], rtol=1e-9, atol=1e-9)  # the regular batch elements


@pytest.mark.parametrize("a", [[[1., 2., 3.], [2., 4., 6.], [1., 0., 1.], [0., 0., 0.]],  # rank 2: huge, finite
                               [[1., 0., 1.], [2., 0., 0.], [3., 0., 1.], [1., 0., 2.]]])  # R[1, 1] == 0: inf, nan
def test_qr_backward_of_rank_deficient_input_matches_torch(a):
    # the backward solves with R^T as PyTorch does (no inverse of R, so no error for a zero on its diagonal)
    grads = []
    for lib in (chainrule, torch):
        x = lib.tensor(a, dtype=lib.float64, requires_grad=True)
        Q, R = lib.linalg.qr(x)
        (Q.sum() + R.sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-9)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_reads_one_triangle_as_potrs(upper):
    # two triangular solves with the factor's triangle, as LAPACK's potrs; PyTorch's gradient formula on the
    # whole factor; inf / nan for a zero on the diagonal
    m = rand(2, 3, 3) + 3 * np.eye(3)
    b = rand(2, 3, 2, seed=5)
    loss = lambda lib, f, rhs: (lib.cholesky_solve(rhs, f, upper) ** 2).sum()  # noqa: E731
    compare(loss, m, b, rtol=1e-6)
    triangle = np.triu if upper else np.tril  # on a factor, finite differences agree along the triangle it reads
    check_directional(lambda lib, f: loss(lib, f, lib.tensor(b)), triangle(m),
                      [triangle(rand(2, 3, 3, seed=100 + k)) for k in range(3)])
    zero = triangle(m)
    zero[0, 1, 1] = 0
    got, want = (lib.cholesky_solve(lib.tensor(b), lib.tensor(zero), upper).numpy() for lib in (chainrule, torch))
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_ex_functions_return_info_instead_of_raising():
    # inv_ex, solve_ex, cholesky_ex: LAPACK's info per matrix and its partial results; check_errors=True raises
    # PyTorch's error with the _ex name
    def run(lib):
        A = lib.tensor([[1., 2.], [2., 4.]])
        batch = lib.stack([lib.eye(2), A]).requires_grad_()
        inv = lib.linalg.inv_ex(batch)
        inv.inverse.sum().backward()
        out = [inv.inverse, inv.info, batch.grad]
        solved = lib.linalg.solve_ex(batch.detach(), lib.ones(2, 2, 1))
        out += [solved.result, solved.info, *lib.linalg.solve_ex(lib.tensor([[0., 1.], [0., 1.]]), lib.ones(2, 1))]
        out.append(lib.linalg.solve_ex(lib.tensor([[0., 1.], [0., 1.]]), lib.ones(1, 2), left=False).info)
        out += list(lib.linalg.cholesky_ex(lib.stack([lib.eye(2), A])))
        out.append(lib.linalg.cholesky_ex(lib.tensor([[4., 2., 1.], [2., 1., 3.], [1., 3., 2.]])).info)
        out += list(lib.linalg.cholesky_ex(lib.tensor([[4., 2.], [2., 5.]]), upper=True))
        for call in (lambda: lib.linalg.inv_ex(A, check_errors=True),
                     lambda: lib.linalg.cholesky_ex(A, check_errors=True),
                     lambda: lib.linalg.solve_ex(A, lib.ones(2, 1), check_errors=True)):
            with pytest.raises(RuntimeError) as e:
                call()
            out.append(str(e.value))
        return [o if isinstance(o, str) else o.detach().numpy() for o in out]
    for got, want in zip(run(chainrule), run(torch)):
        if isinstance(got, str):
            assert got == want
        else:
            np.testing.assert_array_equal(got, want)


def test_sums_and_means_of_infinities_are_silent():
    # inf - inf is nan, quietly, as in PyTorch, even when the user turns warnings into errors
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = chainrule.tensor([[np.inf, -np.inf], [1.0, 2.0]])
        values = [x.sum(), x.sum(1), x.mean(), x.mean(1), chainrule.zeros(0, 2).mean(0)]
    for got, want in zip(values, [np.nan, [np.nan, 3.0], np.nan, [np.nan, 1.5], [np.nan, np.nan]]):
        np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("expr", ["x.prod()", "x.prod(1)", "x.cumsum(1)", "x.cumprod(1)", "x.nansum()",
                                  "lib.var_mean(x, 1)[0]", "lib.std_mean(x)[0]", "F.layer_norm(x, (3,))",
                                  "F.batch_norm(x, None, None, training=True)", "F.group_norm(x[None], 1)",
                                  "F.instance_norm(x[None])"])
def test_reductions_of_infinities_and_nan_are_silent_and_match_torch(expr):
    # NOTE [Ufuncs, not NumPy's wrappers]: forward and backward raise no warning, even as errors; values as torch's
    import warnings

    def run(lib):
        x = lib.tensor([[np.inf, -np.inf, 1.0], [0.0, 2.0, np.nan], [1.0, 2.0, 3.0]], requires_grad=True)
        y = eval(expr, {"lib": lib, "F": lib.nn.functional, "x": x})
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = run(chainrule)
    for a, b in zip(got, run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda L, d: L.linalg.lstsq(L.ones(3, 2, dtype=d), L.ones(3, 1, dtype=d)),
    lambda L, d: L.linalg.solve_triangular(L.ones(3, 3, dtype=d), L.ones(3, 1, dtype=d), upper=True)])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_inputs_are_refused_in_pytorch_words(call, dtype):
    errors = []
    for lib in (chainrule, torch):
        with pytest.raises(Exception) as caught:
            call(lib, getattr(lib, dtype))
        errors.append((type(caught.value).__name__, str(caught.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("operands", [lambda lib: (lib.ones(2, 2), [[1.0]]), lambda lib: (lib.ones(2, 2), 3),
                                      lambda lib: (lib.ones(2, 2), [[1.0]], lib.ones(2, 2))])
def test_einsum_refuses_operands_that_are_no_tensors_as_pytorch(operands):
    equation = ",".join(["ij", "jk", "kl"][:len(operands(chainrule))])
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(TypeError) as raised:
            lib.einsum(equation, *operands(lib))
        messages.append(str(raised.value))
    assert messages[0] == messages[1]

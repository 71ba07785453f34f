"""op_db rows for linear algebra: products, einsum, diagonals, and torch.linalg.

Decompositions whose vectors have an arbitrary sign (eigh, svd) are differentiated through their values
only here (output_index); tests/test_linalg.py checks the vectors with gauge-invariant losses. Ops that
read one triangle of their input (eigh, cholesky) skip finite differences here: PyTorch's gradient is the
symmetric one, which a perturbation of a single entry does not see; test_linalg.py checks them by finite
differences along symmetric directions.
"""
import numpy as np

from op_db import Int, OpInfo, Sample, noncontig, randn

INF = float("inf")


def well(*shape, dtype=np.float64, seed=0):
    """Well-conditioned square matrices (batched): random plus a multiple of the identity."""
    n = shape[-1]
    return (randn(*shape, dtype=dtype, seed=seed) + 3 * np.eye(n)).astype(dtype)


def spd(*shape, dtype=np.float64, seed=0):
    """Symmetric positive-definite matrices; spd(n) is n x n."""
    shape = shape * 2 if len(shape) == 1 else shape
    n = shape[-1]
    x = randn(*shape, dtype=np.float64, seed=seed)
    return (x @ np.swapaxes(x, -1, -2) + n * np.eye(n)).astype(dtype)


def lower(*shape, dtype=np.float64, seed=0):
    """A Cholesky factor: lower triangular with a positive diagonal."""
    x = np.tril(randn(*shape, dtype=np.float64, seed=seed), -1)
    return (x + np.eye(shape[-1]) * (1.5 + np.abs(randn(shape[-1], seed=seed + 1)))).astype(dtype)


def distinct_sv(m, n, *batch, dtype=np.float64, seed=0):
    """Matrices with well separated singular values (so SVD gradients are well conditioned)."""
    k = min(m, n)
    u, _ = np.linalg.qr(randn(*batch, m, m, seed=seed))
    v, _ = np.linalg.qr(randn(*batch, n, n, seed=seed + 1))
    s = np.zeros(batch + (m, n))
    idx = np.arange(k)
    s[..., idx, idx] = 1.0 + 0.7 * np.arange(k)[::-1]
    return (u @ s @ v).astype(dtype)


def S(*args, **kwargs):
    return Sample(args, kwargs)


OPS = [
    # ---- products ----
    OpInfo("vdot", lambda d: [S(randn(4, dtype=d), randn(4, dtype=d, seed=1)), S(randn(0, dtype=d), randn(0, dtype=d)),
                              S(randn(3, dtype=d), randn(4, dtype=d)), S(randn(2, 2, dtype=d), randn(2, dtype=d))],
           method="vdot"),
    OpInfo("outer", lambda d: [S(randn(3, dtype=d), randn(4, dtype=d, seed=1)), S(randn(0, dtype=d), randn(2, dtype=d)),
                               S(randn(3, 1, dtype=d), randn(4, dtype=d)), S(randn(3, dtype=d), randn(4, 1, dtype=d))],
           method="outer", aliases=("ger",)),
    OpInfo("addmm", lambda d: [S(randn(3, 2, dtype=d), randn(3, 4, dtype=d, seed=1), randn(4, 2, dtype=d, seed=2)),
                               S(randn(2, dtype=d), randn(3, 4, dtype=d), randn(4, 2, dtype=d), beta=0.5, alpha=2),
                               S(randn(3, 1, dtype=d), noncontig(randn(3, 4, dtype=d)), randn(4, 2, dtype=d), alpha=-1),
                               S(randn(3, 2, dtype=d), randn(3, 4, dtype=d), randn(4, 2, dtype=d), beta=0),
                               S(randn(3, 3, dtype=d), randn(3, 4, dtype=d), randn(3, 4, dtype=d)),
                               S(randn(2, dtype=d), randn(4, dtype=d), randn(4, 2, dtype=d)),
                               S(randn(4, dtype=d), randn(3, 4, dtype=d), randn(4, 2, dtype=d))], method="addmm"),
    OpInfo("addmv", lambda d: [S(randn(3, dtype=d), randn(3, 4, dtype=d, seed=1), randn(4, dtype=d, seed=2)),
                               S(randn(1, dtype=d), randn(3, 4, dtype=d), randn(4, dtype=d), beta=2, alpha=0.5),
                               S(randn(3, dtype=d), randn(3, 4, dtype=d), randn(3, dtype=d))], method="addmv"),
    OpInfo("addbmm", lambda d: [S(randn(3, 2, dtype=d), randn(2, 3, 4, dtype=d, seed=1), randn(2, 4, 2, dtype=d, seed=2)),
                                S(randn(2, dtype=d), randn(2, 3, 4, dtype=d), randn(2, 4, 2, dtype=d), beta=0.5, alpha=3)],
           method="addbmm"),
    OpInfo("baddbmm", lambda d: [S(randn(2, 3, 2, dtype=d), randn(2, 3, 4, dtype=d, seed=1), randn(2, 4, 2, dtype=d, seed=2)),
                                 S(randn(3, 1, dtype=d), randn(2, 3, 4, dtype=d), randn(2, 4, 2, dtype=d), beta=2, alpha=0.5),
                                 S(randn(2, 3, 2, dtype=d), randn(2, 3, 4, dtype=d), randn(3, 4, 2, dtype=d))],
           method="baddbmm"),
    OpInfo("kron", lambda d: [S(randn(2, 3, dtype=d), randn(2, 2, dtype=d, seed=1)), S(randn(3, dtype=d), randn(2, dtype=d)),
                              S(randn(2, 3, dtype=d), randn(4, dtype=d)), S(randn(dtype=d), randn(3, dtype=d)),
                              S(randn(2, 1, 2, dtype=d), randn(2, 2, dtype=d))], method="kron"),
    OpInfo("tensordot", lambda d: [S(randn(2, 3, 4, dtype=d), randn(3, 4, 2, dtype=d, seed=1)),
                                   S(randn(2, 3, 4, dtype=d), randn(4, 3, 2, dtype=d), dims=([1, 2], [1, 0])),
                                   S(randn(2, 3, dtype=d), randn(3, dtype=d), dims=1),
                                   S(randn(2, 3, dtype=d), randn(4, dtype=d), dims=0),
                                   S(randn(2, 3, dtype=d), randn(4, dtype=d), dims=1),
                                   S(noncontig(randn(3, 4, dtype=d)), randn(4, 3, dtype=d), dims=([0], [1]))]),
    OpInfo("einsum", lambda d: [
        S("ij,jk->ik", randn(3, 4, dtype=d), randn(4, 2, dtype=d, seed=1)),
        S("ij,jk", randn(3, 4, dtype=d), randn(4, 2, dtype=d, seed=1)),
        S("ii->i", randn(3, 3, dtype=d)), S("ii", randn(3, 3, dtype=d)), S("iij->j", randn(3, 3, 2, dtype=d)),
        S("ij->ji", randn(3, 4, dtype=d)), S("ij->", randn(3, 4, dtype=d)), S("ij", noncontig(randn(3, 4, dtype=d))),
        S("i,j->ij", randn(3, dtype=d), randn(4, dtype=d)), S("i,i->i", randn(3, dtype=d), randn(3, dtype=d)),
        S("i,i", randn(3, dtype=d), randn(3, dtype=d, seed=1)), S("ii,j->ij", randn(3, 3, dtype=d), randn(2, dtype=d)),
        S("ij,k->", randn(3, 3, dtype=d), randn(2, dtype=d)),
        S("bij,bjk->bik", randn(2, 3, 4, dtype=d), randn(2, 4, 2, dtype=d)),
        S("...ij,...jk", randn(2, 3, 4, dtype=d), randn(1, 4, 2, dtype=d)),
        S("...ij->...ji", randn(2, 3, 4, dtype=d)), S("b...,b->...", randn(2, 3, 2, dtype=d), randn(2, dtype=d)),
        S("ij,jk,kl->il", randn(2, 3, dtype=d), randn(3, 4, dtype=d), randn(4, 2, dtype=d)),
        S("iJ,Jk -> ik", randn(2, 3, dtype=d), randn(3, 2, dtype=d)),
        S("ij,ij->i", randn(3, 1, dtype=d), randn(3, 4, dtype=d)),
        S("ijj,jk->ik", randn(2, 3, 3, dtype=d), randn(3, 2, dtype=d)),
        S("ij,jk->ik", randn(0, 4, dtype=d), randn(4, 2, dtype=d)),
        S("ij,jk->ik", randn(3, 0, dtype=d), randn(0, 2, dtype=d)),
        S("i,->i", randn(3, dtype=d), randn(dtype=d)),
        S("ij,jk->ik", randn(3, 4, dtype=d), randn(3, 4, dtype=d)),
        S("ij->ik", randn(3, 4, dtype=d)), S("ij,jk", randn(3, 4, dtype=d)), S("ijk->i", randn(3, 4, dtype=d)),
        S("ij", randn(3, 4, dtype=d), randn(3, dtype=d))]),
    # ---- diagonals and triangles ----
    OpInfo("trace", lambda d: [S(randn(3, 3, dtype=d)), S(randn(3, 4, dtype=d)), S(noncontig(randn(4, 2, dtype=d))),
                               S(randn(0, 0, dtype=d)), S(randn(3, dtype=d))], method="trace"),
    OpInfo("diag", lambda d: [S(randn(3, dtype=d)), S(randn(3, dtype=d), 1), S(randn(2, dtype=d), -2),
                              S(randn(3, 4, dtype=d)), S(randn(3, 4, dtype=d), 1), S(noncontig(randn(4, 3, dtype=d)), -1),
                              S(randn(0, dtype=d)), S(randn(2, 2, 2, dtype=d))], method="diag"),
    OpInfo("diagonal", lambda d: [S(randn(3, 3, dtype=d)), S(randn(3, 4, dtype=d), 1), S(randn(2, 3, 4, dtype=d), -1, 0, 2),
                                  S(randn(2, 3, 4, dtype=d), offset=1, dim1=-1, dim2=-2), S(randn(3, 3, dtype=d), 0, 0, 0),
                                  S(noncontig(randn(3, 4, dtype=d)), 5)], method="diagonal"),
    OpInfo("linalg.diagonal", lambda d: [S(randn(2, 3, 4, dtype=d)), S(randn(2, 3, 3, dtype=d), offset=-1)]),
    OpInfo("diag_embed", lambda d: [S(randn(3, dtype=d)), S(randn(2, 3, dtype=d), 1), S(randn(2, 3, dtype=d), -1, 0, 2),
                                    S(randn(2, 3, dtype=d), offset=1, dim1=-1, dim2=0), S(randn(3, dtype=d), 0, 1, 1)],
           method="diag_embed"),
    OpInfo("triu", lambda d: [S(randn(3, 4, dtype=d)), S(randn(2, 3, 3, dtype=d), 1), S(randn(4, 3, dtype=d), -1),
                              S(noncontig(randn(3, 3, dtype=d)), diagonal=2), S(randn(0, 3, dtype=d)), S(randn(3, dtype=d))],
           method="triu"),
    OpInfo("tril", lambda d: [S(randn(3, 4, dtype=d)), S(randn(2, 3, 3, dtype=d), 1), S(randn(4, 3, dtype=d), -1),
                              S(noncontig(randn(3, 3, dtype=d)), diagonal=-2), S(randn(3, dtype=d))], method="tril"),
    OpInfo("cross", lambda d: [S(randn(2, 3, dtype=d), randn(2, 3, dtype=d, seed=1), dim=1),
                               S(randn(3, 2, dtype=d), randn(3, 2, dtype=d, seed=1), 0),
                               S(randn(2, 4, dtype=d), randn(2, 4, dtype=d), dim=1)], method="cross"),
    OpInfo("linalg.cross", lambda d: [S(randn(2, 3, dtype=d), randn(2, 3, dtype=d, seed=1)),
                                      S(randn(2, 3, dtype=d), randn(1, 3, dtype=d, seed=1)),
                                      S(randn(3, 2, dtype=d), randn(3, 2, dtype=d, seed=1), dim=0),
                                      S(randn(3, dtype=d), randn(2, 3, dtype=d)), S(randn(2, 4, dtype=d), randn(2, 4, dtype=d))]),
    # ---- determinants, inverses, solves ----
    OpInfo("linalg.det", lambda d: [S(well(3, 3, dtype=d)), S(well(2, 3, 3, dtype=d)), S(noncontig(well(4, 4, dtype=d))),
                                    S(well(1, 1, dtype=d)), S(randn(0, 0, dtype=d)), S(randn(3, 4, dtype=d)),
                                    S(randn(3, dtype=d)), S(Int(np.ones((2, 2), np.int64))),
                                    Sample((np.array([[1, 2, 3], [2, 4, 6], [0, 1, 5]], d),), note="singular"),
                                    # NOTE: float64 only: in float32 PyTorch's LU finds a tiny non-zero pivot here
                                    *([Sample((np.stack([np.array([[1, 2], [2, 4]], d), well(2, 2, dtype=d)]),),
                                              note="mixed batch")] if d == np.float64 else [])],
           method="det",
           aliases=("det",)),
    OpInfo("linalg.slogdet", lambda d: [S(well(3, 3, dtype=d)), S(-well(2, 3, 3, dtype=d)), S(randn(3, 4, dtype=d))],
           output_index=1, method="slogdet", aliases=("slogdet",)),
    OpInfo("logdet", lambda d: [S(spd(3, dtype=d)), S(well(2, 3, 3, dtype=d))], method="logdet"),
    OpInfo("linalg.inv", lambda d: [S(well(3, 3, dtype=d)), S(well(2, 3, 3, dtype=d)), S(noncontig(well(3, 3, dtype=d))),
                                    S(randn(0, 0, dtype=d)), S(randn(3, 4, dtype=d)), S(randn(3, dtype=d)),
                                    S(Int(np.eye(2, dtype=np.int64)))], method="inverse", aliases=("inverse",)),
    OpInfo("linalg.inv_ex", lambda d: [S(well(3, 3, dtype=d)), S(well(2, 2, 2, dtype=d))], output_index=0),
    OpInfo("linalg.solve", lambda d: [S(well(3, 3, dtype=d), randn(3, 2, dtype=d, seed=1)), S(well(3, 3, dtype=d), randn(3, dtype=d)),
                                      S(well(2, 3, 3, dtype=d), randn(3, 2, dtype=d)), S(well(2, 3, 3, dtype=d), randn(2, 3, dtype=d)),
                                      S(well(3, 3, dtype=d), randn(2, 1, 3, 2, dtype=d)),
                                      S(well(3, 3, dtype=d), randn(2, 3, dtype=d), left=False),
                                      S(noncontig(well(3, 3, dtype=d)), randn(3, 4, dtype=d)),
                                      S(well(3, 3, dtype=d), randn(4, dtype=d)), S(well(3, 3, dtype=d), randn(4, 2, dtype=d)),
                                      S(randn(3, 4, dtype=d), randn(3, dtype=d))]),
    OpInfo("linalg.cholesky", lambda d: [S(spd(3, dtype=d)), S(spd(2, 3, 3, dtype=d)), S(spd(3, dtype=d), upper=True),
                                         S(randn(3, 4, dtype=d)), S(randn(3, dtype=d))], skip_fd=True,
           note="reads one triangle: finite differences along symmetric directions in test_linalg.py"),
    OpInfo("linalg.cholesky_ex", lambda d: [S(spd(3, dtype=d))], output_index=0, skip_fd=True),
    OpInfo("cholesky_solve", lambda d: [S(randn(3, 2, dtype=d), lower(3, 3, dtype=d)),
                                        S(randn(3, 2, dtype=d), lower(3, 3, dtype=d).T.copy(), True),
                                        S(randn(2, 3, 1, dtype=d), lower(3, 3, dtype=d)),
                                        S(randn(3, dtype=d), lower(3, 3, dtype=d)), S(randn(4, 2, dtype=d), lower(3, 3, dtype=d))],
           method="cholesky_solve", skip_fd=True,
           note="reads one triangle, PyTorch's gradient formula the whole factor (see test_linalg)"),
    OpInfo("linalg.matrix_power", lambda d: [S(well(3, 3, dtype=d) / 3, n) for n in (0, 1, 2, 3, 4, 5, 6, -1, -2)]
           + [S(well(2, 3, 3, dtype=d) / 3, 3), S(randn(3, 4, dtype=d), 2), S(randn(3, dtype=d), 2),
              S(Int(np.arange(4).reshape(2, 2)), 3)], method="matrix_power", aliases=("matrix_power",)),
    # ---- decompositions ----
    OpInfo("linalg.qr", lambda d: [S(randn(4, 3, dtype=d)), S(randn(3, 3, dtype=d)), S(randn(2, 4, 3, dtype=d)),
                                   S(randn(4, 3, dtype=d), mode="r"), S(randn(3, 3, dtype=d), mode="x"),
                                   S(randn(3, dtype=d))], output_index=1, grad=False),
    OpInfo("linalg.qr", lambda d: [S(randn(4, 3, dtype=d)), S(randn(3, 3, dtype=d)), S(randn(2, 4, 3, dtype=d)),
                                   S(randn(3, 5, dtype=d)), S(randn(3, 3, dtype=d), mode="complete"),
                                   S(randn(3, 4, dtype=d), mode="complete")], output_index=0),
    OpInfo("linalg.qr", lambda d: [S(randn(4, 3, dtype=d)), S(noncontig(randn(3, 3, dtype=d))), S(randn(3, 5, dtype=d)),
                                   S(randn(2, 3, 4, dtype=d))], output_index=1),
    OpInfo("linalg.eigh", lambda d: [S(spd(3, dtype=d)), S(spd(2, 3, 3, dtype=d), "U"), S(randn(3, 3, dtype=d)),
                                     S(randn(3, 4, dtype=d)), S(spd(3, dtype=d), UPLO="X")], output_index=0, skip_fd=True,
           note="eigenvalues only (eigenvectors: test_linalg.py); reads one triangle"),
    OpInfo("linalg.eigvalsh", lambda d: [S(spd(3, dtype=d)), S(spd(2, 3, 3, dtype=d), UPLO="U"),
                                         S(randn(3, dtype=d))], skip_fd=True),
    # NOTE: every output is compared by value, so only samples whose singular vectors LAPACK signs as
    # PyTorch's does; tall and batched matrices are in test_linalg.py (gauge-invariant checks).
    OpInfo("linalg.svd", lambda d: [S(distinct_sv(3, 3, dtype=d)), S(distinct_sv(3, 4, 2, dtype=d), full_matrices=False),
                                    S(randn(3, dtype=d))], output_index=1),
    OpInfo("linalg.svdvals", lambda d: [S(distinct_sv(3, 3, dtype=d)), S(distinct_sv(2, 4, dtype=d)),
                                        S(distinct_sv(4, 3, 2, dtype=d)), S(Int(np.eye(2, dtype=np.int64)))]),
    OpInfo("linalg.pinv", lambda d: [S(distinct_sv(3, 3, dtype=d)), S(distinct_sv(4, 3, dtype=d)), S(distinct_sv(2, 4, dtype=d)),
                                     S(distinct_sv(3, 2, 2, dtype=d)), S(distinct_sv(3, 4, dtype=d), rtol=0.1),
                                     S(randn(3, dtype=d))],
           method="pinverse", aliases=("pinverse",)),
    OpInfo("linalg.pinv", lambda d: [S(spd(3, dtype=d), hermitian=True)], skip_fd=True,
           note="hermitian=True reads one triangle; PyTorch's gradient is the general one"),
    OpInfo("linalg.lstsq", lambda d: [S(distinct_sv(4, 3, dtype=d), randn(4, 2, dtype=d)),
                                      S(distinct_sv(4, 3, dtype=d), randn(4, dtype=d)),
                                      S(distinct_sv(4, 3, dtype=d), randn(4, 2, dtype=d), driver="gelsd"),
                                      S(distinct_sv(3, 4, dtype=d), randn(3, 2, dtype=d)),
                                      S(distinct_sv(4, 3, 2, dtype=d), randn(2, 4, 2, dtype=d), driver="gels")],
           output_index=0),
    OpInfo("linalg.matrix_rank", lambda d: [S(randn(3, 4, dtype=d)), S(np.ones((3, 3), d)), S(spd(3, dtype=d), hermitian=True),
                                            S(distinct_sv(3, 3, dtype=d), atol=1.5), S(distinct_sv(3, 3, 2, dtype=d), rtol=0.5)],
           grad=False),
    # ---- norms ----
    OpInfo("linalg.vector_norm", lambda d: [S(randn(3, 4, dtype=d)), S(randn(3, 4, dtype=d), 1, -1),
                                            S(randn(3, 4, dtype=d), INF, (0, 1), True), S(randn(5, dtype=d), 3),
                                            S(Int(np.ones(3, np.int64)))]),
    OpInfo("linalg.matrix_norm", lambda d: [S(distinct_sv(3, 4, dtype=d), o) for o in ("fro", "nuc", 2, -2, 1, -1, INF, -INF)]
           + [S(distinct_sv(3, 3, 2, dtype=d), 1, (0, 2)), S(distinct_sv(3, 3, 2, dtype=d), INF, (2, 0), True),
              S(distinct_sv(3, 3, 2, dtype=d), "fro", keepdim=True), S(distinct_sv(3, 3, 2, dtype=d), -1, keepdim=True),
              S(distinct_sv(3, 3, dtype=d), 3), S(randn(3, dtype=d))]),
    OpInfo("linalg.norm", lambda d: [S(randn(3, 4, dtype=d)), S(randn(5, dtype=d), 3), S(distinct_sv(3, 4, dtype=d), "nuc"),
                                     S(distinct_sv(3, 4, dtype=d), 2), S(randn(2, 3, 4, dtype=d), dim=(0, 2)),
                                     S(randn(2, 3, 4, dtype=d), 1, (1, 2)), S(randn(2, 3, 4, dtype=d), 2, 1, True),
                                     S(randn(2, 3, 4, dtype=d), INF), S(randn(2, 3, 4, dtype=d), dim=(0, 1, 2)),
                                     S(randn(2, 2, 2, dtype=d), "fro"), S(randn(3, 3, dtype=d), "fro", 0)]),
    # ---- chains ----
    OpInfo("linalg.multi_dot", lambda d: [S([randn(3, 4, dtype=d), randn(4, 2, dtype=d, seed=1)]),
                                          S([randn(3, 4, dtype=d), randn(4, 5, dtype=d), randn(5, 2, dtype=d)]),
                                          S([randn(5, 4, dtype=d), randn(4, 2, dtype=d), randn(2, 6, dtype=d)]),
                                          S([randn(3, dtype=d), randn(3, 3, dtype=d), randn(3, dtype=d, seed=2)]),
                                          S([randn(2, 3, dtype=d), randn(3, 4, dtype=d), randn(4, 1, dtype=d), randn(1, 5, dtype=d),
                                             randn(5, dtype=d)]),
                                          S([randn(3, 3, dtype=d)]), S([randn(3, 3, dtype=d), randn(2, 3, 3, dtype=d)]),
                                          S([randn(3, 3, dtype=d), randn(2, 3, dtype=d)])]),
    OpInfo("linalg.vecdot", lambda d: [S(randn(3, 4, dtype=d), randn(3, 4, dtype=d, seed=1)), S(randn(2, 3, dtype=d), randn(3, dtype=d)),
                                       S(randn(3, 2, dtype=d), randn(3, 2, dtype=d), dim=0), S(randn(3, dtype=d), randn(4, dtype=d))]),
    OpInfo("linalg.matmul", lambda d: [S(randn(2, 3, 4, dtype=d), randn(4, 2, dtype=d))]),
]


def f32(*shape):
    return randn(*shape, dtype=np.float32)


def mixed(*samples):
    """Mixed-dtype samples (PyTorch refuses most of them): listed once, under the float64 run. Rows that use
    them skip finite differences: a float32 leaf cannot be differenced to float64 accuracy."""
    return lambda d: list(samples) if d == np.float64 else []


OPS += [
    OpInfo("addmm", mixed(S(f32(2, 2), randn(2, 2), randn(2, 2)), S(randn(2, 2), f32(2, 2), randn(2, 2)),
                          S(randn(2, 2), randn(2, 2), f32(2, 2))), skip_fd=True),
    OpInfo("addmv", mixed(S(randn(2), f32(2, 2), randn(2))), skip_fd=True),
    OpInfo("addbmm", mixed(S(f32(2, 2), randn(1, 2, 2), randn(1, 2, 2))), skip_fd=True),
    OpInfo("baddbmm", mixed(S(randn(1, 2, 2), f32(1, 2, 2), randn(1, 2, 2))), skip_fd=True),
    OpInfo("vdot", mixed(S(f32(2), randn(2))), skip_fd=True),
    OpInfo("outer", mixed(S(f32(2), randn(3))), skip_fd=True),
    OpInfo("kron", mixed(S(f32(2), randn(3))), skip_fd=True),
    OpInfo("tensordot", mixed(S(f32(2, 2), randn(2, 2))), skip_fd=True),
    OpInfo("einsum", mixed(S("ij,jk", f32(2, 2), randn(2, 2)), S("i,i,i->", randn(2), randn(2), f32(2)),
                           S("i,j", f32(2), randn(3)),
                           S(randn(2, 3), [0, 1], randn(3, 2), [1, 2], [0, 2]), S(randn(2, 3), [0, 27]),
                           S(randn(3, 3), [Ellipsis, 1, 1], [Ellipsis])), skip_fd=True),
    OpInfo("linalg.cross", mixed(S(randn(3), f32(3))), skip_fd=True),
    OpInfo("linalg.solve", mixed(S(well(2, 2), f32(2)), S(well(2, 2), np.array(1.0))), skip_fd=True),
    OpInfo("cholesky_solve", mixed(S(f32(2, 2), lower(2, 2))), skip_fd=True),
    OpInfo("linalg.lstsq", mixed(S(well(2, 2), f32(2, 2)), S(randn(3), randn(3)), S(randn(3, 2), randn(4))),
           skip_fd=True),
    OpInfo("linalg.multi_dot", mixed(S([randn(2, 2), randn(2, 2), f32(2, 2)])), skip_fd=True),
    OpInfo("linalg.vecdot", mixed(S(randn(2), f32(2)), S(Int(np.ones(2, np.int64)), Int(np.ones(2, np.int64)))),
           skip_fd=True),
    OpInfo("linalg.matrix_rank", mixed(S(Int(np.eye(2, dtype=np.int64)))), grad=False),
]

# ---- matrix exponential, triangular solves, and the legacy torch.* factorizations ----
OPS += [
    OpInfo("matrix_exp", lambda d: [S(randn(3, 3, dtype=d)), S(randn(2, 3, 3, dtype=d) * 3), S(randn(1, 1, dtype=d)),
                                    S(noncontig(randn(3, 3, dtype=d))), S(randn(3, 4, dtype=d)),
                                    S(Int(np.eye(2, dtype=np.int64)))], method="matrix_exp"),
    OpInfo("linalg.matrix_exp", lambda d: [S(randn(3, 3, dtype=d) / 2), S(randn(0, 0, dtype=d))]),
    OpInfo("linalg.solve_triangular", lambda d: [
        S(lower(3, 3, dtype=d), randn(3, 2, dtype=d), upper=False),
        S(lower(3, 3, dtype=d).T.copy(), randn(3, 2, dtype=d), upper=True),
        S(lower(3, 3, dtype=d).T.copy(), randn(2, 3, dtype=d), upper=True, left=False),
        S(randn(3, 3, dtype=d), randn(2, 3, 1, dtype=d), upper=False, unitriangular=True),
        S(lower(2, 3, 3, dtype=d), randn(3, 2, dtype=d), upper=False),
        S(lower(3, 3, dtype=d), randn(3, dtype=d), upper=False), S(lower(3, 3, dtype=d), randn(4, 2, dtype=d), upper=False)]),
    OpInfo("cholesky_inverse", lambda d: [S(lower(3, 3, dtype=d)), S(lower(3, 3, dtype=d).T.copy(), True),
                                          S(lower(2, 3, 3, dtype=d)), S(randn(3, dtype=d))], method="cholesky_inverse",
           skip_fd=True, note="reads one triangle, PyTorch's gradient formula the whole input (see test_linalg)"),
    OpInfo("cholesky", lambda d: [S(spd(3, dtype=d)), S(spd(2, 3, 3, dtype=d), upper=True), S(randn(3, 4, dtype=d))],
           method="cholesky", skip_fd=True, note="reads one triangle (see linalg.cholesky)"),
    OpInfo("svd", lambda d: [S(distinct_sv(3, 3, dtype=d)), S(distinct_sv(3, 3, dtype=d), compute_uv=False),
                             S(distinct_sv(3, 4, 2, dtype=d), some=True), S(randn(3, dtype=d))],
           method="svd", output_index=1),
    OpInfo("qr", lambda d: [S(randn(4, 3, dtype=d)), S(randn(3, 5, dtype=d)), S(randn(3, 3, dtype=d), some=False),
                            S(randn(2, 4, 3, dtype=d))], method="qr", output_index=0),
]

OPS += [
    OpInfo("linalg.lstsq", lambda d: [S(distinct_sv(5, 3, dtype=d), randn(5, 2, dtype=d), driver="gelsd"),
                                      S(distinct_sv(5, 3, dtype=d), randn(5, dtype=d), driver="gelss"),
                                      S(distinct_sv(4, 3, 2, dtype=d), randn(2, 4, 2, dtype=d), driver="gels")],
           output_index=1, note="the residuals"),
    OpInfo("inner", lambda d: [S(randn(3, dtype=d), randn(3, dtype=d, seed=1)), S(randn(2, 3, dtype=d), randn(4, 3, dtype=d)),
                               S(randn(3, dtype=d), randn(2, 3, dtype=d)), S(randn(dtype=d), randn(2, 3, dtype=d)),
                               S(randn(3, dtype=d), randn(4, dtype=d))], method="inner"),
    OpInfo("addr", lambda d: [S(randn(3, 2, dtype=d), randn(3, dtype=d), randn(2, dtype=d)),
                              S(randn(2, dtype=d), randn(3, dtype=d), randn(2, dtype=d), beta=0.5, alpha=2),
                              S(randn(3, 2, dtype=d), randn(3, 1, dtype=d), randn(2, dtype=d))], method="addr"),
    OpInfo("diagflat", lambda d: [S(randn(3, dtype=d)), S(randn(2, 2, dtype=d), 1), S(randn(3, dtype=d), -2)],
           method="diagflat"),
    OpInfo("chain_matmul", lambda d: [S(randn(2, 3, dtype=d), randn(3, 4, dtype=d), randn(4, 2, dtype=d)),
                                      S(randn(2, 3, dtype=d)), S(randn(2, 2, dtype=d), randn(3, 3, dtype=d))]),
]

OPS += [
    OpInfo("linalg.cond", lambda d: [S(distinct_sv(3, 3, dtype=d)), S(distinct_sv(3, 4, dtype=d), 2),
                                     S(distinct_sv(3, 3, 2, dtype=d), -2), S(randn(3, dtype=d))]),
    # NOTE: PyTorch's own backward fails for these orders (an in-place fill of a saved inverse): values only
    OpInfo("linalg.cond", lambda d: [S(well(3, 3, dtype=d), p) for p in ("fro", "nuc", 1, -1, INF, -INF)]
           + [S(np.array([[1, 2], [2, 4]], d), "fro"), S(randn(3, 4, dtype=d), INF), S(randn(3, 3, dtype=d), 3)],
           grad=False),
    OpInfo("linalg.solve_ex", lambda d: [S(well(3, 3, dtype=d), randn(3, dtype=d)), S(well(2, 3, 3, dtype=d), randn(3, 2, dtype=d))],
           output_index=0),
    OpInfo("linalg.tensorinv", lambda d: [S(well(4, 4, dtype=d).reshape(4, 2, 2), ind=1), S(well(4, 4, dtype=d).reshape(2, 2, 4)),
                                          S(randn(2, 3, 4, dtype=d), ind=1)]),
    OpInfo("linalg.tensorsolve", lambda d: [S(well(6, 6, dtype=d).reshape(2, 3, 6), randn(2, 3, dtype=d)),
                                            S(well(6, 6, dtype=d).reshape(6, 2, 3), randn(2, 3, dtype=d), dims=(0,)),
                                            S(randn(2, 3, 4, dtype=d), randn(2, 3, dtype=d))]),
    OpInfo("linalg.vander", lambda d: [S(randn(3, dtype=d)), S(randn(2, 3, dtype=d), N=5), S(randn(4, dtype=d), N=2),
                                       S(randn(3, dtype=d), N=1)]),
]

OPS += [
    OpInfo("linalg.matrix_norm", lambda d: [S(distinct_sv(3, 4, 2, dtype=d).transpose(2, 0, 1), o, dim, True)
                                            for o in ("nuc", 2, -2) for dim in ((-2, -1), (0, 2), (1, 0))]),
    OpInfo("linalg.norm", lambda d: [S(randn(2, 3, 4, dtype=d), 2, 1), S(randn(2, 3, 4, dtype=d), dim=(0, 1)),
                                     S(randn(2, 3, 4, dtype=d), None, (1, 2), True),
                                     S(distinct_sv(3, 4, 2, dtype=d), "nuc", (1, 2), True)]),
    OpInfo("linalg.vector_norm", lambda d: [S(randn(3, 4, dtype=d), 2, (0,), dtype=None)]),
]


def lu_data(*shape, dtype=np.float64, seed=0):
    """A packed LU factorization and its pivots (sample data computed by PyTorch)."""
    import torch
    LU, piv = torch.linalg.lu_factor(torch.from_numpy(well(*shape, dtype=np.float64, seed=seed)))
    return LU.numpy().astype(dtype), Int(piv.numpy())


def lu_solve_samples(d):
    LU, piv = lu_data(3, 3, dtype=d)
    LUb, pivb = lu_data(2, 3, 3, dtype=d)
    return [S(LU, piv, randn(3, 2, dtype=d)), S(LU, piv, randn(3, 2, dtype=d), adjoint=True),
            S(LU, piv, randn(2, 3, dtype=d), left=False), S(LU, piv, randn(2, 3, dtype=d), left=False, adjoint=True),
            S(LUb, pivb, randn(3, 1, dtype=d)), S(LU, piv, randn(4, 2, dtype=d)), S(LU, piv, randn(3, dtype=d))]


OPS += [
    OpInfo("linalg.lu_factor", lambda d: [S(randn(3, 3, dtype=d)), S(randn(2, 4, 4, dtype=d)), S(randn(3, 5, dtype=d)),
                                          S(randn(5, 3, dtype=d)), S(randn(3, 3, dtype=d), pivot=False), S(randn(3, dtype=d)),
                                          S(np.zeros((2, 2), d))], output_index=0),
    OpInfo("linalg.lu_factor_ex", lambda d: [S(randn(3, 3, dtype=d)), S(Int(np.eye(2, dtype=np.int64)))], output_index=0),
    OpInfo("linalg.lu", lambda d: [S(randn(3, 3, dtype=d)), S(randn(2, 4, 4, dtype=d)), S(randn(3, 5, dtype=d)),
                                   S(randn(5, 3, dtype=d)), S(randn(3, dtype=d))], output_index=1),
    OpInfo("linalg.lu", lambda d: [S(randn(3, 3, dtype=d)), S(randn(3, 5, dtype=d)), S(randn(5, 3, dtype=d))], output_index=2),
    OpInfo("linalg.lu_solve", lu_solve_samples),
    OpInfo("lu_solve", lambda d: [S(randn(3, 2, dtype=d), *lu_data(3, 3, dtype=d))], method="lu_solve"),
    OpInfo("lu_unpack", lambda d: [S(*lu_data(3, 3, dtype=d)), S(*lu_data(2, 3, 3, dtype=d))], output_index=1),
    OpInfo("lu_unpack", lambda d: [S(*lu_data(3, 3, dtype=d))], output_index=2),
]

OPS += [
    OpInfo("triangular_solve", lambda d: [S(randn(3, 2, dtype=d), well(3, 3, dtype=d)),
                                          S(randn(3, 2, dtype=d), well(3, 3, dtype=d), False, True),
                                          S(randn(2, 3, 1, dtype=d), well(3, 3, dtype=d), upper=False, unitriangular=True),
                                          S(randn(3, dtype=d), well(3, 3, dtype=d))], method="triangular_solve"),
    OpInfo("triangular_solve", lambda d: [S(randn(3, 2, dtype=d), well(3, 3, dtype=d), transpose=True)], output_index=1),
    OpInfo("lu", lambda d: [S(randn(3, 3, dtype=d)), S(randn(2, 3, 4, dtype=d), get_infos=True)], method="lu",
           output_index=0),
]

# ---- empty matrices and empty batches ----
_EMPTY = [(0, 0), (2, 0, 0), (0, 3, 3), (0, 3), (3, 0)]
OPS += [
    OpInfo(name, lambda d, square=square: [S(randn(*s, dtype=d)) for s in _EMPTY if not square or s[-1] == s[-2]],
           output_index=index)
    for name, square, index in (("linalg.det", True, None), ("linalg.inv", True, None), ("linalg.slogdet", True, 1),
                                ("linalg.eigvalsh", True, None), ("linalg.svdvals", False, None),
                                ("linalg.pinv", False, None), ("linalg.matrix_exp", True, None),
                                ("linalg.lu_factor", False, 0), ("linalg.lu", False, 2), ("linalg.qr", False, 1))
] + [
    OpInfo("linalg.lstsq", lambda d: [S(randn(0, 3, dtype=d), randn(0, 2, dtype=d))], output_index=0),
    OpInfo("linalg.solve", lambda d: [S(randn(0, 0, dtype=d), randn(0, dtype=d)), S(randn(2, 0, 0, dtype=d), randn(2, 0, 3, dtype=d))]),
]

# ---- error wording for malformed arguments ----
OPS += [
    OpInfo("addbmm", lambda d: [S(randn(2, 2, dtype=d), randn(2, 2, 3, dtype=d), randn(2, 2, 2, dtype=d)),
                                S(randn(2, 2, dtype=d), randn(2, 2, 3, dtype=d), randn(3, 3, 2, dtype=d)),
                                S(randn(3, 3, dtype=d), randn(2, 2, 3, dtype=d), randn(2, 3, 2, dtype=d))]),
    OpInfo("baddbmm", lambda d: [S(randn(3, 2, 2, dtype=d), randn(2, 2, 3, dtype=d), randn(2, 3, 2, dtype=d))]),
    OpInfo("addmv", lambda d: [S(randn(2, 2, dtype=d), randn(2, 3, dtype=d), randn(3, dtype=d)),
                               S(randn(2, dtype=d), randn(2, 3, 1, dtype=d), randn(3, dtype=d))]),
    OpInfo("addmm", lambda d: [S(randn(3, 3, 3, dtype=d), randn(3, 3, dtype=d), randn(3, 3, dtype=d)),
                               S(randn(2, 3, dtype=d), randn(3, 3, dtype=d), randn(3, 3, dtype=d))]),
    OpInfo("tensordot", lambda d: [S(randn(2, 2, dtype=d), randn(2, 2, dtype=d), ([0, 0], [0, 1])),
                                   S(randn(2, 2, dtype=d), randn(2, 2, dtype=d), 3),
                                   S(randn(2, 2, dtype=d), randn(2, 2, dtype=d), ([0], [0, 1]))]),
    OpInfo("linalg.lstsq", lambda d: [S(randn(4, 3, dtype=d), randn(4, 2, dtype=d), driver="foo")]),
    OpInfo("einsum", lambda d: [S("...i,...i->...", randn(2, 3, dtype=d), randn(4, 3, dtype=d)),
                                S("...i,...i->...", randn(2, 5, 3, dtype=d), randn(4, 3, dtype=d)),
                                S("...i,...i->...", randn(2, 1, 3, dtype=d), randn(4, 3, dtype=d)),
                                S("i.j", randn(2, 2, dtype=d)), S("ii->i", randn(2, 3, dtype=d))]),
]
OPS += [
    OpInfo("linalg.solve", lambda d: [S(well(2, 3, 3, dtype=d), randn(3, 3, 2, dtype=d)),
                                      S(well(3, 3, dtype=d), randn(3, 2, dtype=d), left=False)]),
    OpInfo("cholesky_solve", lambda d: [S(randn(2, 3, 2, dtype=d), lower(4, 3, 3, dtype=d))], skip_fd=True,
           note="reads one triangle (see above)"),
    OpInfo("linalg.lstsq", lambda d: [S(randn(2, 4, 3, dtype=d), randn(3, 4, 2, dtype=d))]),
    OpInfo("linalg.cross", lambda d: [S(randn(2, 3, dtype=d), randn(3, 3, dtype=d))]),
    OpInfo("linalg.matrix_power", lambda d: [S(randn(3, 3, dtype=d), 2.0)]),
]

"""Every op of the table against PyTorch (value, dtype, grad_fn name, gradient, second derivative) and
against central finite differences in float64. Rows come from tests/op_db_*.py."""
import numpy as np
import pytest

import chainrule
from chainrule.autograd.op import PUBLIC
from op_db import Dtype, Int, all_ops

torch = pytest.importorskip("torch")
OPS = all_ops()


def _resolve(lib, path):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _make_inputs(lib, sample, requires_grad):
    """The same sample as tensors of `lib` (chainrule or torch), float arrays requiring grad."""
    def convert(a):
        if isinstance(a, Dtype):
            return getattr(lib, a.name)
        if isinstance(a, Int):
            return lib.from_numpy(np.copy(a.array, order="K"))
        if isinstance(a, np.ndarray):
            t = lib.from_numpy(np.copy(a, order="K"))
            if requires_grad and a.dtype.kind == "f":
                t.requires_grad_(True)
            return t
        if isinstance(a, (list, tuple)) and a and all(isinstance(x, (np.ndarray, Int)) for x in a):
            return type(a)(convert(x) for x in a)
        return a
    args = tuple(convert(a) for a in sample.args)
    kwargs = {k: convert(v) for k, v in sample.kwargs.items()}
    return args, kwargs


def _leaves(args, kwargs):
    out = []
    for a in list(args) + list(kwargs.values()):
        items = a if isinstance(a, (list, tuple)) else [a]
        out.extend(x for x in items if hasattr(x, "requires_grad") and x.requires_grad)
    return out


def _outputs(result):
    if isinstance(result, (tuple, list)):
        return list(result)
    return [result]


def _np(t):
    if not hasattr(t, "detach"):
        return np.asarray(t)
    if isinstance(t, torch.Tensor) and t._is_zerotensor():  # torch's symbolic zero gradients
        return np.zeros(t.shape, dtype=str(t.dtype).replace("torch.", ""))
    return t.detach().numpy()


def _call(info, lib, args, kwargs, as_method):
    if as_method:
        return getattr(args[0], info.method)(*args[1:], **kwargs)
    return _resolve(lib, info.name)(*args, **kwargs)


def _close(a, b, info, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch {b.shape}"
    if a.dtype.kind in "biu" or b.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        np.testing.assert_allclose(a, b, rtol=max(info.rtol, 1e-4 if a.dtype == np.float32 else 0),
                                   atol=max(info.atol, 1e-4 if a.dtype == np.float32 else 0), err_msg=what,
                                   equal_nan=True)


def _same_error_class(got, expected):
    """The same builtin class; for torch's own classes (torch.linalg.LinAlgError is torch._C._LinAlgError),
    the same name on the same builtin base."""
    if type(expected).__module__ == "builtins":
        return type(got) is type(expected)
    base = next(c for c in type(expected).__mro__ if c.__module__ == "builtins")
    return isinstance(got, base) and type(got).__name__.lstrip("_") == type(expected).__name__.lstrip("_")


def _diff_output(info, outs):
    if info.output_index is not None:
        return outs[info.output_index]
    return next(o for o in outs if hasattr(o, "dtype") and o.dtype.is_floating_point)


def _cases():
    for info in OPS:
        for dtype in (np.float32, np.float64):
            for k, sample in enumerate(info.samples(dtype)):
                yield pytest.param(info, dtype, sample, id=f"{info.name}-{np.dtype(dtype).name}-{k}")


@pytest.mark.parametrize("info,dtype,sample", list(_cases()))
def test_op(info, dtype, sample):
    for as_method in ([False, True] if info.method else [False]):
        c_args, c_kwargs = _make_inputs(chainrule, sample, info.grad)
        t_args, t_kwargs = _make_inputs(torch, sample, info.grad)
        try:
            expected = _call(info, torch, t_args, t_kwargs, as_method)
        except Exception as e:  # the same error: class (by name, torch's own classes aside) and message
            with pytest.raises(Exception) as got:
                _call(info, chainrule, c_args, c_kwargs, as_method)
            assert _same_error_class(got.value, e), f"{type(got.value)} raised where torch raised {type(e)}"
            assert str(got.value) == str(e)
            return
        result = _call(info, chainrule, c_args, c_kwargs, as_method)
        c_outs, t_outs = _outputs(result), _outputs(expected)
        assert len(c_outs) == len(t_outs)
        for c, t in zip(c_outs, t_outs):
            if isinstance(t, torch.Tensor):
                assert isinstance(c, chainrule.Tensor), f"expected a Tensor, got {type(c)}"
                assert repr(c.dtype) == repr(t.dtype)
                _close(_np(c), _np(t), info, f"{info.name} value")
                t_name = t.grad_fn.name() if t.grad_fn is not None else None
                c_name = c.grad_fn.name() if c.grad_fn is not None else None
                assert c_name == t_name, f"grad_fn {c_name} != torch {t_name}"
            else:
                assert c == t
        if not info.grad:
            continue
        _check_grads(info, dtype, c_args, c_kwargs, t_args, t_kwargs, c_outs, t_outs)


def _check_grads(info, dtype, c_args, c_kwargs, t_args, t_kwargs, c_outs, t_outs):
    c_in, t_in = _leaves(c_args, c_kwargs), _leaves(t_args, t_kwargs)
    if not c_in:
        return
    c_out, t_out = _diff_output(info, c_outs), _diff_output(info, t_outs)
    if t_out.grad_fn is None:
        return
    v = np.random.default_rng(1).standard_normal(t_out.shape).astype(_np(t_out).dtype)
    second = info.gradgrad and dtype == np.float64
    t_g = torch.autograd.grad(t_out, t_in, torch.from_numpy(v.copy()), create_graph=second, allow_unused=True)
    runs = []
    if second:  # create_graph runs the Tensor formulas; a backward without a graph, the ops' raw formulas on arrays
        plain = chainrule.autograd.grad(c_out, c_in, chainrule.from_numpy(v.copy()), retain_graph=True,
                                        allow_unused=True)
        assert not any(p is not None and p.requires_grad for p in plain)
        runs.append((" without a graph", plain))
    c_g = chainrule.autograd.grad(c_out, c_in, chainrule.from_numpy(v.copy()), create_graph=second,
                                  allow_unused=True)
    runs.append(("", c_g))
    for label, grads in runs:
        for k, (c, t) in enumerate(zip(grads, t_g)):
            ref = np.zeros(t_in[k].shape) if t is None else _np(t)
            got = np.zeros(c_in[k].shape) if c is None else _np(c)
            _close(got, ref, info, f"{info.name} grad{label} of input {k}")
            if c is not None:
                assert c.dtype == c_in[k].dtype
    if dtype == np.float64 and not info.skip_fd:
        _check_finite_differences(info, c_args, c_kwargs, c_in, c_g, v)
    if second:
        _check_second(info, c_in, t_in, c_g, t_g)


def _check_second(info, c_in, t_in, c_g, t_g):
    pairs = [(c, t) for c, t in zip(c_g, t_g) if t is not None and t.requires_grad]
    if not pairs:
        return
    rng = np.random.default_rng(2)
    us = [rng.standard_normal(t.shape) for _, t in pairs]
    t_total = sum((t * torch.from_numpy(u)).sum() for (_, t), u in zip(pairs, us))
    c_total = sum((c * chainrule.from_numpy(u)).sum() for (c, _), u in zip(pairs, us))
    t_gg = torch.autograd.grad(t_total, t_in, allow_unused=True)
    # A gradient that does not depend on the inputs has zero second derivatives (relu, linear ops).
    c_gg = chainrule.autograd.grad(c_total, c_in, allow_unused=True) if c_total.requires_grad else [None] * len(c_in)
    for k, (c, t) in enumerate(zip(c_gg, t_gg)):
        ref = np.zeros(t_in[k].shape) if t is None else _np(t)
        got = np.zeros(c_in[k].shape) if c is None else _np(c)
        _close(got, ref, info, f"{info.name} second derivative wrt input {k}")


def _check_finite_differences(info, args, kwargs, leaves, grads, v, eps=1e-6):
    """Central differences of sum(output * v) wrt each element of each leaf (float64, small shapes)."""
    def f():
        with chainrule.no_grad():
            out = _diff_output(info, _outputs(_call(info, chainrule, args, kwargs, False)))
            return float((out._data * v).sum())
    for leaf, g in zip(leaves, grads):
        arr = leaf._data
        if arr.size > 64 or arr.dtype != np.float64:  # float32 inputs of mixed-dtype samples are too coarse
            continue
        numeric = np.zeros(arr.shape)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            up = f()
            arr[idx] = old - eps
            down = f()
            arr[idx] = old
            numeric[idx] = (up - down) / (2 * eps)
        analytic = np.zeros(arr.shape) if g is None else _np(g)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=info.fd_atol,
                                   err_msg=f"{info.name}: gradient differs from finite differences")


def test_every_public_op_has_samples():
    covered = set()
    for info in OPS:
        covered.add(info.name.split(".")[-1])
        covered.update(info.aliases)
        if info.method:
            covered.add(info.method)
    missing = sorted(set(PUBLIC) - covered)
    assert not missing, f"ops without samples in tests/op_db_*.py: {missing}"


# Random by nature, so not comparable value for value with PyTorch: tested in tests/test_nn.py instead.
RANDOM = {"gumbel_softmax"}


@pytest.mark.parametrize("module,prefix", [(chainrule.nn.functional, "nn.functional."), (chainrule.linalg, "linalg.")])
def test_every_function_of_the_namespaces_has_samples(module, prefix):
    names = {info.name for info in OPS} | {a for info in OPS for a in info.aliases} | RANDOM
    public = [n for n in module.__all__ if not isinstance(getattr(module, n), type)]
    missing = sorted(n for n in public if prefix + n not in names and n not in names)
    assert not missing, f"{prefix}* without samples in tests/op_db_*.py: {missing}"


def test_erf_within_two_ulps_of_pytorch_everywhere():
    # erf is a Taylor polynomial around each k/32 (the Maclaurin series around 0): the centres and the edges between
    # them, the smallest values (relative accuracy), subnormals, signed zeros, the cut at 6, infinities and nan
    torch = pytest.importorskip("torch")
    edges = np.arange(0, 6.1, 1 / 64)
    x = np.concatenate([np.linspace(-7, 7, 200_001), edges, np.nextafter(edges, -1), np.nextafter(edges, 7),
                        np.logspace(-320, 0, 2000), [0.0, -0.0, np.inf, -np.inf, np.nan, 1e300, -1e300]])
    x = np.concatenate([x, -x])
    got = chainrule.erf(chainrule.tensor(x)).numpy()
    want = torch.erf(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = ~np.isnan(want)
    np.testing.assert_array_equal(np.signbit(got[finite]), np.signbit(want[finite]))
    assert np.max(np.abs(got[finite] - want[finite]) / np.spacing(np.abs(want[finite]))) <= 2
    x32 = x[np.abs(x) < 1e30].astype(np.float32)
    got32 = chainrule.erf(chainrule.tensor(x32)).numpy()
    want32 = torch.erf(torch.tensor(x32)).numpy()
    finite = ~np.isnan(want32)
    assert np.max(np.abs(got32[finite] - want32[finite]) / np.spacing(np.abs(want32[finite]))) <= 1


def test_integer_powers_with_negative_tensor_exponents_and_comparisons_with_a_number_first():
    torch = pytest.importorskip("torch")
    base = np.array([0, 1, -1, 2, -2, 3, -3])
    for exponent in (np.array([-1, -2, -3, 0, 1, -1, 2]), np.array(-2)):
        for b in (base, base.astype(np.int32), 2):
            got = (b if isinstance(b, int) else chainrule.tensor(b)) ** chainrule.tensor(exponent)
            want = (b if isinstance(b, int) else torch.tensor(b)) ** torch.tensor(exponent)
            assert str(got.dtype) == str(want.dtype)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed."):
        chainrule.tensor(base) ** -1  # a number exponent: refused, as in PyTorch
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        for first in (2, 2.5, True):
            messages = []
            for lib in (chainrule, torch):
                with pytest.raises(TypeError) as caught:
                    getattr(lib, name)(first, lib.tensor([1.0, 2.0]))
                messages.append(str(caught.value))
            assert messages[0] == messages[1]


def test_stable_sort_matches_torch_in_every_small_dtype():
    # sorting keys and positions packed into one uint64 (dtypes of 32 bits or fewer) must give the stable order:
    # ties in position order, NaN largest, -0.0 equal to 0.0, descending with ties still in position order
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for k, dtype in enumerate([np.float32, np.float16, np.float64, np.int32, np.int64, np.int16, np.uint8,
                               np.int8, np.bool_] * 30):
        shape = tuple(int(v) for v in rng.integers(0, 6, int(rng.integers(1, 4))))
        x = rng.integers(-3, 4, shape)
        x = x > 0 if dtype is np.bool_ else (x + 3 if dtype is np.uint8 else x).astype(dtype)
        if x.dtype.kind == "f" and x.size:
            flat = x.reshape(-1)
            flat[rng.integers(0, x.size, 2)] = np.nan
            flat[rng.integers(0, x.size, 1)] = -0.0
        dim, descending = int(rng.integers(-x.ndim, x.ndim)), bool(k % 2)
        got = chainrule.sort(chainrule.tensor(x), stable=True, dim=dim, descending=descending)
        want = torch.sort(torch.tensor(x), stable=True, dim=dim, descending=descending)
        np.testing.assert_array_equal(got[0].numpy(), want[0].numpy())
        np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())


def test_powers_computed_as_pytorch_computes_them():
    # 3, -2 and -0.5 as products and square roots (np.power's integer loop was slow and 1 ulp off), other int
    # exponents as a float pow: values as torch's bit for bit for these, and gradients close
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(3000) * 3
    x[:6] = [0, -0.0, np.inf, -np.inf, np.nan, 1e-30]
    for dtype in (np.float32, np.float64):
        for exponent in (3, -2, -0.5, 2, -1, 0, 1, 3.0):
            got = chainrule.tensor(x.astype(dtype)) ** exponent
            want = torch.tensor(x.astype(dtype)) ** exponent
            np.testing.assert_array_equal(got.numpy(), want.numpy())

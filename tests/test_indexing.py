"""Tensor.__setitem__ (and __getitem__ beyond the op_db rows) against PyTorch: values, gradients, grad_fn
names (CopySlices for basic keys, IndexPutBackward0 for tensor/list keys), version counters, in-place
semantics and error messages. Every test runs the same code on chainrule and on torch."""
import warnings

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")
LIBS = (chainrule, torch)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _key(lib, key):
    """The key with ("idx", values) / ("mask", values) markers turned into tensors of `lib`."""
    if isinstance(key, tuple) and key and key[0] in ("idx", "mask"):
        return lib.tensor(key[1], dtype=lib.int64 if key[0] == "idx" else lib.bool)
    if isinstance(key, tuple):
        return tuple(_key(lib, k) for k in key)
    return key


def I(*values):  # noqa: E743 - an integer index tensor
    return ("idx", list(values))


def M(*values):  # a bool mask tensor
    return ("mask", list(values))


def _error(fn):
    """(type, message) of the exception fn raises, or None."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared between the libraries
        return type(e), str(e)
    return None


SHAPE = (3, 4, 5)
BASIC = [
    1, -1, (0, 2), slice(1, 3), slice(None, None, 2), (slice(None), slice(1, None, 3)), (Ellipsis, 0),
    (0, Ellipsis, slice(1, 4)), (None, 1), (slice(None), None, 2), (1, 2, 3), (slice(2, 1),),
]
FULL = [Ellipsis, slice(None), (slice(None), Ellipsis)]  # no view at all: PyTorch copies (or fills) into self
ADVANCED = [
    [0, 2], I(2, 0), (slice(None), [1, 3]), (I(0, 1), I(3, 2)), (I(0, 2), slice(None), I(1, 3)),
    M(True, False, True), (slice(None), M(True, False, False, True)), (Ellipsis, I(0)), ("idx", [[0, 1], [2, 2]]),
]
MIXED = [(1, slice(None), I(4, 0)), (None, I(1, 2)), (1, I(3, 0)), (slice(1, None), I(0, 2)),
         (I(0, 1), slice(None), 2)]  # a view, then index_put_



def _setitem_case(lib, key, value_kind):
    x = lib.tensor(np.arange(60, dtype=np.float64).reshape(SHAPE) / 7, requires_grad=True)
    y = x * 2
    k = _key(lib, key)
    target = y[k]
    tshape = tuple(target.shape)
    if value_kind == "scalar":
        v, leaves = 3.5, [x]
    elif value_kind == "full":
        v = lib.tensor(np.linspace(-1, 1, int(np.prod(tshape))).reshape(tshape), requires_grad=True)
        leaves = [x, v]
    else:  # a value that broadcasts to the target
        last = tshape[-1:] if tshape else ()
        v = lib.tensor(np.linspace(-1, 1, int(np.prod(last))).reshape(last), requires_grad=True)
        leaves = [x, v]
    version = y._version
    y[k] = v
    bumped = y._version - version
    w = lib.tensor(np.cos(np.arange(60.0)).reshape(SHAPE))
    loss = (y * y * w).sum()
    grads = lib.autograd.grad(loss, leaves)
    return y, bumped, grads


@pytest.mark.parametrize("value_kind", ["scalar", "full", "broadcast"])
@pytest.mark.parametrize("key", BASIC + FULL + ADVANCED + MIXED, ids=repr)
def test_setitem_values_grads_version(key, value_kind):
    c_y, c_bump, c_g = _setitem_case(chainrule, key, value_kind)
    t_y, t_bump, t_g = _setitem_case(torch, key, value_kind)
    np.testing.assert_allclose(_np(c_y), _np(t_y))
    assert c_bump == t_bump == 1
    for c, t in zip(c_g, t_g):
        assert c.dtype == chainrule.float64
        np.testing.assert_allclose(_np(c), _np(t), atol=1e-12)


NAME_KEYS = BASIC + FULL + ADVANCED + MIXED


@pytest.mark.parametrize("value_kind", ["scalar", "full"])
@pytest.mark.parametrize("key", NAME_KEYS, ids=repr)
def test_setitem_grad_fn_name(key, value_kind):
    names = []
    for lib in LIBS:
        y = lib.tensor(np.arange(60, dtype=np.float64).reshape(SHAPE), requires_grad=True) * 1
        k = _key(lib, key)
        y[k] = 2.5 if value_kind == "scalar" else lib.ones(tuple(y[k].shape), dtype=lib.float64,
                                                            requires_grad=True)
        names.append(y.grad_fn.name())
    assert names[0] == names[1]


@pytest.mark.parametrize("key", [1, (slice(None), I(1, 3)), M(True, False, True)], ids=repr)
def test_setitem_double_backward(key):
    def run(lib):
        x = lib.tensor(np.linspace(0.5, 2, 60).reshape(SHAPE), requires_grad=True)
        v = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
        y = x * x
        y[_key(lib, key)] = v * v
        g = lib.autograd.grad((y * y).sum(), [x, v], create_graph=True)
        return lib.autograd.grad(g[0].sum() + g[1], [x, v])
    for c, t in zip(run(chainrule), run(torch)):
        np.testing.assert_allclose(_np(c), _np(t), rtol=1e-12)


def test_setitem_is_in_place_and_views_see_it():
    for lib in LIBS:
        y = lib.zeros(3, 4)
        row = y[1]
        ident = id(y)
        y[1, 2] = 5.0
        y[[0, 2], 0] = lib.tensor([7.0, 8.0])
        assert id(y) == ident
        assert row[2].item() == 5.0
    c, t = chainrule.zeros(3, 4), torch.zeros(3, 4)
    for z in (c, t):
        z[1, 2] = 5.0
        z[[0, 2], 0] = 7.0
    np.testing.assert_array_equal(_np(c), _np(t))


def test_setitem_value_requiring_grad_makes_result_require_grad():
    out = []
    for lib in LIBS:
        y = lib.zeros(4)
        w = lib.tensor([1.5, 2.5], requires_grad=True)
        y[1:3] = w * 2
        assert y.requires_grad
        (y * lib.arange(4.0)).sum().backward()
        out.append((y.grad_fn.name(), _np(w.grad)))
    assert out[0][0] == out[1][0]
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_setitem_dtypes():
    for maker in (lambda lib: lib.zeros(3, dtype=lib.int64), lambda lib: lib.zeros(3, dtype=lib.float32)):
        res = []
        for lib in LIBS:
            y = maker(lib)
            y[0] = 2.7
            y[1:] = lib.tensor([1.25, -3.5], dtype=lib.float64)
            res.append((repr(y.dtype).replace("chainrule", "torch"), _np(y)))
        assert res[0][0] == res[1][0]
        np.testing.assert_array_equal(res[0][1], res[1][1])


def test_setitem_under_no_grad_on_leaf():
    res = []
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            x[0] = 5.0
        res.append((_np(x).copy(), x.is_leaf, x.requires_grad, x._version))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    assert res[0][1:] == res[1][1:]


def test_setitem_saved_tensor_modified_error():
    errs = []
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = y.exp()
        y[0] = 2.0
        errs.append(_error(lambda: z.sum().backward()))
    assert errs[0] == errs[1]


def test_setitem_write_through_view_rebases_base():
    """PyTorch: writing into a view rebases the base's history (CopySlices), so gradients flow to the value."""
    res = []
    for lib in LIBS:
        x = lib.ones(2, 3, requires_grad=True)
        w = lib.tensor(4.0, requires_grad=True)
        y = x * 2
        b = y[0]
        b[1] = w
        (y * y).sum().backward()
        res.append((y.grad_fn.name(), _np(x.grad), None if w.grad is None else _np(w.grad)))
    assert res[0][0] == res[1][0]
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_array_equal(res[0][2], res[1][2])




def case(make, key, value):
    return pytest.param(make, key, value, id=f"{key!r}={value!r}")


ERROR_CASES = [
    case(lambda lib: lib.zeros(3), 3, 1.0),
    case(lambda lib: lib.zeros(3), -4, 1.0),
    case(lambda lib: lib.zeros(3, 4), (0, 4), 1.0),
    case(lambda lib: lib.zeros(3, 4), (0, 0, 0), 1.0),
    case(lambda lib: lib.zeros(3), I(3), 1.0),
    case(lambda lib: lib.zeros(3), [0, -4], 1.0),
    case(lambda lib: lib.zeros(3, 4), (slice(None), I(0, 9)), 1.0),
    case(lambda lib: lib.zeros(3), ("float", [0.0]), 1.0),
    case(lambda lib: lib.zeros(3), M(True, False), 1.0),
    case(lambda lib: lib.zeros(3), slice(0, 2), ("value", [1.0, 2.0, 3.0])),
    case(lambda lib: lib.zeros(3), I(0, 1), ("value", [1.0, 2.0, 3.0])),
    case(lambda lib: lib.zeros(3, dtype=lib.float64), I(0), ("value", [1.0])),
    case(lambda lib: lib.ones(3, requires_grad=True), 0, 2.0),
    case(lambda lib: lib.ones(3, requires_grad=True), I(0), 2.0),
    case(lambda lib: lib.ones(3, requires_grad=True), Ellipsis, 2.0),
]


@pytest.mark.parametrize("make,key,value", ERROR_CASES)
def test_setitem_errors(make, key, value):
    errs = []
    for lib in LIBS:
        y = make(lib)
        k = lib.tensor(key[1]) if isinstance(key, tuple) and key and key[0] == "float" else _key(lib, key)
        v = lib.tensor(value[1]) if isinstance(value, tuple) else value

        def assign():
            y[k] = v
        errs.append(_error(assign))
    assert errs[1] is not None
    assert errs[0] == errs[1]


@pytest.mark.parametrize("key", [I(5), ("float", [0.0]), [0, 9], (0, 0, 0), 3,
                                 (Ellipsis, slice(None), 4), (0, 5), (None, 0, 7), (slice(None), I(0, 9)),
                                 M(True)],
                         ids=repr)
def test_getitem_errors(key):
    errs = []
    for lib in LIBS:
        y = lib.zeros(3, 4)
        k = lib.tensor(key[1]) if isinstance(key, tuple) and key and key[0] == "float" else _key(lib, key)
        errs.append(_error(lambda: y[k]))
    assert errs[1] is not None
    assert errs[0] == errs[1]


@pytest.mark.parametrize("key", [(slice(1, None), I(0, 2)), (I(1, 0), 2), (0, M(True, False, True, False)),
                                 (None, Ellipsis, I(3)), (I(0, 1), None, I(2, 2)), (slice(None, None, 2), [1, 1, 0])],
                         ids=repr)
def test_getitem_mixed_tensor_keys(key):
    """Tensor keys mixed with basic ones (the op_db runner only converts top-level tensors)."""
    res = []
    for lib in LIBS:
        x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = x[_key(lib, key)]
        g, = lib.autograd.grad((y * y).sum(), [x])
        res.append((_np(y), y.grad_fn.name(), _np(g)))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    assert res[0][1] == res[1][1]
    np.testing.assert_array_equal(res[0][2], res[1][2])


# ---- in-place variants of the indexing ops (Tensor.masked_fill_, index_add_, scatter_ ...) ----------------
def _inplace_chain(lib, last):
    x = lib.tensor(np.linspace(-2, 2, 12).reshape(3, 4), requires_grad=True)
    src = lib.tensor(np.linspace(0.5, 1.5, 12).reshape(3, 4), requires_grad=True)
    y = x * x
    names = []
    steps = [
        lambda: y.masked_fill_(x.detach() > 1, 0.5),
        lambda: y.index_add_(0, lib.tensor([0, 2, 0]), src * 2, alpha=0.5),
        lambda: y.scatter_(1, lib.tensor([[0], [1], [2]]), 7.0),
        lambda: y.scatter_(1, lib.tensor([[3], [2], [1]]), src[:, :1]),
        lambda: y.index_fill_(1, lib.tensor([3]), -1.0),
        lambda: y.scatter_add_(0, lib.tensor([[0, 1, 2, 0]]), src[:1]),
        lambda: y.index_copy_(0, lib.tensor([1]), src[2:] * 3),
        lambda: y.masked_scatter_(x.detach() > 0, src * src),
        lambda: y.index_put_((lib.tensor([0, 2]), lib.tensor([1, 1])), src[0, :2] * 5, accumulate=True),
        lambda: y.index_put_((lib.tensor([True, False, True]),), src[1]),
        lambda: y.put_(lib.tensor([0, 7, -1]), src[2, :3] - 1),
        lambda: y.put_(lib.tensor([1, 1]), src[0, :2], accumulate=True),
        # these save their result, so they come last
        [lambda: y.scatter_reduce_(0, lib.tensor([[0, 1, 2, 0], [0, 0, 1, 1]]), src[:2], "amax"),
         lambda: y.index_reduce_(1, lib.tensor([0, 0, 3]), src[:, :3] + 2, "prod")][last],
    ]
    versions = []
    for step in steps:
        before = y._version
        out = step()
        assert out is y
        versions.append(y._version - before)
        names.append(y.grad_fn.name())
    gx, gs = lib.autograd.grad((y * y).sum(), [x, src])
    return _np(y), names, versions, _np(gx), _np(gs)


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("last", [0, 1])
def test_inplace_indexing_ops(last):
    c, t = _inplace_chain(chainrule, last), _inplace_chain(torch, last)
    np.testing.assert_allclose(c[0], t[0])
    assert c[1] == t[1]
    assert c[2] == t[2]
    np.testing.assert_allclose(c[3], t[3], atol=1e-12)
    np.testing.assert_allclose(c[4], t[4], atol=1e-12)


def test_inplace_after_result_saved_errors():
    errs = []
    for lib in LIBS:
        x = lib.tensor(np.linspace(-2, 2, 12).reshape(3, 4), requires_grad=True)
        y = x * 1
        y.scatter_reduce_(0, lib.tensor([[0, 1, 2, 0]]), x[:1] * 2, "amax")
        y.masked_fill_(y > 1, 0.0)
        errs.append(_error(lambda: y.sum().backward()))
    assert errs[1] is not None
    assert errs[0] == errs[1]


def test_inplace_indexing_on_leaf_errors():
    errs = []
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        errs.append(_error(lambda: x.masked_fill_(lib.tensor([True, False, True]), 0.0)))
        errs.append(_error(lambda: x.index_add_(0, lib.tensor([0]), lib.ones(1))))
    assert errs[:2] == errs[2:]
    assert all(e is not None for e in errs)


# ---- backward errors of the indexing ops ------------------------------------------------------------------
@pytest.mark.parametrize("op", ["scatter", "scatter_add", "scatter_reduce"])
def test_src_larger_than_index_fails_in_backward(op):
    """PyTorch's engine rejects gather(grad, index) as the gradient of a src larger than index."""
    errs = []
    for lib in LIBS:
        x = lib.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
        src = lib.tensor(np.ones((2, 2)), requires_grad=True)
        index = lib.tensor([[2, 0]])
        args = (0, index, src) + (("sum",) if op == "scatter_reduce" else ())
        y = getattr(x, op)(*args)
        errs.append(_error(lambda: lib.autograd.grad(y.sum(), [x, src])))
    assert errs[1] is not None
    assert errs[0] == errs[1]


@pytest.mark.parametrize("make", [lambda lib, x: x.unique(), lambda lib, x: x.unique(dim=0),
                                  lambda lib, x: x.unique_consecutive(),
                                  lambda lib, x: x.scatter(0, lib.tensor([1]), x[:1], reduce="add"),
                                  lambda lib, x: x.scatter(0, lib.tensor([1]), 2.0, reduce="multiply")])
def test_not_differentiable_outputs(make):
    res = []
    for lib in LIBS:
        x = lib.tensor([3.0, 1.0, 3.0], requires_grad=True) * 1
        y = make(lib, x)
        res.append((y.grad_fn.name(), _error(lambda: y.sum().backward())))
    assert res[0] == res[1]


@pytest.mark.parametrize("key", ["x[:]", "x[(slice(None),)]", "x[...]", "x[..., :]", "x[0:]", "x[:, :]",
                                 "x[0:5, ...]", "x[..., -3:]", "x[0:, 0:3:1]", "x[(slice(0, 9),)]", "x[0, :]"])
def test_full_keys_are_a_slice_or_an_alias_as_in_pytorch(key):
    # a bare full slice is SliceBackward0; in a tuple key a slice that takes a whole dim makes no node (start
    # given as 0 or None, the stop clamped), so a key of nothing else is AliasBackward0
    for shape in [(3,), (2, 3)]:
        if key in ("x[:, :]", "x[0, :]", "x[0:, 0:3:1]") and len(shape) == 1:
            continue
        names = [eval(key, {"x": lib.zeros(shape, requires_grad=True)}).grad_fn.name() for lib in (chainrule, torch)]
        assert names[0] == names[1]


@pytest.mark.parametrize("key", ["[[0, 1], [0, 1, 2]]", "[[0, 1, 2, 0], :, [1, 0]]",
                                 "[lib.tensor([True, True, False]), lib.tensor([0, 1, 2])]",
                                 "[lib.tensor([[0, 1]]), lib.tensor([[0], [1], [2]]), lib.tensor([0, 1, 1])]"])
def test_index_tensors_that_do_not_broadcast_are_worded_as_pytorch(key):
    messages = []
    for lib in (chainrule, torch):
        with pytest.raises(IndexError) as e:
            eval("x" + key, {"lib": lib, "x": lib.zeros(3, 3, 2)})
        messages.append(str(e.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("make_key", [
    lambda lib: lib.tensor(1), lambda lib: lib.tensor(-1), lambda lib: [], lambda lib: [[0, 1], [1, 2]],
    lambda lib: [slice(None), [0, 2]], lambda lib: lib.tensor([1, 0, 1, 0], dtype=lib.uint8), lambda lib: 1.5,
    lambda lib: slice(None, None, 0), lambda lib: slice(None, None, -1)])
def test_getitem_reads_unusual_keys_as_pytorch(make_key):
    # a 0-d index tensor is an integer (select); an empty list an empty index; a list holding lists or slices is
    # still read as a tuple, and a uint8 tensor as a mask, both with PyTorch's deprecation warnings
    seen = []
    for lib in LIBS:
        x = lib.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            error = _error(lambda: x[make_key(lib)])
            if error is None:
                y = x[make_key(lib)]
                y.sum().backward()
                result = (y.shape, _np(y).tolist(), y.grad_fn.name(), _np(x.grad).tolist())
            else:
                result = (error[0].__name__, error[1])
        seen.append((result, sorted({str(w.message).split(" (Triggered internally")[0] for w in caught})))
    assert seen[0] == seen[1]

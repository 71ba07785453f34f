"""The Tensor API: dtypes, promotion, creation, attributes and conversions, compared with PyTorch."""
import itertools

import numpy as np
import pytest

import chainrule
from test_engine import LIBS, same

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def test_dtype_objects_and_aliases():
    for name in DTYPES + ["float", "double", "half", "long", "int", "short", "cfloat", "cdouble"]:
        assert repr(getattr(chainrule, name)) == repr(getattr(torch, name))
    assert chainrule.float is chainrule.float32 and chainrule.long is chainrule.int64
    same(lambda lib: [getattr(lib, n).is_floating_point for n in DTYPES])
    same(lambda lib: lib.get_default_dtype())


@pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, repeat=2)))
def test_promotion_between_tensors(a, b):
    same(lambda lib: [(lib.ones(2, dtype=getattr(lib, a)) + lib.ones(2, dtype=getattr(lib, b))).dtype,
                      (lib.ones(2, dtype=getattr(lib, a)) * lib.tensor(1, dtype=getattr(lib, b))).dtype,
                      (lib.tensor(1, dtype=getattr(lib, a)) - lib.ones(2, dtype=getattr(lib, b))).dtype
                      if "bool" not in (a, b) else None])


@pytest.mark.parametrize("a", DTYPES)
def test_promotion_with_python_scalars(a):
    same(lambda lib: [(lib.ones(2, dtype=getattr(lib, a)) * s).dtype for s in (2, 2.5, True)])
    same(lambda lib: [(lib.ones(2, dtype=getattr(lib, a)) / 2).dtype, (2.5 * lib.ones(2, dtype=getattr(lib, a))).dtype])


def test_creation_functions():
    same(lambda lib: [lib.tensor([1, 2]), lib.tensor([1.0, 2]), lib.tensor(True), lib.tensor([[1, 2], [3, 4]],
                      dtype=lib.float64), lib.tensor(3.5, requires_grad=True), lib.tensor([])])
    same(lambda lib: [lib.zeros(2, 3), lib.ones((2,)), lib.full((2, 2), 7), lib.full((2,), 1.5), lib.full((1,), True),
                      lib.eye(3), lib.eye(2, 3, dtype=lib.int32), lib.zeros(2, dtype=lib.long).shape, lib.empty(0, 3).shape])
    same(lambda lib: [lib.arange(5), lib.arange(1, 4, 0.5), lib.arange(0, 1, 0.1), lib.arange(5.0), lib.arange(10, 0, -3),
                      lib.linspace(0, 1, 5), lib.linspace(-1, 1, 4, dtype=lib.float64)])
    x = np.arange(6.0).reshape(2, 3)
    same(lambda lib: [lib.zeros_like(lib.from_numpy(x)), lib.ones_like(lib.from_numpy(x), dtype=lib.int32),
                      lib.full_like(lib.from_numpy(x), 3), lib.tensor(x), lib.as_tensor(x, dtype=lib.float32)])
    same(lambda lib: lib.tensor([[1, 2], [3]]))
    same(lambda lib: lib.zeros(2, -1))
    same(lambda lib: lib.ones(2, dtype=lib.int64, requires_grad=True))


def test_from_numpy_shares_memory_and_tensor_copies():
    arr = np.zeros(3, dtype=np.float32)
    shared, copied = chainrule.from_numpy(arr), chainrule.tensor(arr)
    arr[0] = 5
    assert shared.tolist() == [5.0, 0.0, 0.0] and copied.tolist() == [0.0, 0.0, 0.0]
    assert shared.dtype is chainrule.float32 and chainrule.from_numpy(np.arange(3)).dtype is chainrule.int64
    t = chainrule.ones(3)
    t.numpy()[1] = 7
    assert t.tolist() == [1.0, 7.0, 1.0]


def test_random_factories_are_reproducible():
    chainrule.manual_seed(3)
    a = [chainrule.randn(4), chainrule.rand(2, 2), chainrule.randint(0, 10, (5,)), chainrule.randn(2, dtype=chainrule.float64)]
    chainrule.manual_seed(3)
    b = [chainrule.randn(4), chainrule.rand(2, 2), chainrule.randint(0, 10, (5,)), chainrule.randn(2, dtype=chainrule.float64)]
    for x, y in zip(a, b):
        assert x.dtype is y.dtype and x.tolist() == y.tolist()
    assert [t.dtype for t in a] == [chainrule.float32, chainrule.float32, chainrule.int64, chainrule.float64]
    assert chainrule.randn(3, requires_grad=True).requires_grad
    g = chainrule.Generator().manual_seed(5)
    state = g.get_state()
    first = chainrule.rand(4, generator=g).tolist()
    assert chainrule.rand(4, generator=g.set_state(state)).tolist() == first
    r = chainrule.rand(10000)
    assert 0 <= r.min().item() and r.max().item() < 1
    same(lambda lib: [lib.randn(2, 3).shape, lib.randn_like(lib.ones(2)).dtype, lib.randint(3, 5, (2, 2)).dtype,
                      lib.rand(2, dtype=lib.float64).dtype])


def test_attributes():
    def f(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        return [x.shape, x.size(), x.size(1), x.size(-1), x.dim(), x.ndim, x.numel(), x.dtype, x.device, x.is_leaf,
                x.requires_grad, x.grad, x.grad_fn, x.T, x.mT, x.t(), len(x), list(x),
                x[0, 1].item(), x.tolist(), x.float().dtype, x.double().dtype, x.long(), x.int(), x.bool(), x.half(),
                x.to(lib.float64).dtype, x.to(lib.ones(1, dtype=lib.int32)).dtype, x.to("cpu").dtype,
                x.clone(), x.is_floating_point(), x.element_size(), x.is_contiguous(), x.t().is_contiguous(),
                x.stride(), x.t().stride(), x.contiguous().is_contiguous(), x.type(), x.long().type(), str(x.device),
                x.new_zeros(2), x.new_ones((1, 2)), x.new_tensor([1, 2]), x.new_full((2,), 3.0)]
    same(f)
    same(lambda lib: lib.ones(2, 3).size(5))
    same(lambda lib: len(lib.tensor(1.0)))
    same(lambda lib: iter(lib.tensor(1.0)))


def test_shape_is_a_tuple_that_prints_like_torch():
    same(lambda lib: [lib.ones(2, 3).shape, str(lib.ones(2, 3).shape), lib.ones(()).shape, lib.ones(2, 3).shape[1:],
                      lib.ones(2, 3).shape == (2, 3), lib.ones(2, 3).shape.numel(), tuple(lib.ones(4).shape)])


def test_comparisons_and_bool():
    def f(lib):
        a, b = lib.tensor([1.0, 2.0, 3.0]), lib.tensor([3.0, 2.0, 1.0])
        return [a == b, a != b, a < b, a <= b, a > 2, a >= 2, 2 < a, bool(lib.tensor([1.0])), bool(lib.tensor(0)),
                (a == b).dtype, lib.tensor(True), (a > 1).sum(), float(a[0]), int(a[2]), a[lib.tensor(1)],
                [i for i in range(5)][lib.tensor(2)], f"{a[0]:.3f}", f"{a}", a.eq(b), a.ge(b)]
    same(f)


def test_reflected_and_inplace_operators():
    def f(lib):
        x = lib.tensor([1.0, 2.0, 4.0])
        out = [2 + x, 2 - x, 2 * x, 2 / x, 2 ** x, x ** 2, -x, abs(-x), x @ x, np.float32(2) * x]
        y = x.clone()
        y += 1
        y -= 0.5
        y *= 2
        y /= 4
        y **= 2
        out += [y, y._version, x.add_(1), x.mul_(2).sub_(1).div_(3), x.pow_(2), x.clamp_(0, 3), x.neg_().abs_()]
        i = lib.tensor([1, 2, 3])
        i += 2
        out += [i, i // 2, -i, i * 1.5, i / 2]
        return out
    same(f)


def test_numpy_interop_errors():
    same(lambda lib: lib.ones(2, requires_grad=True).numpy())
    same(lambda lib: lib.ones(2, requires_grad=True).detach().numpy().tolist())
    same(lambda lib: lib.tensor(np.array(["a"])))


def test_indexing_reads():
    def f(lib):
        x = lib.arange(24.0).reshape(2, 3, 4).requires_grad_()
        keys = [0, -1, (0, 1), (slice(None), 1), (Ellipsis, 2), (None, 0), slice(0, 2), (1, slice(None, None, 2)),
                ([0, 1], [1, 2]), (lib.tensor([1, 0]),), (x > 10,), (0, [0, 2], slice(1, 3)), (Ellipsis, None)]
        return [(x[k], x[k].grad_fn) for k in keys]
    same(f)
    same(lambda lib: lib.ones(3)[lib.tensor([0.0])])
    same(lambda lib: lib.ones(3)[lib.tensor([5])])
    same(lambda lib: lib.ones(3)[0, 0])


def test_printing_of_common_values():
    same(lambda lib: [repr(lib.tensor([3.0, 4.0, 5.0])), repr(lib.tensor([51.2, 512.0, 0.0512])),
                      repr(lib.tensor([1, 2], dtype=lib.int32)), repr(lib.ones(2, 2, requires_grad=True)),
                      repr(lib.tensor([], dtype=lib.long)), repr(lib.zeros(0, 3)), repr(lib.arange(2000.0)),
                      str(lib.ones(2, requires_grad=True) * 2), repr(lib.tensor(True))])


def test_set_printoptions_roundtrip():
    try:
        for lib in LIBS:
            lib.set_printoptions(precision=2)
        same(lambda lib: repr(lib.tensor([1.23456, 2.5])))
    finally:
        for lib in LIBS:
            lib.set_printoptions(profile="default")


def test_run_command_executes_torch_scripts(tmp_path):
    import subprocess
    import sys
    script = tmp_path / "tutorial.py"
    script.write_text("import torch\nimport torch.nn.functional as F\n"
                      "x = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\nprint(x.grad)\n"
                      "print(torch.__name__)\n")
    done = subprocess.run([sys.executable, "-m", "chainrule", "run", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "tensor([3., 3.])\nchainrule\n"
    script.write_text("import torch\ntorch.no_such_function(1)\n")
    done = subprocess.run([sys.executable, "-m", "chainrule", "run", str(script)], capture_output=True, text=True)
    assert done.returncode == 1 and "no_such_function" in done.stderr


def test_dtypes_pickle_as_themselves():
    import pickle
    for name in DTYPES:
        d = getattr(chainrule, name)
        assert pickle.loads(pickle.dumps(d)) is d


def test_floating_point_trouble_is_silent_as_in_pytorch():
    # log(0), 0/0 and overflow give inf and nan quietly in PyTorch; NumPy's RuntimeWarnings are ignored where
    # chainrule's code does the arithmetic, and only there. A fresh interpreter: pytest restores the warning
    # filters that importing chainrule added during collection.
    import subprocess
    import sys
    code = """
import numpy as np, chainrule as T
x = T.tensor([0.0, -1.0, 1000.0], requires_grad=True)
for _ in range(2):  # the first call of an op runs its generic path, later calls its generated code
    y = T.log(x) + 1 / x + T.sqrt(x) + T.exp(x) + x / 0
y.sum().backward()
print(y.detach().tolist())
np.log(np.zeros(1))  # the user's own NumPy call still warns
"""
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[nan, nan, inf]"
    warned = [line for line in done.stderr.splitlines() if "Warning" in line]
    assert len(warned) == 1 and "divide by zero encountered in log" in warned[0] and "<string>" in warned[0]


def test_floating_point_trouble_stays_silent_after_catch_warnings():
    # warnings.catch_warnings (pytest wraps every test in one) drops filters added inside it: chainrule's comes
    # back when tensors are made or a backward pass starts, also over the user's "error" filter, as PyTorch is
    # silent; the user's own NumPy call still raises
    import subprocess
    import sys
    code = """
import warnings
import numpy as np
with warnings.catch_warnings():
    import chainrule as T
x = T.tensor([0.0, -1.0], requires_grad=True)
with warnings.catch_warnings():
    warnings.simplefilter("error")
    y = T.log(T.zeros(2)) + T.log(x)
    print(y.tolist())
    T.log(x).sum().backward()
    print(x.grad.tolist())
    try:
        np.log(np.zeros(1))
    except RuntimeWarning as e:
        print(e)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[-inf, nan]", "[inf, -1.0]", "divide by zero encountered in log"]


FILLS = [("uniform_", ()), ("normal_", ()), ("bernoulli_", ()), ("bernoulli_", ("p",)), ("exponential_", ()),
         ("random_", (0, 5)), ("random_", (5,)), ("random_", ()), ("log_normal_", ()), ("cauchy_", ()),
         ("geometric_", (0.5,))]


@pytest.mark.parametrize("method, args", FILLS)
def test_random_fills_are_inplace_nodes_as_in_pytorch(method, args):
    # values are chainrule's own stream; the node, version, identity, dtype and zero gradient are PyTorch's
    def f(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        h = x * 1
        r = getattr(h, method)(*(lib.full((3,), 0.3) if a == "p" else a for a in args))
        h.sum().backward()
        return h.grad_fn.name(), h._version, r is h, h.dtype, x.grad
    same(f)
    same(lambda lib: getattr(lib.tensor([0.5], requires_grad=True), method)(
        *(lib.full((1,), 0.3) if a == "p" else a for a in args)))  # a leaf that requires grad: PyTorch's error


@pytest.mark.parametrize("method, args", [
    ("uniform_", (1.0, 0.0)), ("normal_", (0.0, -1.0)), ("bernoulli_", (1.5,)), ("exponential_", (0.0,)),
    ("log_normal_", (1.0, 0.0)), ("cauchy_", (0.0, 0.0)), ("geometric_", (1.0,)), ("random_", (5, 2)),
    ("random_", (-1,)), ("uniform_", ()), ("normal_", ()), ("exponential_", ()), ("log_normal_", ()),
    ("cauchy_", ())])
def test_random_fill_errors_as_in_pytorch(method, args):
    # a bad parameter is named before a bad dtype (but for uniform_); continuous draws refuse integer tensors
    if args:
        same(lambda lib: getattr(lib.zeros(3), method)(*args))
    same(lambda lib: getattr(lib.zeros(3, dtype=lib.int64), method)(*args))


@pytest.mark.parametrize("make", [
    lambda lib: lib.arange(-1), lambda lib: lib.arange(0, 3, -1), lambda lib: lib.arange(3, 0, 1),
    lambda lib: lib.arange(0, 1, 0), lambda lib: lib.arange(3, 3), lambda lib: lib.linspace(0, 1, -1),
    lambda lib: lib.linspace(0, 1, 0), lambda lib: lib.rand(2, dtype=lib.int64),
    lambda lib: lib.rand(2, dtype=lib.bool),
    lambda lib: lib.randn(2, dtype=lib.int32), lambda lib: lib.randn(2, dtype=lib.float64).dtype])
def test_creation_refuses_what_pytorch_refuses(make):
    same(make)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3).mT, lambda lib: lib.ones(3).mH, lambda lib: lib.ones(2, 3).mH, lambda lib: lib.ones(2, 3).H,
    lambda lib: lib.ones(3).H, lambda lib: lib.ones(2, 2, 2).H, lambda lib: float(lib.ones(2)), lambda lib: int(lib.ones(2)),
    lambda lib: complex(lib.ones(2)), lambda lib: float(lib.tensor([2.5])), lambda lib: lib.tensor(1.0)[0],
    lambda lib: lib.ones(2, requires_grad=True)[0:1].detach_(),
    lambda lib: lib.ones(2, requires_grad=True).sum(dtype=lib.int64),
    lambda lib: lib.ones(2, requires_grad=True).sum(0, dtype=lib.float64)])
def test_tensor_api_edges_as_pytorch(call):
    same(call)


def test_fill_takes_a_number_or_a_0d_tensor_as_pytorch():
    same(lambda lib: lib.zeros(3).fill_(lib.tensor(2.0)))
    same(lambda lib: lib.zeros(3).fill_(lib.ones(3)))  # PyTorch's error, where NumPy would broadcast
    same(lambda lib: lib.zeros(2, 2).fill_(lib.ones(1, 1)))


@pytest.mark.parametrize("p", [1.5, -0.25])
def test_bernoulli_with_p_checks_it_as_pytorch(p):
    same(lambda lib: lib.zeros(3).bernoulli(p=p))
    same(lambda lib: lib.bernoulli(lib.zeros(3), p))


def test_random_fills_draw_their_distributions_reproducibly():
    n = 200_000
    chainrule.manual_seed(0)
    x = chainrule.empty(n, dtype=chainrule.float64)
    for method, args, mean, var in [("uniform_", (-2, 4), 1.0, 3.0), ("normal_", (1.0, 2.0), 1.0, 4.0),
                                    ("bernoulli_", (0.3,), 0.3, 0.21), ("exponential_", (2.0,), 0.5, 0.25),
                                    ("geometric_", (0.25,), 4.0, 12.0), ("random_", (3, 7), 4.5, 1.25)]:
        values = getattr(x, method)(*args).numpy()
        assert abs(values.mean() - mean) < 0.02 * max(1, mean) and abs(values.var() - var) < 0.03 * max(1, var)
    assert x.uniform_(-2, 4).numpy().min() >= -2 and x.numpy().max() < 4
    assert set(np.unique(x.random_(3, 7).numpy())) == {3, 4, 5, 6}
    g = chainrule.Generator().manual_seed(7)
    first = x.normal_(generator=g).numpy().copy()
    assert np.array_equal(x.normal_(generator=chainrule.Generator().manual_seed(7)).numpy(), first)
    assert chainrule.full((4,), 0.5).bernoulli().dtype is chainrule.float32


def test_complex_data_takes_the_complex_dtype_of_the_default_float():
    for default in ("float32", "float64"):
        for lib in LIBS:
            lib.set_default_dtype(getattr(lib, default))
        try:
            same(lambda lib: [lib.tensor([1 + 2j]), lib.tensor(1j).dtype, repr(lib.tensor([[1 + 2j, -0.5j]]))])
        finally:
            for lib in LIBS:
                lib.set_default_dtype(lib.float32)


def test_conversions_to_float16_round_through_float32_as_pytorch():
    # c10::Half is made from a float: a double between two halves rounds twice (1 + 2**-11 + 2**-40 -> 1.0)
    x = 1 + 2 ** -11 + 2 ** -40
    same(lambda lib: [lib.tensor([x], dtype=lib.float16), lib.tensor([x], dtype=lib.float64).to(lib.float16),
                      lib.tensor([x], dtype=lib.float64).half(), lib.tensor([2049 + 2 ** 20]).half(),
                      lib.tensor([x, 0.1, 65504.0, 70000.0]).half().tolist()])
    y = chainrule.tensor([1.0, 2.0], dtype=chainrule.float16)
    assert y.to(chainrule.float16, copy=True)._data is not y._data


@pytest.mark.parametrize("dt", ["uint8", "int8", "int32", "int64", "bool", "float16", "float32"])
@pytest.mark.parametrize("number", [300, -2, 3, 2.5])
def test_numbers_with_integer_tensors_as_pytorch(dt, number):
    # an int out of the tensor's range wraps into it (uint8 + 300 is uint8 + 44), comparisons included, but not
    # as an exponent; negation and abs of bool and negative integer powers raise PyTorch's errors
    def run(lib):
        a = lib.tensor([0, 1, 2, 5], dtype=getattr(lib, dt))
        out = []
        for f in (lambda: a + number, lambda: number - a, lambda: a * number, lambda: a < number, lambda: a == number,
                  lambda: a // number, lambda: a ** number, lambda: -a, lambda: abs(a)):
            try:
                out.append(f())
            except Exception as e:
                out.append(f"{type(e).__name__}: {e}")
        return out
    same(run)


@pytest.mark.parametrize("expr", ["a < a", "a >= 1", "a > 1j", "a <= a", "a == a", "a != 1", "lib.fmod(a, 2)",
                                  "a // 2", "a % 2"])
def test_complex_order_comparisons_and_floor_division_are_refused_as_in_pytorch(expr):
    same(lambda lib: eval(expr, {"lib": lib, "a": lib.tensor([1 + 1j, 2 - 1j])}))


@pytest.mark.parametrize("expr", [
    "a.min()", "a.max()", "a.max(0)", "a.amax()", "a.amin(0)", "a.argmin()", "a.argmax(0)", "lib.minimum(a, a)",
    "lib.maximum(a, a)", "lib.fmax(a, a)", "a.clamp(min=0)", "a.clamp_min(0)", "a.clamp(max=1)", "a.topk(1)",
    "a.kthvalue(1)", "a.median()", "a.median(0)", "a.nanmedian()", "a.cummax(0)", "a.cummin(0)", "a.msort()",
    "a.argsort()", "a.sort()", "a.sign()", "a.floor()", "a.round()", "a.trunc()", "a.relu()", "a.sgn()", "a.abs()"])
def test_complex_inputs_refused_where_pytorch_has_no_kernel(expr):
    same(lambda lib: eval(expr, {"lib": lib, "a": lib.tensor([1 + 1j, 2 - 1j])}))


@pytest.mark.parametrize("expr", ["b.argmax()", "b.argmin(0)", "b.median()", "b.median(0)", "b.kthvalue(1)",
                                  "b.topk(1)", "b.trace()", "b.sign()", "b.max(0)", "b.sort(0)", "b.diff()",
                                  "i.norm()", "lib.norm(i)", "b.float().norm()", "i.diff(prepend=i[:, :1])"])
def test_bool_and_integer_reductions_as_pytorch(expr):
    same(lambda lib: eval(expr, {"lib": lib, "b": lib.tensor([[True, False, True], [False, False, True]]),
                                 "i": lib.tensor([[1, 4, 9], [2, 3, 5]])}))


@pytest.mark.parametrize("expr", ["x.sum(axis=0)", "x.mean(axis=1, keepdim=True)", "x.sum(0, keepdims=True)",
                                  "lib.cat([x, x], axis=1)", "x.max(axis=0)[0]", "x.std(axis=0)", "x.argmax(axis=1)",
                                  "x.squeeze(axis=0)", "x.unsqueeze(axis=0)", "x.cumsum(axis=0)", "x.any(axis=0)",
                                  "lib.stack([x, x], axis=0)", "lib.sum(input=x)", "lib.sum(input=x, axis=1)",
                                  "x.prod(axis=0)", "lib.amax(x, axis=0, keepdims=True)", "lib.zeros(size=(2, 3))",
                                  "lib.ones(size=[2])", "lib.empty(size=(0,))", "lib.randn(size=(2,)).shape",
                                  "x.reshape(shape=(4,))", "x.view(size=(4,))", "x.expand(size=(2, 2))",
                                  "x.repeat(repeats=(2, 1))", "x.permute(dims=(1, 0))"])
def test_numpy_argument_names_as_pytorch_accepts_them(expr):
    # PyTorch's argument parser takes axis for dim, keepdims for keepdim, input= for the tensor, and its own
    # keyword names for sizes (size=, shape=, dims=, repeats=)
    same(lambda lib: eval(expr, {"lib": lib, "x": lib.tensor([[1.0, -2.0], [3.0, 0.5]])}))


@pytest.mark.parametrize("expr", ["x.cumsum(0)", "x.cumprod(0)", "x.norm()", "x.norm(p=1)", "lib.softmax(s, 0)",
                                  "x.sum()", "x.mean()"])
def test_float16_reductions_accumulate_in_float32_as_pytorch(expr):
    # 2048 + 1 is 2048 in float16: PyTorch accumulates halves in float32 and rounds the result once
    same(lambda lib: eval(expr, {"lib": lib, "x": lib.tensor([2048.0, 1.0, 1.0, 1.0, 1.0], dtype=lib.float16),
                                 "s": lib.tensor([0.0, 1.0, 2.0, 7.0], dtype=lib.float16)}))


def test_size_and_device_introspection_as_pytorch():
    same(lambda lib: [x := lib.tensor([[1.0, 2.0], [3.0, 4.0]]), x.nbytes, x.itemsize, x.is_signed(),
                      lib.tensor([1], dtype=lib.uint8).is_signed(), lib.tensor([True]).is_signed(), x.is_same_size(x),
                      x.is_same_size(x[0]), x.get_device(), x.is_cpu, x[1:].storage_offset(), x.t().storage_offset(),
                      x[:, 1].storage_offset(), lib.tensor([2.5]).is_nonzero(), lib.tensor(0.0).is_nonzero()])
    same(lambda lib: lib.tensor([[1.0, 2.0]]).is_nonzero())
    same(lambda lib: bool(lib.tensor([])))

"""nn.functional behaviour that cannot be compared value for value with PyTorch (random ops), and behaviour
checked against PyTorch over many random cases rather than the op table's fixed samples."""
import numpy as np
import pytest

import chainrule
from chainrule.nn import functional as F


def test_gumbel_softmax_is_a_reproducible_differentiable_sample():
    logits = chainrule.tensor(np.log(np.array([[0.7, 0.2, 0.1]] * 2000, np.float32)), requires_grad=True)
    chainrule.manual_seed(0)
    soft = F.gumbel_softmax(logits, tau=0.5)
    chainrule.manual_seed(0)
    again = F.gumbel_softmax(logits, tau=0.5)
    assert soft.tolist() == again.tolist()
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1, rtol=1e-5)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(hard.detach().numpy())) <= {0.0, 1.0} and (hard.sum(-1) == 1).all().item()
    frequency = hard.detach().numpy().mean(0)  # Gumbel-max samples the softmax of the logits
    np.testing.assert_allclose(frequency, [0.7, 0.2, 0.1], atol=0.04)
    (hard * chainrule.arange(3.0)).sum().backward()  # straight-through: the soft sample's gradient
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all() and logits.grad.abs().sum().item() > 0


def test_dropout_masks_repeat_under_manual_seed_and_scale_survivors():
    x = chainrule.ones(10000, requires_grad=True)
    chainrule.manual_seed(1)
    a = F.dropout(x, 0.3)
    chainrule.manual_seed(1)
    b = F.dropout(x, 0.3)
    assert a.tolist() == b.tolist()
    kept = a.detach().numpy()
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((kept == 0).mean() - 0.3) < 0.02
    a.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), kept)
    assert F.dropout(x, 0.3, training=False) is x or F.dropout(x, 0.3, training=False).tolist() == x.tolist()


def test_max_pool_picks_the_window_element_pytorch_picks():
    # Small integers tie often; NaN wins the window, and in PyTorch's scan the last NaN is the one kept.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(200):
        x = rng.integers(0, 3, (2, 2, 6, 7)).astype(np.float32)
        x[rng.random(x.shape) < 0.2] = np.nan
        k, s = (int(v) for v in rng.integers(1, 4, 2))
        args = (k, s, int(rng.integers(0, k // 2 + 1)), 1, bool(rng.integers(0, 2)), True)
        leaves = [lib.tensor(x, requires_grad=True) for lib in (chainrule, torch)]
        ours, theirs = (lib.nn.functional.max_pool2d(leaf, *args) for lib, leaf in zip((chainrule, torch), leaves))
        np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
        np.testing.assert_array_equal(ours[0].detach().numpy(), theirs[0].detach().numpy())
        g = rng.standard_normal(tuple(ours[0].shape)).astype(np.float32)
        ours[0].backward(chainrule.tensor(g))
        theirs[0].backward(torch.tensor(g))
        np.testing.assert_allclose(leaves[0].grad.numpy(), leaves[1].grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.int64])
def test_max_pools_tie_infinite_and_padded_windows_as_pytorch(dtype):
    # Windows of equal values (ReLU zeros), of -inf or an integer type's minimum (in a padded window PyTorch keeps
    # the first element inside, never the padding), NaN; 1, 2 and 3 window axes, dilation, a non-contiguous input.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    low = np.iinfo(dtype).min if np.issubdtype(dtype, np.integer) else -np.inf
    for _ in range(60):
        d = int(rng.integers(1, 4))
        shape = (2, 3) + tuple(int(n) for n in rng.integers(5, 9 if d < 3 else 7, d))  # fits every window
        values = [0, 0, 1, low] + ([np.nan] if low == -np.inf else [])
        x = rng.choice(values, shape).astype(dtype)
        if rng.random() < 0.3:
            x = np.full(shape, low, dtype)
        k = tuple(int(n) for n in rng.integers(1, 4, d))
        args = (k, tuple(int(n) for n in rng.integers(1, 3, d)), tuple(int(rng.integers(0, n // 2 + 1)) for n in k),
                tuple(int(n) for n in rng.integers(1, 3, d)), bool(rng.integers(0, 2)), True)
        swapped = d > 1 and rng.random() < 0.3
        results = []
        for lib in (chainrule, torch):
            t = lib.tensor(np.ascontiguousarray(np.swapaxes(x, -1, -2))).transpose(-1, -2) if swapped else lib.tensor(x)
            results.append(getattr(lib.nn.functional, f"max_pool{d}d")(t, *args))
        (out, idx), (expected, expected_idx) = (tuple(t.numpy() for t in r) for r in results)
        np.testing.assert_array_equal(idx, expected_idx)
        np.testing.assert_array_equal(out, expected)
        assert out.dtype == expected.dtype


def test_max_pool_gradients_and_double_backward_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.maximum(np.random.default_rng(2).standard_normal((2, 3, 7, 6)), 0)  # ReLU ties at zero
    grads = []
    for lib in (chainrule, torch):
        leaf = lib.tensor(x, requires_grad=True)
        for args in ((2,), (3, 1, 1), ((2, 3), 2, (1, 0), 1, True)):
            y = lib.nn.functional.max_pool2d(leaf, *args)
            g, = lib.autograd.grad((y * y).sum(), leaf, create_graph=True)
            (g * g).sum().backward()
            grads += [g.detach().numpy(), leaf.grad.numpy().copy()]
            leaf.grad = None
    for ours, theirs in zip(grads[:len(grads) // 2], grads[len(grads) // 2:]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("transposed", [False, True])
def test_convolutions_walked_in_batch_chunks_match_pytorch(monkeypatch, transposed):
    # The op table's batches fit in one chunk: here 5 items go 1, 2, 3 or 5 to a chunk, so that chunk edges
    # and a short last chunk are checked too.
    torch = pytest.importorskip("torch")
    from chainrule.nn import _conv
    rng = np.random.default_rng(0)
    cases = [dict(stride=1, padding=1, dilation=1, groups=1), dict(stride=2, padding=0, dilation=2, groups=2),
             dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1), groups=4)]
    for step in (1, 2, 3, 5):
        monkeypatch.setattr(_conv, "_chunks", lambda n, item_bytes: ([slice(i, min(i + step, n))
                                                                     for i in range(0, n, step)], step))
        for kw in cases:
            x = rng.standard_normal((5, 4, 9, 8))
            if transposed:
                w = rng.standard_normal((4, 2, 3, 2))                    # (C_in, C_out / groups, kH, kW)
                kw = dict(kw, output_padding=1 if kw["stride"] == 2 else 0)
            else:
                w = rng.standard_normal((8, 4 // kw["groups"], 3, 2))   # (C_out, C_in / groups, kH, kW)
            b = rng.standard_normal(2 * kw["groups"] if transposed else 8)
            results = []
            for lib in (chainrule, torch):
                leaves = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
                fn = lib.nn.functional.conv_transpose2d if transposed else lib.nn.functional.conv2d
                out = fn(*leaves, **kw)
                out.backward(lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape))))
                results.append([out.detach().numpy()] + [leaf.grad.numpy() for leaf in leaves])
            for ours, theirs in zip(*results):
                np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_stride_one_input_gradients_through_whole_planes_match_pytorch(d):
    # Stride-1 input gradients go through _conv_t_plane (columns for every plane position, see NOTE [Plane
    # columns]): 'same' (uneven) padding, dilation, and non-finite weights (the general path), inputs or gradients.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(d)
    for kw in (dict(padding="same", dilation=2), dict(padding=1), dict(padding=0, dilation=(1,) * (d - 1) + (2,))):
        for bad in (None, "weight", "input", "grad"):
            x = rng.standard_normal((3, 2) + (7, 6, 5)[:d])
            w = rng.standard_normal((4, 2) + (3, 2, 3)[:d])
            if bad == "weight":
                w.flat[3] = np.inf
            if bad == "input":
                x.flat[5] = np.nan
            results = []
            for lib in (chainrule, torch):
                leaves = [lib.tensor(a, requires_grad=True) for a in (x, w)]
                with np.errstate(invalid="ignore"):  # inf * 0 in the matmuls, as in PyTorch's
                    out = getattr(lib.nn.functional, f"conv{d}d")(*leaves, **kw)
                    g = np.cos(np.arange(out.numel())).reshape(tuple(out.shape))
                    if bad == "grad":
                        g.flat[2] = np.inf
                    out.backward(lib.tensor(g))
                results.append([out.detach().numpy()] + [leaf.grad.numpy() for leaf in leaves])
            for ours, theirs in zip(*results):
                np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("x, t", [([0.5, 1.5], [0.5, 0.5]), ([0.5, 0.2], [0.5, 1.5]), ([0.5, 0.2], [-0.1, 0.5]),
                                  ([float("nan"), 0.2], [0.5, 0.5]), ([0.5, 0.2], [float("nan"), 0.5]),
                                  ([0.5, 2.0], [-1.0, 0.5]), ([0.5, 0.2], [0.0, 1.0])])
def test_binary_cross_entropy_checks_input_and_target_as_pytorch(x, t):
    # both must lie in [0, 1] (NaN fails); the first element out of range names input or target
    torch = pytest.importorskip("torch")

    def run(lib):
        try:
            return lib.nn.functional.binary_cross_entropy(lib.tensor(x), lib.tensor(t)).item()
        except RuntimeError as e:
            return str(e)
    got, want = run(chainrule), run(torch)
    assert got == want or abs(got - want) < 1e-6


@pytest.mark.parametrize("expr", ["lib.relu(x)", "F.threshold(x, 0.5, -2.0)", "F.threshold(x * 1, 0.5, -2.0, True)",
                                  "F.relu6(x)", "F.hardtanh(x)", "F.hardtanh(x * 1, inplace=True)", "F.leaky_relu(x)",
                                  "(x * 1).relu_()"])
@pytest.mark.parametrize("n", [6, 5000])  # below and above the size where relu's backward multiplies by a mask
def test_piecewise_activations_pass_nan_as_pytorch(expr, n):
    # PyTorch's masks test x <= threshold: NaN stays NaN and passes its gradient (first and second derivative)
    torch = pytest.importorskip("torch")
    if n == 6 and ("hardtanh" in expr or "relu6" in expr):
        pytest.skip("PyTorch's scalar hardtanh backward passes NaN's gradient, its vectorized one (followed) not")
    values = np.resize([np.nan, -1.0, 0.0, 0.5, 2.0, 7.0], n)

    def run(lib):
        x = lib.tensor(values, requires_grad=True)
        y = eval(expr, {"lib": lib, "F": lib.nn.functional, "x": x})
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        return y.detach().numpy(), g.detach().numpy()
    for got, want in zip(run(chainrule), run(torch)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("special", [np.inf, -np.inf, np.nan, 3e30, None])
def test_relu_backward_blocks_any_gradient_exactly(dtype, special):
    # a large relu multiplies the gradient by its mask once it has seen the gradient is finite; an inf or nan
    # (or, in float32, a value whose square overflows that check) takes the exact way: blocked entries are 0
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(40)
    x, g = rng.standard_normal(6000), rng.standard_normal(6000)
    if special is not None:
        g[[0, 1, 2, 3]] = special
        x[[0, 1]] = -1.0
        x[[2, 3]] = 1.0
    grads = []
    for lib in (chainrule, torch):
        xt = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        lib.relu(xt).backward(lib.tensor(g, dtype=getattr(lib, dtype)))
        grads.append(xt.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("expr", [
    "F.softshrink(x)", "F.hardshrink(x)", "F.smooth_l1_loss(x, t)", "F.smooth_l1_loss(x, t, beta=0.5)",
    "F.huber_loss(x, t)", "F.huber_loss(t, x, delta=0.5)", "F.binary_cross_entropy(p, q)",
    "F.multi_margin_loss(x.reshape(4, 2), lib.tensor([0, 1, 0, 1]))"])
def test_special_values_as_pytorch(expr):
    # NaN, zeros, the shrink and loss thresholds themselves, and 1e-300: values, first and second derivatives
    # (not for BCE, whose clamped denominator PyTorch differentiates by its own formula, nor for multi_margin_loss,
    # whose first derivative does not depend on x: PyTorch still puts it on the graph, chainrule does not)
    torch = pytest.importorskip("torch")
    values = {"x": [np.nan, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 1e-300], "t": [0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 1.0, 0.0],
              "p": [1e-300, 0.5, 0.0, 1.0, 0.25], "q": [0.0, 0.5, 0.5, 0.5, 1.0]}
    used = [name for name in "xtp" if name + ")" in expr or name + "," in expr or name + "." in expr]

    def run(lib):
        env = {name: lib.tensor(v, dtype=lib.float64, requires_grad=name in used) for name, v in values.items()}
        y = eval(expr, {"lib": lib, "F": lib.nn.functional, **env}).sum()
        grads = lib.autograd.grad(y, [env[name] for name in used], create_graph=True)
        constant_slope = any(k in expr for k in ("binary", "margin"))
        second = [] if constant_slope else lib.autograd.grad(sum(g.sum() for g in grads), env[used[0]])
        return [y, *grads, *second]
    for got, want in zip(run(chainrule), run(torch)):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("expr", ["lib.relu(x)", "F.relu6(x)", "F.hardtanh(x, -0.5, 0.5)", "F.leaky_relu(x, 0.2)",
                                  "F.threshold(x, 0.5, -1.0)", "F.softshrink(x)", "F.hardshrink(x)",
                                  "F.leaky_relu(x * 1, 0.2, inplace=True)"])
def test_piecewise_linear_first_derivatives_stay_on_the_graph(expr):
    # their slope in x is zero, but PyTorch's backward nodes declare it: the first derivative taken with
    # create_graph is a node (ThresholdBackwardBackward0, ...) and the second derivative is zeros, not an error
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([-1.0, -0.3, 0.2, 0.7, 2.0], requires_grad=True)
        g, = lib.autograd.grad(eval(expr, {"lib": lib, "F": lib.nn.functional, "x": x}).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), x)
        return g.grad_fn.name(), g.detach().numpy(), gg.numpy()
    got, want = run(chainrule), run(torch)
    assert got[0] == want[0]
    for a, b in zip(got[1:], want[1:]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("expr", ["F.adaptive_avg_pool1d(x[0], 3)", "F.adaptive_avg_pool2d(x, (3, 2))",
                                  "F.adaptive_avg_pool3d(x.unsqueeze(2).expand(-1, -1, 3, -1, -1), (2, 3, 2))"])
def test_adaptive_average_pools_keep_infinities_in_their_bins(expr):
    # the bins are taken as matrix products; an inf or nan must reach only the bins that read it, as in PyTorch
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.standard_normal((1, 2, 4, 5))
        a.flat[rng.integers(a.size, size=2)] = rng.choice([np.inf, -np.inf, np.nan], size=2)
        got, want = (eval(expr, {"F": lib.nn.functional, "x": lib.tensor(a)}).numpy() for lib in (chainrule, torch))
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_hardsigmoid_rounds_as_pytorch_in_every_float_dtype():
    # PyTorch computes (x + 3) clamped / 6 (halves in float32) and scales the gradient by 1/6 held as a float
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(2000) * 4
    for dtype in (np.float64, np.float32, np.float16):
        got, want = [], []
        for lib, out in ((chainrule, got), (torch, want)):
            t = lib.tensor(x.astype(dtype), requires_grad=True)
            y = lib.nn.functional.hardsigmoid(t)
            y.sum().backward()
            out += [y.detach().numpy(), t.grad.numpy()]
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_constant_pad_matches_torch_over_random_pads_and_crops():
    # negative pads crop first (PyTorch narrows, then pads): a crop past the tensor's size raises narrow()'s error
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(200):
        shape = tuple(int(v) for v in rng.integers(0, 5, int(rng.integers(1, 4))))
        pad = tuple(int(v) for v in rng.integers(-3, 4, 2 * int(rng.integers(1, len(shape) + 1))))
        value = float(rng.choice([0, 1.5, -2]))
        x = rng.standard_normal(shape)
        results = []
        for lib in (chainrule, torch):
            t = lib.tensor(x, requires_grad=True)
            try:
                y = lib.nn.functional.pad(t, pad, value=value)
            except RuntimeError as e:
                results.append(str(e))
                continue
            (y * y).sum().backward()
            results.append((y.detach().numpy(), t.grad.numpy()))
        got, want = results
        if isinstance(want, str):
            assert got == want, (shape, pad)
        else:
            for g, w in zip(got, want):
                np.testing.assert_array_equal(g, w)


def _graph(fn):
    """A grad_fn's graph as nested names, depth first."""
    lines, stack = [], [(fn, 0)]
    while stack:
        node, depth = stack.pop()
        if node is not None:
            lines.append("  " * depth + node.name())
            stack += [(n, depth + 1) for n, _ in node.next_functions]
    return lines


@pytest.mark.parametrize("shapes", [((6, 5), (6, 5)), ((6, 5), (1, 5))])
def test_cosine_similarity_is_pytorchs_composite_node_for_node(shapes):
    # same-shape inputs are not expanded, and the norms are clamped outside the graph: a zero row's clamped norm
    # passes its gradient as if unclamped (CloneBackward0, not a clamp's node)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    a[0] = 0
    results = []
    for lib in (chainrule, torch):
        x1, x2 = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        y = lib.nn.functional.cosine_similarity(x1, x2)
        y.backward(lib.tensor(np.linspace(-1, 1, y.numel())))
        results.append((_graph(y.grad_fn), y.detach().numpy(), x1.grad.numpy(), x2.grad.numpy()))
    assert results[0][0] == results[1][0]
    for got, want in zip(results[0][1:], results[1][1:]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_nll_loss_gives_the_upstream_gradient_to_the_picked_entries_only():
    # an infinite upstream gradient reaches its row's target entry, and leaves the others 0 (not inf * 0)
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((3, 4))
    grads = []
    for lib in (chainrule, torch):
        t = lib.tensor(x, requires_grad=True)
        lib.nn.functional.nll_loss(t, lib.tensor([1, 2, 0]), reduction="none").backward(lib.tensor([np.inf, 1, 2]))
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(*grads)


def test_max_pool_indices_changed_in_place_are_the_backwards_error_as_in_pytorch():
    # the backward reads the returned indices (PyTorch's result1): an in-place change to them is caught by their
    # version, and the message names no producer, as the indices have no gradient
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 4))
    messages = []
    for lib in (chainrule, torch):
        out, idx = lib.nn.functional.max_pool2d(lib.tensor(x, requires_grad=True), 2, return_indices=True)
        idx.add_(1)
        with pytest.raises(RuntimeError) as raised:
            out.sum().backward()
        messages.append(str(raised.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("n", [4, 300])  # np.logaddexp below 128 elements, the ufunc chain above
def test_bce_with_logits_infinite_logits_as_pytorch(n):
    # (1 - y) x + softplus(-x): +inf gives inf where y < 1, -inf gives nan where y > 0
    torch = pytest.importorskip("torch")
    x = np.resize(np.array([np.inf, -np.inf, np.inf, -np.inf, np.nan, 0, 30, -30], np.float32), n)
    t = np.resize(np.array([0.5, 0.5, 0, 0, 0.5, 0.5, 0.25, 0.25], np.float32), n)
    for kw in ({}, {"pos_weight": 2.0}):
        got, want = (lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(x), lib.tensor(t), reduction="none",
            **{k: lib.tensor(v) for k, v in kw.items()}).numpy() for lib in (chainrule, torch))
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_normalize_graph_as_pytorch():
    torch = pytest.importorskip("torch")

    def names(lib):
        fn, out = lib.nn.functional.normalize(lib.ones(2, 3, requires_grad=True)).grad_fn, []
        while fn.next_functions:
            out.append(fn.name())
            fn = fn.next_functions[-1][0]
        return out
    assert names(chainrule) == names(torch)


@pytest.mark.parametrize("d, kwargs", [
    (1, dict(kernel_size=3, padding=2)), (1, dict(kernel_size=3, padding=2, return_indices=True)),
    (1, dict(kernel_size=3, padding=2, dilation=2)),
    (1, dict(kernel_size=3, padding=2, dilation=2, return_indices=True)),
    (2, dict(kernel_size=3, padding=2, dilation=2)), (2, dict(kernel_size=(5, 3), padding=(3, 2), dilation=2)),
    (2, dict(kernel_size=4, padding=2, dilation=3)),
    (3, dict(kernel_size=(3, 3, 5), padding=(1, 1, 3), dilation=(1, 1, 2))),
])
def test_max_pool_padding_checks_as_pytorch(d, kwargs):
    # besides "at most half of the effective kernel", PyTorch's max pools ask pad <= kernel // 2, in their own words
    torch = pytest.importorskip("torch")
    messages = []
    for lib in (chainrule, torch):
        try:
            getattr(lib.nn.functional, f"max_pool{d}d")(lib.ones((1, 1) + (12,) * d), **kwargs)
            messages.append(None)
        except RuntimeError as e:
            messages.append(str(e))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("f, shape", [
    (lambda lib, x: lib.nn.functional.max_pool2d(x, 2), (1, 2, 4, 4)),
    (lambda lib, x: lib.nn.functional.max_pool1d(x, 2), (1, 2, 4)),
    (lambda lib, x: lib.nn.functional.max_pool3d(x, 2), (1, 1, 4, 4, 4)),
    (lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, 2), (1, 2, 4, 4)),
    (lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="reflect"), (1, 2, 4)),
    (lambda lib, x: lib.nn.functional.pad(x, (1, 1, 1, 1), mode="replicate"), (1, 2, 4, 4)),
    (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), (1, 2, 4, 4)),
    (lambda lib, x: x.squeeze(), (1, 3, 1, 2)),
    (lambda lib, x: x.squeeze(2), (1, 3, 1, 2)),
    (lambda lib, x: x.squeeze((0, 2)), (1, 3, 1, 2)),
])
def test_first_derivatives_graph_as_pytorch(f, shape):
    # under create_graph a gather's gradient is PyTorch's "...BackwardBackward0" node, squeeze's an unsqueeze
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal(shape)
    results = []
    for lib in (chainrule, torch):
        leaf = lib.tensor(x, requires_grad=True)
        y = f(lib, leaf)
        g, = lib.autograd.grad((y * y).sum(), leaf, create_graph=True)
        names, fn = [], g.grad_fn
        while fn is not None and len(names) < 5:
            names.append(fn.name())
            fn = next((n for n, _ in fn.next_functions if n is not None), None)
        results.append((names, lib.autograd.grad((g * g).sum(), leaf)[0].numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)

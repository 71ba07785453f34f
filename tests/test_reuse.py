"""Temporary elision: a large temporary argument of an elementwise op lends its buffer to the result.

Reuse must be invisible: no tensor anyone can still reach changes, and every gradient stays right.
Large means at least op._REUSE_MIN elements; the arrays below are well above it.
"""
import itertools
import tracemalloc

import numpy as np
import pytest

import chainrule as T
from chainrule.autograd import engine, op

N = 4 * op._REUSE_MIN
needs_reuse = pytest.mark.skipif(not op._TEMPORARY, reason="this interpreter's reference counts cannot tell temporaries")


def big(seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    return T.tensor(rng.uniform(0.5, 1.5, N), requires_grad=requires_grad)  # float64


def peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


CHAINS = [  # (chainrule, NumPy): each op's argument is the temporary the previous op made
    (lambda x: T.tanh(x * 2), lambda x: np.tanh(x * 2)),
    (lambda x: (x + 1) * 3, lambda x: (x + 1) * 3),
    (lambda x: T.exp(-(x - 1)), lambda x: np.exp(-(x - 1))),
    (lambda x: T.sigmoid(x * 2), lambda x: (np.tanh(x * 2 * 0.5) + 1) * 0.5),
    (lambda x: T.sqrt(x * 4) / 2, lambda x: np.sqrt(x * 4) / 2),
    (lambda x: T.relu(x.reshape(N // 2, 2) @ T.ones(2, 2, dtype=T.float64) - 2.5),
     lambda x: np.maximum(x.reshape(N // 2, 2) @ np.ones((2, 2)) - 2.5, 0)),
]


@needs_reuse
@pytest.mark.parametrize("chain, reference", CHAINS)
def test_a_chain_of_temporaries_holds_one_buffer(chain, reference):
    x = big()
    with T.no_grad():
        chain(big())  # an op's first call compiles its dispatcher; reuse starts with the second
        peak = peak_bytes(lambda: chain(x))
        assert peak < 1.5 * x.numpy().nbytes  # a fresh buffer per op would need two alive at once
        np.testing.assert_allclose(chain(x).numpy(), reference(x.numpy()), rtol=1e-15)


def test_values_anyone_can_reach_are_never_overwritten():
    x = big()
    kept = x.numpy().copy()
    named = x * 2
    named_copy = named.numpy().copy()
    view_base = x * 3
    seen_through = view_base.numpy()
    detached_from = x * 4
    for result in (named + 1, T.add(named, 1), named.add(1), 1 + named, -named, T.tanh(named),
                   T.add(named, other=1.0), T.add(self=named, other=1.0), T.mul(*[named, 2.0]), named.add(other=1.0),
                   T.tanh(view_base.reshape(N // 2, 2).reshape(N)), T.exp(detached_from.detach()),
                   x.t() + 1):
        assert result.shape == x.shape
    np.testing.assert_array_equal(x.numpy(), kept)
    np.testing.assert_array_equal(named.numpy(), named_copy)
    np.testing.assert_array_equal(seen_through, x.numpy() * 3)
    np.testing.assert_array_equal(detached_from.numpy(), x.numpy() * 4)


def test_items_c_code_passes_on_are_left_alone():
    items = [big(1), big(2)]
    kept = [t.numpy().copy() for t in items]
    negated = list(map(T.neg, items))
    added = list(itertools.starmap(T.add, [(items[0], items[1])]))
    for t, k in zip(items, kept):
        np.testing.assert_array_equal(t.numpy(), k)
    np.testing.assert_array_equal(negated[1].numpy(), -kept[1])
    np.testing.assert_array_equal(added[0].numpy(), kept[0] + kept[1])


def test_gradients_through_temporaries_and_saved_values():
    a = big(1, requires_grad=True)
    b = big(2, requires_grad=True)
    # products save their inputs, exp and tanh their results: none of these may be written over
    y = (T.tanh(T.exp(a * 0.5) * (b + 1)) * (a - 2) / (b * 3)).sum()
    y.backward()
    an, bn = a.detach().numpy(), b.detach().numpy()
    e = np.exp(an * 0.5)
    t = np.tanh(e * (bn + 1))
    dt = 1 - t * t
    grad_a = dt * e * 0.5 * (bn + 1) * (an - 2) / (bn * 3) + t / (bn * 3)
    grad_b = dt * e * (an - 2) / (bn * 3) - t * (an - 2) / (3 * bn * bn)
    np.testing.assert_allclose(a.grad.numpy(), grad_a, rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), grad_b, rtol=1e-12)


def test_a_reused_buffer_keeps_version_tracking_of_saved_results():
    a = big(3, requires_grad=True)
    r = T.exp(a * 1.0)  # exp saves its result: r's buffer
    s = T.tanh(r)  # r is named: tanh must not write into it
    s.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), (1 - np.tanh(np.exp(a.detach().numpy())) ** 2)
                               * np.exp(a.detach().numpy()), rtol=1e-12)


def test_gradients_meeting_at_a_tensor_are_summed_without_touching_what_hooks_kept():
    x = big(4, requires_grad=True)
    h = x * 2.0
    h.retain_grad()
    kept = []
    a, b = h * 3.0, h * 4.0
    a.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
    (a + b + T.tanh(h)).sum().backward()
    xn = x.detach().numpy()
    dh = 3.0 + 4.0 + (1 - np.tanh(2 * xn) ** 2)
    np.testing.assert_allclose(h.grad.numpy(), dh, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 2 * dh, rtol=1e-12)
    np.testing.assert_array_equal(kept[0].numpy(), np.full(N, 3.0))  # a's contribution, as it was handed on


@pytest.mark.skipif(op.HELD_ONCE is None, reason="reference counts do not tell on this interpreter")
def test_a_tensor_used_many_times_sums_its_gradients_in_one_buffer():
    x = big(5, requires_grad=True)
    h = x * 1.0
    y = sum((T.tanh(h * float(k)) for k in range(1, 6)), T.zeros(N, dtype=T.float64)).sum()
    peak = peak_bytes(y.backward)
    # Four buffers at most (saved outputs are freed as their nodes run); a fresh array for every partial
    # sum makes it five.
    assert peak < 4.5 * x.detach().numpy().nbytes


def test_a_temporary_leaf_keeps_its_values_for_its_accumulator():
    # The leaf is only an argument, but its grad_fn's next_functions reach it: PyTorch keeps its values.
    y = T.tanh(big(6, requires_grad=True))
    leaf = y.grad_fn.next_functions[0][0].variable
    np.testing.assert_array_equal(leaf.detach().numpy(), big(6).numpy())
    z = big(7, requires_grad=True) + 1.0
    np.testing.assert_array_equal(z.grad_fn.next_functions[0][0].variable.detach().numpy(), big(7).numpy())


@needs_reuse
def test_a_temporary_no_running_formula_reads_lends_its_buffer_while_recording():
    # mul saves its first argument only for the second's gradient: with `m` not requiring grad, (x + 1) is not
    # saved, so the product may take its buffer even while the graph is recorded; (x * m) is saved by the
    # second product, whose other factor requires grad, and keeps its own.
    x = big(8, requires_grad=True)
    m = big(9)
    ((x + 1.0) * m).sum()  # compile the dispatchers first
    peak = peak_bytes(lambda: (x + 1.0) * m)
    assert peak < 1.5 * x.detach().numpy().nbytes
    y = x * m
    z = y * x
    z.sum().backward()
    xn, mn = x.detach().numpy(), m.numpy()
    np.testing.assert_array_equal(y.detach().numpy(), xn * mn)
    np.testing.assert_allclose(x.grad.numpy(), 2 * xn * mn, rtol=1e-12)


# ---- backward: a formula may write into the incoming gradient when only the pass holds it ----------------------
@pytest.mark.skipif(not op._REFCOUNTS_CALIBRATED, reason="reference counts are not calibrated on this interpreter")
def test_a_gradient_only_the_pass_holds_takes_the_next_result():
    x = big(10, requires_grad=True)
    m = big(11)
    g = T.ones(N, dtype=T.float64)
    T.tanh(x * m).backward(g)  # compile the backward first
    x.grad = None
    # tanh's backward makes one buffer, mul's writes into it, and x keeps it as .grad: two buffers in all with
    # the forward's, where a fresh one per node would make three
    peak = peak_bytes(lambda: T.tanh(x * m).backward(g))
    assert peak < 2.5 * x.detach().numpy().nbytes
    xn, mn = x.detach().numpy(), m.numpy()
    np.testing.assert_allclose(x.grad.numpy(), (1 - np.tanh(xn * mn) ** 2) * mn, rtol=1e-12)
    np.testing.assert_array_equal(g.numpy(), np.ones(N))  # the user's gradient is never written


def test_gradients_someone_else_holds_are_never_written_by_the_next_node():
    x = big(12, requires_grad=True)
    w = big(13, requires_grad=True)
    m = big(14)
    xn, wn, mn = x.detach().numpy(), w.detach().numpy(), m.numpy()
    dy = 1 - np.tanh(xn * mn) ** 2  # d tanh(y) / dy at y = x * m

    y = x * m
    y.retain_grad()  # y.grad is the very array handed to mul's backward
    T.tanh(y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), dy, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), dy * mn, rtol=1e-12)

    kept = []
    y = x * m
    y.grad_fn.register_prehook(lambda grads: kept.append(grads[0]))
    T.tanh(y).sum().backward()
    np.testing.assert_allclose(kept[0].numpy(), dy, rtol=1e-12)

    seen = []  # a node hook sees the gradients that came in, after the node has run
    y = x * m
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_outputs[0].numpy().copy()))
    T.tanh(y).sum().backward()
    np.testing.assert_allclose(seen[0], dy, rtol=1e-12)

    y = x * m
    gy, gx = T.autograd.grad(T.tanh(y).sum(), [y, x])
    np.testing.assert_allclose(gy.numpy(), dy, rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), dy * mn, rtol=1e-12)

    # both factors need the gradient: the first formula must leave it for the second
    x.grad = w.grad = None
    T.tanh(x * w).sum().backward()
    dxw = 1 - np.tanh(xn * wn) ** 2
    np.testing.assert_allclose(x.grad.numpy(), dxw * wn, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), dxw * xn, rtol=1e-12)

    # a gradient shared by two edges (add hands the same array to both) reaches two products
    x.grad = None
    h = x * 1.0
    (T.relu(h + h * 0.0) * m).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(xn > 0, mn, 0.0), rtol=1e-12)


@pytest.mark.skipif(op.HELD_ONCE is None, reason="reference counts do not tell on this interpreter")
def test_a_broadcast_gradient_summed_back_becomes_grad_uncopied(monkeypatch):
    seen = []
    accumulate = engine._accumulate_array
    monkeypatch.setattr(engine, "_accumulate_array", lambda var, g, owned: [
        seen.append(owned), accumulate(var, g, owned)])
    b = big(15, requires_grad=True)
    w = T.tensor(np.ones((3, 2)), requires_grad=True)
    (T.ones(4, 3, dtype=T.float64) @ w + w[0]).sum().backward()  # w's gradients: from mm and summed from (4, 2)
    (T.tensor(np.ones((2, N))) + b).sum().backward()
    assert seen == [True, True]  # each the pass's own array, kept as .grad without a copy
    np.testing.assert_array_equal(b.grad.numpy(), np.full(N, 2.0))
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 2), 4.0) + [[4.0, 4.0], [0, 0], [0, 0]])


@pytest.mark.parametrize("expr", [
    lambda lib, x, y: (x * y).exp() * y,
    lambda lib, x, y: -(x / y).log() * x,
    lambda lib, x, y: lib.relu(x * y - 1.0) / (y + 1.0) - x.exp().log(),
    lambda lib, x, y: (-(x * y)).exp() * (x / y),
])
def test_gradients_through_donating_formulas_match_torch(expr):
    # large enough for the formulas to write into incoming gradients; run twice on a retained graph
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(16)
    a, b, dout = rng.uniform(0.5, 1.5, N), rng.uniform(0.5, 1.5, N), rng.uniform(-1, 1, N)
    grads = []
    for lib in (T, torch):
        x, y, g = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True), lib.tensor(dout)
        out = expr(lib, x, y)
        out.backward(g, retain_graph=True)
        out.backward(g)
        np.testing.assert_array_equal(g.numpy(), dout)  # the caller's gradient is never written
        grads.append((x.grad.numpy(), y.grad.numpy()))
    for got, want in zip(grads[0], grads[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


# ---- backward: an op's saved result, once nothing else holds it, takes its input's gradient (op._SPENT) -------
calibrated = pytest.mark.skipif(not op._TEMPORARY or not op._REFCOUNTS_CALIBRATED,
                                reason="reference counts are not calibrated on this interpreter")


def tanh_mul_grad(x, m, g):
    xn, mn = x.detach().numpy(), m.numpy()
    return g * (1 - np.tanh(xn * mn) ** 2) * mn


@calibrated
def test_a_temporary_root_lends_its_buffer_to_the_pass():
    x, m = big(20, requires_grad=True), big(21)
    dout = np.random.default_rng(22).uniform(-1, 1, N)
    g = T.tensor(dout)
    T.tanh(x * m).backward(g)  # compile the dispatchers and the backward first
    x.grad = None
    # the forward's buffer takes tanh's gradient, mul's is written over it, and x keeps it as .grad
    peak = peak_bytes(lambda: T.tanh(x * m).backward(g))
    assert peak < 1.5 * x.detach().numpy().nbytes
    np.testing.assert_allclose(x.grad.numpy(), tanh_mul_grad(x, m, dout), rtol=1e-12)
    np.testing.assert_array_equal(g.numpy(), dout)


def test_a_root_anyone_can_still_reach_keeps_its_values():
    x, m = big(23, requires_grad=True), big(24)
    dout = np.random.default_rng(25).uniform(-1, 1, N)
    want = np.tanh(x.detach().numpy() * m.numpy())
    kept = []

    def named():
        y = T.tanh(x * m)
        y.backward(T.tensor(dout))
        kept.append(y)

    def seen_through_numpy():
        y = T.tanh(x * m)
        kept.append(y.detach().numpy())
        y.backward(T.tensor(dout))

    def retained():
        y = T.tanh(x * m)
        kept.append(y)
        y.backward(T.tensor(dout), retain_graph=True)
        y.backward(T.tensor(dout))
        x.grad = x.grad / 2

    def saved_by_another_node():
        y = T.tanh(x * m)
        z = y * x  # saves y for x's gradient
        kept.append(z)
        T.tanh(x * m).backward(T.tensor(dout))
        x.grad = None
        z.sum().backward()
        x.grad = None
        kept.append(y)
        T.tanh(x * m).backward(T.tensor(dout))

    for case in (named, seen_through_numpy, retained, saved_by_another_node):
        kept.clear()
        x.grad = None
        case()
        np.testing.assert_allclose(x.grad.numpy(), tanh_mul_grad(x, m, dout), rtol=1e-12)
        held = kept[-1]
        np.testing.assert_array_equal(held if isinstance(held, np.ndarray) else held.detach().numpy(), want)


@calibrated
def test_a_saved_result_its_tensor_outlived_is_spent_inside_a_graph():
    x = big(26, requires_grad=True)
    loss = lambda: T.tanh(T.tanh(x * 0.5) * 3.0).sum()  # noqa: E731 -- the inner tanh's output is dropped
    loss().backward()
    x.grad = None
    # the forward holds two buffers (inner and outer tanh) and sum's backward spreads its gradient into a third;
    # the tanh backwards write into their results, where each would otherwise make a fourth
    peak = peak_bytes(lambda: loss().backward())
    assert peak < 3.5 * x.detach().numpy().nbytes
    xn = x.detach().numpy()
    inner = np.tanh(xn * 0.5)
    want = (1 - np.tanh(inner * 3.0) ** 2) * 3.0 * (1 - inner ** 2) * 0.5
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-12)


def test_an_error_in_the_pass_leaves_the_gradient_state_as_torch_does():
    torch = pytest.importorskip("torch")
    errors = []
    for lib in (T, torch):
        x = lib.tensor(np.linspace(-1, 1, N), requires_grad=True)
        w = lib.tensor(np.linspace(1, 2, N), requires_grad=True)
        y = lib.tanh(x * w)
        with lib.no_grad():
            w.mul_(2)  # mul saved w: its backward must refuse
        with pytest.raises(RuntimeError) as caught:
            y.tanh().backward(lib.ones(N, dtype=lib.float64))
        errors.append(str(caught.value))
        assert x.grad is None and w.grad is None
    assert errors[0] == errors[1]


# ---- in place outside the graph: add_ / sub_ with alpha make no temporary of the tensor's size -----------------
def test_add_and_sub_with_alpha_write_in_blocks_without_a_full_temporary():
    rng = np.random.default_rng(30)
    n = 5 * (1 << 16) + 123  # blocks and a ragged end
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    p, g = T.tensor(a), T.tensor(b)
    with T.no_grad():
        p.add_(g, alpha=-1e-3)  # first call warms up
        p.copy_(T.tensor(a))
        peak = peak_bytes(lambda: p.add_(g, alpha=-1e-3))
    assert peak < 0.5 * a.nbytes  # one block of scratch, not a copy of g
    np.testing.assert_array_equal(p.numpy(), a + b * -1e-3)  # the same two roundings as other * alpha first
    assert p._version == 3  # add_, copy_, add_
    c, d = rng.standard_normal((5, 70001)), rng.standard_normal((5, 70000))
    q = T.tensor(c)[:, :-1]  # not contiguous: the temporary's way
    q.sub_(T.tensor(d), alpha=0.37)
    np.testing.assert_array_equal(q.numpy(), c[:, :-1] - d * 0.37)


def test_add_with_alpha_reads_an_overlapping_or_strided_source_before_writing():
    rng = np.random.default_rng(31)
    a = rng.standard_normal(6 * (1 << 16))
    half = len(a) // 2
    p = T.tensor(a.copy())
    p[half:].add_(p[:half], alpha=2.0)  # no overlap, but one buffer: falls back to the temporary
    want = a.copy()
    want[half:] += a[:half] * 2.0
    np.testing.assert_array_equal(p.numpy(), want)
    p = T.tensor(a.copy())
    p[1:].add_(p[:-1], alpha=0.5)  # overlapping: the source must be read before any block is written
    want = a.copy()
    want[1:] += a[:-1] * 0.5
    np.testing.assert_array_equal(p.numpy(), want)
    m = T.tensor(a.reshape(-1, 2).copy())
    m.add_(T.tensor(a.reshape(2, -1).copy()).t(), alpha=3.0)  # a transposed source
    np.testing.assert_array_equal(m.numpy(), a.reshape(-1, 2) + a.reshape(2, -1).T * 3.0)


# ---- large backward formulas run in cache-sized blocks: the same values, bit for bit ---------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, formula", [("tanh", lambda y, g: g * (1 - y * y)),
                                           ("sigmoid", lambda y, g: (1 - y) * y * g)])
def test_blocked_backward_formulas_give_the_unblocked_values(dtype, name, formula):
    from chainrule.autograd import derivatives as D
    rng = np.random.default_rng(41)
    n = D._BLOCKED_MIN + D._BLOCK // 3  # blocked, with a ragged last block
    a = rng.standard_normal(n).astype(dtype)
    with T.no_grad():
        y = getattr(T, name)(T.tensor(a)).numpy()
    grads = {"contiguous": T.tensor(rng.standard_normal(n).astype(dtype)),
             "strided": T.tensor(rng.standard_normal(2 * n).astype(dtype))[::2]}  # the whole-array way
    for how, g in grads.items():
        want = formula(y, g.numpy())
        x = T.tensor(a, requires_grad=True)
        getattr(T, name)(x).backward(g)
        np.testing.assert_array_equal(x.grad.numpy(), want, err_msg=how)
        x.grad = None
        getattr(T, name)(x * 1.0).backward(g)  # a temporary root: tanh's gradient goes into its output's buffer
        np.testing.assert_array_equal(x.grad.numpy(), want, err_msg=how + ", temporary root")


@calibrated
def test_a_large_sigmoid_root_takes_its_gradient_in_its_own_buffer():
    from chainrule.autograd import derivatives as D
    n = D._BLOCKED_MIN + 5
    x = T.tensor(np.random.default_rng(42).standard_normal(n).astype(np.float32), requires_grad=True)
    g = T.ones(n)
    T.sigmoid(x * 1.0).backward(g)
    x.grad = None
    # the product's buffer becomes sigmoid's output, then its gradient (blocks with one small scratch each), then
    # x's .grad: one buffer of the size and a block
    peak = peak_bytes(lambda: T.sigmoid(x * 1.0).backward(g))
    assert peak < 1.5 * x.detach().numpy().nbytes
    y = (np.tanh(x.detach().numpy() * np.float32(0.5)) + np.float32(1)) * np.float32(0.5)
    np.testing.assert_array_equal(x.grad.numpy(), (1 - y) * y)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_a_large_reductions_gradient_is_a_view_no_one_can_write(reduce):
    # D._spread hands large sum / mean gradients on as read-only broadcast views: the nodes after them read them,
    # and what users get (.grad, autograd.grad, hooks) is a copy of their own, which in-place changes may edit
    x = big(requires_grad=True)
    getattr(T.relu(x), reduce)().backward()
    want = (x.detach().numpy() > 0) / (N if reduce == "mean" else 1)
    np.testing.assert_array_equal(x.grad.numpy(), want)
    assert x.grad.numpy().flags.writeable and x.grad.numpy().flags.c_contiguous
    getattr(x, reduce)().backward()  # accumulates in place into the .grad above
    np.testing.assert_array_equal(x.grad.numpy(), want + 1 / (N if reduce == "mean" else 1))
    (g,) = T.autograd.grad(getattr(x * 3, reduce)(), x)
    g.add_(1)
    np.testing.assert_array_equal(g.numpy(), 3 / (N if reduce == "mean" else 1) + 1)
    seen = []
    x.grad = None
    x.register_hook(lambda grad: seen.append(grad.mul_(2)))
    getattr(x, reduce)().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(N, 2 / (N if reduce == "mean" else 1)))

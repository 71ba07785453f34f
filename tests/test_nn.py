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

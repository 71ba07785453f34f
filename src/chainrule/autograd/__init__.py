"""chainrule.autograd: backward, grad and the grad modes."""
import warnings

import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .graph import Node
from .engine import accumulate_into_grad, run_backward
from . import grad_mode, graph, op

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "Node"]


def _as_tuple(x):
    if x is None:
        return None
    return (x,) if isinstance(x, op.Tensor) else tuple(x)


def implicit_grad(arr):
    """The gradient a pass starts from when none is given: ones of a scalar output's shape and dtype."""
    g = np.empty(arr.shape, arr.dtype)  # NOTE: np.ones is Python, 3x slower for one value
    g.fill(1)
    return g


_SHARED_ONES = {}


def shared_implicit_grad(arr):
    """implicit_grad for a pass without create_graph, made once per shape and dtype and read-only: no formula
    writes into it and no leaf keeps it as `.grad`, as op.only_here refuses an array that is not writeable."""
    key = (arr.shape, arr.dtype)
    g = _SHARED_ONES.get(key)
    if g is None:
        g = _SHARED_ONES[key] = op.read_only(implicit_grad(arr))
    return g


def _make_grads(outputs, grad_outputs, create_graph):
    """The gradients the pass starts from: Tensors with create_graph, else their arrays (see run_backward)."""
    Tensor = op.Tensor
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        arr = out._data
        if g is None:
            if out._requires_grad and arr.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if arr.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            g = implicit_grad(arr)
            grads.append(Tensor._make(g) if create_graph else g)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g, dtype=arr.dtype))
        if g._data.shape != arr.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a "
                               f"shape of {out.shape}.")
        grads.append(g if create_graph else g._data)
    return grads


def _roots(outputs):
    roots = []
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append(_edge(out))
    return roots


def _edge(t):
    return (t.grad_fn, t._output_nr) if t.grad_fn is not None else (graph.AccumulateGrad.of(t), 0)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaf) . grad_tensors into the `.grad` of every leaf (or of `inputs`)."""
    outputs = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(outputs)
    if len(grad_tensors) != len(outputs):
        raise RuntimeError(f"grad_tensors should have the same length as tensors ({len(grad_tensors)} vs "
                           f"{len(outputs)})")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
            "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
            "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
            "to None after use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    roots = _roots(outputs)
    grads = _make_grads(outputs, grad_tensors, create_graph)
    if inputs is None:
        run_backward(roots, grads, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    captures = {_edge(t): i for i, t in enumerate(inputs)}
    captured = run_backward(roots, grads, retain_graph, create_graph, captures)
    prev = grad_mode.state.enabled
    grad_mode.state.enabled = bool(create_graph)
    try:
        for i, t in enumerate(inputs):
            g = captured.get(i)
            if g is not None:
                accumulate_into_grad(t, g)
    finally:
        grad_mode.state.enabled = prev


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) . grad_outputs without touching any `.grad`."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(outputs)  # PyTorch checks the outputs first
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, grad_outputs, create_graph)
    slots = {}  # one slot per distinct edge: an input listed twice gets the same gradient
    for i, t in enumerate(inputs):
        slots.setdefault(_edge(t), i)
    captured = run_backward(roots, grads, retain_graph, create_graph, slots)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(slots[_edge(t)])
        if g is None:
            if materialize_grads:
                g = op.Tensor._make(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


"""The backward walk.

One pass counts, for every node reachable from the roots, how many edges point at it. Then nodes run
from a ready queue (latest-created first, as PyTorch orders them) once all their gradients have arrived,
so each node runs once and no recursion is involved however long the graph. A node that makes exactly one
successor ready, which the queue would hand out next anyway, passes it on directly (a chain needs no queue).

Without create_graph, gradients travel between nodes as NumPy arrays (`apply_raw`, see op.py); hooks,
captured gradients and `.grad` still receive Tensors.
"""
import heapq

import numpy as np

from . import grad_mode
from . import op as _op
from .graph import HOOKED, AccumulateGrad, GraphRoot
from .op import only_here

__all__ = ["run_backward", "accumulate_into_grad"]


def _dependencies(root):
    deps = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for nxt in node._next:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)
    return deps


def _must_run(root, deps, targets):
    """Nodes with some target downstream: the only ones worth running when gradients are captured."""
    order, pending, ready = [], dict(deps), [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt in node._next:
            if nxt is not None:
                pending[nxt] -= 1
                if pending[nxt] == 0:
                    ready.append(nxt)
    must_run = set()
    for node in reversed(order):
        if any(n in targets or n in must_run for n in node._next):
            must_run.add(node)
    return must_run


def run_backward(roots, grads, retain_graph, create_graph, captures=None):
    """Backpropagate `grads` from `roots` (pairs (node, output_nr)).

    Without `captures`, every node runs and leaves accumulate into `.grad`. With captures
    ({(node, output_nr): slot}), the gradient reaching each such edge is returned by slot, and only the
    nodes that lead to one run.
    """
    raw = not create_graph  # gradients travel as arrays: no graph to build, so no Tensor layer needed
    if raw:
        grads = [g._data for g in grads]
    graph_root = GraphRoot(roots, grads)
    deps = _dependencies(graph_root)
    captured = {}
    if captures is not None:
        must_run = _must_run(graph_root, deps, {node for node, _ in captures})
    buffers = {}  # gradients gathered so far for nodes that more than one edge leads to
    ready = []  # (-seq, tie, node, its gradients): nodes with all their gradients, latest-created first
    tie = 0
    prev = (grad_mode.state.enabled, grad_mode.state.inference)
    grad_mode.state.enabled = bool(create_graph)
    heappop, heappush = heapq.heappop, heapq.heappush
    hooked = HOOKED[0]
    special = hooked or captures is not None
    release = not retain_graph
    node, inputs = graph_root, list(grads)
    try:
        while True:
            if hooked and node._pre_hooks:
                inputs = _run_node_hooks(node._pre_hooks, raw, inputs)
            if type(node) is AccumulateGrad:  # a leaf: its tensor hooks, then capture or accumulate
                g = inputs[0]
                owned = raw and g is not None and only_here(g)  # the leaf may keep it as .grad, uncopied
                if raw and g is not None:
                    g = _make(g)
                if node.variable._hooks and g is not None:
                    returned = _run_tensor_hooks(node.variable, g)
                    owned = owned and returned is g
                    g = returned
                if captures is not None:
                    slot = captures.get((node, 0))
                    if slot is not None:
                        captured[slot] = g
                elif g is not None:
                    accumulate_into_grad(node.variable, g, owned)
                g = inputs = None
                if not ready:
                    break
                node, inputs = heappop(ready)[2:]
                continue
            nexts = node._next
            run = inputs[0] is not None or any(g is not None for g in inputs)
            if special:  # hooks or captures: the plain walk skips these tests
                if captures is not None:
                    for nr, g in enumerate(inputs):
                        slot = captures.get((node, nr))
                        if slot is not None:
                            captured[slot] = _make(g) if raw and g is not None else g
                    run = run and node in must_run
                if run:
                    came = inputs[:] if node._hooks else None  # held: no formula may write into what hooks see
                    outputs = node.apply_raw(inputs) if raw else node.apply(inputs)
                    if node._hooks:
                        outputs = _run_node_hooks(node._hooks, raw, outputs, came)
                        if len(outputs) < len(nexts):
                            outputs = [*outputs] + [None] * (len(nexts) - len(outputs))
                    came = None
            elif run:  # one gradient per edge; the node frees what it saved once it is done with it
                outputs = node.apply_raw(inputs, release) if raw else node.apply(inputs, release)
            if not run:
                outputs = [None] * len(nexts)
            inputs = None
            next_node = None  # the first successor this node makes ready; more go straight to the queue
            for nxt, nr, g in zip(nexts, node._nrs, outputs):
                if nxt is None:
                    continue
                left = deps[nxt]
                if left == 1 and nxt not in buffers:  # its one edge: ready with this gradient alone
                    grads_in = [g] if nr == 0 else [None] * nr + [g]
                else:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * (nr + 1)
                    elif nr >= len(buf):  # multi-output nodes: one slot per output seen so far
                        buf.extend([None] * (nr + 1 - len(buf)))
                    if g is not None:
                        if buf[nr] is None:
                            buf[nr] = g
                        else:  # a second gradient for the same output: summed, in place where only this pass has it
                            acc = buf[nr]
                            if raw and only_here(acc) and acc.shape == g.shape and acc.dtype == g.dtype:
                                np.add(acc, g, out=acc)
                            else:
                                acc = acc + g
                                if raw and type(acc) is not _ndarray:  # NumPy adds 0-d arrays into a scalar
                                    acc = np.asarray(acc)
                                buf[nr] = acc
                            acc = None
                    deps[nxt] = left - 1
                    if left != 1:
                        continue
                    grads_in = buffers.pop(nxt)
                if next_node is None:
                    next_node, next_grads = nxt, grads_in
                else:
                    heappush(ready, (-nxt._seq, tie, nxt, grads_in))
                    tie += 1
            if special and run and release and (node._versions or node._result is not None or node._listed):
                node.release()  # after the node's hooks, which may read what it saved
            g = outputs = grads_in = None  # hold no gradient past its node: only_here counts references
            if next_node is not None:
                if not ready or -next_node._seq < ready[0][0]:
                    node, inputs = next_node, next_grads  # the queue would hand it out next: a chain needs no queue
                    next_grads = None
                    continue
                heappush(ready, (-next_node._seq, tie, next_node, next_grads))
                tie += 1
                next_grads = None
            if not ready:
                break
            node, inputs = heappop(ready)[2:]
    finally:
        grad_mode.state.enabled, grad_mode.state.inference = prev
    return captured


_ndarray = np.ndarray


def _make(arr):
    return _op.Tensor._make(arr)


def _arrays(tensors):
    return [None if t is None else t._data for t in tensors]


def apply_wrapped(node, grads, release=False):
    """node.apply for gradients given as arrays: its Tensor formulas run on them wrapped."""
    return _arrays(node.apply(_op._wrap(list(grads)), release))


def _run_node_hooks(hooks, raw, grads, *more):
    """A node's hooks (or pre-hooks) see Tensors; a returned sequence replaces `grads`."""
    if raw:
        grads = _op._wrap(list(grads))
        more = [_op._wrap(list(m)) for m in more]
    for hook in hooks:
        replaced = hook(grads, *more)
        if replaced is not None:
            grads = list(replaced)
    return _arrays(grads) if raw else grads


def _run_tensor_hooks(var, g):
    for hook in var._hooks:
        g = apply_tensor_hook(hook, g)
    return g


def apply_tensor_hook(hook, g):
    """Run a tensor hook; a returned gradient replaces `g` and must keep its size, as PyTorch checks."""
    replaced = hook(g)
    if replaced is None:
        return g
    if replaced.shape != g.shape:
        raise RuntimeError(f"hook '{getattr(hook, '__name__', hook)}' has changed the size of value")
    return replaced


def accumulate_into_grad(var, g, owned=False):
    """AccumulateGrad's work: add into `.grad`, in place unless create_graph. An `owned` gradient (see
    `op.only_here`) becomes `.grad` as it is; any other is copied first."""
    old = var._grad
    if grad_mode.state.enabled:  # create_graph: keep the graph of the gradient itself
        var._grad = g if old is None else old + g
    elif old is None:
        var._grad = g if owned and g.grad_fn is None else type(g)._make(g._data.copy())
    elif old.grad_fn is None and old._data.shape == g._data.shape:
        old._data += g._data
        _op.counter(old)[0] += 1
    else:
        var._grad = old + g

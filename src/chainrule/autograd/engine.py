"""The backward walk.

One pass counts, for every node reachable from the roots, how many edges point at it. Then nodes run
from a ready queue (latest-created first, as PyTorch orders them) once all their gradients have arrived,
so each node runs once and no recursion is involved however long the graph.
"""
import heapq

from . import grad_mode
from .graph import AccumulateGrad, GraphRoot

__all__ = ["run_backward", "accumulate_into_grad"]


def _dependencies(root):
    deps = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
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
        for nxt, _ in node.next_functions:
            if nxt is not None:
                pending[nxt] -= 1
                if pending[nxt] == 0:
                    ready.append(nxt)
    must_run = set()
    for node in reversed(order):
        if any(n in targets or n in must_run for n, _ in node.next_functions):
            must_run.add(node)
    return must_run


def run_backward(roots, grads, retain_graph, create_graph, captures=None):
    """Backpropagate `grads` from `roots` (pairs (node, output_nr)).

    Without `captures`, every node runs and leaves accumulate into `.grad`. With captures
    ({(node, output_nr): slot}), the gradient reaching each such edge is returned by slot, and only the
    nodes that lead to one run.
    """
    graph_root = GraphRoot(roots, grads)
    deps = _dependencies(graph_root)
    captured = {}
    if captures is not None:
        must_run = _must_run(graph_root, deps, {node for node, _ in captures})
    buffers = {graph_root: list(grads)}
    owned = set()  # ids of gradients only this pass refers to: a leaf may keep them without a copy
    ready = [(-graph_root._seq, 0, graph_root)]
    tie = 1
    prev = (grad_mode.state.enabled, grad_mode.state.inference)
    grad_mode.state.enabled = bool(create_graph)
    heappop, heappush = heapq.heappop, heapq.heappush
    try:
        while ready:
            node = heappop(ready)[2]
            inputs = buffers.pop(node)
            if node._pre_hooks:
                for hook in node._pre_hooks:
                    replaced = hook(inputs)
                    if replaced is not None:
                        inputs = list(replaced)
            if type(node) is AccumulateGrad:  # a leaf: its tensor hooks, then capture or accumulate
                g = _run_tensor_hooks(node.variable, inputs[0])
                is_owned = g is inputs[0] and id(g) in owned
                owned.discard(id(inputs[0]))
                if captures is not None:
                    slot = captures.get((node, 0))
                    if slot is not None:
                        captured[slot] = g
                elif g is not None:
                    accumulate_into_grad(node.variable, g, is_owned)
                continue
            run = True
            if captures is not None:
                for nr, g in enumerate(inputs):
                    slot = captures.get((node, nr))
                    if slot is not None:
                        captured[slot] = g
                run = node in must_run
            nexts = node.next_functions
            if run and (inputs[0] is not None or any(g is not None for g in inputs)):
                outputs = node.apply(inputs)
                if node._hooks:
                    for hook in node._hooks:
                        replaced = hook(outputs, inputs)
                        if replaced is not None:
                            outputs = list(replaced)
                if len(outputs) < len(nexts):
                    outputs = [*outputs] + [None] * (len(nexts) - len(outputs))
            else:
                outputs = [None] * len(nexts)
                run = False
            for (nxt, nr), g in zip(nexts, outputs):
                if nxt is None:
                    continue
                buf = buffers.get(nxt)
                if buf is None:
                    buf = buffers[nxt] = [None] * (nr + 1)
                elif nr >= len(buf):  # multi-output nodes: one slot per output seen so far
                    buf.extend([None] * (nr + 1 - len(buf)))
                if g is not None:
                    if buf[nr] is None:
                        buf[nr] = g
                        if type(nxt) is AccumulateGrad and _is_fresh(g, node, inputs, outputs):
                            owned.add(id(g))
                    else:
                        buf[nr] = buf[nr] + g
                        if type(nxt) is AccumulateGrad:
                            owned.add(id(buf[nr]))
                left = deps[nxt] - 1
                deps[nxt] = left
                if not left:
                    heappush(ready, (-nxt._seq, tie, nxt))
                    tie += 1
            if run and not retain_graph:
                node.release()
    finally:
        grad_mode.state.enabled, grad_mode.state.inference = prev
    return captured


def _is_fresh(g, node, inputs, outputs):
    """A gradient this node computed into memory of its own: not an incoming gradient passed through,
    not a saved tensor, not a view, not handed to another input as well."""
    arr = g._data
    if arr.base is not None or not arr.flags.writeable:
        return False
    for x in inputs:
        if x is g:
            return False
    if sum(o is g for o in outputs) > 1:
        return False
    for s in getattr(node, "_saved", ()):
        if s is g:
            return False
    return True


def _run_tensor_hooks(var, g):
    if var._hooks and g is not None:
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
    `_is_fresh`) becomes `.grad` as it is; any other is copied first."""
    old = var._grad
    if grad_mode.state.enabled:  # create_graph: keep the graph of the gradient itself
        var._grad = g if old is None else old + g
    elif old is None:
        var._grad = g if owned and g.grad_fn is None else type(g)._make(g._data.copy())
    elif old.grad_fn is None and old._data.shape == g._data.shape:
        old._data += g._data
        old._vc[0] += 1
    else:
        var._grad = old + g

"""The workloads written once against the torch API: `T` is the module, chainrule or torch.

Each builder takes its inputs from data.py and returns the step(s) to time.
"""
from data import CHAIN_OPS, LR, chain_data, cnn_data, mlp_data


def chain(tanh, h, a, m, n):
    """n elementwise ops cycling: add a, multiply by m, tanh (also the NumPy floor's forward)."""
    for _ in range(n // 3):
        h = tanh((h + a) * m)
    if n % 3:
        h = h + a
    if n % 3 == 2:
        h = h * m
    return h


def chain_steps(T, n=CHAIN_OPS):
    """(forward without a graph, forward recording the graph, forward + sum().backward())."""
    x, a, m = chain_data()
    x, a, m = T.tensor(x, requires_grad=True), T.tensor(a), T.tensor(m)

    def no_graph():
        with T.no_grad():
            chain(T.tanh, x, a, m, n)

    def graph():
        chain(T.tanh, x, a, m, n)

    def forward_backward():
        chain(T.tanh, x, a, m, n).sum().backward()
        x.grad = None

    return no_graph, graph, forward_backward


def tutorial_step(T):
    """PyTorch's autograd tutorial, tensor creation included."""
    bce = T.nn.functional.binary_cross_entropy_with_logits

    def step():
        x = T.ones(5)
        y = T.zeros(3)
        w = T.randn(5, 3, requires_grad=True)
        b = T.randn(3, requires_grad=True)
        z = T.matmul(x, w) + b
        bce(z, y).backward()

    return step


def mlp(T, x, params):
    w1, b1, w2, b2, w3, b3 = params
    h = T.relu(x @ w1 + b1)
    h = T.relu(h @ w2 + b2)
    return h @ w3 + b3


def cnn(T, x, params):
    F = T.nn.functional
    w1, b1, w2, b2, w3, b3 = params
    h = F.max_pool2d(T.relu(F.conv2d(x, w1, b1)), 2)
    h = F.max_pool2d(T.relu(F.conv2d(h, w2, b2)), 2)
    return h.reshape(h.shape[0], -1) @ w3 + b3


def sgd(T, params):
    """The update as PyTorch's tutorials write it: `lr * p.grad` is a temporary of the parameter's size."""
    with T.no_grad():
        for p in params:
            p -= LR * p.grad
            p.grad = None


def sgd_add_(T, params):
    """The update as torch.optim.SGD writes it: in place, like the NumPy floor's."""
    with T.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-LR)
            p.grad = None


def train_step(T, model, data, update=sgd):
    """One step of softmax cross-entropy training with plain SGD; `model` is mlp or cnn."""
    x, y, params = data
    x, y = T.tensor(x), T.tensor(y)
    params = [T.tensor(p, requires_grad=True) for p in params]

    def step():
        T.nn.functional.cross_entropy(model(T, x, params), y).backward()
        update(T, params)

    return step


def mlp_step(T):
    return train_step(T, mlp, mlp_data())


def mlp_step_add_(T):
    return train_step(T, mlp, mlp_data(), sgd_add_)


def cnn_step(T):
    return train_step(T, cnn, cnn_data())


def scaling_step(T, size):
    """tanh(x * m) forward and backward with a given gradient, on `size` elements."""
    x, _, m = chain_data(size)
    x, m = T.tensor(x, requires_grad=True), T.tensor(m)
    g = T.ones(size)

    def step():
        T.tanh(x * m).backward(g)
        x.grad = None

    return step

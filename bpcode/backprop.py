"""The chapter's equations, one function each, for a whole mini-batch.

The book shows these functions verbatim (with ``literalinclude``), so an edit
here edits the text.

Per-layer quantities are dicts keyed by the chapter's layer number l, so
``W[l]`` is W^l, ``z[l]`` is z^l and ``delta[l]`` is δ^l, with a[1] = x.
The text writes one sample as a column vector; here a mini-batch is a matrix
with one row per sample, so (W^l)^T a^{l-1} becomes ``a[l - 1] @ W[l]``.
"""


def feedforward(W, b, x, hidden, output):
    """The forward pass, for a mini-batch x with one row per sample.

    a^(1) = x, then z^l = (W^l)^T a^{l-1} + b^l and a^l = f(z^l) for
    l = 2, ..., L, with the ``output`` activation at layer L.
    Returns the dicts z (keys 2..L) and a (keys 1..L).
    """
    L = len(W) + 1
    z, a = {}, {1: x}
    for l in range(2, L + 1):
        z[l] = a[l - 1] @ W[l] + b[l]
        a[l] = (output if l == L else hidden).f(z[l])
    return z, a


def output_delta(cost, output, z_L, a_L, t):
    """BP1, the output error δ^L = ∂C_x/∂a^L ∘ f'(z^L), one row per sample.

    Where the cost and the output activation pair up (quadratic with identity,
    binary cross-entropy with sigmoid, cross-entropy with softmax) the product
    simplifies to exactly a^L - t, which is also free of the 0/0 that a
    saturated output would cause in ∂C/∂a^L. Softmax is not elementwise, so
    its ∘ f'(z^L) becomes a product with its transposed Jacobian,
    ``output.vjp`` (a vector-Jacobian product).
    """
    if output.name in cost.simplified:
        return a_L - t
    return output.vjp(z_L, a_L, cost.derivative(a_L, t))


def backpropagate_delta(delta_next, W_next, z, a, f):
    """BP2, the error of layer l from that of layer l + 1, one row per sample.

    δ_j^l = Σ_k w_jk^{l+1} δ_k^{l+1} f'(z_j^l), that is
    δ^l = (W^{l+1} δ^{l+1}) ∘ f'(z^l).
    """
    return (delta_next @ W_next.T) * f.prime(z, a)


def weight_gradient(a_prev, delta):
    """BP4, ∂C_x/∂w_ij^l = a_i^{l-1} δ_j^l, averaged over the mini-batch.

    For one sample this is the outer product a^{l-1} (δ^l)^T; the batch
    product ``a_prev.T @ delta`` sums it over samples, and dividing by n makes
    it the gradient of the mean cost.
    """
    return a_prev.T @ delta / len(delta)


def bias_gradient(delta):
    """BP3, ∂C_x/∂b_j^l = δ_j^l, averaged over the mini-batch."""
    return delta.sum(axis=0) / len(delta)


def backward(W, z, a, t, hidden, output, cost):
    """Backpropagation: BP1 at layer L, BP2 for l = L-1, ..., 2, then BP3 and
    BP4 at every layer.

    Takes the z and a of :func:`feedforward` and returns the dicts delta, dW
    and db, keyed by l = 2, ..., L.
    """
    L = len(W) + 1
    delta = {L: output_delta(cost, output, z[L], a[L], t)}
    for l in range(L - 1, 1, -1):
        delta[l] = backpropagate_delta(delta[l + 1], W[l + 1], z[l], a[l],
                                       hidden)
    dW = {l: weight_gradient(a[l - 1], delta[l]) for l in delta}
    db = {l: bias_gradient(delta[l]) for l in delta}
    return delta, dW, db

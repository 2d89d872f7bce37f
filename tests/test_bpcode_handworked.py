"""A 2-2-1 sigmoid network with quadratic cost, worked through by hand.

Convention (bpcode/__init__.py): W^l has shape (M_{l-1}, M_l) and w_ij^l joins
unit i of layer l-1 to unit j of layer l; z^l = (W^l)^T a^{l-1} + b^l.

Parameters, input and target:

    W^2 = [[w11, w12],   = [[0.1, 0.2],     b^2 = [ 0.1, -0.1]
           [w21, w22]]      [0.3, 0.4]]
    W^3 = [[v1],         = [[ 0.5],         b^3 = [0.2]
           [v2]]            [-0.5]]
    x = a^1 = [1.0, 0.5],   t = [1.0]

Forward pass (σ(z) = 1 / (1 + e^{-z})):

    z^2_1 = w11 x1 + w21 x2 + b^2_1 = 0.1·1 + 0.3·0.5 + 0.1   = 0.35
    z^2_2 = w12 x1 + w22 x2 + b^2_2 = 0.2·1 + 0.4·0.5 - 0.1   = 0.30
    a^2_1 = σ(0.35) = 1 / (1 + e^{-0.35}) = 1 / 1.704688      = 0.5866175789
    a^2_2 = σ(0.30) = 1 / (1 + e^{-0.30}) = 1 / 1.740818      = 0.5744425168
    z^3   = v1 a^2_1 + v2 a^2_2 + b^3
          = 0.5·0.5866175789 - 0.5·0.5744425168 + 0.2
          = 0.2933087895 - 0.2872212584 + 0.2                   = 0.2060875311
    a^3   = σ(0.2060875311) = 1 / (1 + 0.8137618)               = 0.5513403005
    C     = ½ (a^3 - t)² = ½ (-0.4486596995)² = ½ · 0.2012955259 = 0.1006477630

Output error, δ^L = (a^L - t) a^L (1 - a^L):

    a^3 (1 - a^3) = 0.5513403005 · 0.4486596995                 = 0.2473641735
    δ^3 = -0.4486596995 · 0.2473641735                          = -0.1109823358

Hidden error, δ^l = (W^{l+1} δ^{l+1}) ∘ a^l (1 - a^l):

    a^2_1 (1 - a^2_1) = 0.5866175789 · 0.4133824211             = 0.2424973950
    a^2_2 (1 - a^2_2) = 0.5744425168 · 0.4255574832             = 0.2444583117
    W^3 δ^3 = [0.5 · -0.1109823358, -0.5 · -0.1109823358]
            = [-0.0554911679, 0.0554911679]
    δ^2_1 = -0.0554911679 · 0.2424973950                        = -0.0134564637
    δ^2_2 =  0.0554911679 · 0.2444583117                        =  0.0135652772

Gradients, ∂C/∂W^l = a^{l-1} (δ^l)^T and ∂C/∂b^l = δ^l:

    ∂C/∂W^3 = [[a^2_1 δ^3],  = [[0.5866175789 · -0.1109823358],  = [[-0.0651041891],
               [a^2_2 δ^3]]     [0.5744425168 · -0.1109823358]]     [-0.0637529723]]
    ∂C/∂b^3 = [-0.1109823358]
    ∂C/∂W^2 = [[x1 δ^2_1, x1 δ^2_2],   = [[1.0 · -0.0134564637, 1.0 · 0.0135652772],
               [x2 δ^2_1, x2 δ^2_2]]      [0.5 · -0.0134564637, 0.5 · 0.0135652772]]
            = [[-0.0134564637, 0.0135652772],
               [-0.0067282318, 0.0067826386]]
    ∂C/∂b^2 = [-0.0134564637, 0.0135652772]

One SGD step with η = 1 on this one sample: W ← W - ∂C/∂W, b ← b - ∂C/∂b, e.g.
    v1 ← 0.5 + 0.0651041891 = 0.5651041891,  w11 ← 0.1 + 0.0134564637 = 0.1134564637.
"""

from math import exp

import numpy as np
import pytest

from bpcode import Network, sgd

X1, X2 = 1.0, 0.5
T = 1.0
W11, W12, W21, W22 = 0.1, 0.2, 0.3, 0.4
B1, B2 = 0.1, -0.1
V1, V2 = 0.5, -0.5
C3 = 0.2


def sigma(z):
    return 1.0 / (1.0 + exp(-z))


def hand():
    """Every quantity of the docstring in plain Python floats."""
    z1 = W11 * X1 + W21 * X2 + B1
    z2 = W12 * X1 + W22 * X2 + B2
    a1, a2 = sigma(z1), sigma(z2)
    z3 = V1 * a1 + V2 * a2 + C3
    a3 = sigma(z3)
    cost = 0.5 * (a3 - T) ** 2
    d3 = (a3 - T) * a3 * (1 - a3)
    d21 = V1 * d3 * a1 * (1 - a1)
    d22 = V2 * d3 * a2 * (1 - a2)
    return {
        "z2": [z1, z2], "a2": [a1, a2], "z3": [z3], "a3": [a3], "cost": cost,
        "delta3": [d3], "delta2": [d21, d22],
        "dW3": [[a1 * d3], [a2 * d3]], "db3": [d3],
        "dW2": [[X1 * d21, X1 * d22], [X2 * d21, X2 * d22]], "db2": [d21, d22],
    }


# The rounded values written out in the module docstring.
WRITTEN = {
    "z2": [0.35, 0.30], "a2": [0.5866175789, 0.5744425168], "z3": [0.2060875311],
    "a3": [0.5513403005], "cost": 0.1006477630, "delta3": [-0.1109823358],
    "delta2": [-0.0134564637, 0.0135652772],
    "dW3": [[-0.0651041891], [-0.0637529723]], "db3": [-0.1109823358],
    "dW2": [[-0.0134564637, 0.0135652772], [-0.0067282318, 0.0067826386]],
    "db2": [-0.0134564637, 0.0135652772],
}


def make_net():
    net = Network([2, 2, 1], hidden="sigmoid", output="sigmoid", cost="quadratic", seed=0)
    net.set_parameters({2: [[W11, W12], [W21, W22]], 3: [[V1], [V2]]},
                       {2: [B1, B2], 3: [C3]})
    return net


def test_written_arithmetic_matches_plain_python():
    values = hand()
    for key, written in WRITTEN.items():
        np.testing.assert_allclose(values[key], written, rtol=0, atol=6e-11, err_msg=key)


def test_bpcode_reproduces_the_hand_computation():
    values = hand()
    net = make_net()
    grads = net.backward([[X1, X2]], [[T]])
    close = {"rtol": 1e-12, "atol": 1e-15}

    np.testing.assert_allclose(grads.z[2], [values["z2"]], **close)
    np.testing.assert_allclose(grads.a[2], [values["a2"]], **close)
    np.testing.assert_allclose(grads.z[3], [values["z3"]], **close)
    np.testing.assert_allclose(grads.a[3], [values["a3"]], **close)
    assert grads.loss == pytest.approx(values["cost"], rel=1e-12)
    np.testing.assert_allclose(grads.delta[3], [values["delta3"]], **close)
    np.testing.assert_allclose(grads.delta[2], [values["delta2"]], **close)
    np.testing.assert_allclose(grads.dW[3], values["dW3"], **close)
    np.testing.assert_allclose(grads.db[3], values["db3"], **close)
    np.testing.assert_allclose(grads.dW[2], values["dW2"], **close)
    np.testing.assert_allclose(grads.db[2], values["db2"], **close)
    assert grads.dW[2].shape == (2, 2) and grads.dW[3].shape == (2, 1)
    assert grads.db[2].shape == (2,) and grads.db[3].shape == (1,)

    np.testing.assert_allclose(net.predict([X1, X2]), [values["a3"]], **close)
    assert net.loss([X1, X2], [T]) == pytest.approx(values["cost"], rel=1e-12)


def test_one_sgd_step_by_hand():
    values = hand()
    net = make_net()
    sgd(net, [[X1, X2]], [[T]], eta=1.0, epochs=1, batch_size=1, seed=0)
    close = {"rtol": 1e-12, "atol": 1e-15}
    W2 = np.array([[W11, W12], [W21, W22]]) - np.array(values["dW2"])
    W3 = np.array([[V1], [V2]]) - np.array(values["dW3"])
    np.testing.assert_allclose(net.W[2], W2, **close)
    np.testing.assert_allclose(net.W[3], W3, **close)
    np.testing.assert_allclose(net.b[2], np.array([B1, B2]) - values["db2"], **close)
    np.testing.assert_allclose(net.b[3], np.array([C3]) - values["db3"], **close)
    assert net.W[3][0, 0] == pytest.approx(0.5651041891, abs=1e-10)
    assert net.W[2][0, 0] == pytest.approx(0.1134564637, abs=1e-10)


def test_a_batch_averages_the_per_sample_hand_computations():
    """The sample twice (t = 1) and once with t = 0: C, ∂C/∂W^l and ∂C/∂b^l are the
    means over the batch (BP3 and BP4 divide by n = 3), δ^l stays one row each."""
    net = make_net()
    one, zero = net.backward([[X1, X2]], [[1.0]]), net.backward([[X1, X2]], [[0.0]])
    batch = net.backward([[X1, X2]] * 3, [[1.0], [1.0], [0.0]])
    close = {"rtol": 1e-14, "atol": 1e-17}
    assert batch.loss == pytest.approx((2 * one.loss + zero.loss) / 3, rel=1e-14)
    for l in (2, 3):
        np.testing.assert_array_equal(batch.delta[l],
                                      np.vstack([one.delta[l], one.delta[l], zero.delta[l]]))
        np.testing.assert_allclose(batch.dW[l], (2 * one.dW[l] + zero.dW[l]) / 3, **close)
        np.testing.assert_allclose(batch.db[l], (2 * one.db[l] + zero.db[l]) / 3, **close)
        assert batch.dW[l].shape == net.W[l].shape and batch.db[l].shape == net.b[l].shape

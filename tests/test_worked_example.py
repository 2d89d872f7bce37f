"""The derivation page's worked example (2-3-2 sigmoid network, quadratic cost,
one sample), computed by hand arithmetic in plain Python floats, against
bpcode and against the numbers the page's table prints (rounded to four
decimals)."""

from math import exp
from pathlib import Path

import numpy as np
import pytest

import bpcode

PAGE = Path(__file__).resolve().parents[1] / "book" / "backpropagation.md"

# The page's parameters, sample and learning rate, as written in its cell.
W2 = [[0.2, -0.4, 0.6], [0.5, 0.3, -0.1]]
B2 = [0.1, -0.2, 0.0]
W3 = [[0.7, -0.3], [-0.5, 0.4], [0.2, 0.8]]
B3 = [0.0, 0.1]
X, T, ETA = [1.0, 2.0], [1.0, 0.0], 0.5


def test_the_page_uses_these_numbers():
    text = PAGE.read_text(encoding="utf8")
    for literal in ("W2 = np.array([[0.2, -0.4, 0.6],", "[0.5, 0.3, -0.1]])",
                    "b2 = np.array([0.1, -0.2, 0.0])", "W3 = np.array([[0.7, -0.3],",
                    "[-0.5, 0.4],", "[0.2, 0.8]])", "b3 = np.array([0.0, 0.1])",
                    "x1, t1, eta = np.array([1.0, 2.0]), np.array([1.0, 0.0]), 0.5"):
        assert literal in text, literal


def sigma(z):
    return 1.0 / (1.0 + exp(-z))


def by_hand():
    """Every number of one step, with loops over units as in the component
    forms of the text."""
    z2 = [sum(W2[i][j] * X[i] for i in range(2)) + B2[j] for j in range(3)]
    a2 = [sigma(v) for v in z2]
    z3 = [sum(W3[j][k] * a2[j] for j in range(3)) + B3[k] for k in range(2)]
    a3 = [sigma(v) for v in z3]
    cost = 0.5 * sum((a3[k] - T[k]) ** 2 for k in range(2))
    d3 = [(a3[k] - T[k]) * a3[k] * (1 - a3[k]) for k in range(2)]                 # BP1
    d2 = [a2[j] * (1 - a2[j]) * sum(W3[j][k] * d3[k] for k in range(2))           # BP2
          for j in range(3)]
    dW3 = [[a2[j] * d3[k] for k in range(2)] for j in range(3)]                    # BP4
    dW2 = [[X[i] * d2[j] for j in range(3)] for i in range(2)]
    return {"z2": z2, "a2": a2, "z3": z3, "a3": a3, "cost": cost, "delta3": d3,
            "delta2": d2, "dW3": dW3, "dW2": dW2, "db3": d3, "db2": d2}


def test_bpcode_matches_hand_arithmetic():
    hand = by_hand()
    net = bpcode.Network([2, 3, 2], hidden="sigmoid", output="sigmoid", cost="quadratic")
    net.set_parameters({2: W2, 3: W3}, {2: B2, 3: B3})
    g = net.backward(X, T)
    close = {"rtol": 1e-13, "atol": 1e-16}
    for key, ours in (("z2", g.z[2][0]), ("a2", g.a[2][0]), ("z3", g.z[3][0]),
                      ("a3", g.a[3][0]), ("delta3", g.delta[3][0]), ("delta2", g.delta[2][0]),
                      ("dW3", g.dW[3]), ("dW2", g.dW[2]), ("db3", g.db[3]), ("db2", g.db[2])):
        np.testing.assert_allclose(ours, hand[key], err_msg=key, **close)
    assert g.loss == pytest.approx(hand["cost"], rel=1e-13)
    bpcode.sgd(net, X, T, eta=ETA, epochs=1, batch_size=1)
    np.testing.assert_allclose(net.W[2], np.array(W2) - ETA * np.array(hand["dW2"]), **close)
    np.testing.assert_allclose(net.b[3], np.array(B3) - ETA * np.array(hand["db3"]), **close)


def test_the_printed_values_are_the_hand_values_rounded():
    """Values the page's text and table show, to four decimals."""
    hand = by_hand()
    assert [round(v, 4) for v in hand["z2"]] == [1.3, 0.0, 0.4]
    assert round(hand["a2"][0], 4) == 0.7858
    assert [round(v, 4) for v in hand["delta3"]] == [-0.0949, 0.147]
    assert [round(v, 4) for v in hand["delta2"]] == [-0.0186, 0.0266, 0.0237]
    assert round(hand["dW3"][0][0], 4) == -0.0746
    assert round(hand["cost"], 4) == 0.2787

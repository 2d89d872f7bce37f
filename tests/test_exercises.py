"""The checkers of the coding exercises (bpcode.exercises): each passes a right
answer and rejects the usual wrong ones with the message that names the mistake."""

import numpy as np
import pytest

from bpcode import exercises


def central(cost, theta, eps):
    gradient = np.zeros_like(theta)
    for i in range(len(theta)):
        kept = theta[i]
        theta[i] = kept + eps
        up = cost(theta)
        theta[i] = kept - eps
        down = cost(theta)
        theta[i] = kept
        gradient[i] = (up - down) / (2 * eps)
    return gradient


def forward_difference(cost, theta, eps):
    base = cost(theta)
    return np.array([(cost(theta + eps * e) - base) / eps for e in np.eye(len(theta))])


def not_restored(cost, theta, eps):
    gradient = np.zeros_like(theta)
    for i in range(len(theta)):
        theta[i] += eps
        up = cost(theta)
        theta[i] -= 2 * eps
        gradient[i] = (up - cost(theta)) / (2 * eps)
    return gradient


def restored_by_adding(cost, theta, eps):
    gradient = np.zeros_like(theta)
    for i in range(len(theta)):
        theta[i] += eps
        up = cost(theta)
        theta[i] -= 2 * eps
        down = cost(theta)
        theta[i] += eps
        gradient[i] = (up - down) / (2 * eps)
    return gradient


def all_at_once(cost, theta, eps):
    return np.full_like(theta, (cost(theta + eps) - cost(theta - eps)) / (2 * eps))


CASES = {
    "check_output_delta": (
        lambda a, t: (a - t) * a * (1 - a),
        [(lambda a, t: a - t, "multiplies it by f'(z^L)"),
         (lambda a, t: (t - a) * a * (1 - a), "sign is flipped"),
         (lambda a, t: (a - t) * a, "instead of f'(z) = a(1 - a)"),
         (lambda a, t: ((a - t) * a * (1 - a)).sum(axis=0), "summed over the samples"),
         (lambda a, t: None, "forget `return`"),
         (lambda a, t: 1 / 0, "raised ZeroDivisionError"),
         (lambda a, t: (a - t) * a * (1 - a) / len(a), "so no 1/n either")]),
    "check_hidden_delta": (
        lambda d, W, fp: (d @ W.T) * fp,
        [(lambda d, W, fp: d @ W.T, "left out the factor f'(z^l)"),
         (lambda d, W, fp: ((d @ W.T) * fp).T, "transposed"),
         (lambda d, W, fp: (d @ W.T) * fp / len(d), "no 1/n either"),
         (lambda d, W, fp: (d @ W) * fp, "which product has one row per sample"),
         (lambda d, W, fp: (d[:, :W.shape[0]] @ W) * fp if W.shape[0] == W.shape[1]
          else (d @ W.T) * fp, "needs its transpose"),
         (lambda d, W, fp: np.multiply(d @ W.T, fp, out=fp), "changed one of its input")]),
    "check_weight_gradient": (
        lambda a, d: a.T @ d / len(d),
        [(lambda a, d: a.T @ d, "divide by n"),
         (lambda a, d: d.T @ a / len(d), "transposed"),
         (lambda a, d: a.T @ d / len(d) ** 2, "divided by n twice"),
         (lambda a, d: a @ d.T, "the shape of W^l, (M_{l-1}, M_l) = (3, 4)"),
         (lambda a, d: (a.T @ d / len(d))[:2], "should have shape (3, 4), got (2, 4)")]),
    "check_numerical_gradient": (
        central,
        [(forward_difference, "forward difference"),
         (lambda c, th, e: 2 * central(c, th, e), "divide the central difference by 2ε"),
         (lambda c, th, e: central(c, th, e) / 2, "half the gradient"),
         (not_restored, "put every nudged entry back"),
         (restored_by_adding, "does not undo itself in floating point"),
         (all_at_once, "moved every entry of θ at once"),
         (lambda c, th, e: central(c, th, e)[:2], "the shape of θ")]),
}


@pytest.mark.parametrize("checker", sorted(CASES))
def test_right_answer_passes(checker):
    verdict = getattr(exercises, checker)(CASES[checker][0])
    assert verdict.passed, verdict.message
    assert str(verdict).startswith("Passed: ")


@pytest.mark.parametrize("checker,index", [(c, i) for c in sorted(CASES)
                                           for i in range(len(CASES[c][1]))])
def test_wrong_answer_is_named(checker, index):
    wrong, expected = CASES[checker][1][index]
    verdict = getattr(exercises, checker)(wrong)
    assert not verdict.passed
    assert expected in verdict.message
    assert str(verdict).startswith("Not yet: ")


def test_verdict_shows_its_message_in_a_notebook():
    from IPython.lib.pretty import pretty

    verdict = exercises.check_weight_gradient(lambda a, d: a.T @ d)
    assert pretty(verdict) == str(verdict)

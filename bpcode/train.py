"""Mini-batch stochastic gradient descent with epochs.

One step applies the chapter's updates, eqs. (update-weights) and
(update-biases), to the gradient of the mean cost of one mini-batch. An epoch
shuffles the training set and steps through it batch by batch.
"""

from dataclasses import dataclass, field

import numpy as np

from . import _validate
from .fast import FastSGD
from .network import _accuracy, is_classification


class DivergenceError(FloatingPointError):
    """Training produced a non-finite cost, gradient or parameter.

    The network keeps the parameters it had before the failing step.
    ``epoch``, ``layer`` and ``history`` (up to the last finished epoch) say
    where it happened and what came before.
    """

    def __init__(self, message, epoch, layer, history):
        super().__init__(message)
        self.epoch, self.layer, self.history = epoch, layer, history


@dataclass
class History:
    """What :func:`sgd` measured, one entry per epoch, starting at epoch 0
    (before any step).

    ``grad_norms[e][i]`` is ‖∂C/∂W^l‖ (Frobenius) and ``delta_norms[e][i]`` the
    root-mean-square over samples of ‖δ^l‖, for layer l = ``layers[i]``, on the
    whole training set after epoch e. Accuracies are None for regression
    targets; the validation entries are None without validation data.
    """

    layers: list
    epoch: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    train_accuracy: list | None = field(default_factory=list)
    val_loss: list | None = field(default_factory=list)
    val_accuracy: list | None = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    delta_norms: list = field(default_factory=list)
    clipped_steps: list = field(default_factory=list)


def update(W, b, dW, db, eta):
    """The gradient-descent step of eqs. (update-weights) and (update-biases),
    W^l ← W^l - η ∂C/∂W^l and b^l ← b^l - η ∂C/∂b^l for every l = L, ..., 2.

    Returns new dicts and leaves ``W`` and ``b`` untouched, so that a step can
    be checked before the network takes it.
    """
    return ({l: W[l] - eta * dW[l] for l in W},
            {l: b[l] - eta * db[l] for l in b})


def sgd(net, x, t, *, eta, epochs, batch_size, momentum=0.0, weight_decay=0.0,
        clip_norm=None, seed=None, validation=None, callback=None):
    """Train ``net`` in place by mini-batch SGD and return a :class:`History`.

    Parameters
    ----------
    net : Network
    x, t : array_like
        Training inputs (n, M_1) and targets (n, M_L).
    eta : float
        The learning rate η > 0.
    epochs : int
        Passes over the training set, ≥ 0.
    batch_size : int
        Samples per step, ≥ 1; the last batch of an epoch may be smaller.
    momentum : float
        μ in [0, 1): v ← μ v + g, then θ ← θ - η v (heavy-ball momentum, in
        PyTorch's form). Zero gives plain SGD.
    weight_decay : float
        λ ≥ 0: adds (λ/2) Σ_l ‖W^l‖² to the cost that is minimised (the biases
        are not decayed). The recorded loss is the data cost alone.
    clip_norm : float or None
        If given, a step's gradient (all layers together) longer than this
        is scaled down to this length before the update.
    seed : int, numpy.random.Generator or None
        Drives the per-epoch shuffling.
    validation : (x_val, t_val) or None
        Data on which loss and accuracy are also recorded each epoch.
    callback : callable or None
        Called as ``callback(epoch, history)`` after every epoch.

    Raises
    ------
    DivergenceError
        When a step gives a non-finite cost, gradient or parameter; the
        network keeps the parameters from before that step. Also when the
        cost over the training set, measured before training and after every
        epoch, is not finite although the parameters are; the network keeps
        those finite parameters. Either way ``sgd`` never returns a history
        with a non-finite cost.
    """
    x, t = _validate.batch_pair(x, t, net)
    eta = _validate.real("eta", eta, low=0, low_open=True)
    epochs = _validate.integer("epochs", epochs, low=0)
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    momentum = _validate.real("momentum", momentum, low=0)
    if momentum >= 1:
        raise ValueError(f"momentum must be < 1, got {momentum}")
    weight_decay = _validate.real("weight_decay", weight_decay, low=0)
    if clip_norm is not None:
        clip_norm = _validate.real("clip_norm", clip_norm, low=0, low_open=True)
    rng = _validate.generator(seed)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("validation must be a pair (x_val, t_val)")
        try:
            validation = _validate.batch_pair(*validation, net)
        except (TypeError, ValueError) as error:
            raise type(error)(f"validation (x_val, t_val): {error}") from None
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")

    classify = is_classification(t)
    history = History(layers=list(net.W))
    if not classify:
        history.train_accuracy = history.val_accuracy = None
    if validation is None:
        history.val_loss = history.val_accuracy = None
    step = _Steps(net, eta, momentum, weight_decay, clip_norm, history)

    _record(history, net, x, t, validation, epoch=0, clipped=0, fast=step.fast)
    n = len(x)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        x_epoch, t_epoch = x[order], t[order]
        clipped = 0
        for start in range(0, n, batch_size):
            clipped += step(x_epoch[start:start + batch_size],
                            t_epoch[start:start + batch_size], epoch)
        _record(history, net, x, t, validation, epoch, clipped, fast=step.fast)
        if callback is not None:
            callback(epoch, history)
    return history


class _Steps:
    """The steps of :func:`sgd`: ``step(x, t, epoch)`` updates the network on one
    mini-batch and returns 1 if the gradient was clipped, else 0.

    Steps run on the fast path, :class:`bpcode.fast.FastSGD`, which computes
    :func:`_step` in preallocated buffers. When the fast path meets a value
    that is not finite it changes nothing, and :func:`_step` takes that step
    instead, or raises :class:`DivergenceError`.
    """

    def __init__(self, net, eta, momentum, weight_decay, clip_norm, history):
        self.net, self.history, self.epoch = net, history, None
        self.args = (eta, momentum, weight_decay, clip_norm)
        self.velocity = {l: (np.zeros_like(net.W[l]), np.zeros_like(net.b[l])) for l in net.W}
        self.fast = None
        if FastSGD.supports(net):
            self.fast = FastSGD(net, eta, momentum, weight_decay, clip_norm)

    def __call__(self, x, t, epoch):
        fast = self.fast
        if fast is not None:
            if epoch != self.epoch:  # the callback may have seen or changed the network
                fast.start_epoch()
                self.epoch = epoch
            clipped = fast.step(x, t)
            if clipped is not None:
                return clipped
            self.velocity = fast.velocity()
        clipped = _step(self.net, x, t, *self.args, self.velocity, epoch, self.history)
        if fast is not None:
            fast.adopt(self.net, self.velocity)
        return clipped


def _step(net, x, t, eta, momentum, weight_decay, clip_norm, velocity, epoch, history):
    """One mini-batch step, the textbook way; returns 1 if the gradient was clipped.

    :class:`bpcode.fast.FastSGD` computes the same step faster and is tested
    against this one.
    """
    grads = net._backward(x, t)
    _check_finite(grads, net, epoch, history)
    dW, db = grads.dW, grads.db
    if weight_decay:
        dW = {l: dW[l] + weight_decay * net.W[l] for l in dW}
    clipped = 0
    if clip_norm is not None:
        norm = float(np.sqrt(sum(float((dW[l] ** 2).sum() + (db[l] ** 2).sum()) for l in dW)))
        if norm > clip_norm:
            scale = clip_norm / norm
            dW = {l: dW[l] * scale for l in dW}
            db = {l: db[l] * scale for l in db}
            clipped = 1
    if momentum:
        new_velocity = {l: (momentum * velocity[l][0] + dW[l],
                            momentum * velocity[l][1] + db[l]) for l in dW}
        dW = {l: v[0] for l, v in new_velocity.items()}
        db = {l: v[1] for l, v in new_velocity.items()}
    new_W, new_b = update(net.W, net.b, dW, db, eta)
    for l in sorted(new_W, reverse=True):
        if not (np.isfinite(new_W[l]).all() and np.isfinite(new_b[l]).all()):
            raise DivergenceError(
                f"training diverged in epoch {epoch}: the update made W[{l}] or b[{l}] of "
                f"layer {l} non-finite (learning rate eta={eta} too large?); the network "
                f"keeps its parameters from before this step", epoch, l, history)
    if momentum:
        velocity.update(new_velocity)
    net.W, net.b = new_W, new_b
    return clipped


def _check_finite(grads, net, epoch, history):
    if not np.isfinite(grads.cost):
        layer = next((l for l in sorted(grads.z)
                      if not np.isfinite(grads.z[l]).all()
                      or not np.isfinite(grads.a[l]).all()), net.L)
        raise DivergenceError(
            f"training diverged in epoch {epoch}: the cost is {grads.cost}, first non-finite "
            f"values in layer {layer}; the network keeps its parameters from before this "
            f"step", epoch, layer, history)
    for l in sorted(grads.dW, reverse=True):
        if not (np.isfinite(grads.dW[l]).all() and np.isfinite(grads.db[l]).all()):
            raise DivergenceError(
                f"training diverged in epoch {epoch}: the gradient of layer {l} "
                f"(dC/dW[{l}] or dC/db[{l}]) is not finite; the network keeps its "
                f"parameters from before this step", epoch, l, history)


def _record(history, net, x, t, validation, epoch, clipped, fast=None):
    """Append the epoch's measurements to ``history``, computed on the fast path
    when ``fast`` (a :class:`bpcode.fast.FastSGD`) can, else by ``net._backward``."""
    measured = fast.measure(x, t) if fast is not None else None
    if measured is None:
        grads = net._backward(x, t)
        n = len(x)
        measured = (grads.cost, [float(np.linalg.norm(grads.dW[l])) for l in history.layers],
                    [float(np.linalg.norm(grads.delta[l]) / np.sqrt(n))
                     for l in history.layers], grads.a[net.L])
    cost, grad_norms, delta_norms, y = measured
    if not np.isfinite(cost):
        z = net.forward(x).z
        layer = next((l for l in sorted(z) if not np.isfinite(z[l]).all()), net.L)
        when = "at epoch 0 (before any step)" if epoch == 0 else f"at the end of epoch {epoch}"
        raise DivergenceError(
            f"training diverged: {when} the cost over the training set is {cost}, first "
            f"non-finite values in layer {layer}, although every parameter is finite; the "
            f"network keeps these parameters", epoch, layer, history)
    history.epoch.append(epoch)
    history.loss.append(cost)
    history.grad_norms.append(grad_norms)
    history.delta_norms.append(delta_norms)
    history.clipped_steps.append(clipped)
    if history.train_accuracy is not None:
        history.train_accuracy.append(_accuracy(y, t))
    if validation is not None:
        x_val, t_val = validation
        history.val_loss.append(net._loss(x_val, t_val))
        if history.val_accuracy is not None:
            history.val_accuracy.append(_accuracy(net.forward(x_val).y, t_val))

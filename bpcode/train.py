"""Mini-batch stochastic gradient descent with epochs.

An epoch shuffles the training set and steps through it mini-batch by
mini-batch; a step (:mod:`bpcode.step`) applies the chapter's update to the
gradient of the mean cost of one mini-batch. The book shows the loop of
:func:`sgd` verbatim, so an edit there edits the text.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from . import _validate
from .fast import FastStep
from .network import Network, NonFiniteError, fraction_correct, is_classification
from .step import DivergenceError, SGDSettings, TextbookStep

#: The training steps :func:`sgd` can take, by name: the same step, computed by
#: the chapter's functions or in preallocated buffers (to rounding, the same
#: numbers).
STEPS = {"textbook": TextbookStep, "fast": FastStep}


@dataclass
class History:
    """What :func:`sgd` measured, one entry per epoch, starting at epoch 0
    (before any step).

    ``norms[e]`` is the :class:`bpcode.GradientNorms` of the gradient on the
    whole training set after epoch e: ‖∂C/∂W^l‖ (Frobenius) and the
    root-mean-square over samples of ‖δ^l‖ for every layer l in ``layers``.
    Accuracies are None for regression targets; the validation entries are
    None without validation data. ``clipped_steps[e]`` counts the steps of
    epoch e whose gradient was clipped.
    """

    layers: list
    epoch: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    train_accuracy: list | None = field(default_factory=list)
    val_loss: list | None = field(default_factory=list)
    val_accuracy: list | None = field(default_factory=list)
    norms: list = field(default_factory=list)
    clipped_steps: list = field(default_factory=list)


def sgd(net, x, t, *, eta, epochs, batch_size, momentum=0.0, weight_decay=0.0,
        clip_norm=None, seed=None, validation=None, callback=None,
        step="fast"):
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
    momentum, weight_decay, clip_norm
        The options of a step, see :class:`bpcode.SGDSettings`. The recorded
        loss is the data cost alone, without the weight decay.
    seed : int, numpy.random.Generator or None
        Drives the per-epoch shuffling.
    validation : (x_val, t_val) or None
        Data on which loss and accuracy are also recorded each epoch.
    callback : callable or None
        Called as ``callback(epoch, history)`` after every epoch.
    step : "fast" or "textbook"
        Which training step computes the updates (:data:`STEPS`): the
        chapter's functions (:class:`bpcode.TextbookStep`) or the same
        equations in preallocated buffers (:class:`bpcode.FastStep`, the
        default). Both give the same numbers to rounding.

    Raises
    ------
    DivergenceError
        When a step gives a non-finite cost, gradient or parameter; the
        network keeps the parameters from before that step. Also when the
        cost or the gradient over the training set, or the cost or outputs on
        the validation data, measured before training and after every epoch,
        are not finite although the parameters are; the network keeps those
        finite parameters. Either way ``sgd`` never returns a history with a
        value that is not finite, and no RuntimeWarning comes with the error.
    """
    _validate.instance("net", net, Network)
    x, t = net.check_batch(x, t)
    settings = SGDSettings(eta, momentum, weight_decay, clip_norm)
    epochs = _validate.integer("epochs", epochs, low=0)
    batch_size = _validate.integer("batch_size", batch_size, low=1)
    rng = _validate.generator(seed)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("validation must be a pair (x_val, t_val)")
        try:
            validation = net.check_batch(*validation)
        except (TypeError, ValueError) as error:
            raise type(error)(f"validation (x_val, t_val): {error}") from None
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")
    stepper = _validate.choice("step", step, STEPS)(net, settings)

    history = History(layers=list(net.W))
    if not is_classification(t):
        history.train_accuracy = history.val_accuracy = None
    if validation is None:
        history.val_loss = history.val_accuracy = None

    _record(history, stepper, x, t, validation, epoch=0, clipped=0)
    n = len(x)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        x_epoch, t_epoch = x[order], t[order]
        clipped = 0
        for start in range(0, n, batch_size):
            batch = slice(start, start + batch_size)
            try:
                clipped += stepper.step(x_epoch[batch], t_epoch[batch])
            except DivergenceError as error:
                raise _in_epoch(error, epoch, history) from None
        _record(history, stepper, x, t, validation, epoch, clipped)
        if callback is not None:
            callback(epoch, history)
    return history


def _in_epoch(error, epoch, history):
    """The :class:`DivergenceError` of a step, with the epoch and the history."""
    return DivergenceError(f"training diverged in epoch {epoch}: {error}", epoch,
                           error.layer, history)


def _record(history, stepper, x, t, validation, epoch, clipped):
    """Append the epoch's measurements to ``history``."""
    net = stepper.net
    with _diverged(history, epoch, "training"):
        loss, norms, y = stepper.measure(x, t)
    if validation is not None:
        x_val, t_val = validation
        with _diverged(history, epoch, "validation"):
            val_loss, y_val = net.loss(x_val, t_val), net.predict(x_val)
    history.epoch.append(epoch)
    history.loss.append(loss)
    history.norms.append(norms)
    history.clipped_steps.append(clipped)
    if history.train_accuracy is not None:
        history.train_accuracy.append(fraction_correct(y, t))
    if validation is not None:
        history.val_loss.append(val_loss)
        if history.val_accuracy is not None:
            history.val_accuracy.append(fraction_correct(y_val, t_val))


@contextmanager
def _diverged(history, epoch, data):
    """Turn a :class:`bpcode.NonFiniteError` of a measurement into a
    :class:`bpcode.DivergenceError` that says when it happened."""
    try:
        yield
    except NonFiniteError as error:
        when = "at epoch 0 (before any step)" if epoch == 0 else f"at the end of epoch {epoch}"
        raise DivergenceError(
            f"training diverged: {when}, on the {data} set, {error}; every parameter is "
            f"finite and the network keeps them", epoch, error.layer, history) from None

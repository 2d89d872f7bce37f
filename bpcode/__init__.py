"""bpcode: exact, fast mini-batch backpropagation for multilayer perceptrons.

The notation is the chapter's, with one convention throughout:

* Layer 1 is the input layer, a^1 = x; layers l = 2, ..., L carry weights.
  Layer l has M_l units and ``Network.sizes`` is (M_1, ..., M_L).
* W^l has shape (M_{l-1}, M_l): w_ij^l connects unit i of layer l-1 to unit j
  of layer l. b^l has shape (M_l,).
* For one sample (a column vector) z^l = (W^l)^T a^{l-1} + b^l and
  a^l = f(z^l); the output is y = a^L and the target t.
* In code a mini-batch of n samples is a matrix with one row per sample, so
  Z^l = A^{l-1} W^l + b^l. Per-layer quantities are dicts keyed by the
  chapter's l: ``net.W[l]``, ``z[l]``, ``a[l]``, ``delta[l]``.
* The cost of a mini-batch is the mean of the per-sample costs,
  C = (1/n) Σ_x C_x, and δ^l = ∂C_x/∂z^l per sample (one row each), so the
  gradients ∂C/∂W^l and ∂C/∂b^l are batch means and SGD's η does not depend
  on the batch size.

Nielsen's book and PyTorch's ``nn.Linear`` store the transpose (w_jk from
unit k to unit j, shape (M_l, M_{l-1})).

The modules, each with one job:

* ``activations``, ``costs``, ``init``: tables keyed by name (f and f',
  C_x and its derivative, initial weights);
* ``backprop``: the chapter's equations, one function each (BP1-BP4 and the
  forward pass), shown verbatim in the book; ``equations``: the same
  functions as bpcode exports them, with their arguments checked;
* ``network``: :class:`Network`, its parameters and checked entry points;
* ``diagnostics``: per-layer gradient norms and saturation;
* ``step``: one SGD step the textbook way (:class:`TextbookStep`,
  :func:`update`) and its settings; ``fast``: the same step fused in
  preallocated buffers (:class:`FastStep`);
* ``train``: :func:`sgd`, epochs of mini-batches, and its :class:`History`;
* ``gradcheck``: finite-difference checks; ``io``: save and load;
  ``datasets``: the data the book trains on; ``exercises``: the checkers of
  the book's coding exercises; ``viz``: figures and widgets.

The numerical core needs numpy only; :mod:`bpcode.viz` (matplotlib,
ipywidgets) and :func:`bpcode.datasets.digits` (scikit-learn) import their
extras when called.
"""

from . import datasets, exercises
from .activations import ACTIVATIONS
from .costs import COSTS
from .diagnostics import GradientNorms, gradient_norms, layer_norms, saturation
from .equations import (
    backpropagate_delta,
    backward,
    bias_gradient,
    feedforward,
    output_delta,
    update,
    weight_gradient,
)
from .fast import FastStep
from .gradcheck import (
    check_gradients,
    numerical_delta,
    numerical_gradient,
    numerical_parameter_gradient,
    relative_error,
)
from .init import INITS
from .io import load, save
from .network import Forward, Gradients, Network, NonFiniteError
from .step import DivergenceError, Measurement, SGDSettings, TextbookStep
from .train import STEPS, History, sgd

__version__ = "1.0.0"

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "DivergenceError",
    "FastStep",
    "Forward",
    "GradientNorms",
    "Gradients",
    "History",
    "INITS",
    "Measurement",
    "Network",
    "NonFiniteError",
    "SGDSettings",
    "STEPS",
    "TextbookStep",
    "backpropagate_delta",
    "backward",
    "bias_gradient",
    "check_gradients",
    "datasets",
    "exercises",
    "feedforward",
    "gradient_norms",
    "layer_norms",
    "load",
    "numerical_delta",
    "numerical_gradient",
    "numerical_parameter_gradient",
    "output_delta",
    "relative_error",
    "saturation",
    "save",
    "sgd",
    "update",
    "weight_gradient",
]

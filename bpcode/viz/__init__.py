"""Figures, live widgets and static animations for the book's pages.

Three pictures, each in three forms that share one drawing code:

* **Sigmoid saturation**: the sigmoid f and its derivative f' (maximum 1/4),
  the distribution of z^l at one layer of a sigmoid network drawn over both
  curves, and the fraction of saturated units (f'(z) < threshold) per layer,
  from :func:`bpcode.saturation`.
* **Per-layer gradient norms**: ‖∂C/∂W^l‖ and ‖δ^l‖ for every layer, on a log
  scale, from :func:`bpcode.gradient_norms`; and, as a second view, the same
  norms over the epochs of training, from :attr:`bpcode.History.norms`,
  with and without gradient clipping.
* **Backpropagation, step by step**: one training step of a small sigmoid
  network on one sample, value by value in the algorithm's order (z and a
  layer by layer, the cost, δ by BP1 and BP2, the gradients by BP3 and BP4,
  the update), each frame with the equation that computes it, numbers
  substituted (:func:`stepthrough_data`, :func:`stepthrough_widget`,
  :func:`stepthrough_animation`), and the network after its backward pass as
  one figure (:func:`network_figure`). Drawn as SVG, not with matplotlib.

The forms are:

1. pure functions that return what is plotted (:func:`saturation_data`,
   :func:`gradient_norm_profile`, :func:`training_runs`); they call bpcode for
   all the numerical work and check their arguments;
2. live widgets for Jupyter, Binder and Thebe (:func:`saturation_widget`,
   :func:`gradient_norms_widget`): ipywidgets controls and **one** figure,
   redrawn in place into an ``ipywidgets.Image`` on every change;
3. precomputed animations and figures for the static book
   (:func:`saturation_animation`, :func:`gradient_norms_animation`,
   :func:`training_norms_figure`), which play, step and scrub without a kernel
   or a CDN.

The modules, one job each, imported in this order (no module imports a later one):

* :mod:`~bpcode.viz.data`: the numbers behind each figure (numpy and bpcode);
  :mod:`~bpcode.viz.notation` and :mod:`~bpcode.viz.steps`: the step-through's
  symbols and its frames;
* :mod:`~bpcode.viz.style`: the one figure style of the book (fonts, the
  colours of the forward and backward passes, sizes, dpi) and :func:`use_style`
  for the pages' own pyplot figures;
* :mod:`~bpcode.viz.canvas`: figures outside pyplot (:func:`figure`) and
  their PNG bytes (:func:`png`);
* ``draw_*``: the drawing of one family of figures each
  (:mod:`~bpcode.viz.draw_saturation`, :mod:`~bpcode.viz.draw_gradients`: a
  class that makes the figure once and an ``update`` that redraws it in place;
  :mod:`~bpcode.viz.draw_chapter`: the static figures of the derivation and
  training pages); :mod:`~bpcode.viz.draw_network`, the step-through's network
  as SVG text;
* :mod:`~bpcode.viz.tables`: the pages' computed HTML tables, in one style;
* :mod:`~bpcode.viz.widgets`: the ipywidgets controls;
* :mod:`~bpcode.viz.animation`: the kernel-free ``to_jshtml`` animations;
* :mod:`~bpcode.viz.step_html` (the step-through's view and its kernel-free
  player) and :mod:`~bpcode.viz.step_widget` (its ipywidgets controls).

matplotlib, ipywidgets, IPython and PIL are imported inside the functions that
need them, so ``import bpcode`` (and even ``import bpcode.viz``) needs numpy
only.

The names are those of :class:`bpcode.Network`: ``std`` is the standard
deviation of the initial weights, ``gain`` a factor on them. ``depth`` is the
number of weight layers, so a network has L = depth + 1 layers counting the
input layer, and its layers with weights are l = 2, ..., L.
"""

from .animation import gradient_norms_animation, offline_jshtml, saturation_animation
from .canvas import figure, png
from .data import (
    ACTIVATION_CHOICES,
    GRADIENT_GAINS,
    SATURATION_STDS,
    GradientProfile,
    SaturationData,
    TrainingRun,
    batch,
    gradient_network,
    gradient_norm_profile,
    saturation_data,
    saturation_network,
    training_network,
    training_runs,
    weight_norms,
)
from .draw_chapter import (
    Picture,
    confusion_figure,
    layer_graph_figure,
    layer_step_figure,
    sigmoid_figure,
)
from .draw_gradients import TrainingFigure, training_norms_figure
from .draw_network import NetworkFigure, network_figure
from .step_html import StepAnimation, stepthrough_animation
from .step_widget import StepThrough, stepthrough_widget
from .steps import STAGES, Frame, Walkthrough, example_parameters, stepthrough_data
from .style import BACKWARD, BACKWARD_TEXT, FORWARD, use_style
from .tables import html_table
from .widgets import INIT_CHOICES, Explorer, gradient_norms_widget, saturation_widget

__all__ = [
    "ACTIVATION_CHOICES", "BACKWARD", "BACKWARD_TEXT", "FORWARD", "GRADIENT_GAINS",
    "INIT_CHOICES", "SATURATION_STDS", "STAGES",
    "Explorer", "Frame", "GradientProfile", "NetworkFigure", "Picture", "SaturationData",
    "StepAnimation", "StepThrough", "TrainingFigure", "TrainingRun", "Walkthrough",
    "batch", "confusion_figure", "example_parameters", "figure", "gradient_network",
    "gradient_norm_profile", "gradient_norms_animation", "gradient_norms_widget",
    "html_table", "layer_graph_figure", "layer_step_figure", "network_figure",
    "offline_jshtml", "png", "saturation_animation", "saturation_data", "saturation_network",
    "saturation_widget", "sigmoid_figure", "stepthrough_animation", "stepthrough_data",
    "stepthrough_widget", "training_network", "training_norms_figure", "training_runs",
    "use_style", "weight_norms",
]

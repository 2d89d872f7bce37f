"""Live widgets for Jupyter, Binder and Thebe: ipywidgets controls and one figure.

Each widget is an :class:`Explorer`: its controls recompute the figure's data
(:mod:`bpcode.viz.data`) and redraw the **one** figure in place
(:mod:`bpcode.viz.draw_saturation`, :mod:`bpcode.viz.draw_gradients`) into an
``ipywidgets.Image``; a Play control sweeps the weight std or the gain over a
fixed grid. ipywidgets is imported inside the functions.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import canvas
from .data import (
    ACTIVATION_CHOICES,
    GRADIENT_GAINS,
    SATURATION_STDS,
    gradient_norm_profile,
    saturation_data,
    training_runs,
)
from .draw_gradients import GradientPlot, TrainingPlot
from .draw_saturation import SaturationPlot

#: The initialisation menu: label -> (bpcode init name, whether std is free).
INIT_CHOICES = {
    "standard normal": ("normal", False),
    "Xavier": ("xavier_normal", False),
    "He": ("he", False),
    "custom std": ("normal", True),
}


class LiveView:
    """What every live view of the book has: the ipywidgets container
    ``widget``, shown when the view itself is displayed, and :meth:`holding`,
    for changing several of its controls with one redraw."""

    def __init__(self, widget):
        self.widget = widget
        self._holding = False

    @contextlib.contextmanager
    def holding(self):
        """Change several controls inside this block without a redraw for each."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class Explorer(LiveView):
    """A live figure and its controls, displayed as one ipywidgets container.

    ``widget`` is the container (display the Explorer itself, or this);
    ``controls`` maps each setting to its control; ``play`` is the Play control;
    ``plot`` draws the one matplotlib Figure, ``figure``, redrawn in place into
    ``image`` (an ``ipywidgets.Image``) on every change; ``data`` is what it
    shows now; ``updates`` counts the redraws.
    """

    def __init__(self, widget, controls, play, plot, image, compute, status):
        super().__init__(widget)
        self.controls, self.play = controls, play
        self.plot, self.figure, self.image, self.status = plot, plot.fig, image, status
        self._compute = compute
        self.data = None
        self.updates = 0

    def update(self, change=None):
        """Recompute from the controls' values and redraw the one figure."""
        if self._holding:
            return
        try:
            self.data = self._compute()
        except (ValueError, TypeError) as error:  # cannot happen through the controls
            self.status.value = f"<b>invalid setting:</b> {error}"
            return
        self.plot.update(self.data)
        self.image.value = canvas.png(self.figure)
        self.status.value = ""
        self.updates += 1


def _play(grid, value, interval, what):
    """A Play control over the indices of ``grid``, starting nearest ``value``."""
    import ipywidgets as widgets

    start = int(np.argmin(np.abs(np.log(grid) - math.log(value))))
    return widgets.Play(value=start, min=0, max=len(grid) - 1, step=1, interval=interval,
                        description="Play", tooltip=f"sweep the {what}")


def _link_play(play, slider, grid):
    """Drive ``slider`` (a FloatLogSlider) from ``play``'s frame index i: each
    change of the Play sets the slider to ``grid[i]``.

    The link lives in the kernel, not in the browser (``jslink``): ``jslink``
    needs two traits of one type (the Play's int index, the slider's float
    value), every frame needs a kernel recomputation anyway, and a kernel-side
    link makes the Play drivable from Python (tests). Unlike ``traitlets.dlink``
    it does not move the slider when it is made, so the initial value stays
    the one asked for.
    """

    def follow(change):
        slider.value = float(grid[change["new"]])

    play.observe(follow, names="value")


def _image():
    import ipywidgets as widgets

    return widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))


def saturation_widget(std=1.0, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                      threshold=0.01, seed=0, interval=400):
    """A live saturation figure with sliders for the weight std, the bias shift,
    the depth and the layer shown, and a Play control that sweeps the weight
    std over :data:`~bpcode.viz.data.SATURATION_STDS`. Returns an :class:`Explorer`."""
    import ipywidgets as widgets

    saturation_data(std, shift, depth, layer, width=width, n=n, threshold=threshold,
                    seed=seed)  # reject bad settings before building anything
    style = {"description_width": "initial"}
    c = {
        "std": widgets.FloatLogSlider(
            value=std, base=10, min=math.log10(SATURATION_STDS[0]),
            max=math.log10(SATURATION_STDS[-1]), step=0.01, readout_format=".3g",
            description="weight std", style=style),
        "shift": widgets.FloatSlider(value=shift, min=-4.0, max=4.0, step=0.25,
                                     description="bias shift", style=style),
        "depth": widgets.IntSlider(value=depth, min=1, max=max(10, depth),
                                   description="depth (L-1)", style=style),
        "layer": widgets.IntSlider(value=layer, min=2, max=depth + 1, description="layer l",
                                   style=style),
    }
    play = _play(SATURATION_STDS, c["std"].value, interval, "weight std")
    image, status = _image(), widgets.HTML()

    def compute():
        return saturation_data(c["std"].value, c["shift"].value, c["depth"].value,
                               c["layer"].value, width=width, n=n, threshold=threshold,
                               seed=seed)

    box = widgets.VBox([
        widgets.HBox([play, c["std"], c["shift"]]),
        widgets.HBox([c["depth"], c["layer"]]),
        image, status,
    ])
    explorer = Explorer(box, c, play, SaturationPlot(threshold), image, compute, status)

    def on_depth(change):
        with explorer.holding():
            c["layer"].max = change["new"] + 1  # clamps the layer shown if needed
        explorer.update()

    c["depth"].observe(on_depth, names="value")
    for key in ("std", "shift", "layer"):
        c[key].observe(explorer.update, names="value")
    explorer.update()
    _link_play(play, c["std"], SATURATION_STDS)  # syncs the slider to the Play's frame
    return explorer


class TrainingTab:
    """The training tab of :func:`gradient_norms_widget`: ``run()`` does what
    its ``button`` does; ``plot`` draws ``figure`` into ``image``; ``runs`` is
    the last :func:`~bpcode.viz.data.training_runs` result."""

    def __init__(self, button, run, plot, image, status):
        self.button, self.run, self.plot, self.image, self.status = (
            button, run, plot, image, status)
        self.figure = plot.fig
        self.runs = None


def gradient_norms_widget(depth=10, width=100, activation="relu", init="He", gain=1.0, *,
                          std=1.0, n=100, seed=0, train_width=50, clip_norm=1.0, eta=0.01,
                          epochs=30, interval=400):
    """A live per-layer gradient-norm figure.

    Controls: depth (1-30), width (1-200), activation, initialisation (a label
    of :data:`INIT_CHOICES`; "custom std" frees the std slider) and the gain,
    with a Play control sweeping the gain over
    :data:`~bpcode.viz.data.GRADIENT_GAINS`. A second tab trains the network of
    the current setting (at width ``train_width``) with and without clipping,
    on a button press, and shows the figure of
    :func:`~bpcode.viz.draw_gradients.training_norms_figure`. Returns an
    :class:`Explorer`; its ``training`` attribute is the :class:`TrainingTab`.
    """
    import ipywidgets as widgets

    if init not in INIT_CHOICES:
        raise ValueError(f"unknown init {init!r}: expected one of {list(INIT_CHOICES)}")
    gradient_norm_profile(depth, width, activation, INIT_CHOICES[init][0], gain, std=std,
                          n=n, seed=seed)  # reject bad settings before building anything
    style = {"description_width": "initial"}
    c = {
        "depth": widgets.IntSlider(value=depth, min=1, max=max(30, depth),
                                   description="depth (L-1)", style=style),
        "width": widgets.IntSlider(value=width, min=1, max=max(200, width),
                                   description="width", style=style),
        "activation": widgets.Dropdown(options=list(ACTIVATION_CHOICES), value=activation,
                                       description="activation", style=style),
        "init": widgets.Dropdown(options=list(INIT_CHOICES), value=init,
                                 description="init", style=style),
        "std": widgets.FloatLogSlider(value=std, base=10, min=-2, max=1, step=0.01,
                                      readout_format=".3g", description="custom std",
                                      disabled=not INIT_CHOICES[init][1], style=style),
        "gain": widgets.FloatLogSlider(value=gain, base=10, min=-1, max=1, step=0.01,
                                       readout_format=".3g", description="gain", style=style),
    }
    play = _play(GRADIENT_GAINS, c["gain"].value, interval, "gain")
    image, status = _image(), widgets.HTML()

    def settings():
        name, free_std = INIT_CHOICES[c["init"].value]
        return dict(depth=c["depth"].value, activation=c["activation"].value, init=name,
                    gain=c["gain"].value, std=c["std"].value if free_std else 1.0, seed=seed)

    def compute():
        return gradient_norm_profile(width=c["width"].value, n=n, **settings())

    # the second view: training histories, on demand
    train_plot, train_image = TrainingPlot(), _image()
    train_status = widgets.HTML(
        f"Trains the current setting at width {train_width} on sin(πx) for {epochs} epochs "
        f"(η = {eta:g}), once without and once with clip_norm = {clip_norm:g}.")
    button = widgets.Button(description="Train", icon="play", button_style="primary")

    def train(_=None):
        button.disabled = True
        train_status.value = "training..."
        try:
            runs = training_runs(width=train_width, clip_norm=clip_norm, eta=eta,
                                 epochs=epochs, **settings())
            train_plot.update(runs)
            train_image.value = canvas.png(train_plot.fig)
            train_status.value = " &nbsp;|&nbsp; ".join(
                f"<b>{key}</b>: {run.message}" for key, run in runs.items())
            explorer.training.runs = runs
        finally:
            button.disabled = False

    button.on_click(train)
    tabs = widgets.Tab(children=[widgets.VBox([image, status]),
                                 widgets.VBox([button, train_image, train_status])])
    tabs.titles = ("at initialisation", "during training")
    box = widgets.VBox([
        widgets.HBox([c["depth"], c["width"], c["activation"]]),
        widgets.HBox([c["init"], c["std"]]),
        widgets.HBox([play, c["gain"]]),
        tabs,
    ])
    explorer = Explorer(box, c, play, GradientPlot(), image, compute, status)
    explorer.training = TrainingTab(button, train, train_plot, train_image, train_status)

    def on_init(change):
        c["std"].disabled = not INIT_CHOICES[change["new"]][1]
        explorer.update()

    c["init"].observe(on_init, names="value")
    for key in ("depth", "width", "activation", "std", "gain"):
        c[key].observe(explorer.update, names="value")
    explorer.update()
    _link_play(play, c["gain"], GRADIENT_GAINS)
    return explorer

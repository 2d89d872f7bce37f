"""The live step-through for Jupyter, Binder and Thebe: ipywidgets controls
and the view of one frame (:mod:`bpcode.viz.step_html`).

The controls choose the network (inputs, hidden layers and their width,
outputs), a seed for its parameters and sample
(:func:`~bpcode.viz.steps.example_parameters`) and η; each change recomputes
the frames with :func:`~bpcode.viz.steps.stepthrough_data`. A step slider,
a Play control and Previous/Next buttons walk through them, and each step
redraws one ``ipywidgets.HTML``. ipywidgets is imported inside the function.
"""

from __future__ import annotations

from .step_html import CSS, INTERVAL_MS, view_html
from .steps import example_parameters, stepthrough_data
from .widgets import LiveView

#: What the size controls allow: (lowest, highest) for each.
INPUTS, HIDDEN_LAYERS, HIDDEN_UNITS, OUTPUTS = (1, 3), (1, 3), (1, 4), (1, 3)


class StepThrough(LiveView):
    """The live step-through, displayed as one ipywidgets container.

    ``widget`` is the container (display the StepThrough itself, or this);
    ``controls`` maps "inputs", "hidden layers", "hidden units", "outputs",
    "seed" and "eta" to their controls; ``step`` is the step slider (1 to the
    number of frames, as the frame's title counts), ``play`` the Play control
    linked to it, ``buttons`` the "previous" and "next" buttons; ``html`` shows
    the current frame. ``data`` is the :class:`~bpcode.viz.steps.Walkthrough`
    shown, ``frames`` its frames, ``index`` the current frame's index in
    ``frames`` (the step less one) and ``updates`` counts the redraws.
    """

    def __init__(self, widget, controls, step, play, buttons, html, compute):
        super().__init__(widget)
        self.controls, self.step, self.play = controls, step, play
        self.buttons, self.html = buttons, html
        self._compute = compute
        self.data = None
        self.updates = 0

    @property
    def frames(self):
        return self.data.frames

    @property
    def index(self):
        return self.step.value - 1

    def recompute(self, change=None, *, restart=True):
        """Recompute the frames from the controls; go back to the first step
        unless ``restart`` is false (η changes only the update, so the step
        shown stays)."""
        self.data = self._compute()
        with self.holding():
            for control in (self.step, self.play):
                control.max = len(self.data.frames)
            if restart:
                self.step.value = 1
        self.show()

    def show(self, change=None):
        """Draw the current step."""
        if self._holding:
            return
        self.html.value = (f'<style>{CSS}</style><div class="bp-step">'
                           f"{view_html(self.data, self.index)}</div>")
        self.updates += 1

    def move(self, by):
        """Go ``by`` steps forward (negative: back), within the frames."""
        self.step.value = min(max(self.step.value + by, 1), len(self.frames))


def stepthrough_widget(sizes=(2, 3, 2), seed=0, eta=0.5, *, interval=INTERVAL_MS):
    """A live step-through of one training step of a sigmoid network (quadratic
    cost) on one sample: sliders for the inputs (1-3), hidden layers (1-3),
    their units (1-4) and outputs (1-3), the seed of the parameters and the
    sample, η, and a step slider with Play, Previous and Next. ``sizes`` must
    fit the sliders, with hidden layers of one width. Returns a :class:`StepThrough`."""
    import ipywidgets as widgets
    import traitlets

    sizes = tuple(sizes)
    hidden = set(sizes[1:-1])
    ranges = ((sizes[0], INPUTS), (len(sizes) - 2, HIDDEN_LAYERS), (sizes[-1], OUTPUTS),
              *((m, HIDDEN_UNITS) for m in hidden))
    if len(sizes) < 3 or len(hidden) != 1 or any(not lo <= m <= hi for m, (lo, hi) in ranges):
        raise ValueError(f"sizes must be (inputs 1-3, 1-3 hidden layers of one width 1-4, "
                         f"outputs 1-3), got {sizes}")
    stepthrough_data(*example_parameters(sizes, seed), eta)  # reject bad settings first
    style = {"description_width": "initial"}

    def slider(value, limits, description):
        return widgets.IntSlider(value=value, min=limits[0], max=limits[1],
                                 description=description, style=style)

    c = {
        "inputs": slider(sizes[0], INPUTS, "inputs"),
        "hidden layers": slider(len(sizes) - 2, HIDDEN_LAYERS, "hidden layers"),
        "hidden units": slider(sizes[1], HIDDEN_UNITS, "units per hidden layer"),
        "outputs": slider(sizes[-1], OUTPUTS, "outputs"),
        "seed": widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed",
                                       style=style),
        "eta": widgets.FloatSlider(value=eta, min=0.05, max=5.0, step=0.05, description="η",
                                   style=style),
    }
    step = widgets.IntSlider(value=1, min=1, max=2, description="step", style=style)
    play = widgets.Play(value=1, min=1, max=2, interval=interval, description="Play",
                        tooltip="play the steps")
    # Kernel-side, like the other widgets: tests can drive it, and every step
    # needs the kernel's HTML anyway.
    traitlets.link((play, "value"), (step, "value"))
    buttons = {"previous": widgets.Button(description="Previous", tooltip="previous step"),
               "next": widgets.Button(description="Next", tooltip="next step")}
    html = widgets.HTML()

    def compute():
        n = c["hidden layers"].value
        chosen = (c["inputs"].value, *[c["hidden units"].value] * n, c["outputs"].value)
        return stepthrough_data(*example_parameters(chosen, c["seed"].value), c["eta"].value)

    box = widgets.VBox([
        widgets.HBox([c["inputs"], c["hidden layers"], c["hidden units"]]),
        widgets.HBox([c["outputs"], c["seed"], c["eta"]]),
        widgets.HBox([play, buttons["previous"], buttons["next"], step]),
        html,
    ])
    walker = StepThrough(box, c, step, play, buttons, html, compute)
    for key in ("inputs", "hidden layers", "hidden units", "outputs", "seed"):
        c[key].observe(walker.recompute, names="value")
    c["eta"].observe(lambda change: walker.recompute(restart=False), names="value")
    step.observe(walker.show, names="value")
    buttons["previous"].on_click(lambda _: walker.move(-1))
    buttons["next"].on_click(lambda _: walker.move(1))
    walker.recompute()
    return walker

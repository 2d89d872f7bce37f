"""The saturation and gradient-norm widgets and animations of bpcode.viz.

Each widget is built in Python and driven through its controls (slider values,
Play steps, the Train button); the figure's plotted data must change and must
equal bpcode's own diagnostics for the same settings, computed here from a
network built independently with the documented recipe. Bad settings must be
impossible through the controls and rejected, with the argument named, by the
functions. The static animations must have the expected frames and no external
URL. Matplotlib runs on Agg.
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bpcode  # noqa: E402
from bpcode import viz  # noqa: E402
from bpcode.viz import style  # noqa: E402

pytest.importorskip("ipywidgets")

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------- independent recipes


def fixed_batch(width, n, seed):
    rng = np.random.default_rng((seed, 1))
    return rng.standard_normal((n, width)), rng.standard_normal((n, width))


def expected_saturation(std, shift, depth, layer, width=100, n=200, threshold=0.01, seed=0):
    net = bpcode.Network([width] * (depth + 1), hidden="sigmoid", output="sigmoid",
                         init="normal", std=std, seed=seed)
    if shift:
        net.set_parameters(net.W, {l: b + shift for l, b in net.b.items()})
    x, _ = fixed_batch(width, n, seed)
    layers, fractions = bpcode.saturation(net, x, threshold=threshold)
    return net.forward(x).z[layer].ravel(), layers, fractions


def expected_norms(depth, width, activation, init, gain, std=1.0, n=100, seed=0):
    net = bpcode.Network([width] * (depth + 1), hidden=activation, output="identity",
                         cost="quadratic", init=init, std=std, gain=gain, seed=seed)
    x, t = fixed_batch(width, n, seed)
    with np.errstate(all="ignore"):
        return bpcode.gradient_norms(net, x, t)


def plotted_saturation(explorer):
    plot = explorer.plot
    return (plot.frac_line.get_xdata(), plot.frac_line.get_ydata(),
            plot.hist.get_data().values)


def plotted_norms(explorer):
    plot = explorer.plot
    return (plot.weight_line.get_xdata(), plot.weight_line.get_ydata(),
            plot.delta_line.get_xdata(), plot.delta_line.get_ydata())


def histogram_density(z, edges):
    counts, _ = np.histogram(z, bins=edges)
    return counts / (z.size * np.diff(edges))


def assert_single_figure(explorer, figure, n_axes):
    """One figure, updated in place: no pyplot figures, same Figure, same axes."""
    assert plt.get_fignums() == []
    assert explorer.figure is figure
    assert len(figure.axes) == n_axes


# ------------------------------------------------------------------------ imports


def test_import_bpcode_needs_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, bpcode, bpcode.viz; "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ------------------------------------------------------------------ pure functions


@pytest.mark.parametrize("std, shift, depth, layer", [(0.05, 0.0, 3, 2), (1.0, -2.0, 5, 4),
                                                       (2.5, 1.5, 1, 2)])
def test_saturation_data_equals_bpcode(std, shift, depth, layer):
    data = viz.saturation_data(std, shift, depth, layer)
    z, layers, fractions = expected_saturation(std, shift, depth, layer)
    np.testing.assert_array_equal(data.z, z)
    np.testing.assert_array_equal(data.layers, layers)
    np.testing.assert_array_equal(data.fractions, fractions)


@pytest.mark.parametrize("activation, init, gain, std", [
    ("relu", "he", 1.0, 1.0), ("tanh", "xavier_normal", 0.5, 1.0),
    ("sigmoid", "normal", 1.0, 0.3), ("relu", "normal", 2.0, 0.1)])
def test_gradient_norm_profile_equals_bpcode(activation, init, gain, std):
    profile = viz.gradient_norm_profile(7, 30, activation, init, gain, std=std)
    norms = expected_norms(7, 30, activation, init, gain, std=std)
    np.testing.assert_array_equal(profile.layers, norms.layers)
    np.testing.assert_array_equal(profile.weight, norms.weight)
    np.testing.assert_array_equal(profile.delta, norms.delta)
    assert list(profile.layers) == list(range(2, 9))


def test_training_runs_diverge_without_clipping_and_train_with_it():
    runs = viz.training_runs()  # relu, He, gain 1.5, eta 0.01: exploding
    unclipped, clipped = runs["unclipped"], runs["clipped"]
    assert unclipped.diverged_epoch == 1
    assert unclipped.history.epoch == [0]  # the error's history, up to divergence
    assert clipped.diverged_epoch is None and clipped.clip_norm == 1.0
    assert len(clipped.history.epoch) == 31
    assert clipped.history.loss[-1] < clipped.history.loss[0]
    assert sum(clipped.history.clipped_steps) > 0


# ----------------------------------------------------------- the saturation widget


def test_saturation_widget_follows_its_controls():
    w = viz.saturation_widget()
    fig, n_axes = w.figure, len(w.figure.axes)
    assert bytes(w.image.value)[:4] == b"\x89PNG"
    assert "application/vnd.jupyter.widget-view+json" in w._repr_mimebundle_()

    settings = [dict(std=0.05), dict(shift=-2.0), dict(depth=6), dict(layer=5),
                dict(std=2.0, shift=1.0)]
    state = dict(std=1.0, shift=0.0, depth=4, layer=2)
    before = plotted_saturation(w)
    for change in settings:
        png, updates = bytes(w.image.value), w.updates
        for key, value in change.items():
            w.controls[key].value = value
        state.update(change)
        after = plotted_saturation(w)
        assert w.updates > updates and bytes(w.image.value) != png
        assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
        z, layers, fractions = expected_saturation(**state)
        np.testing.assert_array_equal(after[0], layers)
        np.testing.assert_array_equal(after[1], fractions)
        np.testing.assert_array_equal(after[2], histogram_density(z, w.plot.edges))
        assert w.data.layer == state["layer"] and w.data.depth == state["depth"]
        assert_single_figure(w, fig, n_axes)
        before = after


def test_saturation_play_sweeps_the_weight_std():
    w = viz.saturation_widget(depth=3)
    grid = viz.SATURATION_STDS
    assert (w.play.min, w.play.max) == (0, len(grid) - 1)
    assert grid[0] < grid[-1]  # small to large
    fractions = []
    for i in range(0, len(grid), 6):
        w.play.value = i
        assert w.controls["std"].value == pytest.approx(grid[i])
        _, _, expected = expected_saturation(w.controls["std"].value, 0.0, 3, 2)
        np.testing.assert_array_equal(w.plot.frac_line.get_ydata(), expected)
        fractions.append(expected.mean())
    assert fractions[0] == 0 and fractions[-1] > 0.5  # from linear to saturated
    assert_single_figure(w, w.figure, 3)


def test_saturation_layer_slider_follows_depth():
    w = viz.saturation_widget(depth=6, layer=7)
    assert (w.controls["layer"].min, w.controls["layer"].max) == (2, 7)
    updates = w.updates
    w.controls["depth"].value = 3
    assert w.controls["layer"].max == 4 and w.controls["layer"].value == 4
    assert w.updates == updates + 1  # one redraw for the depth change, not two
    assert w.data.layer == 4 and list(w.data.layers) == [2, 3, 4]


# -------------------------------------------------------- the gradient-norm widget


def test_gradient_widget_follows_its_controls():
    w = viz.gradient_norms_widget(depth=5, width=20)
    fig, n_axes = w.figure, len(w.figure.axes)
    state = dict(depth=5, width=20, activation="relu", init="He", gain=1.0, std=1.0)
    inits = {"standard normal": "normal", "Xavier": "xavier_normal", "He": "he",
             "custom std": "normal"}
    changes = [dict(depth=20), dict(width=37), dict(activation="sigmoid"),
               dict(init="standard normal"), dict(activation="tanh", init="Xavier"),
               dict(init="custom std"), dict(std=0.2), dict(gain=3.0),
               dict(activation="relu", init="He", gain=0.3)]
    before = plotted_norms(w)
    for change in changes:
        png = bytes(w.image.value)
        for key, value in change.items():
            w.controls[key].value = value
        state.update(change)
        after = plotted_norms(w)
        assert bytes(w.image.value) != png
        assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
        std = state["std"] if state["init"] == "custom std" else 1.0
        norms = expected_norms(state["depth"], state["width"], state["activation"],
                               inits[state["init"]], state["gain"], std=std)
        np.testing.assert_array_equal(after[0], norms.layers)
        np.testing.assert_array_equal(after[1], norms.weight)
        np.testing.assert_array_equal(after[2], norms.layers)
        np.testing.assert_array_equal(after[3], norms.delta)
        assert w.controls["std"].disabled == (state["init"] != "custom std")
        assert_single_figure(w, fig, n_axes)
        before = after


def test_gradient_play_sweeps_from_vanishing_to_exploding():
    w = viz.gradient_norms_widget(depth=15, width=50)
    grid = viz.GRADIENT_GAINS
    ratios = []
    for i in range(len(grid)):
        w.play.value = i
        assert w.controls["gain"].value == pytest.approx(grid[i])
        norms = expected_norms(15, 50, "relu", "he", w.controls["gain"].value)
        np.testing.assert_array_equal(w.plot.delta_line.get_ydata(), norms.delta)
        ratios.append(norms.delta[0] / norms.delta[-1])  # ‖δ^2‖ / ‖δ^L‖
    assert ratios[0] < 1e-2 and ratios[-1] > 1e2  # vanishing ... exploding
    assert np.all(np.diff(np.log(ratios)) > 0)
    assert_single_figure(w, w.figure, 1)


def test_gradient_widget_training_view():
    w = viz.gradient_norms_widget(depth=4, width=20, train_width=20, epochs=5)
    w.controls["gain"].value = 1.5
    assert bytes(w.training.image.value) == b""
    w.training.run()  # what the Train button does
    runs = w.training.runs
    assert set(runs) == {"unclipped", "clipped"}
    assert bytes(w.training.image.value)[:4] == b"\x89PNG"
    for ax, key in zip(w.training.figure.axes[:2], ("unclipped", "clipped"), strict=True):
        history = runs[key].history
        norms = viz.weight_norms(history)
        lines = [line for line in ax.get_lines() if len(line.get_xdata()) == len(history.epoch)]
        assert len(lines) == len(history.layers)
        for i, line in enumerate(lines):
            np.testing.assert_array_equal(line.get_ydata(), norms[:, i])
    assert plt.get_fignums() == []


def test_training_norms_figure_marks_divergence():
    result = viz.training_norms_figure(epochs=5)
    runs = result.runs
    left, right = result.figure.axes[:2]
    assert result._repr_png_()[:4] == b"\x89PNG"  # what a notebook shows
    assert runs["unclipped"].diverged_epoch == 1
    assert "diverged" in left.get_title()
    marks = [line for line in left.get_lines()
             if list(line.get_xdata()) == [1, 1]]  # the red line at the diverged epoch
    assert len(marks) == 1
    history = runs["clipped"].history
    np.testing.assert_array_equal(right.get_lines()[0].get_ydata(),
                                  viz.weight_norms(history)[:, 0])
    assert plt.get_fignums() == []


# --------------------------------------------------------------------- bad settings


def test_controls_cannot_reach_bad_settings():
    s = viz.saturation_widget()
    g = viz.gradient_norms_widget(depth=3, width=10)
    for control in (s.controls["depth"], g.controls["depth"], g.controls["width"]):
        assert control.min >= 1
        control.value = 0
        assert control.value == control.min >= 1
        control.value = -5
        assert control.value >= 1
    assert s.controls["layer"].min == 2
    for control in (s.controls["std"], g.controls["gain"], g.controls["std"]):
        assert control.base ** control.min > 0  # a log slider is positive by construction
        control.value = -1.0
        assert control.value > 0
        control.value = 0.0
        assert control.value > 0
    s.controls["layer"].value = 99
    assert s.controls["layer"].value == s.controls["depth"].value + 1
    assert list(g.controls["activation"].options) == ["sigmoid", "tanh", "relu"]
    assert list(g.controls["init"].options) == ["standard normal", "Xavier", "He",
                                               "custom std"]
    assert "invalid" not in s.status.value and "invalid" not in g.status.value


@pytest.mark.parametrize("call, name", [
    (lambda: viz.saturation_data(depth=0), "depth"),
    (lambda: viz.saturation_data(width=0), "width"),
    (lambda: viz.saturation_data(std=-1.0), "std"),
    (lambda: viz.saturation_data(std=0.0), "std"),
    (lambda: viz.saturation_data(depth=3, layer=5), "layer"),
    (lambda: viz.saturation_data(layer=1), "layer"),
    (lambda: viz.saturation_data(threshold=0), "threshold"),
    (lambda: viz.saturation_data(shift=float("nan")), "shift"),
    (lambda: viz.gradient_norm_profile(depth=0), "depth"),
    (lambda: viz.gradient_norm_profile(width=0), "width"),
    (lambda: viz.gradient_norm_profile(gain=-0.5), "gain"),
    (lambda: viz.gradient_norm_profile(std=0), "std"),
    (lambda: viz.gradient_norm_profile(activation="softmax"), "activation"),
    (lambda: viz.gradient_norm_profile(init="glorot"), "init"),
    (lambda: viz.gradient_norm_profile(n=0), "n"),
    (lambda: viz.training_runs(depth=0), "depth"),
    (lambda: viz.training_runs(clip_norm=-1.0), "clip_norm"),
    (lambda: viz.saturation_widget(depth=0), "depth"),
    (lambda: viz.gradient_norms_widget(width=0), "width"),
    (lambda: viz.gradient_norms_widget(init="he"), "init"),
    (lambda: viz.gradient_norms_animation(gains=[1.0, -1.0]), "gain"),
])
def test_functions_reject_bad_settings(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: viz.saturation_data(depth=2.5), "depth"),
    (lambda: viz.gradient_norm_profile(width="100"), "width"),
    (lambda: viz.gradient_norm_profile(gain="big"), "gain"),
    (lambda: viz.saturation_data(seed=-1), "seed"),
])
def test_functions_reject_wrong_types(call, name):
    with pytest.raises((TypeError, ValueError), match=rf"\b{name}\b"):
        call()


# ----------------------------------------------------------------- static animations


def frames_of(html):
    """The PNG frames of a to_jshtml animation, decoded."""
    found = re.findall(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"', html)
    assert [int(i) for i, _ in found] == list(range(len(found)))
    return [base64.b64decode(b.replace("\\\n", "")) for _, b in found]


def assert_offline(html):
    assert "font-awesome" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)
    assert "http://" not in html and "https://" not in html


@pytest.fixture(scope="module")
def saturation_html():
    return viz.saturation_animation()


@pytest.fixture(scope="module")
def gradient_html():
    return viz.gradient_norms_animation()


@pytest.mark.parametrize("name, frames", [("saturation_html", len(viz.SATURATION_STDS)),
                                          ("gradient_html", len(viz.GRADIENT_GAINS))])
def test_animation_has_frames_and_no_external_url(request, name, frames):
    from PIL import Image

    html = request.getfixturevalue(name)
    assert html.frames == frames and 20 <= frames <= 30
    assert f"new Array({frames})" in html.data
    pngs = frames_of(html.data)
    assert len(pngs) == frames
    sizes = {Image.open(io.BytesIO(p)).size for p in pngs}
    assert len(sizes) == 1  # every frame the same size
    assert len({p for p in pngs}) == frames  # every frame different
    assert_offline(html.data)
    assert len(html.data.encode()) < 1_000_000  # two per page stay well under 3 MB
    assert plt.get_fignums() == []


def test_animation_frames_match_the_widget_data():
    values = [0.02, 0.3, 2.0]
    html = viz.saturation_animation(stds=values, colors=None)
    assert html.frames == 3 and len(frames_of(html.data)) == 3
    html = viz.gradient_norms_animation(depth=5, width=20, gains=values, colors=None)
    assert html.frames == 3 and len(frames_of(html.data)) == 3
    assert_offline(html.data)


@pytest.mark.parametrize("name", ["saturation_html", "gradient_html"])
def test_animation_controls_are_accessible(request, name):
    """Issue 12: the frame has alt text and sits in the book's figure box, the
    slider has a name and a value text per frame, the buttons have names, and
    the Font Awesome icons are hidden from screen readers."""
    html = request.getfixturevalue(name)
    page = html.data
    (frame,) = re.findall(r'<div class="([^"]+)"><img id="_anim_img\w+" alt="([^"]{80,})">', page)
    assert frame[0] == viz.animation.FRAME_BOX_CLASS
    assert re.search(r'<input id="_anim_slider\w+" type="range" aria-label="[^"]{10,}"', page)
    texts = re.search(r"var texts = (\[.*?\]);", page)
    assert texts and len(json.loads(texts.group(1))) == html.frames
    assert len(set(json.loads(texts.group(1)))) == html.frames  # each frame says what it shows
    buttons = re.findall(r"<button\b[^>]*>", page)
    assert len(buttons) == 9 and all('aria-label="' in b for b in buttons)
    icons = re.findall(r"<i\b[^>]*>", page)
    assert icons and all('aria-hidden="true"' in i for i in icons)


def test_animations_need_alt_text_and_a_slider_label():
    # checked before the animation is rendered, so no animation is needed
    with pytest.raises(ValueError, match="alt"):
        viz.offline_jshtml(None, fps=3, alt=" ", label="frame")
    with pytest.raises(ValueError, match="label"):
        viz.offline_jshtml(None, fps=3, alt="a plot", label="")


# ---------------------------------------------------------------------- tables


def test_html_table_right_aligns_numbers_and_their_columns():
    table = viz.html_table(["name", "time", "ratio"],
                           [["a", "5.31 ms", "1.01 (0.98–1.05)"], ["b", 2, "–"]],
                           caption="Times").data
    assert table.startswith('<div class="bpbook-table-scroll" role="region" tabindex="0" '
                            'aria-label="Times"><table class="bpbook-table"><caption>Times')
    assert '<th scope="col">name</th>' in table  # text: left
    assert '<th scope="col" class="num">time</th>' in table  # a column of numbers
    assert '<td class="num">5.31\u00a0ms</td>' in table  # a number keeps its unit
    assert '<td class="num">–</td>' in table  # a missing number, aligned with the others
    assert "<td>a</td>" in table


# --------------------------------------------------------------------------- style


def figure_of(name):
    """Each figure that bpcode.viz shows in the book or in a widget, after a draw."""
    if name == "saturation widget":
        return viz.saturation_widget().figure
    if name == "gradient widget":
        return viz.gradient_norms_widget(depth=5, width=20).figure
    if name == "training tab":
        w = viz.gradient_norms_widget(depth=4, width=20, train_width=20, epochs=5)
        w.training.run()
        return w.training.figure
    if name == "training figure":
        return viz.training_norms_figure(epochs=5).figure
    if name in CHAPTER_FIGURES:
        return CHAPTER_FIGURES[name]().figure
    if name == "saturation animation":
        return viz.saturation_animation(stds=[0.02, 2.0], colors=None).figure
    assert name == "gradient animation"
    return viz.gradient_norms_animation(depth=5, width=20, gains=[0.5, 2.0], colors=None).figure


CHAPTER_FIGURES = {
    "layer step": viz.layer_step_figure,
    "sigmoid": viz.sigmoid_figure,
    "layer graph": viz.layer_graph_figure,
    "confusion matrix": lambda: viz.confusion_figure(np.arange(100).reshape(10, 10) % 47),
}
FIGURES = ["saturation widget", "gradient widget", "training tab", "training figure",
           "saturation animation", "gradient animation", *CHAPTER_FIGURES]


@pytest.mark.parametrize("name", FIGURES)
def test_every_text_is_at_least_10_css_px_at_1280(name):
    """Issue 12: every text of a figure is at least 10 CSS px when the book is
    read at 1280 px, where the column is style.COLUMN_PX wide. A figure W inches
    wide at D dpi is shown at min(D W, column) px, so F points show at
    F/72 min(D, column/W) px; tick labels exist only once the figure is drawn."""
    from matplotlib.text import Text

    fig = figure_of(name)
    png = viz.png(fig)  # draws it, in the style, as the widget and the book do
    width_px = round(fig.get_figwidth() * fig.dpi)
    assert int.from_bytes(png[16:20], "big") == width_px == style.COLUMN_PX  # shown 1:1
    ticks = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()
             if t.get_visible() and t.get_text()]
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts and {id(t) for t in ticks} <= {id(t) for t in texts}  # the walk sees them
    shown = [(t.get_text(), style.shown_px(t.get_fontsize(), fig.get_figwidth(), fig.dpi))
             for t in texts]
    assert [(text, round(px, 1)) for text, px in shown if px < style.MIN_TEXT_PX] == []


def test_figures_use_the_style_and_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    fig = viz.gradient_norms_widget(depth=3, width=10).figure
    assert dict(matplotlib.rcParams) == before
    ax = fig.axes[0]
    assert ax.get_lines()[0].get_color() == style.BACKWARD  # a gradient
    assert ax.xaxis.label.get_fontname() == "DejaVu Sans"
    assert ax.xaxis.label.get_fontsize() == style.FONT_SIZE
    line = viz.saturation_widget().figure.axes[0].get_lines()[0]  # sigma(z), the forward pass
    assert line.get_color() == style.FORWARD


def test_use_style_sets_the_pages_rcparams():
    with matplotlib.rc_context():
        viz.use_style()
        rc = matplotlib.rcParams
        assert rc["figure.dpi"] == style.DPI and rc["font.size"] == style.FONT_SIZE
        assert rc["mathtext.fontset"] == "dejavusans"
        assert rc["axes.prop_cycle"].by_key()["color"][:2] == [style.FORWARD, style.BACKWARD]
        fig, ax = plt.subplots()
        assert fig.get_figwidth() == style.WIDTH
        plt.close(fig)


# ------------------------------------------------------------------ the built book


PAGE = ROOT / "_build" / "html" / "book" / "learning-challenges.html"


@pytest.mark.book
def test_built_page_plays_the_animations_offline():
    """Run after test_book.py has built the book (``python -m pytest -m book``)."""
    source = ROOT / "book" / "learning-challenges.md"
    if "viz.saturation_animation(" not in source.read_text(encoding="utf8"):
        pytest.skip("book/learning-challenges.md does not show the animations yet")
    if not PAGE.is_file() or PAGE.stat().st_mtime < source.stat().st_mtime:
        pytest.skip("no fresh book build; run python -m pytest -m book")
    html = PAGE.read_text(encoding="utf8")
    counts = [int(n) for n in re.findall(r"frames = new Array\((\d+)\)", html)]
    assert sorted(counts) == sorted([len(viz.SATURATION_STDS), len(viz.GRADIENT_GAINS)])
    assert len(re.findall(r'frames\[\d+\] = "data:image/png;base64,', html)) == sum(counts)
    assert "font-awesome" not in html.lower()
    # no inert widgets: neither saved widget state nor widget views in the page
    assert "application/vnd.jupyter.widget-state+json" not in html
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert PAGE.stat().st_size <= 3_000_000

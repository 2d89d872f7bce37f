"""The step-through of one training step (bpcode.viz.steps, draw_network,
step_html, step_widget).

For the worked example of the derivation page and for other sizes and seeds
(up to three hidden layers), every number a frame shows must equal what bpcode
computes for that network, built here independently with
``Network.set_parameters``, ``Network.backward`` and ``bpcode.update``; the
frames must come in the algorithm's order; every value must appear when it is
computed and stay visible; each equation must substitute the frame's numbers;
the SVG must hold the texts, large enough, with layer superscripts in
parentheses. The player and the widget are driven through their controls.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

import bpcode
from bpcode import viz
from bpcode.viz import style
from bpcode.viz.draw_network import FONT_PX
from bpcode.viz.notation import number, symbol

pytest.importorskip("ipywidgets")

# The worked example of book/backpropagation.md.
W_EXAMPLE = {2: np.array([[0.2, -0.4, 0.6], [0.5, 0.3, -0.1]]),
             3: np.array([[0.7, -0.3], [-0.5, 0.4], [0.2, 0.8]])}
b_EXAMPLE = {2: np.array([0.1, -0.2, 0.0]), 3: np.array([0.0, 0.1])}
x_EXAMPLE, t_EXAMPLE, ETA = np.array([1.0, 2.0]), np.array([1.0, 0.0]), 0.5

CASES = {
    "worked example": (W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA),
    "3-4-2, seed 1": (*viz.example_parameters((3, 4, 2), 1), 1.5),
    "1-2-2-1, seed 2": (*viz.example_parameters((1, 2, 2, 1), 2), 0.1),
    "2-4-3-2-3 (three hidden layers)": (*viz.example_parameters((2, 4, 3, 2, 3), 3), 2.0),
    "3-1-1, seed 4": (*viz.example_parameters((3, 1, 1), 4), 0.5),
}


class Reference:
    """bpcode's numbers for one case, computed without bpcode.viz."""

    def __init__(self, W, b, x, t, eta):
        sizes = [W[2].shape[0]] + [W[l].shape[1] for l in sorted(W)]
        net = bpcode.Network(sizes, hidden="sigmoid", output="sigmoid", cost="quadratic")
        net.set_parameters(W, b)
        self.net, self.L, self.t, self.eta = net, net.L, np.asarray(t, dtype=float), eta
        self.g = net.backward(x, t)
        self.W_new, self.b_new = bpcode.update(net.W, net.b, self.g.dW, self.g.db, eta)

    def value(self, key):
        """bpcode's value of a frame key (units counted from 1)."""
        name, *index = key
        g = self.g
        if name == "C":
            return g.loss
        if name in ("t", "eta"):
            return self.t[index[0] - 1] if name == "t" else self.eta
        l, *units = index
        units = tuple(u - 1 for u in units)
        arrays = {"a": g.a[l][0], "z": g.z.get(l, [None])[0], "delta": g.delta.get(l, [None])[0],
                  "dC/db": g.db.get(l), "dC/dw": g.dW.get(l), "b_new": self.b_new.get(l),
                  "w_new": self.W_new.get(l), "w": self.net.W.get(l), "b": self.net.b.get(l)}
        if name in arrays:
            return arrays[name][units]
        a = g.a[l][0]
        if name == "f'":
            return (a * (1 - a))[units]
        if name == "dC/da":
            return (a - self.t)[units]
        assert name == "sum", key
        return (self.net.W[l + 1] @ g.delta[l + 1][0])[units]


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    W, b, x, t, eta = CASES[request.param]
    return viz.stepthrough_data(W, b, x, t, eta), Reference(W, b, x, t, eta)


# ------------------------------------------------------------------------ the numbers


def test_every_value_equals_bpcode(case):
    walk, ref = case
    for frame in walk.frames:
        for key, value in frame.values.items():
            assert value == ref.value(key), (frame.label, key)  # read from bpcode, not redone


def test_every_substituted_number_equals_bpcode(case):
    walk, ref = case
    for frame in walk.frames:
        for key, value in frame.inputs.items():
            if key[0] in ("f'", "sum"):  # computed here in another order
                assert value == pytest.approx(ref.value(key), rel=1e-14, abs=1e-16), key
            else:
                assert value == ref.value(key), (frame.label, key)


def test_every_quantity_of_the_step_is_shown(case):
    walk, ref = case
    known = walk.frames[-1].known
    L, sizes = ref.L, walk.sizes
    expected = {("C",)} | {("a", 1, i) for i in range(1, sizes[0] + 1)}
    for l in range(2, L + 1):
        for j in range(1, sizes[l - 1] + 1):
            expected |= {("z", l, j), ("a", l, j), ("delta", l, j), ("dC/db", l, j),
                         ("b_new", l, j)}
            expected |= {(n, l, i, j) for n in ("dC/dw", "w_new")
                         for i in range(1, sizes[l - 2] + 1)}
    assert set(known) == expected
    np.testing.assert_array_equal(walk.gradients.dW[2], ref.g.dW[2])
    for l in range(2, L + 1):
        np.testing.assert_array_equal(walk.W_new[l], ref.W_new[l])
        np.testing.assert_array_equal(walk.b_new[l], ref.b_new[l])


# ------------------------------------------------------------------------- the order


def test_frames_follow_the_algorithm(case):
    walk, ref = case
    L, sizes = ref.L, walk.sizes
    units = {l: list(range(1, sizes[l - 1] + 1)) for l in range(1, L + 1)}
    expected = [("input", 1, "a")]
    expected += [("forward", l, q) for l in range(2, L + 1) for _ in units[l] for q in "za"]
    expected += [("cost", L, "C")] + [("BP1", L, "delta")] * sizes[-1]
    expected += [("BP2", l, "delta") for l in range(L - 1, 1, -1) for _ in units[l]]
    expected += [("gradients", l, "dC/db") for l in range(2, L + 1) for _ in units[l]]
    expected += [("update", l, "b_new") for l in range(2, L + 1) for _ in units[l]]
    got = [(f.stage, f.layer, next(iter(f.values))[0]) for f in walk.frames]
    assert got == expected
    # unit by unit within a layer, z before a
    forward = [f for f in walk.frames if f.stage == "forward"]
    assert [(f.layer, f.units) for f in forward[::2]] == [(l, (j,)) for l in range(2, L + 1)
                                                          for j in units[l]]
    stages = [viz.STAGES.index(f.stage) for f in walk.frames]
    assert stages == sorted(stages)
    last_forward = max(i for i, f in enumerate(walk.frames) if f.stage in ("input", "forward",
                                                                            "cost"))
    first_backward = min(i for i, f in enumerate(walk.frames) if f.stage == "BP1")
    assert last_forward < first_backward


def test_values_appear_when_computed_and_stay(case):
    walk, _ = case
    seen = {}
    for n, frame in enumerate(walk.frames):
        assert set(frame.values).isdisjoint(seen), frame.label  # computed once
        assert frame.known == {**seen, **frame.values}
        seen.update(frame.values)
        svg = html.unescape(viz.step_html.frame_svg(walk, n))
        for key, value in seen.items():
            if key[0] in ("z", "a", "delta"):  # the unit's box keeps them
                name = {"delta": "δ"}.get(key[0], key[0])
                assert f"{symbol(name, *key[1:])}  {number(value)}" in svg, (frame.label, key)


def test_bp2_lights_up_the_connections_that_carry_delta_back(case):
    walk, _ = case
    for frame in walk.frames:
        if frame.stage == "BP2":
            l, (j,) = frame.layer, frame.units
            assert frame.connections == tuple((l + 1, j, k)
                                              for k in range(1, walk.sizes[l] + 1))
            svg = viz.step_html.frame_svg(walk, walk.frames.index(frame))
            assert len(re.findall(r'<line [^>]*class="bps-b"/>', svg)) == len(frame.connections)


# ---------------------------------------------------------------------- the equations


def test_equations_substitute_the_frames_numbers(case):
    walk, _ = case
    for frame in walk.frames:
        text = "\n".join(frame.equation)
        for value in [*frame.values.values(), *frame.inputs.values()]:
            assert number(value) in text, (frame.label, number(value), text)


def test_equation_of_bp2_reads_as_the_chapter_writes_it():
    walk = viz.stepthrough_data(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA)
    frame = next(f for f in walk.frames if f.stage == "BP2" and f.units == (1,))
    g = walk.gradients
    fprime = g.a[2][0, 0] * (1 - g.a[2][0, 0])
    assert frame.equation[0] == "δ₁⁽²⁾ = σ′(z₁⁽²⁾)(w₁₁⁽³⁾δ₁⁽³⁾ + w₁₂⁽³⁾δ₂⁽³⁾)"
    assert frame.equation[1] == (f"= {number(fprime)} × (0.700 × {'(' + number(g.delta[3][0, 0])}) "
                                 f"+ (−0.300) × {number(g.delta[3][0, 1])})")
    assert frame.equation[2].endswith(f"= {number(g.delta[2][0, 0])}")
    assert frame.label == "BP2, layer (2), unit 1: δ₁⁽²⁾"


SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def layer_superscripts_are_parenthesised(text):
    """No superscript digit outside ⁽…⁾ (a power, ")²", is allowed)."""
    rest = re.sub(f"⁽[{SUPERSCRIPT_DIGITS}]+⁾", "", text)
    rest = rest.replace(")²", "")
    return not re.search(f"[{SUPERSCRIPT_DIGITS}]", rest)


def test_layer_superscripts_are_in_parentheses(case):
    walk, _ = case
    for n, frame in enumerate(walk.frames):
        for text in (*frame.equation, frame.label, viz.step_html.frame_svg(walk, n)):
            assert layer_superscripts_are_parenthesised(text), text
    assert "z₁⁽²⁾" in walk.frames[1].equation[0]
    assert not layer_superscripts_are_parenthesised("z₁²")


def test_numbers_are_formatted_for_reading():
    assert [number(v) for v in (1.3, -0.0709, 0.5, 123.4, 1e-5, -5.55e-17, 0.0)] == [
        "1.30", "−0.0709", "0.500", "123", "1.00e−05", "0.00", "0.00"]
    assert symbol("w", 3, 1, 2) == "w₁₂⁽³⁾" and symbol("t", None, 2) == "t₂"
    assert symbol("w", 2, 10, 1) == "w₁₀,₁⁽²⁾"


# --------------------------------------------------------------------------- the SVG


def texts(svg):
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_each_frame_shows_what_it_computes(case):
    walk, _ = case
    for n, frame in enumerate(walk.frames):
        shown = texts(viz.step_html.frame_svg(walk, n))
        joined = "\n".join(shown)
        for key, value in frame.values.items():
            if key[0] == "w_new":
                l, i, j = key[1:]
                assert f"{number(walk.W[l][i - 1, j - 1])} → {number(value)}" in shown
            elif key[0] == "C":
                assert f"cost C  {number(value)}" in shown
            else:
                assert number(value) in joined, (frame.label, key)
        assert f"Step {n + 1} of {len(walk.frames)}: {frame.label}" in html.unescape(
            viz.step_html.frame_svg(walk, n))  # its accessible name


def test_text_is_large_enough_and_the_example_fits_the_column():
    walk = viz.stepthrough_data(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA)
    svg = viz.step_html.frame_svg(walk, 0)
    css = viz.step_html.CSS
    sizes = [float(s) for s in re.findall(r"font-size:([\d.]+)px", css)]
    assert min(sizes) >= style.MIN_TEXT_PX and FONT_PX in sizes
    assert "font-size" not in svg  # every size comes from the CSS
    width = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    assert width + 2 * 6 + 2 <= style.COLUMN_PX  # with the box's padding and border: not scaled
    figure = viz.network_figure(W=W_EXAMPLE, b=b_EXAMPLE, x=x_EXAMPLE, t=t_EXAMPLE).svg
    assert int(re.search(r'<svg[^>]* width="(\d+)"', figure).group(1)) <= style.COLUMN_PX


def contrast(colour, background="#ffffff"):
    def luminance(c):
        channels = [int(c[k:k + 2], 16) / 255 for k in (1, 3, 5)]
        linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_reach_aa_contrast_on_their_backgrounds():
    for colour in (style.FORWARD, style.BACKWARD_TEXT, style.MUTED_TEXT):
        for background in ("#ffffff", "#eef5fb", "#fdf1e9"):  # white and the two unit tints
            assert contrast(colour, background) >= 4.5, (colour, background)
    assert contrast(style.BACKWARD) < 4.5  # why BACKWARD_TEXT exists


def test_network_figure_shows_the_state_after_the_backward_pass():
    figure = viz.network_figure(W=W_EXAMPLE, b=b_EXAMPLE, x=x_EXAMPLE, t=t_EXAMPLE)
    svg = figure._repr_svg_()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<style>" in svg
    ref = Reference(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA)
    shown = texts(svg)
    for l in (2, 3):
        for j in range(1, ref.net.sizes[l - 1] + 1):
            for name, key in (("z", "z"), ("a", "a"), ("δ", "delta")):
                assert f"{symbol(name, l, j)}  {number(ref.value((key, l, j)))}" in shown
    labels = sorted(t for t in shown if re.fullmatch(r"−?[\d.]+", t))
    assert labels == sorted(number(v) for l in (2, 3) for v in ref.g.dW[l].ravel())
    assert "→" not in svg  # no update yet


def test_network_figure_labels_do_not_overlap():
    for sizes in ((2, 3, 2), (3, 4, 4, 3), (1, 4, 1)):
        figure = viz.network_figure(*viz.example_parameters(sizes, 0))
        labels = re.findall(r'<text x="(\d+)" y="(\d+)" class="bps-l[^"]*"', figure.svg)
        by_column = {}
        for x, y in labels:
            by_column.setdefault(x, []).append(int(y))
        for ys in by_column.values():
            ys.sort()
            assert min(np.diff(ys), default=99) >= 17, (sizes, ys)


# ------------------------------------------------------------------- the player


def assert_offline(page):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.IGNORECASE)
    assert "http://" not in page and "https://" not in page


def test_player_embeds_every_frame_with_keyboard_controls():
    anim = viz.stepthrough_animation(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA)
    page = anim._repr_html_()
    walk = anim.walkthrough
    n = len(walk.frames)
    assert_offline(page)
    assert len(page.encode()) < 300_000
    data = re.search(rf'<script type="application/json" id="{anim.id}-frames">(.*?)</script>',
                     page, re.S).group(1)
    frames = json.loads(data.replace("<\\/", "</"))
    assert len(frames) == n
    for k, frame in enumerate(frames):
        assert frame["svg"] == viz.step_html.frame_svg(walk, k)
        assert frame["title"] == f"Step {k + 1} of {n}: {walk.frames[k].label}"
        for line in walk.frames[k].equation:
            assert html.escape(line) in frame["eq"]
    for name in ("First", "Previous", "Play", "Next", "Last"):
        assert f'<button type="button" data-step="{name.lower()}">{name}</button>' in page
    assert f'<input type="range" min="0" max="{n - 1}"' in page and 'aria-label="Step"' in page
    assert 'aria-live="polite"' in page and 'tabindex="0"' in page
    assert 'class="animation"' not in page  # not a to_jshtml animation


def test_two_players_on_one_page_do_not_share_ids():
    first = viz.stepthrough_animation(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA)
    second = viz.stepthrough_animation(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, ETA)
    assert first.id != second.id
    ids = re.findall(r'\bid="([^"]+)"', first.html + second.html)
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------- the widget


def test_widget_steps_through_the_frames():
    w = viz.stepthrough_widget()
    assert "application/vnd.jupyter.widget-view+json" in w._repr_mimebundle_()
    expected = viz.stepthrough_data(*viz.example_parameters((2, 3, 2), 0), 0.5)
    assert w.frames == expected.frames and w.index == 0
    assert (w.step.min, w.step.max, w.play.max) == (1, len(w.frames), len(w.frames))
    shown = []
    for move in ("next", "next", "previous"):
        before, updates = w.html.value, w.updates
        w.buttons[move].click()
        assert w.html.value != before and w.updates == updates + 1
        shown.append(w.index)
    assert shown == [1, 2, 1]
    w.play.value = 12  # what Play does, step by step
    assert w.step.value == 12 and w.index == 11
    for line in w.frames[11].equation:
        assert html.escape(line) in w.html.value
    assert f"Step 12 of {len(w.frames)}: {w.frames[11].label}" in html.unescape(w.html.value)
    w.step.value = 1
    w.buttons["previous"].click()
    assert w.index == 0  # stays within the frames
    w.step.value = len(w.frames)
    w.buttons["next"].click()
    assert w.index == len(w.frames) - 1


@pytest.mark.parametrize("change, sizes", [
    ({"hidden units": 4}, (2, 4, 2)), ({"inputs": 3, "outputs": 1}, (3, 3, 1)),
    ({"hidden layers": 3, "hidden units": 2}, (2, 2, 2, 2, 2))])
def test_widget_sizes_recompute_the_frames(change, sizes):
    w = viz.stepthrough_widget()
    w.step.value = 6
    for key, value in change.items():
        w.controls[key].value = value
    assert w.data.sizes == sizes and w.index == 0
    expected = viz.stepthrough_data(*viz.example_parameters(sizes, 0), 0.5)
    assert w.frames == expected.frames
    assert w.step.max == w.play.max == len(expected.frames)
    assert w.html.value.count("<svg") == 1


def test_widget_seed_and_eta():
    w = viz.stepthrough_widget()
    frames = w.frames
    w.controls["seed"].value = 7
    assert w.frames != frames
    assert w.frames == viz.stepthrough_data(*viz.example_parameters((2, 3, 2), 7), 0.5).frames
    last = len(w.frames) - 1
    w.step.value = last + 1  # an update frame
    before = w.html.value
    w.controls["eta"].value = 2.0
    assert w.index == last and w.html.value != before  # same step, new weights
    expected = viz.stepthrough_data(*viz.example_parameters((2, 3, 2), 7), 2.0)
    assert w.frames == expected.frames and w.data.eta == 2.0


@pytest.mark.parametrize("call, name", [
    (lambda: viz.stepthrough_data(W_EXAMPLE, b_EXAMPLE, [[1, 2], [3, 4]], [[1, 0], [0, 1]]),
     "x"),
    (lambda: viz.stepthrough_data(W_EXAMPLE, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE, eta=0), "eta"),
    (lambda: viz.stepthrough_data({2: np.ones(3)}, b_EXAMPLE, x_EXAMPLE, t_EXAMPLE), "W"),
    (lambda: viz.stepthrough_data(W_EXAMPLE, {2: np.ones(2), 3: np.ones(2)}, x_EXAMPLE,
                                  t_EXAMPLE), "b"),
    (lambda: viz.stepthrough_data(W_EXAMPLE, b_EXAMPLE, [1, 2, 3], t_EXAMPLE), "x"),
    (lambda: viz.example_parameters((2, 0, 2)), "sizes"),
    (lambda: viz.stepthrough_widget(sizes=(2, 5, 2)), "sizes"),
    (lambda: viz.stepthrough_widget(sizes=(2, 3, 2, 2)), "sizes"),
    (lambda: viz.stepthrough_widget(sizes=(2, 2)), "sizes"),
])
def test_bad_settings_are_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}"):
        call()


def test_widget_rejects_a_bad_seed():
    with pytest.raises((TypeError, ValueError), match="seed"):
        viz.stepthrough_widget(seed=-1)

"""Static animations for the book: figures that play, step and scrub without a
kernel or a CDN, and that screen readers and keyboards can use.

A matplotlib ``FuncAnimation`` over precomputed frames is embedded with
``to_jshtml`` (inline JavaScript and base64 PNG frames) by
:func:`offline_jshtml`, the one place that post-processes matplotlib's markup:
it removes the Font Awesome ``<link>`` to a CDN that ``to_jshtml`` adds,
re-encodes the frames with a small palette, and makes the controls accessible
(alt text on the frame, a name and a per-frame value text on the slider, the
icons hidden from screen readers; the buttons, named by matplotlib, and the
slider are native controls, so Tab, Enter, Space and the arrow keys work). The
frame sits in a box of class :data:`FRAME_BOX_CLASS`, the class of the book's
figure boxes, which scroll on a phone instead of shrinking the figure's text.
matplotlib, IPython and PIL are imported inside the functions.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re

import numpy as np

from .. import _validate
from . import style
from .data import GRADIENT_GAINS, SATURATION_STDS, gradient_norm_profile, saturation_data
from .draw_gradients import GradientPlot, decades
from .draw_saturation import SaturationPlot

_FONT_AWESOME_LINK = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["'][^"']*font-awesome[^"']*["'][^>]*>\s*""", re.IGNORECASE)
_FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)([^"]*)(")')
#: The class of the box around the frame: the book's figure box (its stylesheet,
#: book/_ext/bpbook/css/bpbook.css, and book/_ext/bpbook/figures.py).
FRAME_BOX_CLASS = "bpbook-figure-scroll"
# matplotlib 3.11's DISPLAY_TEMPLATE: the frame, the slider and the icons of the buttons.
_IMG = re.compile(r'<img id="_anim_img(\w+)">')
_SLIDER = re.compile(r'<input id="_anim_slider\w+" type="range"')
_ICON = re.compile(r'<i class="fa\b')

# Keeps the slider's aria-valuetext on the frame shown, however it got there (Play,
# a button or the slider): set_frame always changes the frame's src.
_VALUE_TEXT_JS = """<script>
(function () {{
  var img = document.getElementById("_anim_img{id}");
  var slider = document.getElementById("_anim_slider{id}");
  var texts = {texts};
  function describe() {{
    slider.setAttribute("aria-valuetext", texts[parseInt(slider.value, 10)] || "");
  }}
  new MutationObserver(describe).observe(img, {{attributes: true, attributeFilter: ["src"]}});
  slider.addEventListener("input", describe);
  describe();
}})();
</script>
"""


def offline_jshtml(anim, fps, colors=64, *, alt, label, values=None):
    """``anim.to_jshtml()`` made light, self-contained and accessible.

    The CDN Font Awesome ``<link>`` that matplotlib adds is removed (the
    book's theme ships Font Awesome, so the control icons still render), and
    with ``colors`` each PNG frame is re-encoded with a palette of that many
    colours (line plots lose nothing visible; frames shrink about 3x).
    ``alt`` is the frame's alt text (what the animation shows), ``label`` the
    slider's accessible name (what it moves through), and ``values``, one text
    per frame, what a screen reader announces as the slider's value (by
    default the frame number).
    """
    for name, text in (("alt", alt), ("label", label)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty string, got {text!r}")
    page = _FONT_AWESOME_LINK.sub("", anim.to_jshtml(fps=fps, embed_frames=True,
                                                     default_mode="once"))
    page = _accessible(page, alt, label, values)
    if colors is None:
        return page
    colors = _validate.integer("colors", colors, low=2)
    return _FRAME.sub(lambda m: m[1] + _palette_png(m[2], colors) + m[3], page)


def _accessible(page, alt, label, values):
    """matplotlib's animation markup with alt text on the frame (in its box), a
    named slider with value texts, and icons hidden from screen readers."""
    found = _IMG.search(page)
    if found is None or _SLIDER.search(page) is None or _ICON.search(page) is None:
        raise RuntimeError("matplotlib's to_jshtml markup changed; update bpcode.viz.animation")
    anim_id = found[1]
    page = _IMG.sub(f'<div class="{FRAME_BOX_CLASS}"><img id="_anim_img{anim_id}" '
                    f'alt="{html.escape(alt)}"></div>', page, count=1)
    page = _SLIDER.sub(lambda m: f'{m[0]} aria-label="{html.escape(label)}"', page, count=1)
    page = _ICON.sub('<i aria-hidden="true" class="fa', page)
    if values is not None:
        texts = json.dumps([str(v) for v in values]).replace("</", "<\\/")
        page += _VALUE_TEXT_JS.format(id=anim_id, texts=texts)
    return page


def _palette_png(b64, colors):
    """A base64 PNG frame re-encoded with a palette of ``colors`` colours."""
    from PIL import Image  # a dependency of matplotlib

    image = Image.open(io.BytesIO(base64.b64decode(b64.replace("\\\n", ""))))
    image = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@style.styled  # the frames are drawn here, so the style must hold here too
def _animate(fig, update, frames, fps, colors, *, alt, label, values):
    """The animation of ``update(i)`` for i < ``frames`` as an ``IPython.display.HTML``
    with two more attributes: ``frames`` and ``figure``, the Figure that drew them.
    ``alt``, ``label`` and ``values`` (one per frame) as for :func:`offline_jshtml`."""
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(fig, update, frames=frames, interval=1000 / fps, blit=False,
                         cache_frame_data=False, repeat=False)
    html = HTML(offline_jshtml(anim, fps, colors, alt=alt, label=label, values=values))
    html.frames, html.figure = frames, fig
    return html


def _span(values):
    return f"from {min(values):.3g} to {max(values):.3g}"


def saturation_animation(stds=None, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                         threshold=0.01, seed=0, fps=3, colors=64):
    """The saturation figure as a kernel-free animation over the weight ``stds``
    (default :data:`~bpcode.viz.data.SATURATION_STDS`), for the static book.
    Returns an ``IPython.display.HTML`` (with ``frames``, the frame count)."""
    stds = SATURATION_STDS if stds is None else np.asarray(stds, dtype=float)
    data = [saturation_data(s, shift, depth, layer, width=width, n=n, threshold=threshold,
                            seed=seed) for s in stds]
    plot = SaturationPlot(threshold)
    alt = (f"Left, the sigmoid and its derivative, with the histogram of the weighted inputs "
           f"z of layer {layer} drawn over them; right, the fraction of saturated units, "
           f"those with a derivative below {threshold:g}, in each of the {depth} layers of a "
           f"sigmoid network. Frame by frame the standard deviation of the initial weights "
           f"grows {_span(stds)}.")
    values = [f"standard deviation {d.std:.3g}: {d.fractions[layer - 2]:.0%} of layer "
              f"{layer} saturated" for d in data]
    return _animate(plot.fig, lambda i: plot.update(data[i]), len(data), fps, colors,
                    alt=alt, label="standard deviation of the initial weights", values=values)


def gradient_norms_animation(depth=20, width=100, activation="relu", init="he", gains=None, *,
                             std=1.0, n=100, seed=0, fps=3, colors=64):
    """The per-layer gradient norms as a kernel-free animation over the ``gains``
    (default :data:`~bpcode.viz.data.GRADIENT_GAINS`, vanishing to exploding),
    with one y-range for all frames. Returns an ``IPython.display.HTML``."""
    gains = GRADIENT_GAINS if gains is None else np.asarray(gains, dtype=float)
    profiles = [gradient_norm_profile(depth, width, activation, init, g, std=std, n=n,
                                      seed=seed) for g in gains]
    ylim = decades(np.concatenate([np.r_[p.weight, p.delta] for p in profiles]))
    plot = GradientPlot()
    alt = (f"The norms of the weight gradient and of the error delta of every layer, on a "
           f"logarithmic scale, for a {activation} network of {depth} weight layers of "
           f"{width} units whose initial weights are multiplied by a gain. Frame by frame "
           f"the gain grows {_span(gains)}.")
    values = [f"gain {p.gain:.3g}: the error of layer 2 is {p.delta[0] / p.delta[-1]:.2g} "
              f"times that of layer {depth + 1}" for p in profiles]
    return _animate(plot.fig, lambda i: plot.update(profiles[i], ylim=ylim), len(profiles),
                    fps, colors, alt=alt, label="gain on the initial weights", values=values)

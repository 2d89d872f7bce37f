"""The step-through as HTML: the view of one frame, and the kernel-free player.

A frame's view is its SVG diagram (:mod:`bpcode.viz.draw_network`) in a box
that scrolls sideways when the column is narrower than the diagram (the text
stays at its size; it is never scaled down), and below it the frame's title
and equation as text, in an ``aria-live`` region so that a screen reader reads
each new equation. The live widget shows one view at a time;
:func:`stepthrough_animation` embeds every frame's view in the page with a
small inline script and real controls (buttons and a range input), so the
book plays it without a kernel, a CDN or any other file.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json

from . import style
from .draw_network import CSS as SVG_CSS
from .draw_network import svg
from .steps import FORWARD_STAGES, stepthrough_data

#: Milliseconds per frame when the player plays.
INTERVAL_MS = 1400

CSS = SVG_CSS + (
    ".bp-step{background:#fff;color:#1a1a1a;border:1px solid #d0d0d0;border-radius:6px;"
    "padding:4px 6px;margin:0.5em 0;font-family:'DejaVu Sans',Verdana,sans-serif}"
    ".bp-step-scroll{overflow-x:auto;overflow-y:hidden}"
    f".bp-step-scroll:focus-visible{{outline:3px solid {style.FORWARD};outline-offset:2px}}"
    ".bp-step svg.bps{display:block;max-width:none;height:auto}"
    f".bp-step-cue{{margin:2px 0;font-size:13px;color:{style.MUTED_TEXT}}}"
    ".bp-step-eq{font-size:15px;line-height:1.5;min-height:8.2em;padding:4px 0 4px 10px;"
    "margin-top:6px;border-left:4px solid #b4b4b4;overflow-wrap:anywhere}"
    f".bp-step-eq.bp-step-f{{border-left-color:{style.FORWARD}}}"
    f".bp-step-eq.bp-step-b{{border-left-color:{style.BACKWARD}}}"
    ".bp-step-eq p{margin:0}"
    ".bp-step-eq .bp-step-title{font-weight:bold}"
    ".bp-step-controls{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:8px}"
    ".bp-step-controls button{font:inherit;font-size:14px;padding:4px 12px;color:#1a1a1a;"
    "background:#f2f2f2;border:1px solid #6b6b6b;border-radius:4px;cursor:pointer}"
    ".bp-step-controls button:hover{background:#e2e2e2}"
    f".bp-step-controls :focus-visible{{outline:3px solid {style.FORWARD};outline-offset:2px}}"
    ".bp-step-controls input[type=range]{flex:1 1 160px;min-width:120px;margin:0 4px}"
    ".bp-step-controls output{font-size:14px;min-width:7em}"
)

_ids = itertools.count()


def title(walk, index):
    """"Step k of n: <the frame's label>", counting from 1."""
    return f"Step {index + 1} of {len(walk.frames)}: {walk.frames[index].label}"


def equation_html(walk, index):
    """The frame's title and equation lines as HTML paragraphs."""
    lines = [f'<p class="bp-step-title">{html.escape(title(walk, index))}</p>']
    lines += [f"<p>{html.escape(line)}</p>" for line in walk.frames[index].equation]
    return "".join(lines)


def pass_class(frame):
    """The CSS class of the frame's pass: forward or backward."""
    return "bp-step-f" if frame.stage in FORWARD_STAGES else "bp-step-b"


def frame_svg(walk, index):
    """The diagram of frame ``index``, named by its title for assistive technology."""
    return svg(walk, walk.frames[index], label=f"Network diagram. {title(walk, index)}")


def view_html(walk, index, *, eq_id=None):
    """The view of frame ``index``: the diagram in its scroll box, then the equation
    (in an ``aria-live`` region). With the :data:`CSS`, a complete piece of HTML."""
    frame = walk.frames[index]
    eq_attr = f' id="{eq_id}"' if eq_id else ""
    return (
        '<div class="bp-step-scroll" tabindex="0" role="group" '
        'aria-label="Network diagram; scrolls sideways when the page is narrow">'
        f'<div class="bp-step-figure">{frame_svg(walk, index)}</div></div>'
        f'<div{eq_attr} class="bp-step-eq {pass_class(frame)}" aria-live="polite" '
        f'aria-atomic="true">{equation_html(walk, index)}</div>'
    )


def _script_json(value):
    """``value`` as JSON that can sit inside a <script> element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


# The player's script: reads its frames from the JSON next to it, and finds
# everything inside its own root element, so several players on a page never meet.
_SCRIPT = """(function(){
var root=document.getElementById(%(id)s);
var frames=JSON.parse(document.getElementById(%(id)s+"-frames").textContent);
var figure=root.querySelector(".bp-step-figure"),eq=root.querySelector(".bp-step-eq");
var slider=root.querySelector("input[type=range]"),out=root.querySelector("output");
var play=root.querySelector("[data-step=play]"),scroll=root.querySelector(".bp-step-scroll");
var cue=root.querySelector(".bp-step-cue"),last=frames.length-1,i=0,timer=null;
function show(k){i=Math.max(0,Math.min(last,k));var f=frames[i];
figure.innerHTML=f.svg;eq.innerHTML=f.eq;eq.className="bp-step-eq "+f.pass;
slider.value=String(i);slider.setAttribute("aria-valuetext",f.title);
out.textContent="Step "+(i+1)+" of "+frames.length;root.setAttribute("data-frame",String(i));}
function stop(){if(timer!==null){clearInterval(timer);timer=null;}
play.textContent="Play";eq.setAttribute("aria-live","polite");}
function start(){if(i>=last)show(0);play.textContent="Pause";
eq.setAttribute("aria-live","off");
timer=setInterval(function(){if(i>=last)stop();else show(i+1);},%(interval)d);}
root.querySelector(".bp-step-controls").addEventListener("click",function(e){
var b=e.target.closest("button");if(!b)return;var a=b.getAttribute("data-step");
if(a==="play"){if(timer===null)start();else stop();return;}
stop();show(a==="first"?0:a==="last"?last:i+(a==="next"?1:-1));});
slider.addEventListener("input",function(){stop();show(Number(slider.value));});
function fit(){cue.hidden=scroll.scrollWidth<=scroll.clientWidth+1;}
window.addEventListener("resize",fit);fit();
})();"""


class StepAnimation:
    """The kernel-free player of a :class:`~bpcode.viz.steps.Walkthrough`: a notebook
    shows its ``html``; ``walkthrough`` holds the frames it plays, ``id`` the id
    of its root element."""

    def __init__(self, walk, interval=INTERVAL_MS):
        self.walkthrough = walk
        digest = hashlib.sha1(repr(walk.frames).encode()).hexdigest()[:8]
        self.id = f"bp-step-{digest}-{next(_ids)}"
        frames = [{"svg": frame_svg(walk, k), "eq": equation_html(walk, k), "title": title(walk, k),
                   "pass": pass_class(f)} for k, f in enumerate(walk.frames)]
        n = len(frames)
        buttons = "".join(f'<button type="button" data-step="{action}">{name}</button>'
                          for action, name in (("first", "First"), ("previous", "Previous"),
                                               ("play", "Play"), ("next", "Next"),
                                               ("last", "Last")))
        self.html = (
            f'<div class="bp-step" id="{self.id}" data-frame="0"><style>{CSS}</style>'
            f"{view_html(walk, 0)}"
            '<p class="bp-step-cue" hidden>Scroll the diagram sideways to see all of it.</p>'
            '<div class="bp-step-controls" role="group" aria-label="Step through the training '
            f'step">{buttons}<input type="range" min="0" max="{n - 1}" step="1" value="0" '
            f'aria-label="Step" aria-valuetext="{html.escape(title(walk, 0))}">'
            f"<output>Step 1 of {n}</output></div>"
            f'<script type="application/json" id="{self.id}-frames">{_script_json(frames)}'
            "</script>"
            f"<script>{_SCRIPT % {'id': json.dumps(self.id), 'interval': interval}}</script>"
            "</div>"
        )

    def _repr_html_(self):
        return self.html


def stepthrough_animation(W, b, x, t, eta=0.5, *, interval=INTERVAL_MS):
    """One training step of the sigmoid network with parameters ``W``, ``b`` on
    the sample (``x``, ``t``), quadratic cost, learning rate ``eta``, as a
    kernel-free player for the static book: Play/Pause, First, Previous, Next,
    Last and a slider, all reachable and usable with the keyboard. Returns a
    :class:`StepAnimation` (its ``walkthrough`` is
    :func:`~bpcode.viz.steps.stepthrough_data` of the same arguments)."""
    return StepAnimation(stepthrough_data(W, b, x, t, eta), interval)

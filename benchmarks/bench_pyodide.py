"""Cold start of Live Code in the browser: to the first output and to the first figure.

Each run launches a fresh headless Chromium (Debian's, as the tests do: no
cache, no compiled WebAssembly kept), serves the built book on 127.0.0.1,
opens the derivation page and presses *Live Code*, which starts Python in the
page (Pyodide, thebe-lite, bpcode; book/_ext/bpbook/browser_kernel.py). Then,
as a reader would, it runs the page's cells in order from their *run* buttons,
each as soon as the one before has finished. From the click on *Live Code*:

* ready: the kernel has started and installed bpcode (the button says ready);
* first output: the first cell's output is on the page;
* first figure: the first matplotlib figure is on the page.

Targets on this 2-core machine: first output <= 20 s, first figure <= 30 s.
The machine is shared, so the load average before each run is recorded too.

Run:  python benchmarks/bench_pyodide.py  [--runs 3] [--page book/backpropagation]
Needs a built book (jupyter-book build .). Writes benchmarks/results/pyodide.json.
Prints PASS/FAIL for the medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser import HTML_DIR, launch_chromium, static_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "pyodide.json"
TARGETS_S = {"first output": 20.0, "first figure": 30.0}

CELL_IDS_JS = "() => window.thebe.notebook.cells.map((c) => c.id)"
DONE_JS = """(id) => { const cell = window.thebe.notebook.cells.find((c) => c.id === id);
  return !cell.isBusy && cell.executionCount != null; }"""
# What the cell's output area shows: any output at all, and a figure.
SHOWN_JS = """(id) => {
  const box = document.querySelector(`[data-thebe-id="${id}"]`).closest("div.cell");
  const out = box.querySelector(".thebe-output");
  return [!!out.querySelector(".jp-OutputArea-output"),
          !!out.querySelector("img[src^='data:image/png']")];
}"""


def one_run(site: str, page_path: str, timeout_ms: int) -> dict:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(site + page_path, wait_until="load")
            page.wait_for_load_state("networkidle")
            page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
            t0 = time.monotonic()
            page.locator("button.btn-launch-thebe").click()
            page.locator(".thebe-launch-button.thebe-status-ready").wait_for(timeout=timeout_ms)
            times = {"ready": time.monotonic() - t0}
            for cell_id in page.evaluate(CELL_IDS_JS):
                run = page.locator(f'[data-thebe-id="{cell_id}"] .thebe-run-button')
                # A cell folded away (a hidden input, a solution) keeps its button, hidden.
                run.click() if run.is_visible() else run.dispatch_event("click")
                page.wait_for_function(DONE_JS, arg=cell_id, timeout=timeout_ms, polling=100)
                output, figure = page.evaluate(SHOWN_JS, cell_id)
                if output:
                    times.setdefault("first output", time.monotonic() - t0)
                if figure:
                    times["first figure"] = time.monotonic() - t0
                    break
            return times
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page", default="book/backpropagation")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per step")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not (HTML_DIR / f"{args.page}.html").is_file():
        sys.exit(f"no {args.page}.html in {HTML_DIR}: build the book first (jupyter-book build .)")

    runs = []
    with static_server(HTML_DIR) as site:
        for i in range(args.runs):
            load = os.getloadavg()[0]
            times = one_run(site, f"{args.page}.html", int(args.timeout * 1000))
            runs.append({"load_average_1min": round(load, 2), **{k: round(v, 2)
                                                                 for k, v in times.items()}})
            print(f"run {i + 1}: " + ", ".join(f"{k} {v}" for k, v in runs[-1].items()),
                  flush=True)

    medians = {key: round(statistics.median(r[key] for r in runs), 2)
               for key in ("ready", "first output", "first figure")}
    config = json.loads((HTML_DIR / "_static" / "lite" / "config.json").read_text())
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python benchmarks/bench_pyodide.py " + " ".join(sys.argv[1:]),
        "page": args.page,
        "machine": {"cpu": platform.processor() or platform.machine(),
                    "logical_cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": config["versions"],
        "runs": runs,
        "median_s": medians,
        "targets_s": TARGETS_S,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf8")
    print(f"medians over {len(runs)} cold starts: " + ", ".join(
        f"{k} {v} s" for k, v in medians.items()))
    for key, target in TARGETS_S.items():
        verdict = "PASS" if medians[key] <= target else "FAIL"
        print(f"{verdict}  {key}: {medians[key]} s (target <= {target} s)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

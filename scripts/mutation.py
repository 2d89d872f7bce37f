#!/usr/bin/env python
"""Mutation testing of bpcode's numerical core, in one command.

    python scripts/mutation.py              # run, then report
    python scripts/mutation.py --record     # ... and write the report into tests/mutation.md
    python scripts/mutation.py --no-run     # report on the last run only

1. ``mutmut run`` changes one operator, constant or statement of the modules
   listed in ``[tool.mutmut]`` (pyproject.toml) at a time and runs the unit
   tests that reach the changed function. mutmut keeps its results in
   ``mutants/``: a second run tests only what is new or changed, and the
   survivors of the first again (delete ``mutants/`` for a run from scratch).
   The property tests run a tenth of their examples here
   (BPCODE_EXAMPLES_SCALE=0.1).
2. mutmut's workers are forked from a process that has imported bpcode, so a
   mutant of a function that runs *while bpcode is imported* (the tables of
   activations and costs are built that way) never takes effect there and is
   reported as surviving. Each such survivor is run again in a fresh
   interpreter, with the mutant switched on before the import.
3. The score is detected / (generated - equivalent). The equivalent mutants
   are listed in tests/mutation.md, each with the reason no test can tell it
   from the original. The command fails if a survivor is neither detected nor
   listed there, or if the score is below 95 %.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "mutation.md"
TARGET = 0.95
ENV = {**os.environ, "BPCODE_EXAMPLES_SCALE": "0.1"}
BEGIN = "<!-- last run: written by scripts/mutation.py --record -->"
END = "<!-- end of last run -->"
# mutmut's name of a mutant: module, then x_function or xǁClassǁmethod, then __mutmut_N.
NAME = re.compile(r"^(?P<module>[\w.]+)\.x(?:_(?P<function>\w+?)|ǁ(?P<cls>\w+)ǁ(?P<method>\w+?))"
                  r"__mutmut_\d+$")
DETECTED = {"killed", "timeout", "killed at import"}


def mutmut(*args, capture=False):
    result = subprocess.run(["mutmut", *args], cwd=ROOT, env=ENV, text=True,
                            capture_output=capture)
    if result.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} failed with exit code {result.returncode}")
    return result.stdout


def statuses():
    """{mutant name: mutmut's status} for every mutant of the last run."""
    found = {}
    for line in mutmut("results", "--all", "true", capture=True).splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and NAME.match(name):
            found[name] = status
    return found


def function_of(name):
    """The (module, qualified name) of the function a mutant changes."""
    match = NAME.match(name)
    if match["cls"]:
        return match["module"], f"{match['cls']}.{match['method']}"
    return match["module"], match["function"]


def import_time_functions():
    """The (module, qualified name) of each bpcode function called while
    ``import bpcode`` runs, found with a profiler in a fresh interpreter."""
    probe = r"""
import json, pathlib, sys
root = pathlib.Path("bpcode").resolve()
called = set()
def profile(frame, event, arg):
    path = pathlib.Path(frame.f_code.co_filename)
    if event == "call" and root in path.parents:
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        called.add((module, frame.f_code.co_qualname.split(".<locals>")[0]))
sys.setprofile(profile)
import bpcode
sys.setprofile(None)
print(json.dumps(sorted(called)))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=ENV, text=True,
                         capture_output=True, check=True).stdout
    return {tuple(pair) for pair in json.loads(out)}


def killed_in_fresh_process(name, tests):
    """True if the unit tests fail with the mutant switched on before import."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT / "mutants", env={**ENV, "MUTANT_UNDER_TEST": name},
        capture_output=True, text=True)
    return result.returncode not in (0, 5)


def equivalents():
    """{mutant name: reason} from the table of equivalent mutants in the record."""
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \|$", RECORD.read_text(), flags=re.M)
    return dict(rows)


def report(found, equivalent, seconds):
    total = len(found)
    counts = {status: sum(s == status for s in found.values())
              for status in sorted(set(found.values()))}
    detected = sum(counts.get(s, 0) for s in DETECTED)
    judged = [n for n, s in found.items() if s not in DETECTED and n in equivalent]
    open_ = sorted(n for n, s in found.items() if s not in DETECTED and n not in equivalent)
    stale = sorted(n for n in equivalent if found.get(n, "killed") in DETECTED)
    score = detected / (total - len(judged)) if total > len(judged) else 1.0
    lines = [
        f"- Command: `python scripts/mutation.py --record` (mutmut "
        f"{mutmut('--version', capture=True).split()[-1]}, "
        f"`--max-children {os.cpu_count()}`)",
        f"- Date: {datetime.date.today().isoformat()}; "
        + (f"this invocation took {seconds / 60:.0f} min" if seconds else "report only"),
        f"- Mutants generated: {total}",
        *[f"  - {status}: {n}" for status, n in counts.items()],
        f"- Detected (killed, timed out, or killed at import): {detected}",
        f"- Equivalent (listed below): {len(judged)}",
        f"- Surviving and not judged equivalent: {len(open_)}",
        f"- Score: {detected} / ({total} - {len(judged)}) = {score:.1%} "
        f"(target {TARGET:.0%})",
    ]
    lines += [f"  - survivor: `{n}`" for n in open_]
    lines += [f"  - listed as equivalent but detected: `{n}`" for n in stale]
    return "\n".join(lines), score, open_, stale


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-run", action="store_true", help="report on the last run only")
    parser.add_argument("--record", action="store_true", help=f"write the report into {RECORD}")
    parser.add_argument("--max-children", type=int, default=os.cpu_count())
    args = parser.parse_args()

    start = time.monotonic()
    if not args.no_run:
        # Tests may have been added since the last run: its survivors are tried
        # again (mutmut itself keeps every earlier verdict).
        earlier = statuses() if (ROOT / "mutants").is_dir() else {}
        # mutmut 3.8 replaces, rather than extends, its map from functions to
        # the tests that reach them when it finds new tests, and then reports
        # mutants as having no tests: without its stats file it maps them all.
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        mutmut("run", "--max-children", str(args.max_children))
        retry = sorted(n for n, s in earlier.items() if s == "survived")
        if retry:
            mutmut("run", "--max-children", str(args.max_children), *retry)
    found = statuses()
    if not found:
        sys.exit("mutmut has no results: run without --no-run first")
    import tomllib  # Python 3.11 and later

    tests = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"][
        "pytest_add_cli_args_test_selection"]
    at_import = import_time_functions()
    for name, status in sorted(found.items()):
        if status == "survived" and function_of(name) in at_import:
            if killed_in_fresh_process(name, [f"../{t}" for t in tests]):
                found[name] = "killed at import"
    seconds = time.monotonic() - start if not args.no_run else 0
    text, score, open_, stale = report(found, equivalents(), seconds)
    print(text)
    if args.record:
        record = RECORD.read_text()
        head, _, rest = record.partition(BEGIN)
        _, _, tail = rest.partition(END)
        RECORD.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")
    if open_ or stale or score < TARGET:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""The report of benchmarks/run.py: the targets evaluated on its results, the
console table and the JSON file (the committed one is read by the book's page
"How fast is backpropagation?", so its keys stay as they are)."""

import json

from benchmarks.targets import TARGETS


def evaluate_targets(results):
    """The list of the run's targets with their measured values, whether each
    is met (None when not measured) and, for the big step, the same ratio for
    the numpy floor: what no numpy step can beat."""
    big = next((r for r in results["train_step"] if r["sizes"] == [784, 512, 512, 10]
                and r["batch"] == 256 and r["dtype"] == "float32"), None)
    big_ratios = big["ratios"] if big else {}
    small_ratios = results["digits_step"]["ratios"]
    accuracy = results["digits_accuracy"]

    def median(ratios, key):
        return ratios[key]["median"] if key in ratios else None

    values = {
        "step_vs_gemm": (median(big_ratios, "bpcode/gemm"), median(big_ratios, "floor/gemm")),
        "step_vs_torch": (median(big_ratios, "bpcode/torch"),
                          median(big_ratios, "floor/torch")),
        "small_vs_torch": (median(small_ratios, "bpcode/torch"), None),
        "digits_vs_sklearn": (accuracy["ratios"]["bpcode/sklearn"]["median"], None),
    }
    targets = []
    for name, (value, floor) in values.items():
        description, limit = TARGETS[name]
        met = None if value is None else value <= limit
        if name == "digits_vs_sklearn":
            met = met and accuracy["bpcode"]["median_accuracy"] >= accuracy["goal"]
        target = {"name": name, "description": description, "limit": limit,
                  "value": value, "met": met}
        if floor is not None:
            target["numpy_floor"] = floor
        targets.append(target)
    return targets


def write_json(results, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt_ratio(r):
    return f"{r['median']:.3f} [{r['min']:.2f}, {r['max']:.2f}]"


def table(results):
    """The console report: one section per case, then the targets."""
    m = results["machine"]
    lines = [f"bpcode benchmark, {results['date']}",
             f"{m['cpu']}, {m['logical_cpus']} CPUs, numpy {m['numpy']} ({m['blas']}), "
             f"torch {m['torch']}", "",
             "Medians with [min, max] over the rounds; ratios are the median "
             "[min, max] of per-round ratios.", ""]
    lines += _train_step_lines(results["train_step"])
    lines += _digits_lines(results["digits_step"], results["digits_epoch"],
                           results["digits_accuracy"])
    lines += _gradient_cost_lines(results["gradient_cost"])
    lines += _target_lines(results["targets"])
    lines += [f"  note: {message}" for message in results["skipped"]]
    return "\n".join(lines)


def _network(r):
    return "-".join(map(str, r["sizes"]))


def _train_step_lines(steps):
    lines = ["a. One training step",
             f"{'network':<16}{'batch':>6} {'dtype':<8}{'bpcode':>11}{'textbook':>11}"
             f"{'GEMM':>11}{'torch':>11}   {'bpcode/GEMM':<22}{'bpcode/torch':<22}"
             f"{'torch/GEMM':<22}"]
    for r in steps:
        c, ratios = r["contenders"], r["ratios"]
        torch_cell = fmt_time(c["torch"]["median_s"]) if "torch" in c else "-"
        vs_torch, torch_vs = (
            (fmt_ratio(ratios["bpcode/torch"]), fmt_ratio(ratios["torch/gemm"]))
            if "bpcode/torch" in ratios else ("-", "-"))
        lines.append(
            f"{_network(r):<16}{r['batch']:>6} {r['dtype']:<8}"
            f"{fmt_time(c['bpcode']['median_s']):>11}{fmt_time(c['textbook']['median_s']):>11}"
            f"{fmt_time(c['gemm']['median_s']):>11}{torch_cell:>11}   "
            f"{fmt_ratio(ratios['bpcode/gemm']):<22}{vs_torch:<22}{torch_vs:<22}")
    lines.append("  GEMM: the step's own matrix products alone (FastStep.products). The same "
                 "products in other memory layouts:")
    for r in steps:
        c = r["contenders"]
        lines.append(f"  {_network(r)} B{r['batch']} {r['dtype']}: "
                     f"rows {fmt_time(c['gemm_rows']['median_s'])}, columns "
                     f"{fmt_time(c['gemm_columns']['median_s'])}; bpcode / fastest "
                     f"{fmt_ratio(r['ratios']['bpcode/gemm_best'])}")
    lines.append("  Numpy floor: the products plus the least elementwise work of any numpy step "
                 "(see cases/train_step.py):")
    for r in steps:
        ratios = r["ratios"]
        vs_torch = (f", floor/torch {fmt_ratio(ratios['floor/torch'])}"
                    if "floor/torch" in ratios else "")
        lines.append(f"  {_network(r)} B{r['batch']} {r['dtype']}: "
                     f"floor/GEMM {fmt_ratio(ratios['floor/gemm'])}{vs_torch}")
    return lines


def _digits_lines(step, epoch, accuracy):
    lines = ["", f"b. Digits network {_network(step)}, batch {step['batch']}"]
    torch_cell = "-"
    if "torch_fastest" in step:
        fastest = step["torch_fastest"]
        torch_cell = (f"{fmt_time(step['contenders'][fastest]['median_s'])} "
                      f"({'float32' if fastest == 'torch_float32' else 'float64'})")
    vs = fmt_ratio(step["ratios"]["bpcode/torch"]) if "bpcode/torch" in step["ratios"] else "-"
    lines.append(f"  step:  bpcode {fmt_time(step['contenders']['bpcode']['median_s'])}, "
                 f"torch {torch_cell}, bpcode/torch {vs}")
    lines.append(f"  epoch: bpcode.sgd {fmt_time(epoch['contenders']['bpcode']['median_s'])}, "
                 f"MLPClassifier.partial_fit "
                 f"{fmt_time(epoch['contenders']['sklearn']['median_s'])}, "
                 f"bpcode/sklearn {fmt_ratio(epoch['ratios']['bpcode/sklearn'])}")
    lines += ["", f"c. Digits, time to {accuracy['goal']:.0%} test accuracy over "
                  f"{len(accuracy['runs']['bpcode'])} seeds (eta {accuracy['eta']}, "
                  f"batch {accuracy['batch']})"]
    for name in ("bpcode", "sklearn"):
        r = accuracy[name]
        lines.append(f"  {name:<8} median {fmt_time(r['median_s'])} [{fmt_time(r['min_s'])}, "
                     f"{fmt_time(r['max_s'])}], median {r['median_epochs']:g} epochs, "
                     f"median accuracy {r['median_accuracy']:.3f}, reached {r['reached']}"
                     f"/{len(accuracy['runs'][name])}")
    lines.append(f"  bpcode/sklearn {fmt_ratio(accuracy['ratios']['bpcode/sklearn'])}")
    return lines


def _gradient_cost_lines(rows):
    lines = ["", f"d. One gradient of the cost, networks h-h-h-10, batch {rows[0]['batch']}",
             f"{'P':>8}{'forward':>11}{'backprop':>11}{'finite diff.':>15}"
             f"{'backprop/forward':>18}{'FD/backprop':>13}"]
    for r in rows:
        fd = fmt_time(r["finite_differences_s"]) + ("*" if r["finite_differences_estimated"]
                                                     else "")
        lines.append(f"{r['P']:>8}{fmt_time(r['forward']['median_s']):>11}"
                     f"{fmt_time(r['backprop']['median_s']):>11}{fd:>15}"
                     f"{r['backprop/forward']['median']:>18.2f}"
                     f"{r['finite_differences/backprop']:>13.0f}")
    if any(r["finite_differences_estimated"] for r in rows):
        lines.append("  * estimated from a sample of parameters")
    return lines


def _target_lines(targets):
    lines = ["", "Targets (benchmarks/README.md has their history)"]
    for t in targets:
        value = "skipped" if t["value"] is None else f"{t['value']:.3f}"
        verdict = "skipped" if t["met"] is None else ("met" if t["met"] else "NOT MET")
        lines.append(f"  {t['description']:<62} {value:>8} <= {t['limit']:.2f}  {verdict}")
        if "numpy_floor" in t:
            lines.append(f"    numpy floor (products + least elementwise work): "
                         f"{t['numpy_floor']:.3f}"
                         + ("  -> no numpy step can meet this target here"
                            if t["numpy_floor"] > t["limit"] else ""))
    return lines

"""The committed record of the last mutation run (tests/mutation.md, written by
scripts/mutation.py --record) is complete and says the target is met: every
survivor is detected or listed as equivalent with a reason, and the score is
at least 95 %. The run itself takes too long for the tests; this checks that
the record and the script that reads it agree."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORD = (ROOT / "tests" / "mutation.md").read_text()


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def last_run():
    begin, end = RECORD.index("<!-- last run:"), RECORD.index("<!-- end of last run -->")
    return RECORD[begin:end]


def test_the_last_run_meets_the_target_with_no_open_survivor():
    run = last_run()
    score = re.search(r"Score: (\d+) / \((\d+) - (\d+)\) = ([\d.]+)%", run)
    assert score, "the record has no score: run python scripts/mutation.py --record"
    detected, total, equivalent, percent = score.groups()
    assert int(detected) / (int(total) - int(equivalent)) >= 0.95
    assert float(percent) >= 95.0
    assert "Surviving and not judged equivalent: 0" in run
    assert "survivor: `" not in run and "listed as equivalent but detected" not in run
    listed = re.search(r"Equivalent \(listed below\): (\d+)", run).group(1)
    assert int(listed) == int(equivalent)


def test_every_equivalent_mutant_is_named_once_with_a_reason(script):
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \|$", RECORD, flags=re.M)
    equivalent = script.equivalents()
    assert len(rows) == len(equivalent), "a mutant is listed twice"
    for name, reason in equivalent.items():
        assert script.NAME.match(name), name
        assert (ROOT / (script.function_of(name)[0].replace(".", "/") + ".py")).is_file()
        assert len(reason.split()) >= 5, f"{name}: say why no test can tell it apart"


@pytest.mark.parametrize(("name", "function"), [
    ("bpcode.io.x__read_array__mutmut_8", ("bpcode.io", "_read_array")),
    ("bpcode.network.xǁNetworkǁ__repr____mutmut_2", ("bpcode.network", "Network.__repr__")),
    ("bpcode.fast.xǁ_Flatǁ__init____mutmut_12", ("bpcode.fast", "_Flat.__init__")),
    ("bpcode._validate.x_real__mutmut_31", ("bpcode._validate", "real")),
])
def test_mutant_names_give_the_function_they_change(script, name, function):
    assert script.function_of(name) == function


def test_import_time_functions_are_found(script):
    """The tables of activations are built by calls while bpcode is imported;
    the network's methods are not called then."""
    found = script.import_time_functions()
    assert ("bpcode.activations", "_elementwise") in found
    assert ("bpcode.network", "Network.backward") not in found

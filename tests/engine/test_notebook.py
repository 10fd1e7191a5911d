"""``kata.check`` in a notebook: a cell's definitions written over the learner's file, what a
check shows, and a small notebook run headless (with the notebook extra installed)."""

import json
import linecache
import os
import subprocess
import sys

import pytest

from kata.engine import curriculum, notebook, stubgen
from kata.engine.curriculum import CURRICULUM, ROOT, Kata
from kata.engine.runner import Progress

LEARNER = '''"""Kata: one."""

import math


def double(x: int) -> int:
    """2 * x."""
    raise NotImplementedError


class Counter:
    """Counts."""
'''
ONE = Kata(name="one", concept="doubling", notes="N", hints=("Why?", "Because."))
OFFSET = 0  # a number of the notebook: it goes along by its value


def _plus_offset(x: int) -> int:
    return x + OFFSET


def twice(x: int) -> int:  # given as double=: written under its own name, then aliased
    return _plus_offset(2 * x)


@pytest.fixture
def learner_file(monkeypatch, tmp_path):
    monkeypatch.setattr(curriculum, "LEARNER_DIR", tmp_path)
    ONE.path.write_text(LEARNER, encoding="utf-8")
    return ONE.path


def _run(text: str) -> dict:
    namespace: dict = {"__name__": "kata.one"}
    exec(compile(text, "kata/one.py", "exec"), namespace)
    return namespace


def test_a_function_of_the_notebook_replaces_the_file_s_with_what_it_uses(learner_file):
    text, blocks = notebook._overlay(ONE, {"double": twice})
    assert text.startswith(LEARNER.rstrip("\n"))
    assert _run(text)["double"](5) == 10
    assert [block.name for block in blocks] == ["OFFSET", "_plus_offset", "twice", "double"]
    assert "import math" not in text.split("from the notebook")[1], "the file's names stand"


def _cell(source: str, name: str = "cell_module") -> dict:
    """Run ``source`` as IPython runs a cell: under a file name of its own, kept in linecache,
    in a namespace that no module file stands behind."""
    filename = f"<cell-{name}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    namespace = {"__name__": name}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


CELL = """import math as maths

class Counter:
    step = 1

    def count(self, n):
        return maths.floor(n) * self.step

def double(x):
    total = 0
    for _ in range(2):
        total += x
    raise RuntimeError(total)
"""


def test_a_class_and_a_function_of_a_cell_go_in_by_their_cell_s_source(learner_file):
    cell = _cell(CELL)
    text, blocks = notebook._overlay(ONE, {"Counter": cell["Counter"], "double": cell["double"]})
    namespace = _run(text)
    assert namespace["Counter"]().count(2.5) == 2
    assert namespace["maths"].floor(1.5) == 1, "the cell's module goes along as an import"
    with pytest.raises(RuntimeError) as raised:
        namespace["double"](3)
    line = raised.traceback[-1].lineno + 1
    message = notebook._from_cells(f"boom\n(raised in kata/one.py, line {line}, in double)", blocks)
    assert message == "boom\n(raised in your notebook's double, line 13 of its cell, in double)"


@pytest.mark.parametrize(
    ("functions", "error", "says"),
    [
        ({"double": lambda x: 2 * x}, ValueError, "lambda"),
        ({"triple": twice}, ValueError, "defines no triple; it defines Counter, double"),
        ({"double": 2}, TypeError, "a function or a class"),
        ({"double": "_cell:uses_a_list"}, ValueError, "holds it as a list"),
        ({"double": "_cell:uses_nothing_defined"}, NameError, "neither does the notebook"),
        ({"double": "_cell:nested"}, ValueError, "inside another function"),
        ({"double": "_cell:called_counter"}, ValueError, "called Counter, a name that"),
    ],
    ids=["lambda", "unknown-name", "not-a-function", "an-object", "undefined", "nested", "clash"],
)
def test_what_cannot_go_along_is_refused_with_a_sentence(learner_file, functions, error, says):
    cells = {
        "uses_a_list": "SIZES = [1, 2]\ndef f(x):\n    return SIZES[x]\n",
        "uses_nothing_defined": "def f(x):\n    return undefined_name(x)\n",
        "nested": "def outer():\n    def f(x):\n        return x\n    return f\nf = outer()\n",
        "called_counter": "def Counter(x):\n    return x\nf = Counter\n",
    }
    for name, obj in functions.items():
        if isinstance(obj, str):
            functions[name] = _cell(cells[obj.split(":")[1]], obj.split(":")[1])["f"]
    with pytest.raises(error, match=says.replace("(", r"\(")):
        notebook._overlay(ONE, functions)


FIRST = CURRICULUM[0]
FAILURE = {"nodeid": "tests/test_x.py::test_y", "line": 9, "message": "assert <1> == 2"}


def test_a_check_reads_as_text_and_as_html_with_the_failure_and_the_hint():
    entry = Progress(FIRST, passed=1, failed=1, first_failure=FAILURE)
    check = notebook.Check([entry], FIRST.name, hints=["Why?"], hint_count=2)
    for shown in (str(check), check._repr_html_()):
        assert FIRST.name in shown and "tests/test_x.py::test_y" in shown and "(line 10)" in shown
        assert "hint 1/2: Why?" in shown
        assert f"kata.check({FIRST.name!r})" in shown.replace("&#x27;", "'")
    assert "assert <1> == 2" in str(check) and "assert &lt;1&gt; == 2" in check._repr_html_()
    assert not check.done and check.next is entry


def test_a_check_of_cells_that_pass_says_the_file_is_still_to_write():
    check = notebook.Check([Progress(FIRST, passed=3)], FIRST.name, from_cells=("f",))
    assert check.done
    assert f"copy it into kata/{FIRST.name}.py" in str(check), str(check)


def test_importing_kata_imports_neither_torch_nor_the_engine():
    code = (
        "import kata, sys; print([m for m in sys.modules if m.split('.')[0] in ('torch', 'kata')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["['kata']"]


# ---- a notebook, run headless ----------------------------------------------------------

NO_EXTRA = 'the notebook extra is not installed: pip install -c constraints.txt -e ".[notebook]"'
SABOTAGED = "bug_split_slice"
NOTEBOOK_CELLS = [
    "%load_ext kata",
    f"%kata_check {SABOTAGED}",
    "def _rest(X, split):\n    return X[split:]\n\n"
    "def my_split(X, y, train_fraction=0.8):\n"
    "    split = int(train_fraction * len(X))\n"
    "    return X[:split], y[:split], _rest(X, split), _rest(y, split)",
    f"import kata\nfixed = kata.check({SABOTAGED!r}, split_samples=my_split)\nfixed",
    "print(fixed.done)",
]


@pytest.mark.timeout(300)
def test_a_notebook_checks_a_kata_and_a_function_written_in_a_cell(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason=NO_EXTRA)
    nbclient = pytest.importorskip("nbclient", reason=NO_EXTRA)
    from tests.engine.test_runner import make_project

    make_project(tmp_path)
    reference = tmp_path / "kata" / "solutions" / f"{SABOTAGED}.py"
    stub = stubgen.generate_stub(reference.read_text(encoding="utf-8"))
    (tmp_path / "kata" / f"{SABOTAGED}.py").write_text(stub, encoding="utf-8")
    for name in ("KATA_VIA", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "KATA_IMPL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KATA_THREADS", "1")
    # The kernel imports the copy's kata package, whatever PYTHONPATH held before.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / ".ipython"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")

    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    client = nbclient.NotebookClient(
        book, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()

    def shown(cell: int, kind: str) -> str:
        return "".join(
            output.get("data", {}).get(kind, "") + output.get("text", "")
            for output in book.cells[cell].outputs
        )

    failing = shown(1, "text/html")
    assert f"Next: kata 2, {SABOTAGED}" in failing, failing
    assert f"tests/test_{SABOTAGED}.py::test_" in failing and "hint 1/" in failing, failing
    assert "torch-kata: 0 of 1 katas done" in shown(1, "text/plain"), shown(1, "text/plain")
    assert "\x1b[" not in failing, "pytest's colours are taken out"
    assert "with your notebook&#x27;s split_samples" in shown(3, "text/html"), shown(3, "text/html")
    assert shown(4, "text/plain").strip() == "True"
    record = json.loads((tmp_path / ".kata" / "record.json").read_text(encoding="utf-8"))
    assert SABOTAGED not in record["green"], "a pass of the notebook's cells is not the file's"


def test_the_kata_file_option_loads_one_kata_from_the_given_file(tmp_path):
    given = tmp_path / "given.py"
    given.write_text("FROM = 'the given file'\n", encoding="utf-8")
    test = tmp_path / "test_where.py"
    test.write_text(
        f"from kata.{FIRST.name} import FROM\n\n\ndef test_where():\n    print('FROM', FROM)\n",
        encoding="utf-8",
    )
    option = f"--kata-file={FIRST.name}={given}"
    command = [sys.executable, "-m", "pytest", "-p", "kata.engine.plugins.implementation"]
    result = subprocess.run(
        [*command, "-p", "no:hypothesispytest", "-p", "no:cacheprovider", "-s", option, test],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "FROM the given file" in result.stdout, result.stdout + result.stderr


def test_the_magic_passes_the_notebook_s_variables_by_name(monkeypatch):
    calls = []
    monkeypatch.setattr(notebook, "check", lambda *args, **kwargs: calls.append((args, kwargs)))
    notebook.kata_check_magic("one double=twice", {"twice": twice})
    notebook.kata_check_magic("", {})
    assert calls == [(("one",), {"double": twice}), ((None,), {})]
    with pytest.raises(ValueError, match="'double=thrice' names no variable"):
        notebook.kata_check_magic("one double=thrice", {"twice": twice})

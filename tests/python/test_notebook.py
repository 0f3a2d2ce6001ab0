"""samples/Notebook/seeds.ipynb executes headless (nbconvert --execute, this interpreter as its kernel) and its outputs
show what it claims: a zero-copy writable view, C# reading what Python wrote, a PNG plot (issue 13 §5)."""

import base64
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, CONFIGURATION

NOTEBOOK = REPO / "samples" / "Notebook" / "seeds.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    dll = REPO / "samples" / "PythonHost" / "Eigenish" / "bin" / CONFIGURATION / "net10.0" / "Eigenish.dll"
    if not dll.is_file():
        pytest.fail(f"{dll} is not built: run `dotnet build NdBridge.sln -c {CONFIGURATION}`", pytrace=False)
    work = tmp_path_factory.mktemp("notebook")
    # The kernel is this interpreter (the stack's), whatever kernelspecs the machine has.
    kernel = work / "jupyter" / "kernels" / "ndbridge-stack"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "the stack's Python", "language": "python"}))
    environment = dict(os.environ, JUPYTER_PATH=str(work / "jupyter"), JUPYTER_RUNTIME_DIR=str(work / "runtime"),
                       JUPYTER_CONFIG_DIR=str(work / "config"), IPYTHONDIR=str(work / "ipython"),
                       MPLCONFIGDIR=str(work / "matplotlib"), PYTHONPATH="")
    result = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                             "--ExecutePreprocessor.kernel_name=ndbridge-stack", "--ExecutePreprocessor.timeout=300",
                             "--output-dir", str(work), "--output", "executed", str(NOTEBOOK)],
                            capture_output=True, text=True, timeout=600, env=environment)
    assert "No module named nbconvert" not in result.stderr, f"{sys.executable} has no nbconvert (Debian: python3-nbconvert)"
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return json.loads((work / "executed.ipynb").read_text())


def code_cells(notebook):
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def text_of(cell):
    return "".join("".join(o.get("text", "")) for o in cell["outputs"] if o["output_type"] == "stream")


def cell_printing(notebook, marker):
    return next(text_of(c) for c in code_cells(notebook) if marker in text_of(c))


def test_committed_notebook_has_no_outputs():
    committed = json.loads(NOTEBOOK.read_text())
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code_cells(committed))


def test_every_cell_ran_without_error(executed):
    cells = code_cells(executed)
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == []


def test_help_shows_the_csharp_documentation(executed):
    text = cell_printing(executed, "column_sums")
    assert "The column sums, computed in C# from the (possibly Python-modified) matrix." in text


def test_numpy_view_is_zero_copy_and_writable(executed):
    text = cell_printing(executed, "same memory as .NET's element [0, 0]:")
    assert "shape (3, 2) strides (8, 32) writeable True owns its data False" in text
    assert "same memory as .NET's element [0, 0]: True" in text


def test_csharp_reads_what_python_wrote(executed):
    expected = (np.arange(1, 7, dtype=np.float64) ** 2).reshape(2, 3).T  # the fill the notebook describes
    text = cell_printing(executed, "C# column sums:")
    csharp = [float(v) for v in re.search(r"C# column sums: \[(.*)\]", text).group(1).split(",")]
    numpy_side = [float(v) for v in re.search(r"NumPy column sums: \[(.*)\]", text).group(1).split(",")]
    assert csharp == expected.sum(axis=0).tolist() == numpy_side
    assert float(re.search(r"C# element \[2, 1\]: (\S+)", text).group(1)) == expected[2, 1]


def test_plot_is_a_png(executed):
    images = [o["data"]["image/png"] for c in code_cells(executed) for o in c["outputs"]
              if o["output_type"] == "display_data" and "image/png" in o["data"]]
    assert len(images) == 1
    picture = Image.open(io.BytesIO(base64.b64decode(images[0])))
    assert picture.format == "PNG" and picture.size[0] > 300 and picture.size[1] > 100

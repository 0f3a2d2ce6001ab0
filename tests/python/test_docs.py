"""help() and inspect.signature of hosted functions: the text signature, and the XML documentation beside the dll as
plain text (issue 13 §4)."""

import inspect
import io
import pydoc
import re
import shutil

import pytest

from conftest import run_child


def help_text(obj) -> str:
    """What help(obj) prints, as this interpreter's pydoc renders it."""
    out = io.StringIO()
    pydoc.Helper(output=out).help(obj)
    return out.getvalue()


def test_signature_names_defaults_and_kinds(ndtest):
    add = inspect.signature(ndtest.add)
    assert list(add.parameters) == ["a", "b"]
    assert add.parameters["a"].default is inspect.Parameter.empty
    assert add.parameters["b"].default == 1.5
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in add.parameters.values())
    assert inspect.signature(ndtest.greet).parameters["greeting"].default == "Hello"
    assert inspect.signature(ndtest.describe).parameters["values"].default is None
    assert list(inspect.signature(ndtest.get_http_status).parameters) == []
    bound = add.bind(1.0, b=2.0)  # the signature accepts what the function accepts
    assert ndtest.add(*bound.args, **bound.kwargs) == 3.0


def test_help_shows_signature_summary_parameters_and_result(ndtest):
    text = help_text(ndtest.add)
    assert f"add{inspect.signature(ndtest.add)}" in text
    assert "Adds a and b; see ndtest.keywords for one with three, and Math.Sqrt for no reason." in text
    assert re.search(r"a : float\n +The first number, on two lines\.\n", text), text
    assert re.search(r"b : float, default 1\.5\n +The second, 1\.5 when left out\.\n", text), text
    assert re.search(r"Returns\n +-------\n +float\n +The sum a \+ b\.", text), text
    assert re.search(r"A first paragraph\.\n *\n +A second one, True to None\.", text), text
    assert ".NET: NdBridge.Python.Hosted.HostedFunctions.Add(Double a, Double b) -> Double" in text


def test_docstring_is_the_text_after_the_signature(ndtest):
    doc = ndtest.add.__doc__
    assert ndtest.add.__text_signature__ == "(a, b=1.5)"
    assert doc.startswith("Adds a and b;") and "--\n" not in doc.split("\n")[0]


def test_crefs_paramrefs_and_tags_become_python_text(ndtest):
    assert ndtest.get_http_status.__doc__.startswith("An acronym in the .NET name: ndtest.get_http_status is get_http_status in Python.")
    assert "Scales values in place." in ndtest.scale.__doc__
    for name in dir(ndtest):
        function = getattr(ndtest, name)
        if callable(function):
            assert not re.search(r"</?[a-z]+[ />]", function.__doc__), (name, function.__doc__)


def test_undocumented_function_still_lists_typed_parameters(ndtest):
    doc = ndtest.sum_memory.__doc__
    assert doc.startswith("Parameters\n----------\nvalues : numpy.typing.NDArray[numpy.float64]\n")
    assert "Returns\n-------\nfloat\n" in doc
    assert "values : numpy.typing.ArrayLike | None, default None" in ndtest.describe.__doc__
    assert "Returns\n-------\ntuple[float, int, str]\n    The sum, the element count, and a label." in ndtest.stats.__doc__


def test_module_doc_has_the_class_summary(ndtest):
    assert ndtest.__doc__.startswith("The functions tests/python calls: one per conversion, exception and GIL case of issue 12.\n\n")
    assert "NdBridge.Python.Hosted.HostedFunctions from NdBridge.Python.Hosted.dll" in ndtest.__doc__


@pytest.mark.parametrize("content, reason", [
    ("<doc><members><member name='x'>", "is not well-formed XML"),
    ("<notdoc/>", "has no <doc><members> element"),
])
def test_broken_documentation_file_warns_and_loads(tmp_path, hosted_dll, content, reason):
    copy = tmp_path / "bin"
    shutil.copytree(hosted_dll.parent, copy)
    (copy / hosted_dll.with_suffix(".xml").name).write_text(content)
    result = run_child(f"""
import warnings, ndbridge
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ndtest = ndbridge.load({str(copy / hosted_dll.name)!r})[0]
print([(w.category.__name__, str(w.message)) for w in caught])
print(ndtest.add(1.0), repr(ndtest.add.__doc__.split(chr(10))[0]))
""")
    assert result.returncode == 0, result.stderr
    assert "RuntimeWarning" in result.stdout and reason in result.stdout
    assert "have no documentation summaries. Rebuild the library (GenerateDocumentationFile) or delete the file." in result.stdout
    assert "2.5 'Parameters'" in result.stdout  # loaded; the docstring keeps its typed sections


def test_broken_documentation_file_as_error_refuses_the_load(tmp_path, hosted_dll):
    copy = tmp_path / "bin"
    shutil.copytree(hosted_dll.parent, copy)
    (copy / hosted_dll.with_suffix(".xml").name).write_text("<doc>")
    result = run_child(f"""
import sys, warnings, ndbridge
warnings.simplefilter("error")
try:
    ndbridge.load({str(copy / hosted_dll.name)!r})
except RuntimeWarning as e:
    print("raised:", e)
print("ndtest" in sys.modules)
""")
    assert result.returncode == 0, result.stderr
    assert "raised:" in result.stdout and "is not well-formed XML" in result.stdout
    assert result.stdout.rstrip().endswith("False")


def test_no_documentation_file_no_summary(tmp_path, hosted_dll):
    copy = tmp_path / "bin"
    shutil.copytree(hosted_dll.parent, copy)
    (copy / hosted_dll.with_suffix(".xml").name).unlink()
    result = run_child(f"""
import warnings, ndbridge
warnings.simplefilter("error")
ndtest = ndbridge.load({str(copy / hosted_dll.name)!r})[0]
print(repr(ndtest.add.__doc__.split(chr(10))[0]), ndtest.__doc__.startswith("NdBridge.Python.Hosted.HostedFunctions from"))
""")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "'Parameters' True"


def test_types_methods_and_properties_show_their_xml_documentation(ndtest):
    assert ndtest.Matrix.__doc__.startswith("A matrix in native memory (seed 000) whose storage Python views without a copy.")
    fill = help_text(ndtest.Matrix.fill)
    assert "Sets every element to value; ndtest.Matrix.sum then reads it." in fill  # the cref named as Python knows it
    assert re.search(r"value : float\n +The value every element gets\.\n", fill), fill
    assert list(inspect.signature(ndtest.Matrix.fill).parameters) == ["self", "value"]
    label = ndtest.Matrix.label.__doc__
    assert label.startswith("str\n\nA free-form name for the matrix.\n\nEmpty until set.")
    assert ndtest.Matrix.rows.__doc__.startswith("int (read-only)")
    assert str(inspect.signature(ndtest.Point)) == "(x, y)"  # one constructor: the type's text signature

"""Exceptions both ways (issue 12 §4)."""

import pytest


@pytest.mark.parametrize("kind, python_type, dotnet_type", [
    ("argument", ValueError, "System.ArgumentException"),
    ("argument_null", ValueError, "System.ArgumentNullException"),
    ("index", IndexError, "System.IndexOutOfRangeException"),
    ("key", KeyError, "System.Collections.Generic.KeyNotFoundException"),
    ("cast", TypeError, "System.InvalidCastException"),
    ("not_supported", TypeError, "System.NotSupportedException"),
    ("memory", MemoryError, "System.OutOfMemoryException"),
    ("other", RuntimeError, "System.InvalidOperationException"),
])
def test_dotnet_exception_becomes_matching_python_exception(ndtest, kind, python_type, dotnet_type):
    with pytest.raises(python_type) as caught:
        ndtest.throw(kind)
    error = caught.value
    assert type(error) is python_type
    assert str(error.args[0]).startswith(dotnet_type + ": ")  # the message names the .NET type
    assert error.dotnet_type == dotnet_type
    assert "HostedFunctions.Throw(String kind)" in error.dotnet_stack_trace  # the .NET stack trace is reachable
    assert any("HostedFunctions.Throw" in note for note in error.__notes__)  # and printed with the traceback


def test_argument_exception_message_keeps_parameter(ndtest):
    with pytest.raises(ValueError, match=r"System.ArgumentException: the kind is wrong \(Parameter 'kind'\)"):
        ndtest.throw("argument")


def test_python_exception_through_dotnet_is_the_original_object(ndtest):
    class Custom(Exception):
        pass

    raised = Custom("from Python")

    def callback():
        raise raised

    with pytest.raises(Custom) as caught:
        ndtest.call_and_let_through(callback)
    assert caught.value is raised
    frames = []
    tb = caught.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "callback" in frames  # the original traceback, from inside the callback


def test_python_exception_caught_in_dotnet(ndtest):
    def callback():
        raise LookupError("missing")

    assert ndtest.call_and_catch(callback) == "LookupError: missing"
    assert ndtest.call_and_catch(lambda: None) == "nothing raised"


def test_process_goes_on_after_exceptions(ndtest):
    for kind in ("argument", "index", "other"):
        with pytest.raises(Exception):
            ndtest.throw(kind)
    assert ndtest.add(1.0, 2.0) == 3.0

# Oracle for BufferFormat conformance: JSON list of format strings on stdin, one JSON result per string on stdout.
# struct: struct.calcsize. numpy: _dtype_from_pep3118 (numpy._core._internal in NumPy 2, numpy.core._internal in 1.x),
# instrumented to report the inputs it accepts only through leniencies NdBridge documents as rejected (unclosed 'T{',
# a '}' closing nothing, empty names). The instrumentation patches the module that holds the parser: NumPy 2's
# numpy.core is a forwarding shim, and patching it would leave the parser untouched.
import importlib
import json
import re
import struct
import sys

import numpy


def parser_module():
    for name in ('numpy._core._internal', 'numpy.core._internal'):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, '_Stream') and hasattr(module, '__dtype_from_pep3118'):
            return module
    raise ImportError('NumPy %s keeps no _dtype_from_pep3118 where this oracle looks' % numpy.__version__)


internal = parser_module()

original = getattr(internal, '__dtype_from_pep3118')
state = {}


class Stream(internal._Stream):
    def consume(self, c):
        found = super().consume(c)
        if found and c == '}':
            state['closedAtDepth'] = state['depth']
        return found


def instrumented(stream, is_subdtype):
    state['depth'] += 1
    state['closedAtDepth'] = None
    result = original(stream, is_subdtype)
    closed = state['closedAtDepth'] == state['depth']
    state['depth'] -= 1
    if is_subdtype and not closed:
        state['lenient'] = 'unclosed T{'
    if not is_subdtype and closed:
        state['lenient'] = "'}' closing nothing"
    state['closedAtDepth'] = None
    return result


setattr(internal, '__dtype_from_pep3118', instrumented)
internal._Stream = Stream


def describe(dt):
    """Canonical text of a dtype: nested sub-arrays flattened, records with names, offsets and sizes."""
    if dt.subdtype is not None:
        shape = []
        base = dt
        while base.subdtype is not None:
            inner, dims = base.subdtype
            shape.extend(dims)
            base = inner
        return 'A(%s)%s' % (','.join(str(d) for d in shape), describe(base))
    if dt.names is not None:
        parts = []
        for name in dt.names:
            field = dt.fields[name]
            parts.append('%s@%d:%s' % (name, field[1], describe(field[0])))
        return 'R%d{%s}' % (dt.itemsize, ';'.join(parts))
    return dt.str


def has_empty_name(dt):
    if dt.subdtype is not None:
        return has_empty_name(dt.subdtype[0])
    if dt.names is not None:
        return any(n == '' or has_empty_name(dt.fields[n][0]) for n in dt.names)
    return False


def min_itemsize(dt):
    if dt.subdtype is not None:
        return min(dt.itemsize, min_itemsize(dt.subdtype[0]))
    if dt.names is not None:
        return min([dt.itemsize] + [min_itemsize(dt.fields[n][0]) for n in dt.names])
    return dt.itemsize


C_INT_MAX = 2**31 - 1


def truncated_by_numpy(text):
    """NumPy 1.24 stores counts and sizes in C ints and wraps larger ones silently (e.g. '5172069146398310679x')."""
    for match in re.finditer(r'([0-9]+)(w?)', text):
        if int(match.group(1)) * (4 if match.group(2) else 1) > C_INT_MAX:
            return True
    return False


def run(text):
    out = {}
    try:
        out['struct'] = struct.calcsize(text)
    except Exception as e:  # every failure is a rejection
        out['structError'] = type(e).__name__
    state.clear()
    state['text'] = text
    state['depth'] = 0
    try:
        dt = internal._dtype_from_pep3118(text)
        if min_itemsize(dt) < 0 or truncated_by_numpy(text):
            out['numpyError'] = 'negative itemsize (C int overflow)'
        else:
            out['numpy'] = describe(dt)
            out['numpySize'] = dt.itemsize
            out['descr'] = repr(dt.descr)
            if has_empty_name(dt):
                state['lenient'] = 'empty name'
            if 'lenient' in state:
                out['lenient'] = state['lenient']
    except RecursionError:
        out['numpyError'] = 'RecursionError'
    except Exception as e:
        out['numpyError'] = type(e).__name__
    return out


def main():
    texts = json.load(sys.stdin)
    json.dump([run(t) for t in texts], sys.stdout)


if __name__ == '__main__':
    main()

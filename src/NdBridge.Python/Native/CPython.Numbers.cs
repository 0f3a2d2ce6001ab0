namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>PyObject *PyLong_FromLongLong(long long v)</c>: new reference.</summary>
    internal static delegate* unmanaged<long, nint> PyLong_FromLongLong;

    /// <summary><c>PyObject *PyLong_FromUnsignedLongLong(unsigned long long v)</c>: new reference.</summary>
    internal static delegate* unmanaged<ulong, nint> PyLong_FromUnsignedLongLong;

    /// <summary><c>long long PyLong_AsLongLong(PyObject *o)</c>: -1 with an error set on failure.</summary>
    internal static delegate* unmanaged<nint, long> PyLong_AsLongLong;

    /// <summary><c>unsigned long long PyLong_AsUnsignedLongLong(PyObject *o)</c>: (unsigned long long)-1 with an error set on failure.</summary>
    internal static delegate* unmanaged<nint, ulong> PyLong_AsUnsignedLongLong;

    /// <summary><c>PyObject *PyFloat_FromDouble(double v)</c>: new reference.</summary>
    internal static delegate* unmanaged<double, nint> PyFloat_FromDouble;

    /// <summary><c>double PyFloat_AsDouble(PyObject *o)</c>: -1.0 with an error set on failure.</summary>
    internal static delegate* unmanaged<nint, double> PyFloat_AsDouble;

    private static void BindNumbers(nint library)
    {
        PyLong_FromLongLong = (delegate* unmanaged<long, nint>)Export(library, nameof(PyLong_FromLongLong));
        PyLong_FromUnsignedLongLong = (delegate* unmanaged<ulong, nint>)Export(library, nameof(PyLong_FromUnsignedLongLong));
        PyLong_AsLongLong = (delegate* unmanaged<nint, long>)Export(library, nameof(PyLong_AsLongLong));
        PyLong_AsUnsignedLongLong = (delegate* unmanaged<nint, ulong>)Export(library, nameof(PyLong_AsUnsignedLongLong));
        PyFloat_FromDouble = (delegate* unmanaged<double, nint>)Export(library, nameof(PyFloat_FromDouble));
        PyFloat_AsDouble = (delegate* unmanaged<nint, double>)Export(library, nameof(PyFloat_AsDouble));
    }
}

namespace NdBridge.Python.Tests.DLPack;

/// <summary>Deleter and owner counting over many export/import cycles, after forced .NET and Python GC.</summary>
[Collection(SerialCollection.Name)]
public sealed class DLPackLifetimeTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private sealed record Counts(long Owners, long Holders, long Pins, long Exports, long PythonDependents, long Created, long Deleted)
    {
        public static Counts Take()
        {
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Python.DrainReleaseQueue();
                using var collected = Python.Eval("__import__('gc').collect()");
            }
            return new Counts(MemoryDiagnostics.LiveOwnerCount, MemoryDiagnostics.LiveHolderCount, MemoryDiagnostics.LivePinCount,
                MemoryDiagnostics.LiveExportCount, PythonRuntime.LiveObjectCount, DLPackExport.TensorsCreated, DLPackExport.DeletersRun);
        }
    }

    [Fact]
    public void HundredThousandCycles_ConsumedAndUnconsumed_EveryDeleterRunsOnce_AndOwnersBalance()
    {
        const int cycles = 100_000;
        using var ns = DLPackPeer.NewScope();
        Python.Exec("""
            t = Tracker()
            producer = Producer(t, np.arange(8.0))
            def numpy_consume(cap):
                return float(np.from_dlpack(Shim(lambda **kw: cap, lambda: (1, 0))).sum())
            def numpy_from_export(export):
                return float(np.from_dlpack(export).sum())
            def ctypes_from_export(export):
                return ctypes_consume(export.__dlpack__(max_version=(1, 0)))
            def ctypes_consume(cap):
                x = Consumed(cap)
                total = float(x.array.sum())
                x.close()   # a ctypes foreign call: our deleter runs with the GIL released
                return total
            """, ns);
        using var producer = ns.GetItem("producer");
        using var numpyConsume = ns.GetItem("numpy_consume");
        using var ctypesConsume = ns.GetItem("ctypes_consume");
        using var numpyFromExport = ns.GetItem("numpy_from_export");
        using var ctypesFromExport = ns.GetItem("ctypes_from_export");
        var values = new double[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var before = Counts.Take();
        var byPath = new int[9];

        for (var i = 0; i < cycles; i++)
        {
            var path = i % byPath.Length;
            byPath[path]++;
            switch (path)
            {
                case 0: // versioned capsule never consumed: its destructor deletes
                case 1: // legacy capsule never consumed
                {
                    using var buffer = NdBuffer.FromArray(values);
                    using var capsule = PythonDLPack.ExportCapsule(buffer, path == 0 ? (1, 1) : null);
                    break;
                }
                case 2: // versioned capsule consumed by NdBridge's importer, disposed
                {
                    using var buffer = NdBuffer.FromArray(values);
                    using var capsule = PythonDLPack.ExportCapsule(buffer, (1, 1));
                    using var back = PythonDLPack.Import(capsule);
                    Assert.Equal(8.0, back.ToArray<double>()[7]); // a copy: no span, so the release stays deterministic
                    break;
                }
                case 3: // legacy capsule consumed, the import left to its finalizer (queued, drained later)
                {
                    using var buffer = NdBuffer.FromArray(values);
                    using var capsule = PythonDLPack.ExportCapsule(buffer);
                    _ = PythonDLPack.Import(capsule);
                    break;
                }
                case 4: // .NET memory consumed by numpy.from_dlpack (the array dies in Python)
                {
                    using var buffer = NdBuffer.FromArray(values);
                    using var capsule = PythonDLPack.ExportCapsule(buffer);
                    using var sum = numpyConsume.Call(capsule);
                    Assert.Equal(36.0, sum.As<double>());
                    break;
                }
                case 5: // Python memory (ctypes producer, versioned) into .NET and back out to NumPy: an owner chain
                {
                    using var imported = PythonDLPack.Import(producer);
                    using var capsule = PythonDLPack.ExportCapsule(imported);
                    using var sum = numpyConsume.Call(capsule);
                    Assert.Equal(28.0, sum.As<double>());
                    break;
                }
                case 7: // the exported type's __dlpack__, consumed by numpy.from_dlpack; the NdBuffer disposed first
                {
                    PythonObject export;
                    using (var buffer = NdBuffer.FromArray(values))
                        export = buffer.ToPython();
                    using (export)
                    using (var sum = numpyFromExport.Call(export))
                        Assert.Equal(36.0, sum.As<double>());
                    break;
                }
                case 8: // the exported type's __dlpack__, consumed by the ctypes peer: the tensor's reference to the
                        // export is dropped by a deleter called with the GIL released
                {
                    PythonObject export;
                    using (var buffer = NdBuffer.FromArray(values))
                        export = buffer.ToPython();
                    using (export)
                    using (var sum = ctypesFromExport.Call(export))
                        Assert.Equal(36.0, sum.As<double>());
                    break;
                }
                case 6: // the same chain, consumed by the ctypes peer, whose deleter call releases the GIL
                {
                    using var imported = PythonDLPack.Import(producer);
                    using var capsule = PythonDLPack.ExportCapsule(imported, (1, 1));
                    using var sum = ctypesConsume.Call(capsule);
                    Assert.Equal(28.0, sum.As<double>());
                    break;
                }
            }
        }

        var after = Counts.Take();
        Assert.Equal(cycles, after.Created - before.Created);
        Assert.Equal(after.Created - before.Created, after.Deleted - before.Deleted);
        Assert.Equal(before with { Created = 0, Deleted = 0 }, after with { Created = 0, Deleted = 0 });
        Assert.Equal(byPath[5] + byPath[6], Python.Eval<long>("t.created", ns));
        Assert.Equal(byPath[5] + byPath[6], Python.Eval<long>("t.deleted", ns));
        Assert.Equal(0, Python.Eval<long>("t.double", ns));
        Assert.Equal(0, Python.Eval<long>("len(t.live)", ns));
    }

    [Fact]
    public void ExportedTypeTensor_OutlivesItsExportAndBuffer_AndItsDeleterOnAnotherThreadWithoutTheGil_ReleasesThem()
    {
        var before = Counts.Take();
        var values = new int[] { 1, 2, 3 };
        nint tensor;
        long exportReferences;
        using (var buffer = NdBuffer.FromArray(values))
        using (var export = buffer.ToPython())
        {
            using var dunder = export.GetAttr("__dlpack__");
            using var maxVersion = Python.Eval("(1, 0)");
            using (PythonGil.Acquire())
                exportReferences = RawPython.RefCount(export.DangerousGetBorrowedReference());
            using var capsule = dunder.CallWithKeywords([], [new("max_version", maxVersion)]);
            unsafe
            {
                using var gil = PythonGil.Acquire();
                var raw = capsule.DangerousGetBorrowedReference();
                tensor = (nint)CPython.PyCapsule_GetPointer(raw, DLPackNative.DltensorVersionedName);
                Assert.Equal(0, CPython.PyCapsule_SetName(raw, DLPackNative.UsedDltensorVersionedName)); // consumed, as a C consumer would
                exportReferences = RawPython.RefCount(export.DangerousGetBorrowedReference()) - exportReferences;
            }
        }
        Assert.Equal(1, exportReferences); // the tensor's reference to the export
        var held = Counts.Take();
        Assert.Equal(before.Owners + 1, held.Owners); // the tensor keeps the export, which keeps the pinned array
        Assert.Equal(before.PythonDependents, held.PythonDependents); // a reference Python-side holders own: no dependent
        DeleteOnAnotherThread(tensor);
        AssertBalancedAfterOneTensor(before);
    }

    [Fact]
    public void DeleterOnAnotherThreadWithoutTheGil_ReleasesTheOwner()
    {
        var before = Counts.Take();
        var values = new int[] { 1, 2, 3 };
        var buffer = NdBuffer.FromArray(values);
        nint tensor;
        using (var capsule = PythonDLPack.ExportCapsule(buffer, (1, 0)))
        {
            unsafe
            {
                using var gil = PythonGil.Acquire();
                var raw = capsule.DangerousGetBorrowedReference();
                tensor = (nint)CPython.PyCapsule_GetPointer(raw, DLPackNative.DltensorVersionedName);
                Assert.Equal(0, CPython.PyCapsule_SetName(raw, DLPackNative.UsedDltensorVersionedName)); // consumed, as a C consumer would
            }
        }
        buffer.Dispose();
        Assert.Equal(before.Owners + 1, MemoryDiagnostics.LiveOwnerCount); // the tensor still holds the pinned array
        DeleteOnAnotherThread(tensor);
        AssertBalancedAfterOneTensor(before);
    }

    // A consumer's own thread, without the GIL, calls the versioned tensor's deleter.
    private static void DeleteOnAnotherThread(nint tensor)
    {
        var thread = new Thread(() =>
        {
            unsafe
            {
                var managed = (DLPackNative.DLManagedTensorVersioned*)tensor;
                managed->deleter(managed);
            }
        });
        thread.Start();
        thread.Join();
    }

    private static void AssertBalancedAfterOneTensor(Counts before)
    {
        var after = Counts.Take();
        Assert.Equal(before with { Created = 0, Deleted = 0 }, after with { Created = 0, Deleted = 0 });
        Assert.Equal(1, after.Created - before.Created);
        Assert.Equal(1, after.Deleted - before.Deleted);
    }
}

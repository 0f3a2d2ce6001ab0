using System.Runtime.InteropServices;
using NdBridge.Python;

namespace NdBridge.Showcase.Steps;

/// <summary>A .NET array of structs seen by NumPy as a structured array with named fields.</summary>
internal static class RecordArrayStep
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Particle
    {
        public int Id;
        public double Mass;
        public float X, Y;
    }

    public static void Run(ShowcaseRun run)
    {
        run.BeginStep(".NET structs as a NumPy structured array, and back");
        var particles = new Particle[4];
        for (int i = 0; i < particles.Length; i++)
            particles[i] = new Particle { Id = i, Mass = 1.5 * i, X = i, Y = -i };
        using var buffer = NdBuffer.FromArray(particles);
        run.Say($"Particle[] as a buffer: format '{buffer.Format}' ({buffer.Format.Describe()})");
        using (var array = buffer.ToNumPy())
            run.Namespace.SetItem("p", array);
        run.Say($"NumPy dtype: {run.Eval<string>("str(p.dtype)")}");
        run.Check(run.Eval<string>("repr(p.dtype.names)") == "('Id', 'Mass', 'X', 'Y')" &&
                  run.Eval<long>("p.dtype.itemsize") == Marshal.SizeOf<Particle>() &&
                  run.Eval<string>("repr([p.dtype.fields[n][1] for n in p.dtype.names])") ==
                  $"[{Marshal.OffsetOf<Particle>("Id")}, {Marshal.OffsetOf<Particle>("Mass")}, {Marshal.OffsetOf<Particle>("X")}, {Marshal.OffsetOf<Particle>("Y")}]",
            "NumPy's fields are the struct's names, offsets and size");
        run.Exec("p['Mass'] *= 10; p[3]['X'] = 99");
        run.Check(particles[2].Mass == 30 && particles[3].X == 99 && particles[1].Mass == 15,
            "Python's writes to p['Mass'] and p[3]['X'] land in the .NET array");
        particles[0].Y = 7;
        run.Check(run.Eval<double>("float(p['Y'][0])") == 7, "a write to the .NET array is seen in NumPy");
        run.Exec("del p");

        // And back: a structured array NumPy made, read and written in C# as a span of the .NET struct.
        run.Exec("q = np.zeros(3, dtype=np.dtype([('Id', '<i4'), ('Mass', '<f8'), ('X', '<f4'), ('Y', '<f4')], align=True)); q['Id'] = [7, 8, 9]");
        using (var numPyRecords = run.Eval("q"))
        {
            int sumOfIds = numPyRecords.WithStridedSpan<Particle, int>(span =>
            {
                span[1].Mass = 2.25;
                return span[0].Id + span[1].Id + span[2].Id;
            });
            run.Check(sumOfIds == 24 && run.Eval<double>("float(q['Mass'][1])") == 2.25,
                "a NumPy structured array (align=True) is a StridedSpan<Particle> in C#: ids read, a Mass written back");
        }
        run.Exec("del q");
    }
}

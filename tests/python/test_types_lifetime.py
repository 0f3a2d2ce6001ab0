"""Lifetime acceptance of issue 13: 100,000 create → export → drop cycles from Python threads, counted (child process)."""

import textwrap

from conftest import run_child


def test_create_export_drop_cycles_return_to_baseline(hosted_dll):
    code = textwrap.dedent(f"""
        import gc, resource, sys, threading
        import numpy as np
        import ndbridge
        nd = next(m for m in ndbridge.load({str(hosted_dll)!r}) if m.__name__ == "ndtest")
        KEYS = ("live_instances", "mapped_instances", "live_exports", "live_owners", "live_holders",
                "live_native_allocations", "live_python_references", "pending_releases", "live_callbacks")

        def counters():
            gc.collect(); ndbridge.collect(); gc.collect(); ndbridge.collect()
            d = ndbridge.diagnostics()
            return {{k: d[k] for k in KEYS}}

        def cycles(n):
            for i in range(n):
                m = nd.Matrix(4, 4)
                a = np.asarray(m)
                a[0, 0] = i
                v = memoryview(m)
                assert m[0, 0] == i
                v.release()
                del a, v, m

        probe = np.zeros(3)
        baseline_ref = sys.getrefcount(probe)
        cycles(2000)  # warm-up: types, caches, the export table
        before = counters()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        threads = [threading.Thread(target=cycles, args=(25000,)) for _ in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        after = counters()
        rss_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        print("before", before); print("after", after); print("rss_growth_kib", rss_growth_kib)
        assert after == before, (before, after)
        assert sys.getrefcount(probe) == baseline_ref
        assert rss_growth_kib < 64 * 1024, rss_growth_kib
        print("OK")
    """)
    result = run_child(code, timeout=600)
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr

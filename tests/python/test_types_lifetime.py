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

        def rss_kib():
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * resource.getpagesize() // 1024

        def round_of_threads():
            threads = [threading.Thread(target=cycles, args=(25000,)) for _ in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()

        m = nd.Matrix(2)
        m_refcount = sys.getrefcount(m)
        cycles(2000)  # warm-up: types, caches, the export table
        before = counters()
        round_of_threads()  # 100,000 cycles
        after = counters()
        round_of_threads()  # allocators (Python's arenas, .NET's heaps per thread) settle
        counters()
        rss_first = rss_kib()
        round_of_threads()  # 100,000 more: a leak of anything per cycle grows RSS again by as much
        counters()
        rss_second = rss_kib()
        print("before", before); print("after", after); print("rss_kib", rss_first, rss_second)
        assert after == before, (before, after)
        assert counters() == before
        assert sys.getrefcount(m) == m_refcount
        assert rss_second - rss_first < 8 * 1024, (rss_first, rss_second)  # 100,000 leaked matrices alone would be ~20 MiB
        print("OK")
    """)
    result = run_child(code, timeout=600)
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr
    print(result.stdout)

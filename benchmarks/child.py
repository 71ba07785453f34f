"""One benchmark child process: `child.py MODE LIB [options as JSON]`, prints its result as JSON
(or, in mode serve, answers timing commands line by line).

run.py starts it with the thread variables already set and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed,
so they take effect before NumPy (or torch) is imported. LIB is chainrule, torch or numpy.
"""
import json
import sys
import time


def import_seconds(lib):
    """CPU seconds of `import lib` (wall-clock on an idle machine once the files are cached)."""
    start = time.process_time()
    __import__(lib)
    return time.process_time() - start


def library(lib, threads):
    """(module with the step builders, leading arguments): workloads.py with chainrule or torch as `T`,
    or numpy_floor.py, the hand-written NumPy floor."""
    if lib == "numpy":
        import numpy_floor
        return numpy_floor, ()
    import workloads
    module = __import__(lib)
    if lib == "torch":
        module.set_num_threads(threads)
    return workloads, (module,)


def builders(steps, args, chain_ops):
    """Row key -> function building its step."""
    from data import TENSOR_SIZES

    rows = {"a_no_graph": lambda: steps.chain_steps(*args)[0],
            "a_graph": lambda: steps.chain_steps(*args)[1],
            "a_fwd_bwd": lambda: steps.chain_steps(*args)[2],
            "b": lambda: steps.tutorial_step(*args),
            "c": lambda: steps.mlp_step(*args),
            "c_add_": lambda: steps.mlp_step_add_(*args),
            "d": lambda: steps.cnn_step(*args),
            "e_chain": lambda: steps.chain_steps(*args, chain_ops)[2]}
    for size in TENSOR_SIZES:
        rows[f"e_{size}"] = lambda size=size: steps.scaling_step(*args, size)
    return rows


def safely(fn):
    """fn()'s result, or {"error": reason} so one broken workload does not stop the others."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 -- reported as "n/a (reason)" in the table
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:100]}


def traced_peak(step):
    """tracemalloc's peak over one call (it sees NumPy's buffers, not PyTorch's C++ allocations)."""
    import tracemalloc

    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def serve(lib, threads, block_seconds, chain_ops, cpu_clock):
    """Answers run.py's commands, one JSON line each way, so that it can interleave the libraries' blocks
    (timed on the process's CPU time when cpu_clock, else on the wall clock):
    ["prepare", key] builds, warms up and calibrates a row (answers the calls per block) and drops the row
    prepared before it, ["block", key] times one block (seconds per call), ["trace", key] measures one call's
    traced peak; both of the row prepared last."""
    import timing

    clock = time.process_time if cpu_clock else time.perf_counter
    steps, args = library(lib, threads)
    build = builders(steps, args, chain_ops)
    ready = {}

    def prepare(key):
        ready.clear()  # each row runs with only its own data alive
        step = build[key]()
        ready[key] = step, timing.calibrate(step, 0 if key == "e_chain" else block_seconds, clock)
        return ready[key][1]

    commands = {"prepare": prepare, "block": lambda key: timing.block(*ready[key], clock),
                "trace": lambda key: traced_peak(ready[key][0])}
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        command, key = json.loads(line)
        print(json.dumps(safely(lambda: commands[command](key))), flush=True)


def rss_growth(lib, steps):
    """ru_maxrss growth (bytes) over the baseline taken after imports and data creation, workload c."""
    import resource

    builders_module, args = library(lib, 1)
    step = builders_module.mlp_step(*args)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(steps):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) * 1024


def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return None
    import numpy  # noqa: F401 -- loads the BLAS threadpoolctl inspects
    return [{k: pool.get(k) for k in ("internal_api", "architecture", "num_threads", "version")}
            for pool in threadpoolctl.threadpool_info() if pool.get("user_api") == "blas"]


def verify():
    import verify as checks
    checks.main()
    return "ok"


def main():
    mode, lib, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    if mode == "serve":
        return serve(lib, **options)
    modes = {"import": lambda: import_seconds(lib),
             "rss": lambda: rss_growth(lib, **options),
             "blas": blas_info,
             "verify": verify}
    print(json.dumps(modes[mode]()))


if __name__ == "__main__":
    main()

"""chainrule against PyTorch (CPU) and hand-written NumPy: `python benchmarks/run.py [--quick] [--rows KEY ...]`.

Every measurement runs in a child process (child.py) whose environment pins BLAS and OpenMP to the table's
thread count before NumPy or torch is imported; this process imports neither.
"""
import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = str(Path(__file__).with_name("child.py"))
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
UNSET_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
NAMES = {"chainrule": "chainrule", "torch": "PyTorch", "numpy": "NumPy"}
SHORT = {"torch": "PT", "numpy": "NP"}
MIB = 1 / 2 ** 20
# NOTE: after a parallel region, OpenBLAS's and OpenMP's worker threads spin for a while before they sleep
# (OpenBLAS: 2**28 cycles, about 0.1 s). With more than one thread, a library's block that starts while the
# previous library's workers spin shares the cores with them: chainrule's MLP step read 4.6 ms with two threads
# against 3.2 with one. Waiting this long before each block lets them sleep.
SPIN_SECONDS = 0.2

FULL = dict(blocks=7, block_seconds=0.05, chain_ops=100_000, chain_blocks=3, import_runs=7, rss_steps=10)
QUICK = dict(blocks=3, block_seconds=0.02, chain_ops=10_000, chain_blocks=1, import_runs=3, rss_steps=3)


def rows(chain_ops):
    """(key, label, unit, scale from seconds or bytes, targets); a target is (baseline, limit) where the
    baseline is "torch" or "numpy" (ratio <= limit) or "abs" (value < limit, in the row's unit)."""
    per_op = 1e6 / 200
    return [
        ("a_no_graph", "a  200-op chain, forward, no graph", "us/op", per_op, [("numpy", 2.0)]),
        ("a_graph", "a  200-op chain, forward, graph", "us/op", per_op, []),
        ("a_fwd_bwd", "a  200-op chain, forward+backward", "us/op", per_op, [("torch", 0.75)]),
        ("b", "b  tutorial step", "us", 1e6, [("torch", 0.75)]),
        ("c", "c  MLP training step", "ms", 1e3, [("numpy", 1.10)]),
        ("c_add_", "c  same, SGD by p.add_(p.grad, alpha)", "ms", 1e3, []),
        ("d", "d  CNN training step", "ms", 1e3, [("torch", 1.5), ("numpy", 1.0)]),
        ("e_16", "e  tanh(x*m) fwd+bwd, 16", "us", 1e6, []),
        ("e_1024", "e  tanh(x*m) fwd+bwd, 1k", "us", 1e6, []),
        ("e_65536", "e  tanh(x*m) fwd+bwd, 64k", "us", 1e6, []),
        ("e_1048576", "e  tanh(x*m) fwd+bwd, 1M", "ms", 1e3, [("numpy", 1.05)]),
        ("e_chain", f"e  {chain_ops:,}-op chain, fwd+bwd", "s", 1, []),
        ("e_chain_mem", f"e  {chain_ops:,}-op chain, peak traced", "MiB", MIB, []),
        ("f_import", "f  import time", "s", 1, [("abs", 0.25)]),
        ("f_rss", "f  MLP step peak RSS growth", "MiB", MIB, [("numpy", 1.3)]),
    ]


def child_env(threads):
    env = {k: v for k, v in os.environ.items() if k not in UNSET_VARIABLES}
    env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    return env


def child(mode, lib, options=None, threads=1):
    """The child's JSON answer, or {"error": reason} when it failed."""
    done = subprocess.run([sys.executable, CHILD, mode, lib, json.dumps(options or {})], env=child_env(threads),
                          capture_output=True, text=True, check=False)
    if done.returncode:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return {"error": lines[-1][:100]}
    return json.loads(done.stdout.splitlines()[-1])


def progress(message):
    print(message, file=sys.stderr, flush=True)


def cpu_model():
    with open("/proc/cpuinfo") as info:
        return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "unknown")


def version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def print_machine(libs):
    print(f"machine: {cpu_model()}, {os.cpu_count()} logical cores ({len(os.sched_getaffinity(0))} usable), "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"python {platform.python_version()}, numpy {version('numpy')}, torch {version('torch')}, "
          f"chainrule {version('chainrule')}")
    removed = [f"{k}={os.environ[k]}" for k in UNSET_VARIABLES if k in os.environ]
    print(f"children: {', '.join(THREAD_VARIABLES)} set per table; {' and '.join(UNSET_VARIABLES)} unset"
          + (f" (here: {', '.join(removed)})" if removed else " (not set here)"))
    blas = child("blas", "numpy")
    print("numpy BLAS: " + ("unknown (threadpoolctl not importable)" if blas is None else json.dumps(blas)))
    if "torch" not in libs:
        print("PyTorch not importable: its column and the check of the NumPy floor are skipped")


def verify_floor():
    """Stops the run unless every hand-written NumPy gradient matches PyTorch's."""
    result = child("verify", "torch")
    if result != "ok":
        sys.exit(f"NumPy floor disagrees with PyTorch: {result['error']}")
    print("NumPy floor: losses and gradients match PyTorch's (assert_allclose, rtol 2e-4)")


class Server:
    """A child process of one library that builds, calibrates and times rows on request."""

    def __init__(self, lib, threads, settings):
        options = dict(threads=threads, block_seconds=settings["block_seconds"], chain_ops=settings["chain_ops"],
                       cpu_clock=threads == 1)
        self.errors = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen([sys.executable, CHILD, "serve", lib, json.dumps(options)],
                                        env=child_env(threads), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True)
        self.failure = None
        self.read()  # "ready", or the failure when the library could not be imported

    def read(self):
        line = self.process.stdout.readline()
        if line:
            return json.loads(line)
        self.errors.seek(0)
        lines = self.errors.read().strip().splitlines() or ["the child process ended"]
        self.failure = {"error": lines[-1][:100]}
        return self.failure

    def ask(self, command, key):
        if self.failure:
            return self.failure
        self.process.stdin.write(json.dumps([command, key]) + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self):
        self.process.stdin.close()
        self.process.wait()
        self.errors.close()


def is_error(answer):
    return isinstance(answer, dict)


def time_row(servers, key, blocks, pause):
    """Median seconds per call for each library; the libraries' blocks alternate, so that a burst of
    load from elsewhere on the machine falls on all of them alike. `pause` seconds before each block let the
    worker threads of the library timed before it stop spinning (see SPIN_SECONDS)."""
    prepared = {lib: server.ask("prepare", key) for lib, server in servers.items()}
    samples = {lib: [] for lib in servers}
    for _ in range(blocks):
        for lib, server in servers.items():
            if not is_error(prepared[lib]):
                time.sleep(pause)
                answer = server.ask("block", key)
                prepared[lib] = answer if is_error(answer) else prepared[lib]
                samples[lib].append(answer)
    return {lib: prepared[lib] if is_error(prepared[lib]) else statistics.median(samples[lib]) for lib in servers}


def time_table(libs, threads, settings, keys):
    """{lib: {row key: seconds or error}}, plus the long chain's traced memory when "e_chain" is timed."""
    servers = {lib: Server(lib, threads, settings) for lib in libs}
    results = {lib: {} for lib in libs}
    for key in keys:
        progress(f"{threads} thread(s): {key}")
        blocks = settings["chain_blocks"] if key == "e_chain" else settings["blocks"]
        for lib, seconds in time_row(servers, key, blocks, SPIN_SECONDS if threads > 1 else 0).items():
            results[lib][key] = seconds
    if "e_chain" in keys:
        for lib, server in servers.items():
            results[lib]["e_chain_mem"] = {"error": "not traced (C++)"} if lib == "torch" else server.ask(
                "trace", "e_chain")
    for server in servers.values():
        server.close()
    return results


def byte_compile(lib):
    """Compile chainrule's modules to bytecode first, as `pip install` does for NumPy's and torch's: an editable
    checkout run with PYTHONDONTWRITEBYTECODE (as this machine's shells are) would otherwise compile every module
    on every import. The import row would time the compiler (0.22 s against 0.10 s), and the compiler's memory
    churn would leave the allocator's trim thresholds higher than a user's process has them (workload d, after
    c: no page faults with a compile at import, 770 per step without)."""
    spec = importlib.util.find_spec(lib)  # (finds the package without importing it)
    if spec is not None and spec.submodule_search_locations:
        subprocess.run([sys.executable, "-m", "compileall", "-q", *spec.submodule_search_locations], check=False,
                       capture_output=True)


def process_costs(libs, results, settings):
    """Adds f: median import time in fresh processes, and workload c's peak RSS growth."""
    for lib in libs:
        progress(f"import time and memory, {lib}")
        runs = [child("import", lib) for _ in range(settings["import_runs"])]
        failed = next((run for run in runs if isinstance(run, dict)), None)
        results[lib]["f_import"] = failed or statistics.median(runs)
        results[lib]["f_rss"] = child("rss", lib, {"steps": settings["rss_steps"]})


def number(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}" if x >= 0.1 else f"{x:.3f}"


def verdict(base, limit, unit, value_in_unit, ratios):
    """"<=0.75x PT met"-style text for one target."""
    if base == "abs":
        label, met = f"<{limit} {unit}", None if value_in_unit is None else value_in_unit < limit
    else:
        label, met = f"<={limit}x {SHORT[base]}", None if base not in ratios else ratios[base] <= limit
    return f"{label} " + {None: "n/a", True: "met", False: "MISSED"}[met]


def row_cells(results, libs, key, unit, scale, targets):
    """The value cells, the two ratio cells, and the targets / failures cell of one row."""
    values = {lib: results.get(lib, {}).get(key) for lib in NAMES}
    ok = {lib: isinstance(v, (int, float)) for lib, v in values.items()}
    cells = [number(values[lib] * scale) if ok[lib] else "n/a" if lib in libs else "-" for lib in NAMES]
    ratios = {base: values["chainrule"] / values[base] for base in SHORT
              if ok["chainrule"] and ok[base] and values[base] > 0}
    cells += [f"{ratios[base]:.2f}x" if base in ratios else "-" for base in SHORT]
    chainrule = values["chainrule"] * scale if ok["chainrule"] else None
    notes = [verdict(base, limit, unit, chainrule, ratios) for base, limit in targets]
    notes += [f"n/a ({NAMES[lib]}: {values[lib]['error']})" for lib in libs if isinstance(values[lib], dict)]
    return cells + ["; ".join(notes)]


def print_table(title, results, libs, table_rows):
    header = ["workload", "unit", *NAMES.values(), "cr/PT", "cr/NP", "target"]
    body = [[label, unit, *row_cells(results, libs, key, unit, scale, targets)]
            for key, label, unit, scale, targets in table_rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header) - 1)]
    print(f"\n{title}")
    for line in [header] + body:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
              + "  " + line[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer, shorter blocks and a 10k-op long chain (about 20 s)")
    parser.add_argument("--rows", nargs="+", metavar="KEY",
                        help="only these rows: " + ", ".join(key for key, *_ in rows(0) if key != "e_chain_mem"))
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    all_rows = rows(settings["chain_ops"])
    if args.rows:
        unknown = set(args.rows) - {key for key, *_ in all_rows}
        if unknown:
            parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
        wanted = set(args.rows) | ({"e_chain_mem"} if "e_chain" in args.rows else set())
        all_rows = [row for row in all_rows if row[0] in wanted]
    libs = ["chainrule", "torch", "numpy"] if importlib.util.find_spec("torch") else ["chainrule", "numpy"]
    byte_compile("chainrule")  # before any child imports it: every row runs as on an installed package
    print_machine(libs)
    if "torch" in libs:
        verify_floor()
    print(f"timings: median of {settings['blocks']} blocks after warm-up (long chain: {settings['chain_blocks']} "
          f"runs), the libraries' blocks interleaved; import: median of {settings['import_runs']} fresh processes")
    print("clocks: the 1-thread table (import times included) is in process CPU time, which equals wall-clock time\n"
          "on an idle machine and is not moved by other load; the 2-thread table is wall-clock time")
    timed = [key for key, *_ in all_rows if not key.startswith(("f_", "e_chain_"))]
    one = time_table(libs, 1, settings, timed)
    if any(key.startswith("f_") for key, *_ in all_rows):
        process_costs(libs, one, settings)
    two = time_table(libs, 2, settings, [key for key in timed if key != "e_chain"])
    print_table("1 thread (headline): chainrule vs PyTorch (PT) and hand-written NumPy (NP)", one, libs, all_rows)
    print_table("2 threads (wall-clock; the targets are the headline table's)", two, libs,
                [(*row[:4], []) for row in all_rows if not row[0].startswith(("e_chain", "f_"))])
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (if above the core count, "
          f"other processes skew the wall-clock rows)")


if __name__ == "__main__":
    main()

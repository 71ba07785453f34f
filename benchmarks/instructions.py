"""Machine instructions per step, counted by valgrind's cachegrind: `python benchmarks/instructions.py [ROW ...]`.

Timings on a shared VM move by 10-30% between runs; an instruction count does not. Each row (b by default, or
any key run.py times, such as a_fwd_bwd) runs twice per library under cachegrind, for `--steps` and for twice
as many steps; the difference over the extra steps is the count per step, free of start-up and import. Needs
valgrind on the PATH. A count is no timing (it ignores cache misses and stalls), but it tells whether a change
made chainrule do less work.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
LIBS = ("chainrule", "torch")
THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")  # one thread, as the headline table
RUN = """
import sys
sys.path.insert(0, {here!r})
import child
steps, args = child.library({lib!r}, 1)
step = child.builders(steps, args, 10_000)[{row!r}]()
for _ in range({n}):
    step()
"""


def instructions(lib, row, n):
    """Instructions cachegrind counts for a process that builds `row` for `lib` and runs `n` steps."""
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, "-c", RUN.format(here=str(HERE), lib=lib, row=row, n=n)],
                          capture_output=True, text=True, env={**os.environ, **dict.fromkeys(THREADS, "1")})
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or not found:
        raise RuntimeError(f"{lib} {row}: {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}")
    return int(found.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", default=["b"])
    parser.add_argument("--steps", type=int, default=500, help="steps of the shorter run (default 500)")
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    for row in options.rows:
        counts = {}
        for lib in LIBS:
            try:
                short, long = (instructions(lib, row, n) for n in (options.steps, 2 * options.steps))
            except RuntimeError as e:
                print(f"{row} {lib}: n/a ({e})")
                continue
            counts[lib] = (long - short) / options.steps
        line = ", ".join(f"{lib} {count / 1e3:,.1f}k" for lib, count in counts.items())
        ratio = f" (cr/PT {counts['chainrule'] / counts['torch']:.2f}x)" if len(counts) == 2 else ""
        print(json.dumps(row), f"instructions per step: {line}{ratio}")


if __name__ == "__main__":
    main()

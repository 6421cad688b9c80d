#!/usr/bin/env python3
"""A small mutation fuzzer for bnn-opt: no input may crash it.

Takes the lit test inputs as seeds, applies random textual mutations (numbers
changed, tokens deleted or duplicated, types and attribute values swapped),
and runs each mutant through bnn-opt with the folders and the compile-time
passes. A mutant may be rejected (exit code 1 with a diagnostic) or accepted;
it must never crash (signal, assertion, stack dump). Fixed seed, bounded
count; prints `N passed, M failed` and writes each crashing mutant to the
output directory for a reproducer.
"""
import argparse
import glob
import os
import random
import re
import subprocess
import sys

PIPELINES = [
    ["-canonicalize"],
    ["-bnn-fold-transforms", "-bnn-binarize", "-canonicalize",
     "-bnn-fuse-threshold", "-bnn-pack-weights", "-bnn-summary=output=/dev/null"],
    ["-bnn-lower"],
    ["-bnn-inference-pipeline"],
]

NUMBER = re.compile(r"(?<![\w#%])-?\d+(\.\d+)?(e[+-]?\d+)?")
INTERESTING = ["0", "1", "-1", "2", "3", "31", "32", "33", "63", "64", "65",
               "129", "0.0", "-0.0", "1.0", "-1.0", "0x7FC00000",
               "9223372036854775807", "-9223372036854775808", "2147483648"]
SWAPS = [("i64", "i32"), ("i32", "i64"), ("f32", "f16"), ("f32", "i32"),
         ("sign", "nonzero"), ("ste", "approx"), ("true", "false"),
         ("tensor<", "tensor<1x"), ("x", "x1x"), ("[1, 1]", "[1]"),
         ("padding = [", "padding = [1, "), ("strides = [", "strides = [0, ")]


def split_cases(text):
    return [c for c in re.split(r"^// -----$", text, flags=re.M) if "func.func" in c]


def mutate(rng, text):
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(4)
        if kind == 0:
            numbers = list(NUMBER.finditer(text))
            if numbers:
                m = rng.choice(numbers)
                text = text[:m.start()] + rng.choice(INTERESTING) + text[m.end():]
        elif kind == 1:
            a, b = rng.choice(SWAPS)
            positions = [m.start() for m in re.finditer(re.escape(a), text)]
            if positions:
                p = rng.choice(positions)
                text = text[:p] + b + text[p + len(a):]
        elif kind == 2:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                del lines[i]
            else:
                lines.insert(i, lines[rng.randrange(len(lines))])
            text = "\n".join(lines)
        else:
            tokens = list(re.finditer(r"\S+", text))
            if tokens:
                m = rng.choice(tokens)
                text = text[:m.start()] + text[m.end():]
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bnn-opt", required=True)
    parser.add_argument("--seeds", nargs="+", required=True)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    cases = []
    for pattern in args.seeds:
        for path in sorted(glob.glob(pattern)):
            with open(path) as f:
                text = f.read()
            # Skip huge generated models: mutating their weights is slow and
            # finds nothing the small cases do not.
            cases += [c for c in split_cases(text) if len(c) < 20000]
    if not cases:
        sys.exit("mutate.py: no seed cases found")

    rng = random.Random(args.seed)
    passed = failed = accepted = 0
    for i in range(args.count):
        mutant = mutate(rng, rng.choice(cases))
        pipeline = rng.choice(PIPELINES)
        path = os.path.join(args.out_dir, "mutant.mlir")
        with open(path, "w") as f:
            f.write(mutant)
        try:
            result = subprocess.run([args.bnn_opt, path, "-o", os.devnull] + pipeline,
                                    capture_output=True, text=True, timeout=60)
            # A sanitizer report exits 1 like a rejection: count it as the
            # crash it is (ASan, UBSan, LeakSanitizer in an instrumented
            # build).
            crashed = (result.returncode not in (0, 1) or
                       "Stack dump" in result.stderr or
                       "Assertion" in result.stderr or
                       "LLVM ERROR" in result.stderr or
                       "Sanitizer" in result.stderr or
                       "runtime error:" in result.stderr)
            rejected_silently = (result.returncode == 1 and
                                 "error" not in result.stderr)
        except subprocess.TimeoutExpired:
            crashed, rejected_silently, result = True, False, None
        if crashed or rejected_silently:
            failed += 1
            keep = os.path.join(args.out_dir, "crash-%d.mlir" % i)
            with open(keep, "w") as f:
                f.write("// bnn-opt %s\n" % " ".join(pipeline) + mutant)
            why = "timeout" if result is None else (
                "exit %d without an error message" % result.returncode
                if rejected_silently else "exit %d" % result.returncode)
            print("CRASH %s (%s): %s" % (keep, " ".join(pipeline), why))
            if result is not None:
                print("\n".join(result.stderr.splitlines()[:8]))
        else:
            passed += 1
            accepted += result.returncode == 0
    # How many mutants got past the parser and verifier into the passes.
    print("mutants accepted: %d of %d" % (accepted, args.count))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

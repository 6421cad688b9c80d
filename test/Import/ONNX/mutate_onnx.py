#!/usr/bin/env python3
"""Runs bnn-import on deterministic mutants of ONNX models: truncations at
many lengths, bytes flipped and varints overwritten. Every run must end with
exit 0 (a mutant that still means a model) or 1 with an `error:` line; a
signal, the crash boundary's 70 or a silent failure fails the test.

    mutate_onnx.py BNN_IMPORT COUNT MODEL.onnx...

Python 3 standard library only. Prints "N mutants, K imported, E errors".
"""

import random
import subprocess
import sys
import tempfile
import os


def mutants(data, rng, count):
    for i in range(count):
        kind = i % 4
        if kind == 0:  # truncation
            yield data[: rng.randrange(1, len(data))]
        elif kind == 1:  # flipped bytes
            b = bytearray(data)
            for _ in range(rng.randrange(1, 8)):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            yield bytes(b)
        elif kind == 2:  # a large varint (length, dimension or count)
            b = bytearray(data)
            pos = rng.randrange(len(b) - 10)
            b[pos : pos + 10] = bytes([0xFF] * 9 + [0x01])
            yield bytes(b)
        else:  # a byte set to a random value
            b = bytearray(data)
            b[rng.randrange(len(b))] = rng.randrange(256)
            yield bytes(b)


def main():
    tool, count, models = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rng = random.Random(1)
    total = imported = errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mutant.onnx")
        for model in models:
            with open(model, "rb") as f:
                data = f.read()
            for mutant in mutants(data, rng, count):
                with open(path, "wb") as f:
                    f.write(mutant)
                run = subprocess.run([tool, path, "-o", os.devnull],
                                     capture_output=True, text=True, errors="replace",
                                     timeout=60)
                total += 1
                if run.returncode == 0:
                    imported += 1
                elif run.returncode == 1 and "error:" in run.stderr:
                    errors += 1
                else:
                    print(f"FAIL: {model} mutant {total}: exit "
                          f"{run.returncode}\n{run.stderr}")
                    sys.exit(1)
    print(f"{total} mutants, {imported} imported, {errors} errors")


if __name__ == "__main__":
    main()

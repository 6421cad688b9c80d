#!/usr/bin/env python3
"""Writes the seed corpus of bnn-fuzz: every `// -----` case of the given lit
inputs that defines a function, one file each, without the RUN/CHECK comment
lines (they only cost the fuzzer mutations), and every small ONNX model
(.onnx, copied as is: bnn-fuzz imports what looks like ONNX). Huge
generated models are skipped: they make each execution slow and exercise
nothing the small cases do not.

    make_corpus.py OUT_DIR FILE_OR_GLOB...
"""
import glob
import os
import re
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    count = 0
    for pattern in sys.argv[2:]:
        for path in sorted(glob.glob(pattern)):
            if path.endswith(".onnx"):
                with open(path, "rb") as f:
                    model = f.read()
                if len(model) <= 8192:
                    count += 1
                    with open(os.path.join(out_dir, "seed-%04d.onnx" % count),
                              "wb") as f:
                        f.write(model)
                continue
            with open(path) as f:
                text = f.read()
            for case in re.split(r"^// -----$", text, flags=re.M):
                if "func.func" not in case or len(case) > 8000:
                    continue
                lines = [l for l in case.split("\n")
                         if not re.match(r"\s*//\s*(RUN|CHECK|[A-Z-]+:)", l)]
                count += 1
                with open(os.path.join(out_dir, "seed-%04d.mlir" % count),
                          "w") as f:
                    f.write("\n".join(lines).strip() + "\n")
    if count == 0:
        sys.exit("make_corpus.py: no seed cases found")
    print("make_corpus.py: %d seeds" % count)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Imports and compiles the ONNX test models of cases.inc, for harness.cpp.

    build_cases.py --import BNN_IMPORT --compile BNN_COMPILE --inputs DIR
                   --target TRIPLE --out OUTDIR [--cases FILE]

For every CASE(NAME, ...) of cases.inc (default: the one next to this
script) it runs

    BNN_IMPORT DIR/NAME.onnx --function-name=onnx_NAME -o OUTDIR/NAME.mlir
    BNN_COMPILE OUTDIR/NAME.mlir --target=TRIPLE --emit=obj -o OUTDIR/NAME.o

(the function names carry the prefix onnx_ so that case names such as `div`
do not collide with the C library's; harness.cpp declares them so). It stops
at the first failing command: prints the command and its stderr, exit 1.
On success it writes OUTDIR/objects.rsp (the objects, one a line: a
response file for the compiler driver, `@OUTDIR/objects.rsp`) and prints the
objects.

Python 3 standard library only (the lit suite runs it with its own python).
"""

import argparse
import os
import re
import shlex
import subprocess
import sys

CASE_RE = re.compile(r"^\s*CASE\(\s*(\w+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)")


def read_cases(path):
    names = []
    with open(path) as f:
        for line in f:
            m = CASE_RE.match(line)
            if m:
                names.append(m.group(1))
    return names


def run(cmd):
    """Runs cmd; on failure prints it with its output and exits 1."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.stderr.write("build_cases.py: command failed (exit %d): %s\n"
                         % (proc.returncode, " ".join(shlex.quote(c) for c in cmd)))
        sys.stderr.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        sys.exit(1)


def rsp_quote(path):
    """A response-file word (clang and GCC: whitespace separates words,
    backslash escapes, double quotes group)."""
    if re.search(r'[\s"\'\\]', path):
        return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--import", dest="bnn_import", required=True, help="the bnn-import command")
    ap.add_argument("--compile", dest="bnn_compile", required=True, help="the bnn-compile command")
    ap.add_argument("--inputs", required=True, help="the directory of NAME.onnx")
    ap.add_argument("--target", required=True, help="the target triple for bnn-compile")
    ap.add_argument("--out", required=True, help="the output directory")
    ap.add_argument("--cases", default=os.path.join(here, "cases.inc"))
    args = ap.parse_args()

    names = read_cases(args.cases)
    if not names:
        sys.stderr.write("build_cases.py: no CASE lines in %s\n" % args.cases)
        return 1
    os.makedirs(args.out, exist_ok=True)
    objects = []
    for name in names:
        mlir = os.path.join(args.out, name + ".mlir")
        obj = os.path.join(args.out, name + ".o")
        run([args.bnn_import, os.path.join(args.inputs, name + ".onnx"),
             "--function-name=onnx_" + name, "-o", mlir])
        run([args.bnn_compile, mlir, "--target=" + args.target, "--emit=obj", "-o", obj])
        objects.append(obj)
    with open(os.path.join(args.out, "objects.rsp"), "w") as f:
        for obj in objects:
            f.write(rsp_quote(obj) + "\n")
    print("\n".join(objects))
    return 0


if __name__ == "__main__":
    sys.exit(main())

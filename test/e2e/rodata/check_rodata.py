#!/usr/bin/env python3
"""Checks the size of the data an object file holds (python3 stdlib only).

    llvm-readobj --sections --elf-output-style=JSON obj.o |
        check_rodata.py --min BYTES [--max BYTES] [--name NAME]

Sums the sizes of the object's allocated, non-executable sections: .rodata,
.rodata.cst*, .lrodata* (x86-64's medium/large code models), .data.rel.ro*,
and also .data*/.bss*, so that constants cannot escape the count by moving
to another section. Prints the breakdown and "ok" or "FAIL" with the bounds;
exits with 1 when the sum is outside [min, max] or when the writable
sections (.data, .bss) hold more than --writable bytes: a compiled model
keeps no mutable state but its buffer cache (bnn-buffer-cache, docs/ABI.md).
"""

import argparse
import json
import sys

SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min", type=int, required=True)
    ap.add_argument("--max", type=int)
    ap.add_argument("--name", default="object")
    ap.add_argument("--writable", type=int, default=0,
                    help="bytes the writable sections may hold")
    args = ap.parse_args()
    doc = json.load(sys.stdin)
    if len(doc) != 1:
        sys.exit("check_rodata.py: expected one object file, got %d" % len(doc))
    sections = [s["Section"] for s in doc[0]["Sections"]]
    total = 0
    writable = 0
    parts = []
    for s in sections:
        flags = s["Flags"]["Value"]
        if not flags & SHF_ALLOC or flags & SHF_EXECINSTR:
            continue
        name, size = s["Name"]["Name"], s["Size"]
        total += size
        if flags & SHF_WRITE and not name.startswith(".data.rel.ro"):
            writable += size
        if size:
            parts.append("%s %d" % (name, size))
    bounds = "[%d, %s]" % (args.min, "inf" if args.max is None else str(args.max))
    ok = (total >= args.min and (args.max is None or total <= args.max)
          and writable <= args.writable)
    print("%s %s: %d bytes of data (%s), bounds %s%s" % (
        "ok" if ok else "FAIL", args.name, total, ", ".join(parts) or "none", bounds,
        "" if writable == 0 else "; %d bytes in writable sections (at most %d)"
        % (writable, args.writable)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

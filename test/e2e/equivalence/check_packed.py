#!/usr/bin/env python3
"""Checks that the compile-time passes left no float op between binary layers.

    check_packed.py EXPECT_JSON [IR_FILE|-] [--allow-float-flatten]

Reads the IR printed by
`bnn-opt -bnn-fold-transforms -bnn-binarize -canonicalize -bnn-fuse-threshold
-bnn-pack-weights -canonicalize -cse` on the models of gen_models.py and, for
each function named in EXPECT_JSON (written by gen_models.py):

  * counts: bnn.bconv2d, bnn.bdense, their masks (ternary layers), bconv2d
    with pad_value = 1, bnn.bmaxpool2d; exactly one float convolution (the
    first layer) and one linalg.matmul (the classifier); no
    linalg.pooling_* (every max pool became bnn.bmaxpool2d, but see below);
  * chains: the input of every binary layer after the first, followed back
    through bnn.bmaxpool2d and tensor.collapse_shape / expand_shape only,
    must be a bnn.threshold whose accumulator is the previous binary layer
    ("packed"). Anything else in between (arith, linalg, bnn.scale,
    bnn.sign, bnn.pack, bnn.unpack, ...) is a float op between two binary
    layers: an error, except on edges the generator marks
    "packed_or_float" (a flatten whose pixels are not whole words), where
    --allow-float-flatten makes it a NOTE; so is a max pool right before such
    a flatten that stayed a float linalg.pooling_nhwc_max. Such a flatten is
    fused too: the threshold then reads the flattened (integer max-pooled)
    accumulators, which the chain check follows. The first binary layer's
    input must be a bnn.pack (of the float first layer).

Prints one line per function ("ok ..." or "FAIL ...") and, last,
"N passed, M failed"; exits with 1 if any function failed.
"""

import json
import re
import sys

OP_RE = re.compile(r'^\s*(%[\w.$-]+)(?::\d+)?\s*=\s*"?([a-z_][\w]*\.[\w.]+)"?\s*(.*)$')
FUNC_RE = re.compile(r'^\s*func\.func\s+(?:public\s+|private\s+)?@([\w$.-]+)\s*\(')
VAL_RE = re.compile(r'%[\w.$-]+')

PASS_THROUGH = ("bnn.bmaxpool2d", "tensor.collapse_shape", "tensor.expand_shape")
INTEGER_PASS_THROUGH = ("tensor.collapse_shape", "tensor.pad", "linalg.pooling_nhwc_max")


def parse(text):
    """{function name: (ops in order, {value: op})}; op = dict(res, name, args, text)."""
    funcs = {}
    cur = None
    depth = 0
    for line in text.splitlines():
        m = FUNC_RE.match(line)
        if m:
            cur = m.group(1)
            funcs[cur] = ([], {})
            depth = 0
        if cur is None:
            continue
        m = OP_RE.match(line)
        if m:
            res, name, rest = m.groups()
            # Operands: the SSA values before the type (' : ') or a region.
            head = rest.split(" : ")[0].split("{")[0]
            op = dict(res=res, name=name, args=VAL_RE.findall(head), text=line.strip())
            funcs[cur][0].append(op)
            funcs[cur][1][res] = op
    return funcs


def check(fname, ops, defs, exp, strict_flatten, notes):
    errors = []
    count = lambda pred: sum(1 for o in ops if pred(o))
    binary = [o for o in ops if o["name"] in ("bnn.bconv2d", "bnn.bdense")]
    got = {
        "bconv2d": count(lambda o: o["name"] == "bnn.bconv2d"),
        "bdense": count(lambda o: o["name"] == "bnn.bdense"),
        "mask": count(lambda o: o["name"] in ("bnn.bconv2d", "bnn.bdense") and " mask " in o["text"]),
        "pad_value_1": count(lambda o: o["name"] == "bnn.bconv2d" and "pad_value = 1" in o["text"]),
        "bmaxpool2d": count(lambda o: o["name"] == "bnn.bmaxpool2d"),
        "conv_float": count(lambda o: o["name"].startswith("linalg.conv")),
        "matmul_float": count(lambda o: o["name"] == "linalg.matmul"),
    }
    pools = count(lambda o: o["name"].startswith("linalg.pooling") and "xf32>" in o["text"])
    may_float = 0 if strict_flatten else exp.get("pools_may_float", 0)
    if pools > may_float:
        errors.append("%d linalg.pooling op(s) left: max pools of signs must become bnn.bmaxpool2d" % pools)
    elif pools:
        notes.append("NOTE %s: %d max pool(s) before a flatten stayed float (allowed for now)" % (fname, pools))
    got["bmaxpool2d"] += pools
    for key, value in got.items():
        if value != exp[key]:
            errors.append("%s: expected %d, got %d" % (key, exp[key], value))
    if len(binary) != len(exp["edges"]) + 1:
        return errors + ["expected %d binary layers, got %d" % (len(exp["edges"]) + 1, len(binary))]

    for i, op in enumerate(binary):
        chain = []
        v = op["args"][0] if op["args"] else None
        src = defs.get(v)
        while src is not None and src["name"] in PASS_THROUGH:
            chain.append(src["name"])
            v = src["args"][0]
            src = defs.get(v)
        srcname = src["name"] if src else "a function argument"
        if i == 0:
            if srcname != "bnn.pack":
                errors.append("first binary layer (%s) reads %s, expected bnn.pack of the float first layer"
                              % (op["res"], srcname))
            continue
        prev = binary[i - 1]
        if srcname == "bnn.threshold" and src["args"]:
            # The accumulators may be max-pooled and flattened as integers
            # before the threshold (a flatten whose rows are not whole words).
            acc = defs.get(src["args"][0])
            while (acc is not None and acc["res"] != prev["res"] and
                   acc["name"] in INTEGER_PASS_THROUGH and "xi32>" in acc["text"]):
                acc = defs.get(acc["args"][0]) if acc["args"] else None
            if acc is not None and acc["res"] == prev["res"]:
                continue
        # Describe the float chain back to the previous binary layer.
        path = chain + [srcname]
        w = src
        while w is not None and w["res"] != prev["res"] and len(path) < 12:
            w = defs.get(w["args"][0]) if w["args"] else None
            if w is not None and w["res"] != prev["res"]:
                path.append(w["name"])
        msg = "binary layer %d (%s %s) reads from binary layer %d (%s) through %s" % (
            i, op["name"], op["res"], i - 1, prev["res"], " <- ".join(path))
        if exp["edges"][i - 1] == "packed_or_float" and not strict_flatten:
            notes.append("NOTE %s: %s (allowed for now: flatten of pixels that are not whole words)"
                         % (fname, msg))
        else:
            errors.append(msg + ": expected only bnn.threshold / bnn.bmaxpool2d / tensor.collapse_shape")
    return errors


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    strict_flatten = "--allow-float-flatten" not in sys.argv[1:]
    if not 1 <= len(args) <= 2:
        sys.exit(__doc__)
    with open(args[0]) as f:
        expect = json.load(f)
    if len(args) == 1 or args[1] == "-":
        text = sys.stdin.read()
    else:
        with open(args[1]) as f:
            text = f.read()
    funcs = parse(text)
    passed = failed = 0
    for fname in sorted(expect):
        notes = []
        if fname not in funcs:
            errors = ["function not found in the IR"]
        else:
            ops, defs = funcs[fname]
            errors = check(fname, ops, defs, expect[fname], strict_flatten, notes)
        for n in notes:
            print(n)
        if errors:
            failed += 1
            for e in errors:
                print("FAIL %s: %s" % (fname, e))
        else:
            passed += 1
            print("ok %s" % fname)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

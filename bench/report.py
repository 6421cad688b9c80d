#!/usr/bin/env python3
"""Turns the Google Benchmark JSON of bench.cpp into the Markdown tables of
docs/BENCHMARKS.md and the data of its plot.

    report.py RESULTS.json CPU PLOT.dat TORCH.json KEPT.json COMPILE.json
              TORCH_TRAIN.json

KEPT.json: the end-to-end models run again with glibc's malloc keeping
freed memory (no fresh mmapped pages per call).

Per layer: compiled (tiled) and --no-tile (scalar) G MAC/s, % of the
ceiling measured in the same run (XOR+popcount+add for packed layers, FMA
for float layers), and oneDNN's f32 layer of the same shape; the ratios are
of rates on the same number of MACs, that is of times."""
import json
import sys

def medians(path):
    """The median of the repetitions of every benchmark (bench.sh runs each
    several times: the speed of a shared machine drifts), or the single runs
    when there are no repetitions."""
    runs = json.load(open(path))["benchmarks"]
    picked = [b for b in runs if b.get("aggregate_name") == "median"]
    if not picked:
        picked = [b for b in runs if b.get("run_type") != "aggregate"]
    return [dict(b, name=b.get("run_name", b["name"])) for b in picked]


results = medians(sys.argv[1])
cpu = sys.argv[2] if len(sys.argv) > 2 else "unknown CPU"
plot = open(sys.argv[3], "w") if len(sys.argv) > 3 else None
rate = {b["name"][3:]: b["GMAC/s"] for b in results if "GMAC/s" in b}
# Per image microseconds of the end-to-end models.
per_image = {b["name"][3:]: b["real_time"] / b["batch"] for b in results
             if "batch" in b}
anchor = json.load(open(sys.argv[4])) if len(sys.argv) > 4 else {}
kept = {}
if len(sys.argv) > 5:
    kept = {b["name"][3:]: b["real_time"] / b["batch"]
            for b in medians(sys.argv[5]) if "batch" in b}
binary_ceiling = max(rate.pop(n) for n in list(rate)
                     if n.startswith("Ceiling<"))
float_ceiling = max(rate.pop(n) for n in list(rate)
                    if n.startswith("FloatCeiling<"))
names = [n[: -len("_tiled")] for n in rate if n.endswith("_tiled")]

print("Machine: %s, one thread. Ceilings measured in the same run "
      "(register-resident, widest vectors): XOR + popcount + add **%.0f G "
      "binary MAC/s**, f32 FMA **%.0f G MAC/s** (%.0fx less).\n"
      % (cpu, binary_ceiling, float_ceiling, binary_ceiling / float_ceiling))


def speedup(factor):
    """'2.0x faster' for a factor of 2, '2.0x slower' for 0.5."""
    if factor >= 1:
        return "%.1fx faster" % factor
    return "%.1fx slower" % (1 / factor)


def table(title, rows, ceiling, unit):
    print("%s\n" % title)
    print("| layer | compiled %s | %% of ceiling | --no-tile | compiled / --no-tile "
          "| oneDNN f32 G MAC/s | compiled vs oneDNN (time) |" % unit)
    print("|---|---|---|---|---|---|---|")
    for n in rows:
        t, s, d = rate[n + "_tiled"], rate[n + "_scalar"], rate[n + "_onednn"]
        print("| %s | %.0f | %.0f%% | %.0f | %.1fx | %.0f | %s |"
              % (n, t, 100 * t / ceiling, s, t / s, d, speedup(t / d)))
        if plot:
            plot.write("%s %.1f\n" % (n, 100 * t / ceiling))
    print()


table("Packed layers (G binary MAC/s; 3x3 pad 1 convolutions, N = 1):",
      [n for n in names if not n.startswith("f")], binary_ceiling,
      "G MAC/s")
table("Float layers (G f32 MAC/s; bnn-vectorize):",
      [n for n in names if n.startswith("f")], float_ceiling, "G MAC/s")

if per_image:
    print("End to end, the Fashion-MNIST demo model (examples/fashion_mnist) "
          "against the same float network in PyTorch %s (one thread, "
          "convolutions through oneDNN; bench/torch_anchor.py):\n"
          % anchor.get("torch_version", "?"))
    print("| batch | bnn-mlir us/image | PyTorch us/image | bnn-mlir vs PyTorch "
          "| bnn-mlir us/image, malloc keeping freed memory | vs PyTorch |")
    print("|---|---|---|---|---|---|")

    for batch in (1, 64):
        name = "demo_b%d" % batch
        ours, theirs = per_image.get(name), anchor.get(name)
        if ours is None or theirs is None:
            continue
        theirs *= 1e6
        ours_kept = kept.get(name)
        kept_cells = ("%.2f | %s" % (ours_kept, speedup(theirs / ours_kept))
                      if ours_kept else "- | -")
        print("| %d | %.2f | %.2f | %s | %s |" % (batch, ours, theirs,
                                                 speedup(theirs / ours), kept_cells))
    print()

if len(sys.argv) > 6:
    compile_time = json.load(open(sys.argv[6]))
    print("Compile time of the ResNet-18-sized binarized model "
          "(bench/gen_resnet.py, 11 M parameters, `bnn-compile --target=host "
          "-O3 --emit=obj`, parsing included): **%.1f s** with the register "
          "tiles, %.1f s with `--no-tile`.\n"
          % (compile_time["tiled"], compile_time["scalar"]))

if len(sys.argv) > 7:
    torch_train = json.load(open(sys.argv[7]))
    to_ms = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    step = {b["name"][3:]: b["real_time"] * to_ms[b.get("time_unit", "ns")]
            for b in results if b["name"].startswith("BM_train_step")}
    ours_ms = step.get("train_step_b64", 0.0)
    theirs_ms = torch_train["train_step_b64"] * 1e3
    if ours_ms:
        print("Training step of the Fashion-MNIST-sized model "
              "(bench/gen_train_model.py: float conv, two BiTAT convolutions, "
              "an SQ ternary dense layer, batch norm on batch statistics, "
              "classifier; `@fashion_train_grad` written by "
              "bnn-generate-gradients), batch 64, forward and backward, "
              "against the same step in PyTorch %s (bench/torch_train_anchor.py, "
              "one thread):\n" % torch_train.get("torch_version", "?"))
        print("| bnn-mlir ms/step | PyTorch ms/step | bnn-mlir vs PyTorch |")
        print("|---|---|---|")
        print("| %.1f | %.1f | %s |\n" % (ours_ms, theirs_ms,
                                          speedup(theirs_ms / ours_ms)))

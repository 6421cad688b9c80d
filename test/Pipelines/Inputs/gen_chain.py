#!/usr/bin/env python3
"""Prints a function of N chained elementwise linalg.generic layers, each
with its own tensor.empty init (which CSE merges into one)."""
import sys

n = int(sys.argv[1])
print("#id = affine_map<(d0, d1) -> (d0, d1)>")
print("func.func @chain(%x: tensor<16x16xf32>) -> tensor<16x16xf32> {")
print("  %c = arith.constant 1.0 : f32")
previous = "%x"
for i in range(n):
    print(f"  %e{i} = tensor.empty() : tensor<16x16xf32>")
    print(f"  %v{i} = linalg.generic {{indexing_maps = [#id, #id], "
          f"iterator_types = [\"parallel\", \"parallel\"]}} "
          f"ins({previous} : tensor<16x16xf32>) outs(%e{i} : tensor<16x16xf32>) {{")
    print("  ^bb0(%a: f32, %o: f32):")
    print("    %r = arith.addf %a, %c : f32")
    print("    linalg.yield %r : f32")
    print("  } -> tensor<16x16xf32>")
    previous = f"%v{i}"
print(f"  return {previous} : tensor<16x16xf32>")
print("}")

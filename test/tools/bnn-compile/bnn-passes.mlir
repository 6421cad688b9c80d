// The compile-time bnn passes run by default; --no-bnn-passes compiles the
// model as written. Remarks are printed only with --remarks.
//
// RUN: bnn-compile %s --target=x86_64-linux-gnu --emit=mlir -o - 2>&1 | FileCheck %s --check-prefix=PACKED
// RUN: bnn-compile %s --target=x86_64-linux-gnu --emit=mlir --no-bnn-passes -o - 2>&1 | FileCheck %s --check-prefix=FLOAT
// RUN: bnn-compile %s --target=x86_64-linux-gnu --emit=obj --remarks -o %t.o 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: bnn-compile %s --target=x86_64-linux-gnu --emit=obj -o %t.o 2>&1 | count 0

// Binarized: xor/popcount on i64 words, no float multiply-add left for the
// binary layer. As written: both layers are float matmuls, vectorized by
// bnn-vectorize into multiply-adds.
// PACKED-NOT: remark
// PACKED: llvm.func @layer
// PACKED: llvm.intr.ctpop
// FLOAT: llvm.func @layer
// FLOAT-NOT: llvm.intr.ctpop
// FLOAT: llvm.intr.fmuladd
// REMARK: remark: not binarized: weights of output channel 1 are not +-alpha: |w| is 0.5 and 1

func.func @layer(%x: tensor<2x64xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %s = bnn.sign %x : tensor<2x64xf32>
  %w = arith.constant dense<0.25> : tensor<64x2xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%s, %w : tensor<2x64xf32>, tensor<64x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  // A float layer on signs: weights of two magnitudes.
  %v = arith.constant dense<[[1.0, 0.5], [1.0, 1.0]]> : tensor<2x2xf32>
  %sy = bnn.sign %y : tensor<2x2xf32>
  %y2 = linalg.matmul ins(%sy, %v : tensor<2x2xf32>, tensor<2x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %y2 : tensor<2x2xf32>, tensor<2x2xf32>
}

// The model summary after the compile-time passes, on stderr or in a file.
// RUN: bnn-compile %s --target=x86_64-linux-gnu -o %t.o --summary 2>&1 | FileCheck %s --check-prefix=SUMMARY
// RUN: bnn-compile %s --target=x86_64-linux-gnu -o %t.o --summary=json --summary-output=%t.json
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: not bnn-compile %s --target=x86_64-linux-gnu -o %t.o --summary=xml 2>&1 | FileCheck %s --check-prefix=BADSUMMARY
// SUMMARY: Model summary: @layer
// SUMMARY: | bnn.bdense
// SUMMARY: Binary MACs (%)
// JSON: "layers"
// JSON: "layer": "bnn.bdense"
// BADSUMMARY: for the --summary option: Cannot find option named 'xml'!

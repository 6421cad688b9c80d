// Invalid options are rejected before anything runs.
// RUN: not bnn-opt %s -bnn-summary="format=maybe" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not bnn-opt %s -bnn-inference-pipeline="summary=maybe" 2>&1 | FileCheck %s --check-prefix=PIPELINE
// An output file that cannot be opened is an error, not a crash.
// RUN: not bnn-opt %s -bnn-summary="output=%t.missing/summary.txt" 2>&1 | FileCheck %s --check-prefix=FILE

// FORMAT: for the --format option: Cannot find option named 'maybe'
// PIPELINE: for the --summary option: Cannot find option named 'maybe'
// FILE: error: bnn-summary: cannot open output file '{{.*}}summary.txt'

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

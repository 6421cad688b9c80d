// Invalid options are rejected before anything runs.
// RUN: not bnn-opt %s -bnn-summary="json=maybe" 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not bnn-opt %s -bnn-inference-pipeline="summary=maybe" 2>&1 | FileCheck %s --check-prefix=PIPELINE
// An output file that cannot be opened is an error, not a crash.
// RUN: not bnn-opt %s -bnn-summary="output=%t.missing/summary.txt" 2>&1 | FileCheck %s --check-prefix=FILE

// JSON: 'maybe' is invalid value for boolean argument
// PIPELINE: for the --summary option: Cannot find option named 'maybe'
// FILE: error: bnn-summary: cannot open output file '{{.*}}summary.txt'

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

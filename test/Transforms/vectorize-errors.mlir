// RUN: bnn-opt %s -bnn-vectorize="registers=1" -verify-diagnostics

// expected-error @+1 {{bnn-vectorize: expected vector-bits >= 64 and registers >= 2, got 128 and 1}}
func.func @f() {
  return
}

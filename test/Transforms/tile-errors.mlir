// RUN: bnn-opt %s -bnn-tile="vector-bits=32" -verify-diagnostics

// expected-error @+1 {{bnn-tile: expected vector-bits >= 64 and registers >= 2, got 32 and 16}}
func.func @f() {
  return
}

//===- Version.h - bnn-mlir version -----------------------------*- C++ -*-===//

#ifndef BNN_VERSION_H
#define BNN_VERSION_H

#define BNN_MLIR_VERSION "0.1.0"

#endif // BNN_VERSION_H

//===- InputLimits.h - Bounds on what the tools try to parse ----*- C++ -*-===//
//
// The MLIR parser recurses once per level of nesting (regions, attribute
// lists, types): 10,000 nested modules or a 100,000-deep array attribute
// overflow the stack. The tools check the nesting of their input before
// they parse it, so that such input gets an error instead of a segfault.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_PIPELINES_INPUTLIMITS_H
#define BNN_PIPELINES_INPUTLIMITS_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::bnn {

/// The deepest nesting of brackets the tools parse. A real model nests a few
/// levels (module, function, region, type); this is far above any of them
/// and far below the depth that exhausts an 8 MiB stack.
constexpr unsigned kMaxNestingDepth = 1000;

/// Checks the bracket nesting of MLIR source text: (), [], {} and the <>
/// of types and attributes (not `->`, `<=` or `>=`), outside string
/// literals and `//` comments. Returns "LINE:COLUMN: error: ..." for the
/// first bracket deeper than `maxDepth`, or nullopt.
std::optional<std::string>
checkNestingDepth(llvm::StringRef source, unsigned maxDepth = kMaxNestingDepth);

} // namespace mlir::bnn

#endif // BNN_PIPELINES_INPUTLIMITS_H

//===- InputLimits.cpp - Bounds on what the tools try to parse ----------===//

#include "bnn/Pipelines/InputLimits.h"

std::optional<std::string> mlir::bnn::checkNestingDepth(llvm::StringRef source,
                                                        unsigned maxDepth) {
  unsigned depth = 0, line = 1, column = 0;
  bool inString = false, inComment = false;
  for (size_t i = 0, e = source.size(); i < e; ++i) {
    char c = source[i];
    char next = i + 1 < e ? source[i + 1] : '\0';
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      inComment = false;
      continue;
    }
    if (inComment)
      continue;
    if (inString) {
      if (c == '\\')
        ++i, ++column; // The escaped character cannot end the string.
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
      continue;
    }
    if (c == '/' && next == '/') {
      inComment = true;
      continue;
    }
    bool opens = c == '(' || c == '[' || c == '{' || (c == '<' && next != '=');
    bool closes = c == ')' || c == ']' || c == '}' ||
                  (c == '>' && next != '=' && (i == 0 || source[i - 1] != '-'));
    if (closes && depth > 0)
      --depth;
    if (opens && ++depth > maxDepth)
      return std::to_string(line) + ":" + std::to_string(column) +
             ": error: the input nests brackets more than " +
             std::to_string(maxDepth) +
             " levels deep here; the parser would exhaust its stack";
  }
  return std::nullopt;
}

//===- Packing.cpp - Unpacking of sign-packed rows ------------------------===//
//
// The layout itself is defined once, in bnn/Reference/Packing.h.
//
//===----------------------------------------------------------------------===//

#include "bnn/Reference/Packing.h"

namespace bnn::ref {

std::optional<std::vector<float>> unpackRows(const uint64_t *words,
                                             int64_t rows, int64_t size,
                                             unsigned wordBits) {
  if (wordBits != 32 && wordBits != 64)
    return std::nullopt;
  if (rows < 0 || size < 0)
    return std::nullopt;

  int64_t rowWords = packedWords(size, wordBits);
  std::vector<float> out(rows * size);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < size; ++c)
      out[r * size + c] = unpackedValue(words + r * rowWords, c, wordBits);
  return out;
}

} // namespace bnn::ref

//===- Packing.h - The one bit layout of packed bnn tensors -----*- C++ -*-===//
//
// DESIGN.md section 2, in one place. The dialect's folders (packing constants
// at compile time), the reference library and the tests all use these
// functions, so there is exactly one definition of the layout:
//
//   * bit 1 means -1, bit 0 means +1; the sign plane bit is (x < 0), so
//     sign(0) = sign(-0.0) = sign(NaN) = +1; the nonzero plane bit is
//     (x != 0);
//   * bits run along the innermost axis, least significant bit first:
//     element c of a row lives in word c / W, bit c % W;
//   * bits past the logical size are 0.
//
// A packed buffer holds one word per element in a uint64_t whatever the word
// width W (32 or 64); for W = 32 the upper 32 bits of every element are 0.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_REFERENCE_PACKING_H
#define BNN_REFERENCE_PACKING_H

#include <cstdint>
#include <optional>
#include <vector>

namespace bnn::ref {

/// Which bit plane `pack` extracts.
enum class Plane { Sign, Nonzero };

/// Number of W-bit words that hold `size` bits: ceil(size / W).
/// (Written so that it cannot overflow for any size >= 0.)
inline int64_t packedWords(int64_t size, unsigned wordBits) {
  return size / wordBits + (size % wordBits != 0);
}

/// The logical bits of word `word` of a packed row of `size` elements: all
/// W bits but in the tail word, whose bits past `size` are 0.
inline uint64_t logicalBitsMask(int64_t size, unsigned wordBits, int64_t word) {
  int64_t bits = size - word * static_cast<int64_t>(wordBits);
  if (bits >= static_cast<int64_t>(wordBits))
    bits = wordBits;
  return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
}

/// The bit a value contributes to a plane.
template <typename T> inline bool packedBit(T x, Plane plane) {
  return plane == Plane::Sign ? (x < T(0)) : (x != T(0));
}

/// Packs `rows` rows of `size` values each (row-major, the packed axis is the
/// innermost) into rows * packedWords(size, W) words.
template <typename T>
std::vector<uint64_t> packRows(const T *x, int64_t rows, int64_t size,
                               unsigned wordBits, Plane plane) {
  int64_t words = packedWords(size, wordBits);
  std::vector<uint64_t> out(rows * words, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < size; ++c)
      if (packedBit(x[r * size + c], plane))
        out[r * words + c / wordBits] |= uint64_t(1) << (c % wordBits);
  return out;
}

/// The ±1 value of logical element `c` of a packed row.
inline float unpackedValue(const uint64_t *row, int64_t c, unsigned wordBits) {
  return ((row[c / wordBits] >> (c % wordBits)) & 1) ? -1.0f : 1.0f;
}

/// Inverse of sign packing: rows * size floats in {-1, +1}; std::nullopt
/// (and nothing read) when wordBits is not 32 or 64 or rows or size is
/// negative.
std::optional<std::vector<float>> unpackRows(const uint64_t *words,
                                             int64_t rows, int64_t size,
                                             unsigned wordBits);

} // namespace bnn::ref

#endif // BNN_REFERENCE_PACKING_H

//===- Checkpoint.h - Training state on disk, atomically --------*- C++ -*-===//
//
// A checkpoint is a set of named float arrays (latent weights, optimizer
// moments, running statistics, SQ betas), named integers (epoch, step,
// BiTAT stage) and named strings (RNG state, the model's signature). On
// disk: the magic "BNNCKPT1", the payload size, the payload and its CRC-32.
// Writing goes to FILE.tmp, is flushed and renamed over FILE, so a run
// killed at any moment leaves either the old checkpoint or the new one.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_RUNTIME_CHECKPOINT_H
#define BNN_RUNTIME_CHECKPOINT_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bnn::runtime {

struct Checkpoint {
  std::map<std::string, std::vector<float>> tensors;
  std::map<std::string, int64_t> integers;
  std::map<std::string, std::string> strings;
};

/// Writes `checkpoint` to `path` atomically; false with `error` set on
/// failure (naming the file).
bool writeCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                     std::string &error);

/// Reads a checkpoint; nullopt with `error` set (naming the file) when it is
/// missing, not a checkpoint, truncated or fails its checksum.
std::optional<Checkpoint> readCheckpoint(const std::string &path,
                                         std::string &error);

} // namespace bnn::runtime

#endif // BNN_RUNTIME_CHECKPOINT_H

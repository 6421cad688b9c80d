//===- Checkpoint.cpp - Training state on disk, atomically ----------------===//

#include "bnn/Runtime/Checkpoint.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace bnn::runtime {
namespace {

constexpr char kMagic[8] = {'B', 'N', 'N', 'C', 'K', 'P', 'T', '1'};

void putU64(std::string &out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>(v >> (8 * i)));
}

/// Reads the little-endian payload; every read is bounds-checked.
class Cursor {
public:
  Cursor(const std::string &data) : data(data) {}
  bool u64(uint64_t &v) {
    if (data.size() - pos < 8)
      return false;
    v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t(static_cast<unsigned char>(data[pos + i])) << (8 * i);
    pos += 8;
    return true;
  }
  bool bytes(std::string &out, uint64_t size) {
    if (data.size() - pos < size)
      return false;
    out.assign(data, pos, size);
    pos += size;
    return true;
  }
  bool done() const { return pos == data.size(); }

private:
  const std::string &data;
  size_t pos = 0;
};

std::string encode(const Checkpoint &c) {
  std::string out;
  auto name = [&](char kind, const std::string &n) {
    out.push_back(kind);
    putU64(out, n.size());
    out += n;
  };
  for (const auto &[n, values] : c.tensors) {
    name('T', n);
    putU64(out, values.size());
    for (float f : values) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>(bits >> (8 * i)));
    }
  }
  for (const auto &[n, value] : c.integers) {
    name('I', n);
    putU64(out, static_cast<uint64_t>(value));
  }
  for (const auto &[n, value] : c.strings) {
    name('S', n);
    putU64(out, value.size());
    out += value;
  }
  return out;
}

bool decode(const std::string &payload, Checkpoint &c) {
  Cursor cur(payload);
  while (!cur.done()) {
    std::string kind, n;
    uint64_t size;
    if (!cur.bytes(kind, 1) || !cur.u64(size) || !cur.bytes(n, size))
      return false;
    if (kind[0] == 'T') {
      uint64_t count;
      std::string raw;
      if (!cur.u64(count) || count > payload.size() / 4 ||
          !cur.bytes(raw, count * 4))
        return false;
      std::vector<float> values(count);
      for (uint64_t i = 0; i < count; ++i) {
        uint32_t bits = 0;
        for (int b = 0; b < 4; ++b)
          bits |= uint32_t(static_cast<unsigned char>(raw[i * 4 + b]))
                  << (8 * b);
        std::memcpy(&values[i], &bits, 4);
      }
      c.tensors[n] = std::move(values);
    } else if (kind[0] == 'I') {
      uint64_t v;
      if (!cur.u64(v))
        return false;
      c.integers[n] = static_cast<int64_t>(v);
    } else if (kind[0] == 'S') {
      uint64_t len;
      std::string value;
      if (!cur.u64(len) || !cur.bytes(value, len))
        return false;
      c.strings[n] = std::move(value);
    } else {
      return false;
    }
  }
  return true;
}

uint32_t checksum(const std::string &payload) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef *>(payload.data()),
            static_cast<uInt>(payload.size())));
}

} // namespace

bool writeCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                     std::string &error) {
  std::string payload = encode(checkpoint);
  std::string file(kMagic, sizeof(kMagic));
  putU64(file, payload.size());
  file += payload;
  uint32_t crc = checksum(payload);
  for (int i = 0; i < 4; ++i)
    file.push_back(static_cast<char>(crc >> (8 * i)));

  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    error = tmp + ": cannot create the file";
    return false;
  }
  size_t done = 0;
  while (done < file.size()) {
    ssize_t n = ::write(fd, file.data() + done, file.size() - done);
    if (n <= 0) {
      ::close(fd);
      error = tmp + ": write failed";
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    error = tmp + ": cannot flush the file";
    return false;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = path + ": cannot rename " + tmp + " over it";
    return false;
  }
  return true;
}

std::optional<Checkpoint> readCheckpoint(const std::string &path,
                                         std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = path + ": cannot open the checkpoint";
    return std::nullopt;
  }
  std::string file;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
    file.append(buffer, n);
  std::fclose(f);
  if (file.size() < sizeof(kMagic) + 8 ||
      std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
    error = path + ": not a bnn-train checkpoint";
    return std::nullopt;
  }
  uint64_t size = 0;
  for (int i = 0; i < 8; ++i)
    size |= uint64_t(static_cast<unsigned char>(file[8 + i])) << (8 * i);
  if (file.size() != sizeof(kMagic) + 8 + size + 4) {
    error = path + ": truncated or extended checkpoint (" +
            std::to_string(file.size()) + " bytes for a payload of " +
            std::to_string(size) + ")";
    return std::nullopt;
  }
  std::string payload = file.substr(16, size);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= uint32_t(static_cast<unsigned char>(file[16 + size + i]))
              << (8 * i);
  if (stored != checksum(payload)) {
    error = path + ": checksum mismatch (the checkpoint is corrupt)";
    return std::nullopt;
  }
  Checkpoint c;
  if (!decode(payload, c)) {
    error = path + ": malformed checkpoint contents";
    return std::nullopt;
  }
  return c;
}

} // namespace bnn::runtime

// Byte streams for sealing: a Source is read in pieces, a Sink receives
// pieces. Sealing and opening never hold more than one 64 KiB chunk.
#pragma once

#include <hc/core/io.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hc::seal {

class Source {
 public:
  virtual ~Source() = default;
  /// Reads up to `n` bytes into `buf`; 0 only at end of input. Throws Error{io}.
  virtual size_t read(uint8_t* buf, size_t n) = 0;
  /// Name used in error messages ("<stdin>", a path).
  virtual const std::string& name() const = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  /// Writes all of buf[0, n). Throws Error{io}.
  virtual void write(const uint8_t* buf, size_t n) = 0;
};

/// Reads a file, or stdin for "-". Throws Error{no_input} if it cannot be opened.
class FileSource final : public Source {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  size_t read(uint8_t* buf, size_t n) override;
  const std::string& name() const override { return m_name; }

 private:
  int m_fd = -1;
  bool m_owned = false;
  std::string m_name;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view data, std::string name = "<memory>")
      : m_data(data), m_name(std::move(name)) {}
  size_t read(uint8_t* buf, size_t n) override;
  const std::string& name() const override { return m_name; }

 private:
  std::string_view m_data;
  std::string m_name;
};

/// Writes to standard output, unbuffered (every write reaches the pipe).
class StdoutSink final : public Sink {
 public:
  void write(const uint8_t* buf, size_t n) override;
};

/// Appends to a string (tests, small objects).
class StringSink final : public Sink {
 public:
  void write(const uint8_t* buf, size_t n) override { data.append(reinterpret_cast<const char*>(buf), n); }
  std::string data;
};

/// Writes into an io::AtomicFile: nothing appears at the path unless
/// commit() is called, so a failed open leaves no plaintext behind.
class AtomicFileSink final : public Sink {
 public:
  AtomicFileSink(const std::string& path, unsigned mode, io::Overwrite overwrite)
      : m_file(path, mode, overwrite) {}
  void write(const uint8_t* buf, size_t n) override {
    m_file.write(std::string_view(reinterpret_cast<const char*>(buf), n));
  }
  void commit() { m_file.commit(); }

 private:
  io::AtomicFile m_file;
};

/// A buffered reader over a Source with the two things age parsing needs:
/// bounded lines and exact reads that tell the end of input apart.
class Reader {
 public:
  explicit Reader(Source& src, size_t buffer = 64 * 1024);
  /// Reads a line ending in '\n' (not included) into `out`. Returns false
  /// if the input ended before a '\n' (what was read is in `out`); throws
  /// Error{data} if the line is longer than `max`.
  bool read_line(std::string& out, size_t max);
  /// Reads up to `n` bytes, stopping only at the end of input.
  size_t read_full(uint8_t* buf, size_t n);
  /// True if no byte is left (may read ahead into the buffer).
  bool at_end();
  /// True if the input starts (from the current position) with `prefix`;
  /// reads ahead at most the buffer size and consumes nothing.
  bool starts_with(std::string_view prefix);
  const std::string& name() const { return m_src.name(); }

 private:
  bool fill();
  Source& m_src;
  std::unique_ptr<uint8_t[]> m_buf;
  size_t m_cap, m_pos = 0, m_len = 0;
  bool m_eof = false;
};

}  // namespace hc::seal

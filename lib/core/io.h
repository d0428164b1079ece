// File and stream I/O with the conventions every hc tool shares: bounded
// reads, "-" for stdin/stdout, and atomic, never-clobbering writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace hc::io {

/// Default bound on any single input document (64 MiB).
inline constexpr size_t k_max_document = 64u << 20;
/// Default bound on one JSON Lines record (16 MiB).
inline constexpr size_t k_max_line = 16u << 20;

/// Reads all of `path` ("-" = stdin). Throws Error{no_input} if missing or
/// unreadable, Error{data} if larger than `max_bytes`.
std::string read_all(const std::string& path, size_t max_bytes = k_max_document);

/// Reads lines of a stream one at a time with their numbers, refusing lines
/// longer than a bound (Error{data}, naming the line). Strips "\n" and "\r\n".
class LineReader {
 public:
  /// `name` is used in errors ("-" reads stdin and is shown as "<stdin>").
  explicit LineReader(const std::string& path, size_t max_line = k_max_line);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Next line into `out`; false at end of input.
  bool next(std::string& out);
  uint64_t line_number() const { return m_line; }
  const std::string& name() const { return m_name; }

 private:
  std::FILE* m_file = nullptr;
  bool m_owned = false;
  std::string m_name;
  size_t m_max;
  uint64_t m_line = 0;
};

/// How an AtomicFile treats an existing destination.
enum class Overwrite { refuse, replace };

/// Writes a file so that readers see either nothing or the whole, synced
/// content: data goes to a temporary file in the same folder (O_EXCL), which
/// is fsynced and renamed over the destination on commit(), then the folder is
/// fsynced. If the object is destroyed without commit(), the temporary file is
/// removed and the destination is untouched. With Overwrite::refuse an
/// existing destination is never replaced (Error{cant_create}).
class AtomicFile {
 public:
  AtomicFile(std::string path, unsigned mode = 0644, Overwrite overwrite = Overwrite::refuse);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  /// Makes the file visible at its path. Throws Error{cant_create} or {io}.
  void commit();
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::string m_temp;
  Overwrite m_overwrite;
  int m_fd = -1;
  bool m_committed = false;
};

/// write_file(path, data, mode, overwrite): AtomicFile in one call.
void write_file(const std::string& path, std::string_view data, unsigned mode = 0644,
                Overwrite overwrite = Overwrite::refuse);

/// Writes to stdout ("-" or empty path) or atomically to a file; `data` is
/// written whole. Stdout write failures (EPIPE, ENOSPC) throw Error{io}.
void write_output(const std::string& path, std::string_view data, bool force, unsigned mode = 0644);

/// Writes all of `data` to stdout and flushes. Throws Error{io}.
void write_stdout(std::string_view data);

/// Calls `fn(text, number)` for each non-blank line of an in-memory JSON Lines
/// text, numbering lines from 1 and counting blank ones. A line is blank when
/// it holds only spaces, tabs and CR; the final line needs no newline. `text`
/// keeps any trailing CR (JSON parsers treat it as whitespace). What `fn`
/// throws stops the walk.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t at = 0, number = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    fn(line, number);
  }
}

/// True if the file exists (any type).
bool exists(const std::string& path);

/// The permission bits of `path` (e.g. 0600). Throws Error{no_input}.
unsigned file_mode(const std::string& path);

}  // namespace hc::io

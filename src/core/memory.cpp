// SPDX-License-Identifier: MIT
#include "hphtsim/core/memory.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hphtsim/core/error.hpp"

namespace hphtsim::core {
namespace {

std::optional<std::uint64_t> parse_bytes(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = 10 * v + std::uint64_t(c - '0');
  }
  return v;
}

std::optional<std::uint64_t> read_number_file(const char* path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s)) return std::nullopt;
  return parse_bytes(s);  // "max" (no limit) gives nullopt
}

std::optional<std::uint64_t> mem_available() {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream is(line.substr(13));
    std::uint64_t kib = 0;
    if (is >> kib) return kib * 1024;
  }
  return std::nullopt;
}

}  // namespace

std::optional<MemoryBudget> available_memory() {
  if (const char* env = std::getenv(memory_limit_variable); env && *env) {
    auto v = parse_bytes(env);
    if (!v) throw ConfigError(memory_limit_variable, std::string("'") + env + "' is not a whole number of bytes");
    return MemoryBudget{*v, memory_limit_variable};
  }
  std::optional<MemoryBudget> out;
  if (auto v = mem_available()) out = MemoryBudget{*v, "MemAvailable in /proc/meminfo"};
  auto max = read_number_file("/sys/fs/cgroup/memory.max");
  auto current = read_number_file("/sys/fs/cgroup/memory.current");
  if (max && current) {
    std::uint64_t left = *max > *current ? *max - *current : 0;
    if (!out || left < out->bytes) out = MemoryBudget{left, "the cgroup's memory.max"};
  }
  return out;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return buf;
}

}  // namespace hphtsim::core

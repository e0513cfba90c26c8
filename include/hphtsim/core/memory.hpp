// SPDX-License-Identifier: MIT
// How much memory a run may use: what the machine has free (MemAvailable of /proc/meminfo, and
// the cgroup's memory.max less memory.current when that is lower), or the environment variable
// HPHTSIM_MEMORY_LIMIT (bytes; for tests, fuzzing, or to keep a run well inside a shared
// machine). The run's own estimate is simulation::estimated_run_bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hphtsim::core {

/// Name of the environment variable that overrides the memory available (bytes, e.g. 2000000000).
inline constexpr const char* memory_limit_variable = "HPHTSIM_MEMORY_LIMIT";

struct MemoryBudget {
  std::uint64_t bytes = 0;
  std::string source;  ///< where the figure comes from ("MemAvailable", "HPHTSIM_MEMORY_LIMIT", ...)
};

/// The memory available to this process; nullopt when it cannot be told (no /proc/meminfo).
/// ConfigError(HPHTSIM_MEMORY_LIMIT) when the variable is set but is not a whole number of bytes.
std::optional<MemoryBudget> available_memory();

/// "1.5 GiB" / "300 MiB" / "12 KiB" for messages.
std::string format_bytes(double bytes);

}  // namespace hphtsim::core

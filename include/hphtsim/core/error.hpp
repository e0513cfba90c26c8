// SPDX-License-Identifier: MIT
// Error types of hphtsim. Bad input throws ConfigError (names the config key path), a linear
// solve that does not converge throws SolverError; both are std::runtime_error so callers that
// do not care can catch one type. Checks on input run always; HPHTSIM_ASSERT is debug-only.
#pragma once

#include <cassert>
#include <sstream>
#include <stdexcept>
#include <string>

namespace hphtsim {

/// Invalid user input. `key()` is the dotted config path ("heater.power"), empty when the
/// problem is not tied to one key (an unreadable file, say).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& message)
      : std::runtime_error(key.empty() ? message : key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

/// A linear or nonlinear solve that failed to reach its tolerance.
class SolverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Failure reading or writing a result file.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace hphtsim

/// Always-on check for internal invariants and API misuse; throws std::logic_error.
#define HPHTSIM_CHECK(cond, msg)                                                        \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::ostringstream hphtsim_check_os_;                                             \
      hphtsim_check_os_ << "check failed: (" #cond ") at " << __FILE__ << ":" << __LINE__ \
                        << ": " << msg;                                                 \
      throw std::logic_error(hphtsim_check_os_.str());                                  \
    }                                                                                   \
  } while (0)

/// Debug-only assertion (compiled out with NDEBUG); for hot paths.
#define HPHTSIM_ASSERT(cond) assert(cond)

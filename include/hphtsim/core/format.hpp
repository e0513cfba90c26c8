// SPDX-License-Identifier: MIT
// Numbers and durations as hphtsim prints them to people (`hphtsim info`, progress lines).
// Text for people only: files store numbers, never these strings.
#pragma once

#include <string>

namespace hphtsim::core {

/// `value` with `precision` significant digits, as an ostream prints it ("1800", "1.8144e+06").
std::string format_number(double value, int precision = 6);

/// Seconds, and from a minute up the same time in the largest unit it reaches:
/// "42 s", "90 s (1.5 min)", "7200 s (2 h)", "1.8144e+06 s (21 d)".
std::string format_duration(double seconds);

}  // namespace hphtsim::core

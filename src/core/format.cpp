// SPDX-License-Identifier: MIT
#include "hphtsim/core/format.hpp"

#include <cmath>
#include <sstream>

namespace hphtsim::core {

std::string format_number(double value, int precision) {
  std::ostringstream os;
  os.precision(precision);
  os << value;
  return os.str();
}

std::string format_duration(double seconds) {
  std::string out = format_number(seconds) + " s";
  const double a = std::fabs(seconds);
  if (a >= 86400.0) {
    out += " (" + format_number(seconds / 86400.0) + " d)";
  } else if (a >= 3600.0) {
    out += " (" + format_number(seconds / 3600.0) + " h)";
  } else if (a >= 60.0) {
    out += " (" + format_number(seconds / 60.0) + " min)";
  }
  return out;
}

}  // namespace hphtsim::core

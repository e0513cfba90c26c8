// SPDX-License-Identifier: MIT
// libFuzzer target: bytes -> core::parse_quantity (the first line, as a quantity) and
// core::Config::load_string -> "#set key=value" lines as --set overrides -> Model::from_config
// -> Config::to_yaml. A ConfigError (and std::invalid_argument from parse_quantity, whose
// callers add the key) is the expected outcome of bad input; anything else - a crash, a
// sanitizer report, an exception of another type (std::bad_alloc, yaml-cpp's, std::logic_error
// from HPHTSIM_CHECK), a timeout - is a finding. HPHTSIM_MEMORY_LIMIT is set to 64 MiB, so
// grids beyond about 16000 cells (25^3 with the pressure field) are refused by the memory check
// before anything is allocated; scripts/fuzz.sh seeds the corpus with coarse grids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/memory.hpp"
#include "hphtsim/core/units.hpp"
#include "hphtsim/simulation/model.hpp"

using namespace hphtsim;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv(core::memory_limit_variable, "67108864", 1);
  ::setenv("OMP_NUM_THREADS", "1", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // 1. The unit parser alone, on the first line.
  const std::string first = text.substr(0, text.find('\n'));
  try {
    core::Quantity q = core::parse_quantity(first);
    (void)q.dimension.to_string();
    (void)core::parse_quantity_as(first, core::dim::pressure, "a pressure");
  } catch (const std::invalid_argument&) {
  }

  // 2. The whole input as a config, "#set key=value" lines as overrides.
  std::vector<std::string> overrides;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("#set ", 0) == 0) overrides.push_back(line.substr(5));
  try {
    core::Config config = core::Config::load_string(text, HPHTSIM_FUZZ_BASE_DIR);
    for (const auto& o : overrides) config.apply_override(o);
    simulation::Model model = simulation::Model::from_config(config);
    (void)config.to_yaml();
  } catch (const ConfigError&) {
  }
  return 0;
}

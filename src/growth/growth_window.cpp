// SPDX-License-Identifier: MIT
#include "hphtsim/growth/growth_window.hpp"

#include <algorithm>
#include <iterator>

namespace hphtsim::growth {

namespace {
constexpr double C = 273.15;  // degC -> K

// physics.md 3.2 / 4.3 [S]. Fe64Ni36 large Ib crystals, Wang J.-Z., Li S.-S., ..., Xiao H.-Y.,
// "Shape controlled growth for type Ib large diamond crystals", Acta Phys. Sin., 5.3-5.9 GPa:
// on (100) seed faces plate 1206-1215, tower 1216-1260, tower-steeple 1261-1360 degC; on (111)
// tower 1233-1238, plate 1239-1364 degC. FeNiMnCo: 1250-1600 degC at 5.0-5.7 GPa, Xiao H.-Y. et
// al., Acta Phys. Sin. 61, 248101 (2012) (no seed face given: both faces).
const SolventWindows kTable[] = {
    {"fe64ni36", {1206 + C, 1360 + C}, {1233 + C, 1364 + C}, 5.3e9, 5.9e9,
     "Wang J.-Z. et al., Acta Phys. Sin. (Fe64Ni36, large Ib, 5.3-5.9 GPa)"},
    {"fenimnco", {1250 + C, 1600 + C}, {1250 + C, 1600 + C}, 5.0e9, 5.7e9,
     "Xiao H.-Y. et al., Acta Phys. Sin. 61, 248101 (2012) (FeNiMnCo, 5.0-5.7 GPa)"},
};
}  // namespace

const SolventWindows* sourced_windows(const std::string& solvent) {
  const auto it = std::find_if(std::begin(kTable), std::end(kTable),
                               [&](const SolventWindows& w) { return solvent == w.solvent; });
  return it == std::end(kTable) ? nullptr : &*it;
}

}  // namespace hphtsim::growth

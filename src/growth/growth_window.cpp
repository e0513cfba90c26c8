// SPDX-License-Identifier: MIT
#include "hphtsim/growth/growth_window.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

namespace hphtsim::growth {

namespace {
constexpr double C = 273.15;  // degC -> K

// physics.md 3.2 / 4.3 [S]. Fe64Ni36 large Ib crystals, Wang J.-Z., Li S.-S., ..., Xiao H.-Y.,
// "Shape controlled growth for type Ib large diamond crystals", Acta Phys. Sin., 5.3-5.9 GPa:
// on (100) seed faces plate 1206-1215, tower 1216-1260, tower-steeple 1261-1360 degC; on (111)
// tower 1233-1238, plate 1239-1364 degC. FeNiMnCo: 1250-1600 degC at 5.0-5.7 GPa, Xiao H.-Y. et
// al., Acta Phys. Sin. 61, 248101 (2012) (no seed face given: both faces).
const char* const kWang = "Wang J.-Z. et al., Acta Phys. Sin. (Fe64Ni36, large Ib, 5.3-5.9 GPa)";
const SolventWindows kTable[] = {
    {"fe64ni36", {1206 + C, 1360 + C}, {1233 + C, 1364 + C}, 5.3e9, 5.9e9, kWang},
    {"fenimnco", {1250 + C, 1600 + C}, {1250 + C, 1600 + C}, 5.0e9, 5.7e9,
     "Xiao H.-Y. et al., Acta Phys. Sin. 61, 248101 (2012) (FeNiMnCo, 5.0-5.7 GPa)"},
};

// The morphologies of the same runs (Wang J.-Z., above), per seed face.
const MorphologyBand kFeNi100[] = {{Morphology::plate, 1206 + C, 1215 + C},
                                   {Morphology::tower, 1216 + C, 1260 + C},
                                   {Morphology::tower_steeple, 1261 + C, 1360 + C}};
const MorphologyBand kFeNi111[] = {{Morphology::tower, 1233 + C, 1238 + C}, {Morphology::plate, 1239 + C, 1364 + C}};
const MorphologyTable kMorphology[] = {
    {"fe64ni36", geometry::SeedOrientation::face100, kFeNi100, 3, kWang},
    {"fe64ni36", geometry::SeedOrientation::face111, kFeNi111, 2, kWang},
};
}  // namespace

const SolventWindows* sourced_windows(const std::string& solvent) {
  const auto it = std::find_if(std::begin(kTable), std::end(kTable),
                               [&](const SolventWindows& w) { return solvent == w.solvent; });
  return it == std::end(kTable) ? nullptr : &*it;
}

const char* to_string(Morphology m) {
  switch (m) {
    case Morphology::plate: return "plate";
    case Morphology::tower: return "tower";
    case Morphology::tower_steeple: return "tower-steeple";
  }
  return "?";
}

double MorphologyTable::code(double T) const {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (count == 0 || !(T >= bands[0].lower && T <= bands[count - 1].upper)) return nan;
  for (int i = 0; i < count; ++i) {
    if (T > bands[i].upper) continue;
    // Between the previous band's upper edge and this one's lower (the 1 K between published
    // integer edges, 1215 / 1216 degC): the nearer band.
    if (i > 0 && T < bands[i].lower && T - bands[i - 1].upper < bands[i].lower - T) return double(bands[i - 1].morphology);
    return double(bands[i].morphology);
  }
  return nan;
}

const MorphologyTable* sourced_morphology(const std::string& solvent, geometry::SeedOrientation face) {
  for (const auto& t : kMorphology)
    if (solvent == t.solvent && face == t.face) return &t;
  return nullptr;
}

}  // namespace hphtsim::growth

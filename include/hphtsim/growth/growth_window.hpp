// SPDX-License-Identifier: MIT
// Growth windows observed for a solvent: the temperature range in which large single crystals
// were grown on a seed face, from the sourced tables of physics.md 3.2 and 4.3. These are
// empirical ranges at the pressures of those runs, beside the thermodynamic window (eutectic
// below, graphite-diamond line above) that the growth itself obeys: a seed outside them still
// grows in the model, and its margin says how far it is from conditions known to work.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hphtsim/geometry/assembly.hpp"

namespace hphtsim::growth {

struct GrowthWindow {
  double lower = std::numeric_limits<double>::quiet_NaN();  ///< K
  double upper = std::numeric_limits<double>::quiet_NaN();  ///< K
  bool defined() const { return !std::isnan(lower) && !std::isnan(upper); }
  /// Distance inside the window (K): min(T - lower, upper - T); negative outside; NaN undefined.
  double margin(double T) const {
    return defined() ? std::min(T - lower, upper - T) : std::numeric_limits<double>::quiet_NaN();
  }
};

/// A solvent's sourced windows, per seed face, and the pressures of the runs they come from.
struct SolventWindows {
  const char* solvent;     ///< material name in configs/materials.yaml
  GrowthWindow face100, face111;
  double p_min, p_max;     ///< Pa
  const char* source;
  const GrowthWindow& for_face(geometry::SeedOrientation o) const {
    return o == geometry::SeedOrientation::face111 ? face111 : face100;
  }
};

/// The sourced windows of a solvent by its material name; nullptr when none is tabulated.
const SolventWindows* sourced_windows(const std::string& solvent);

/// Crystal morphologies observed on a seed face across a solvent's window (physics.md 4.3 [S]):
/// temperature bands, each the range of a published morphology, in order of temperature.
enum class Morphology { plate = 0, tower = 1, tower_steeple = 2 };
const char* to_string(Morphology m);

struct MorphologyBand {
  Morphology morphology;
  double lower, upper;  ///< K, inclusive; the published integer degC edges
};

struct MorphologyTable {
  const char* solvent;
  geometry::SeedOrientation face;
  const MorphologyBand* bands;
  int count;
  const char* source;
  /// The band's morphology code at T (K): the band containing T, or the nearer one where T falls
  /// between two bands' published integer edges (1215 / 1216 degC); NaN outside the table.
  double code(double T) const;
};

/// The sourced morphology table of a solvent and seed face; nullptr when none is tabulated.
const MorphologyTable* sourced_morphology(const std::string& solvent, geometry::SeedOrientation face);

}  // namespace hphtsim::growth

// SPDX-License-Identifier: MIT
// Cell edges along one axis that land on given interface coordinates and grade smoothly between
// them: the spacing follows h(x) = min(h0, s_j + g d_j(x)) over the refined intervals j (spacing
// s_j, distance d_j) and over every interval between two interfaces (spacing its own length, so
// a short interval is not next to a long cell), with g set below the neighbour-ratio bound.
// Each interval between interfaces gets ceil(integral of dx/h) cells placed by
// equidistribution of 1/h; cells are added where rounding left two neighbours further apart
// than the bound. The base spacing h0 is the largest whose count stays within the budget.
#pragma once

#include <vector>

namespace hphtsim::core {

struct SpacingRegion {
  double lo = 0.0, hi = 0.0;  ///< m, the interval
  double spacing = 0.0;       ///< m, the largest cell inside it
};

struct GradedAxisSpec {
  double lo = 0.0, hi = 0.0;            ///< m, the axis' extent
  std::vector<double> interfaces;       ///< m, coordinates that must be cell edges (any order)
  std::vector<SpacingRegion> refine;    ///< intervals with a smaller largest cell
  double max_ratio = 1.3;               ///< largest ratio of neighbouring cell sizes
  int budget = 64;                      ///< the number of cells aimed at (at most, when it can be)
};

struct GradedAxis {
  std::vector<double> edges;          ///< m, strictly increasing, first lo, last hi
  double base_spacing = 0.0;          ///< m, h0, the spacing away from interfaces and refinement
  bool within_budget = true;          ///< false: the interfaces and refinement need more cells
  /// Interfaces closer than a tenth of the uniform spacing to another one are merged into it
  /// (a sliver cell would cost grading cells on both sides); the largest such shift, m.
  double largest_merge = 0.0;
  double largest_ratio() const;       ///< of neighbouring cell sizes
};

/// Throws std::invalid_argument for an empty extent, a budget < 1, max_ratio outside (1, 4],
/// or a refinement spacing <= 0.
GradedAxis graded_axis(const GradedAxisSpec& spec);

}  // namespace hphtsim::core

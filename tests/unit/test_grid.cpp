// SPDX-License-Identifier: MIT
// Conforming, graded grids (core/graded_axis, geometry/conforming_grid): edges on every
// interface, bounded neighbour ratio, the budget, refinement, and the default cell's seed at
// coarse budgets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/graded_axis.hpp"
#include "hphtsim/geometry/conforming_grid.hpp"
#include "hphtsim/simulation/model.hpp"
#include "../support/default_cell.hpp"

using namespace hphtsim;
using hphtsim::test_support::default_cell_with_grid;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;

bool has_edge(const std::vector<double>& edges, double x, double tol = 1e-12) {
  return std::any_of(edges.begin(), edges.end(), [&](double e) { return std::abs(e - x) <= tol; });
}

core::GradedAxisSpec default_cell_x(int budget) {
  core::GradedAxisSpec s;  // the default cell across its axis (mm): radii 8.5, 7, 6, 5, seed 0.5
  s.lo = -16.25;
  s.hi = 16.25;
  s.interfaces = {-8.5, -7, -6, -5, -0.5, 0.5, 5, 6, 7, 8.5};
  s.budget = budget;
  return s;
}

}  // namespace

TEST(GradedAxis, WithoutInterfacesItIsUniform) {
  core::GradedAxisSpec s;
  s.lo = 0.0;
  s.hi = 2.0;
  s.budget = 37;
  const auto a = core::graded_axis(s);
  ASSERT_EQ(a.edges.size(), 38u);
  for (std::size_t i = 1; i < a.edges.size(); ++i) EXPECT_NEAR(a.edges[i] - a.edges[i - 1], 2.0 / 37, 1e-12);
}

TEST(GradedAxis, EdgesOnEveryInterfaceRatioBoundedWithinBudget) {
  for (int budget : {28, 32, 40, 48, 64, 96}) {
    const auto s = default_cell_x(budget);
    const auto a = core::graded_axis(s);
    EXPECT_TRUE(a.within_budget) << budget;
    EXPECT_LE(int(a.edges.size()) - 1, budget);
    EXPECT_GE(int(a.edges.size()) - 1, budget - 4) << "far below the budget";
    EXPECT_LE(a.largest_ratio(), 1.3 + 1e-9) << budget;
    EXPECT_EQ(a.edges.front(), s.lo);
    EXPECT_EQ(a.edges.back(), s.hi);
    for (double p : s.interfaces) EXPECT_TRUE(has_edge(a.edges, p)) << budget << ": " << p;
    for (std::size_t i = 1; i < a.edges.size(); ++i) ASSERT_GT(a.edges[i], a.edges[i - 1]);
    // Symmetric interfaces give a symmetric axis.
    const std::size_t n = a.edges.size();
    for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(a.edges[i], -a.edges[n - 1 - i], 1e-6) << budget;
  }
}

TEST(GradedAxis, ABudgetTooSmallGivesTheFewestCellsAndSaysSo) {
  const auto a = core::graded_axis(default_cell_x(12));
  EXPECT_FALSE(a.within_budget);
  EXPECT_GT(int(a.edges.size()) - 1, 12);
  EXPECT_LE(a.largest_ratio(), 1.3 + 1e-9);
  EXPECT_LE(int(a.edges.size()) - 1, 30);  // 17 mm of 1-1.5 mm intervals, graded out to 16 mm
}

TEST(GradedAxis, RefinementAndSlivers) {
  core::GradedAxisSpec s;
  s.lo = 0.0;
  s.hi = 10.0;
  s.interfaces = {4.0, 5.0, 5.0 + 1e-4};  // a sliver of 1e-4 next to 5: merged
  s.refine = {{4.0, 5.0, 0.05}};
  s.budget = 80;
  const auto a = core::graded_axis(s);
  EXPECT_TRUE(has_edge(a.edges, 4.0));
  EXPECT_TRUE(has_edge(a.edges, 5.0));
  EXPECT_NEAR(a.largest_merge, 1e-4, 1e-12);
  EXPECT_LE(a.largest_ratio(), 1.3 + 1e-9);
  for (std::size_t i = 1; i < a.edges.size(); ++i) {
    if (a.edges[i - 1] >= 4.0 && a.edges[i] <= 5.0) {
      EXPECT_LE(a.edges[i] - a.edges[i - 1], 0.05 * 1.15);
    }
  }
  core::GradedAxisSpec empty;
  empty.lo = empty.hi = 1.0;
  EXPECT_THROW(core::graded_axis(empty), std::invalid_argument);
  s.refine[0].spacing = 0.0;
  EXPECT_THROW(core::graded_axis(s), std::invalid_argument);
}

TEST(ConformingGrid, DefaultCellEdgesOnEveryInterface) {
  const auto m = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml", {"cell.cells=40"});
  const core::Grid& g = m.grid;
  for (int a = 0; a < 3; ++a) {
    const auto& e = a == 0 ? g.x : a == 1 ? g.y : g.z;
    for (double p : geometry::assembly_interfaces(m.assembly, a)) EXPECT_TRUE(has_edge(e, p, 1e-12)) << a << " " << p;
  }
  EXPECT_LE(g.nx, 40);
  EXPECT_LE(g.nz, 40);
  EXPECT_NE(m.grid_description.find("conforming"), std::string::npos);
}

TEST(ConformingGrid, TheDefaultSeedExistsAtCoarseBudgets) {
  for (const char* n : {"cell.cells=24", "cell.cells=32"}) {
    const auto m = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml", {n});
    const int seed = m.seed_region(0);
    double volume = 0.0;
    for (int k = 0; k < m.grid.nz; ++k)
      for (int j = 0; j < m.grid.ny; ++j)
        for (int i = 0; i < m.grid.nx; ++i)
          if (m.map.region[m.grid.index(i, j, k)] == seed) volume += m.grid.volume(i, j, k);
    EXPECT_NEAR(volume, 1e-9, 1e-15) << n;  // the 1 mm cube exactly
  }
}

TEST(ConformingGrid, UniformOnRequestAndConfigErrors) {
  const auto u = default_cell_with_grid("{cells: 48, conform: false}");
  EXPECT_EQ(u.grid.nx, 48);
  EXPECT_NEAR(u.grid.dx(0), 32.5e-3 / 48, 1e-15);
  EXPECT_NEAR(u.grid.dx(30), 32.5e-3 / 48, 1e-15);
  auto key_of = [&](const std::string& grid, std::vector<std::string> overrides = {}) {
    try {
      if (overrides.empty()) default_cell_with_grid(grid);
      else simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml", overrides);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(key_of("", {"cell.grid={cells: 48}"}), "cell.grid");  // and cell.cells: twice
  EXPECT_EQ(key_of("{cells: 48, max_ratio: 3}"), "cell.grid.max_ratio");
  EXPECT_EQ(key_of("{cells: 48, refine: [{primitive: nothing, spacing: \"1 mm\"}]}"), "cell.grid.refine.0.primitive");
  EXPECT_EQ(key_of("{cells: 48, refine: [{primitive: heater, spacing: \"1 K\"}]}"), "cell.grid.refine.0.spacing");
  EXPECT_EQ(key_of("{cells: 48, refine: [{primitive: heater, spacing: \"1 mm\", axes: [w]}]}"),
            "cell.grid.refine.0.axes.0");
  EXPECT_EQ(key_of("{cells: 48, conform: maybe}"), "cell.grid.conform");
  EXPECT_EQ(key_of("{cells: 48, spacing: 2}"), "cell.grid.spacing");  // unknown key
  EXPECT_EQ(key_of("{cells: 48, thin_parts: 0.9}"), "cell.grid.thin_parts");
  EXPECT_EQ(key_of("{cells: 48, thin_parts: -1}"), "cell.grid.thin_parts");
}

TEST(ConformingGrid, ThinPartsGetCellsAcrossThem) {
  // The default cell's 1 mm walls (heater, liner) and discs: max(2, budget / 24) cells across
  // them by default (3 at 64: a round count of 2.67) where the budget allows it (at 32 it
  // allows one: the budget holds first), one or two without the rule.
  auto cells_across = [](const simulation::Model& m, double lo, double hi, int axis) {
    const auto& e = axis == 0 ? m.grid.x : m.grid.z;
    int n = 0;
    for (std::size_t i = 0; i + 1 < e.size(); ++i) n += e[i] >= lo - 1e-9 && e[i + 1] <= hi + 1e-9;
    return n;
  };
  for (int budget : {32, 48, 64}) {
    const auto m = default_cell_with_grid("{cells: " + std::to_string(budget) + "}");
    const int want = budget == 64 ? 3 : (budget == 48 ? 2 : 1);
    EXPECT_EQ(cells_across(m, 6e-3, 7e-3, 0), want) << budget;     // heater wall along x
    EXPECT_EQ(cells_across(m, 5e-3, 6e-3, 0), want) << budget;     // liner wall
    EXPECT_EQ(cells_across(m, 8e-3, 9e-3, 2), want) << budget;     // top disc along z
    const auto off = default_cell_with_grid("{cells: " + std::to_string(budget) + ", thin_parts: 0}");
    EXPECT_LE(cells_across(off, 6e-3, 7e-3, 0), 2) << budget;
    EXPECT_LE(m.grid.nx, budget) << budget;  // the budget holds
  }
}

TEST(ConformingGrid, RefinedHeaterWall) {
  const auto m = default_cell_with_grid("{cells: 64, refine: [{primitive: heater, spacing: \"0.2 mm\", axes: [x, y]}]}");
  const auto& x = m.grid.x;
  int in_wall = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    if (x[i - 1] >= 6e-3 - 1e-12 && x[i] <= 7e-3 + 1e-12) {
      ++in_wall;
      EXPECT_LE(x[i] - x[i - 1], 0.2e-3 * 1.15);
    }
  EXPECT_GE(in_wall, 5);
  EXPECT_LE(m.grid.nx, 64);
  // z is not refined: as without refinement
  const auto plain = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml", {"cell.cells=64"});
  EXPECT_EQ(m.grid.z, plain.grid.z);
}

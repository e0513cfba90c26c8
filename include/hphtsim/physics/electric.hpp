// SPDX-License-Identifier: MIT
// Electric potential of the cell: div(sigma grad phi) = 0 with the top anvil contact at phi = V
// and the bottom one at phi = 0, every other face insulated. Current flows only through the
// "circuit": cells whose resistivity is at most the insulator cut-off and that connect to a
// contact; every other cell is treated as a perfect insulator (their leakage is below 1e-6 of
// the heater current for resistivities above ~1 ohm m, and excluding them keeps the linear
// system well conditioned). Joule heat per cell is split along each face in proportion to the
// resistance on either side, so its sum equals V*I to the solver tolerance.
#pragma once

#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/physics/conductance.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::physics {

enum class ControlMode { voltage, current, power };

struct ElectricSettings {
  ControlMode mode = ControlMode::power;
  double setpoint = 0.0;                 ///< V, A or W according to mode
  double contact_half_x = 0.0;           ///< half the anvil face in x (m): contact footprint
  double contact_half_y = 0.0;
  double insulator_resistivity = 1.0;    ///< ohm m: cells above this carry no current
  double contact_resistance = 0.0;       ///< specific contact resistance at the anvils, ohm m^2
};

struct ElectricState {
  double voltage = 0.0;     ///< V
  double current = 0.0;     ///< A
  double resistance = 0.0;  ///< ohm
  double power = 0.0;       ///< W (V*I)
  double joule_total = 0.0; ///< W, sum of the per-cell heat (equals power to solver tolerance)
  int iterations = 0;       ///< linear-solver iterations of the last solve
};

class ElectricProblem {
 public:
  ElectricProblem(const core::Grid& grid, ElectricSettings settings);

  /// Solves for phi (V) and the Joule heat per cell (W) given the resistivity per cell (ohm m).
  /// Throws ConfigError when no conductive path joins the two contacts, SolverError when the
  /// linear solve fails.
  ElectricState solve(const std::vector<double>& resistivity, std::vector<double>& phi,
                      std::vector<double>& joule_heat, const solvers::SolveOptions& opts);

  /// True when conductive cells join the top contact to the bottom one.
  bool contacts_connected(const std::vector<double>& resistivity);

  ElectricSettings& settings() { return settings_; }
  const ElectricSettings& settings() const { return settings_; }
  /// The unit-voltage potential of the last solve: the next solve's initial guess (part of a
  /// checkpoint, so that a restarted run repeats the same iterations).
  std::vector<double>& warm_start() { return unit_phi_; }
  const std::vector<double>& warm_start() const { return unit_phi_; }
  /// Resistivities along x, y, z of the mixed cells (their per-cell value then is the smallest
  /// of the three: the circuit's test); the vectors must outlive the problem.
  void set_directional(DirectionalCells d) { directional_ = d; }
  /// 1 for cells in the circuit after the last solve.
  const std::vector<unsigned char>& circuit() const { return circuit_; }

 private:
  const core::Grid& grid_;
  ElectricSettings settings_;
  solvers::StencilOperator op_;
  std::unique_ptr<solvers::MultigridPCG> solver_;
  std::vector<double> rhs_, unit_phi_, contact_top_, contact_bottom_;  // contact_*: T_b per cell
  std::vector<unsigned char> circuit_;
  std::vector<int> queue_;
  DirectionalCells directional_;

  void find_circuit(const std::vector<double>& resistivity);
};

}  // namespace hphtsim::physics

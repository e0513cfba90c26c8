// SPDX-License-Identifier: MIT
// Where diamond can grow: the graphite-diamond equilibrium line, the solvent-carbon eutectic,
// and the solubility of carbon in the melt for graphite and for diamond (physics.md 3).
#pragma once

#include <cmath>
#include <string>

namespace hphtsim::physics {

/// Graphite-diamond equilibrium pressure (Pa) at temperature T (K).
///  kennedy1976:  P[kbar] = 19.4 + T[degC]/40      (Kennedy & Kennedy, JGR 81, 2467 (1976) [S])
///  berman_simon: P[kbar] = 7.1 + 0.027 T[K]       (Bundy et al., J. Chem. Phys. 35, 383 (1961) [S])
enum class EquilibriumLine { kennedy1976, berman_simon };

inline double equilibrium_pressure(EquilibriumLine line, double T) {
  constexpr double kbar = 1e8;
  if (line == EquilibriumLine::kennedy1976) return (19.4 + (T - 273.15) / 40.0) * kbar;
  return (7.1 + 0.027 * T) * kbar;
}
/// Inverse: the temperature (K) on the line at pressure P (Pa).
inline double equilibrium_temperature(EquilibriumLine line, double P) {
  constexpr double kbar = 1e8;
  if (line == EquilibriumLine::kennedy1976) return (P / kbar - 19.4) * 40.0 + 273.15;
  return (P / kbar - 7.1) / 0.027;
}

/// The solvent's melting (eutectic with carbon) temperature as a straight line in P:
/// T_e(P) = T_ref + slope (P - P_ref). Default 1200 degC at 5.5 GPa [D] with +11 K/GPa [D]
/// (physics.md 3.2).
struct Eutectic {
  double T_ref = 1473.15;
  double P_ref = 5.5e9;
  double slope = 11e-9;  ///< K/Pa
  double temperature(double P) const { return T_ref + slope * (P - P_ref); }
  /// Pressure at which T is the eutectic temperature.
  double pressure(double T) const { return P_ref + (T - T_ref) / slope; }
};

/// Carbon solubility in the melt, mass fraction. Graphite: linear in T around a reference
/// (physics.md 3.3: "a few wt %" [L]; dC/dT NF, calibrated from growth rates, 4.4 [E]).
/// Diamond: lower by the free-energy difference of the two carbons,
///   c_d = c_g exp(-dV (P - P_eq(T)) / (R T)),  dV = 5.31 - 3.42 cm^3/mol (physics.md 3.1 [D]),
/// so the two are equal on the equilibrium line and graphite is the more soluble in the
/// diamond field.
struct Solubility {
  double T_ref = 1673.15;       ///< K
  double c_ref = 0.05;          ///< graphite solubility at T_ref
  double dc_dT = 2.5e-5;        ///< 1/K
  EquilibriumLine line = EquilibriumLine::kennedy1976;
  static constexpr double molar_volume_difference = 1.89e-6;  ///< m^3/mol
  static constexpr double gas_constant = 8.314462618;        ///< J/(mol K)

  double graphite(double T) const { return std::max(1e-6, c_ref + dc_dT * (T - T_ref)); }
  double diamond(double T, double P) const {
    const double dG = molar_volume_difference * (P - equilibrium_pressure(line, T));
    return graphite(T) * std::exp(-dG / (gas_constant * T));
  }
};

}  // namespace hphtsim::physics

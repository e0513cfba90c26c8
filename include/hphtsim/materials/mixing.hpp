// SPDX-License-Identifier: MIT
// Effective transport coefficients of a cell shared by several materials (volume fractions
// f_m). Across a flat interface with unit normal n the materials conduct in parallel (the
// arithmetic mean k_par = sum f_m k_m), along n in series (the harmonic mean
// k_ser = 1 / sum (f_m / k_m)); the cell's tensor k_par (I - n n) + k_ser n n is used by its
// diagonal, k_d = k_par + (k_ser - k_par) n_d^2, since the stencil couples faces along x, y and
// z only. Exact for a laminate whose layers are normal to an axis; for a cylinder's round
// side the error is second order in the cell size (the interface is flat to that order).
#pragma once

#include <array>
#include <cstddef>

namespace hphtsim::materials {

struct MixedCoefficient {
  double arithmetic = 0.0;  ///< sum f_m k_m
  double harmonic = 0.0;    ///< 1 / sum (f_m / k_m)
};

/// Accumulates f k and f / k over the materials of a cell.
class MixingSum {
 public:
  void add(double fraction, double k) {
    sum_ += fraction * k;
    inverse_ += fraction / k;
  }
  MixedCoefficient result() const { return {sum_, inverse_ > 0.0 ? 1.0 / inverse_ : 0.0}; }

 private:
  double sum_ = 0.0, inverse_ = 0.0;
};

/// The coefficient along x, y and z of a cell whose interface has unit normal n (n = 0: the
/// arithmetic mean in every direction would ignore series layers, so the harmonic mean is used
/// where the normal is unknown).
inline std::array<double, 3> directional(const MixedCoefficient& k, const std::array<double, 3>& n) {
  const double n2 = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
  if (n2 <= 0.0) return {k.harmonic, k.harmonic, k.harmonic};
  std::array<double, 3> out{};
  for (std::size_t d = 0; d < 3; ++d) out[d] = k.arithmetic + (k.harmonic - k.arithmetic) * n[d] * n[d] / n2;
  return out;
}

}  // namespace hphtsim::materials

// SPDX-License-Identifier: MIT
// Effective transport coefficients of a cell shared by several materials. Along each axis the
// cell is a bundle of lines parallel to that axis (geometry/volume_fractions.hpp samples which
// material each line passes through): the materials conduct in series along a line and the
// lines in parallel across the cell. For layers normal to the axis this is the harmonic mean
// of the volume fractions, for layers along it the arithmetic mean, both exact; for an oblique
// or round interface each line weighs the materials by its own path through them, so a thin
// insulating wall running diagonally through a cell still insulates (the diagonal of the
// tensor k_par (I - n n) + k_ser n n, used before, let such a wall conduct at half the
// arithmetic mean or more: docs/validation.md, "Concentric shells").
#pragma once

#include <cstddef>

namespace hphtsim::materials {

/// The conductance per unit length of lines in parallel (weights w_l summing to 1), each a
/// series of parts (fractions f_lp of its length): sum_l w_l / sum_p (f_lp / k_p). Exact for
/// layers normal to the lines and for layers along them; between the two for an oblique
/// interface, where each line crosses the layers in proportion to its path through them.
inline double lines_in_parallel(const float* weight, const float* fraction, std::size_t lines, const double* k,
                                std::size_t parts) {
  double conductance = 0.0;
  for (std::size_t l = 0; l < lines; ++l) {
    double resistance = 0.0;
    for (std::size_t p = 0; p < parts; ++p) resistance += double(fraction[l * parts + p]) / k[p];
    conductance += double(weight[l]) / resistance;
  }
  return conductance;
}

/// Elastic moduli and free volumetric strain of a cell shared by several solids (fractions f):
/// the bulk modulus in series (Reuss, 1 / sum f / K: the parts carry one pressure, which is
/// exact for a fluid part and for layers loaded across), the shear modulus as the Hill mean of
/// the Voigt and Reuss bounds (the mean element sees both loadings), and the free strain that
/// gives the parts' mean strain under that one pressure, K sum f e / K_p. One element of the
/// Q1 mean-dilatation discretisation cannot represent more; the difference to a resolved
/// interface is first order in the cell size.
class ElasticMixing {
 public:
  void add(double fraction, double bulk, double shear, double free_strain) {
    inverse_bulk_ += fraction / bulk;
    shear_ += fraction * shear;
    inverse_shear_ += fraction / shear;
    strain_over_bulk_ += fraction * free_strain / bulk;
  }
  double bulk() const { return 1.0 / inverse_bulk_; }
  double shear() const { return 0.5 * (shear_ + 1.0 / inverse_shear_); }
  double free_strain() const { return strain_over_bulk_ / inverse_bulk_; }

 private:
  double inverse_bulk_ = 0.0, shear_ = 0.0, inverse_shear_ = 0.0, strain_over_bulk_ = 0.0;
};

}  // namespace hphtsim::materials

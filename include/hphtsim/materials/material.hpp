// SPDX-License-Identifier: MIT
// Material property laws and the materials library. A law gives a property as a function of
// temperature: constant, a table (piecewise linear in T, held constant beyond its ends) or a
// polynomial in T (K). Every library entry cites its source (configs/materials.yaml).
#pragma once

#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"

namespace hphtsim::materials {

class PropertyLaw {
 public:
  enum class Kind { constant, table, polynomial };

  static PropertyLaw constant(double value);
  static PropertyLaw table(std::vector<double> temperatures_K, std::vector<double> values);
  static PropertyLaw polynomial(std::vector<double> coefficients);  ///< sum c_i T^i, T in K

  /// Reads a law from a config node: "45 W/(m*K)", {table: [["300 K", "45 W/(m*K)"], ...]}
  /// or {polynomial: ["a unit", "b unit/K", ...]}; every value checked against `dim`.
  static PropertyLaw from_config(const core::ConfigNode& node, const core::Dimension& dim,
                                 const std::string& what);

  double operator()(double T) const {
    switch (kind_) {
      case Kind::constant:
        return c_[0];
      case Kind::table:
        return interpolate(T);
      case Kind::polynomial: {
        double v = 0.0;
        for (std::size_t i = c_.size(); i-- > 0;) v = v * T + c_[i];
        return v;
      }
    }
    return c_[0];
  }
  Kind kind() const { return kind_; }
  bool is_constant() const { return kind_ == Kind::constant; }
  /// Smallest / largest value over [T_lo, T_hi] (exact for constant/table, sampled at
  /// polynomial_samples + 1 points for polynomials).
  double min_over(double T_lo, double T_hi) const;
  /// The same law times a positive factor (a calibration's scale on a property).
  PropertyLaw scaled(double factor) const;
  double max_over(double T_lo, double T_hi) const;
  static constexpr int polynomial_samples = 3800;

 private:
  Kind kind_ = Kind::constant;
  std::vector<double> t_;  // table abscissae (K)
  std::vector<double> c_;  // constant, table values or polynomial coefficients
  double interpolate(double T) const;
};

struct Material {
  std::string name;
  std::string source;  ///< where the numbers come from
  PropertyLaw density;                 ///< kg/m^3
  PropertyLaw heat_capacity;           ///< J/(kg K)
  PropertyLaw thermal_conductivity;    ///< W/(m K)
  PropertyLaw electrical_resistivity;  ///< ohm m
  /// Melting range of a solvent (K) and its latent heat (J/kg), spread over the range as an
  /// apparent heat capacity. NaN when the material does not melt in the model.
  double solidus = std::numeric_limits<double>::quiet_NaN();
  double liquidus = std::numeric_limits<double>::quiet_NaN();
  double latent_heat = 0.0;
  /// Elastic data for the thermo-elastic pressure field (pressure.field: true needs all three
  /// for every material in the cell): Pa, 1 and 1/K (linear expansion coefficient).
  std::optional<PropertyLaw> youngs_modulus, poisson_ratio, thermal_expansion;

  bool has_mechanics() const { return youngs_modulus && poisson_ratio && thermal_expansion; }
  bool melts() const { return latent_heat > 0.0 && liquidus > solidus; }
  /// c_p plus the latent heat spread evenly over [solidus, liquidus].
  double apparent_heat_capacity(double T) const {
    double c = heat_capacity(T);
    if (melts() && T > solidus && T < liquidus) c += latent_heat / (liquidus - solidus);
    return c;
  }
  /// Volumetric enthalpy h(T) = integral of rho c_app dT from 200 K (J/m^3), latent heat
  /// included; from a 1 K table built by build_enthalpy_table(). Used for the chord heat
  /// capacity (h(T) - h(T_old)) / (T - T_old) that makes the implicit step conserve energy
  /// and lets the coupling converge across the melting range.
  double volumetric_enthalpy(double T) const {
    double x = (T - enthalpy_T0) / enthalpy_dT;
    if (x <= 0.0) return enthalpy[0] + (T - enthalpy_T0) * density(T) * apparent_heat_capacity(T);
    std::size_t i = std::size_t(x);
    if (i + 1 >= enthalpy.size()) {
      double Te = enthalpy_T0 + enthalpy_dT * double(enthalpy.size() - 1);
      return enthalpy.back() + (T - Te) * density(T) * apparent_heat_capacity(T);
    }
    double w = x - double(i);
    return enthalpy[i] + w * (enthalpy[i + 1] - enthalpy[i]);
  }
  void build_enthalpy_table();
  std::vector<double> enthalpy;
  double enthalpy_T0 = 200.0, enthalpy_dT = 1.0;

  /// Liquid fraction 0..1 (linear over the melting range).
  double liquid_fraction(double T) const {
    if (!melts()) return 0.0;
    if (T <= solidus) return 0.0;
    if (T >= liquidus) return 1.0;
    return (T - solidus) / (liquidus - solidus);
  }
};

/// Name -> material. Reads `materials:` maps from a library file and from the config itself.
class MaterialLibrary {
 public:
  /// Adds (or replaces) every entry of a `materials:` map node.
  void add_from_config(const core::ConfigNode& materials_map);
  /// Multiplies properties by dimensionless factors, `material_scales: {MATERIAL: {PROPERTY:
  /// "1.2 1"}}`: the handle a calibration fits on a whole law (its shape in T kept).
  void apply_scales(const core::ConfigNode& scales_map);
  bool contains(const std::string& name) const { return materials_.count(name) > 0; }
  const Material& get(const std::string& name) const { return materials_.at(name); }
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Material> materials_;
};

}  // namespace hphtsim::materials

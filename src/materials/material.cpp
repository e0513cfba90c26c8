// SPDX-License-Identifier: MIT
#include "hphtsim/materials/material.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "hphtsim/core/error.hpp"

namespace hphtsim::materials {

PropertyLaw PropertyLaw::constant(double value) {
  PropertyLaw p;
  p.kind_ = Kind::constant;
  p.c_ = {value};
  return p;
}

PropertyLaw PropertyLaw::table(std::vector<double> temperatures_K, std::vector<double> values) {
  HPHTSIM_CHECK(temperatures_K.size() == values.size() && !values.empty(), "table sizes");
  PropertyLaw p;
  p.kind_ = Kind::table;
  p.t_ = std::move(temperatures_K);
  p.c_ = std::move(values);
  return p;
}

PropertyLaw PropertyLaw::scaled(double factor) const {
  PropertyLaw p = *this;
  for (double& c : p.c_) c *= factor;  // table values or polynomial coefficients: all linear
  return p;
}

PropertyLaw PropertyLaw::polynomial(std::vector<double> coefficients) {
  HPHTSIM_CHECK(!coefficients.empty(), "polynomial needs coefficients");
  PropertyLaw p;
  p.kind_ = Kind::polynomial;
  p.c_ = std::move(coefficients);
  return p;
}

double PropertyLaw::interpolate(double T) const {
  if (T <= t_.front()) return c_.front();
  if (T >= t_.back()) return c_.back();
  auto it = std::upper_bound(t_.begin(), t_.end(), T);
  std::size_t i = std::size_t(it - t_.begin());
  double w = (T - t_[i - 1]) / (t_[i] - t_[i - 1]);
  return c_[i - 1] + w * (c_[i] - c_[i - 1]);
}

double PropertyLaw::min_over(double T_lo, double T_hi) const {
  switch (kind_) {
    case Kind::constant:
      return c_[0];
    case Kind::table:
      return *std::min_element(c_.begin(), c_.end());
    case Kind::polynomial: {
      double m = (*this)(T_lo);
      for (int s = 1; s <= polynomial_samples; ++s) m = std::min(m, (*this)(T_lo + (T_hi - T_lo) * s / polynomial_samples));
      return m;
    }
  }
  return c_[0];
}

double PropertyLaw::max_over(double T_lo, double T_hi) const {
  switch (kind_) {
    case Kind::constant:
      return c_[0];
    case Kind::table:
      return *std::max_element(c_.begin(), c_.end());
    case Kind::polynomial: {
      double m = (*this)(T_lo);
      for (int s = 1; s <= polynomial_samples; ++s) m = std::max(m, (*this)(T_lo + (T_hi - T_lo) * s / polynomial_samples));
      return m;
    }
  }
  return c_[0];
}

PropertyLaw PropertyLaw::from_config(const core::ConfigNode& node, const core::Dimension& dim,
                                     const std::string& what) {
  if (node.is_scalar()) return constant(node.as_quantity(dim, what));
  if (!node.is_map() || node.keys().size() != 1)
    node.fail("expected " + what + ", or {table: [[T, value], ...]} or {polynomial: [c0, c1, ...]}");
  if (auto t = node.find("table")) {
    std::vector<double> ts, vs;
    for (const auto& row : t->items()) {
      if (!row.is_sequence() || row.yaml().size() != 2)
        row.fail("a table row is [temperature, value], e.g. [\"300 K\", \"45 W/(m*K)\"]");
      auto cells = row.items();
      ts.push_back(cells[0].as_quantity(core::dim::temperature, "a temperature such as \"300 K\""));
      core::require_absolute_temperature(cells[0], ts.back());
      vs.push_back(cells[1].as_quantity(dim, what));
      if (ts.size() > 1 && !(ts.back() > ts[ts.size() - 2]))
        row.fail("table temperatures must increase strictly");
    }
    if (ts.empty()) t->fail("a table needs at least one row");
    return table(std::move(ts), std::move(vs));
  }
  if (auto p = node.find("polynomial")) {
    std::vector<double> cs;
    int i = 0;
    for (const auto& c : p->items()) {
      core::Dimension d = dim / core::dim::temperature.pow(i);
      cs.push_back(c.as_quantity(d, "coefficient " + std::to_string(i) + " of a polynomial in T (K)"));
      ++i;
    }
    if (cs.empty()) p->fail("a polynomial needs at least one coefficient");
    return polynomial(std::move(cs));
  }
  node.fail("expected " + what + ", or {table: ...} or {polynomial: ...}");
}

namespace {

// Temperatures over which the laws are checked: those of the enthalpy table (200-4000 K), which
// every temperature of a run passes through (room temperature to far above the hottest heater).
constexpr double check_T_lo = 200.0;
constexpr double check_T_hi = 4000.0;

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string range_text() {
  return std::to_string(int(check_T_lo)) + "-" + std::to_string(int(check_T_hi)) + " K";
}

// Values inside (lo, hi) (open ends) over the checked range; for a table every value given, for a
// polynomial its values sampled at 1 K.
PropertyLaw read_law(const core::ConfigNode& n, const core::Dimension& dim, const std::string& what, double lo,
                     double hi, const std::string& expected) {
  PropertyLaw law = PropertyLaw::from_config(n, dim, what);
  const double mn = law.min_over(check_T_lo, check_T_hi), mx = law.max_over(check_T_lo, check_T_hi);
  if (!std::isfinite(mn) || !std::isfinite(mx)) n.fail("must be finite over " + range_text());
  if (!(mn > lo && mx < hi)) {
    std::string got = law.is_constant() ? (n.is_scalar() ? "'" + n.yaml().Scalar() + "'" : number_text(mn))
                                        : "values from " + number_text(mn) + " to " + number_text(mx) + " " + dim.to_string();
    n.fail(expected + (law.is_constant() ? "" : " over " + range_text()) + "; got " + got);
  }
  return law;
}

PropertyLaw read_positive(const core::ConfigNode& m, const char* key, const core::Dimension& dim,
                          const std::string& what) {
  return read_law(m.at(key), dim, what, 0.0, std::numeric_limits<double>::infinity(), "must be positive");
}

}  // namespace

void MaterialLibrary::add_from_config(const core::ConfigNode& materials_map) {
  using namespace core;
  for (const auto& name : materials_map.keys()) {
    ConfigNode m = materials_map.at(name);
    if (!m.is_map()) m.fail("a material is a mapping of its properties");
    Material mat;
    mat.name = name;
    mat.source = m.string_or("source", "");
    mat.density = read_positive(m, "density", dim::density, "a density such as \"2700 kg/m^3\"");
    mat.heat_capacity = read_positive(m, "heat_capacity", dim::specific_heat, "a heat capacity such as \"900 J/(kg*K)\"");
    mat.thermal_conductivity = read_positive(m, "thermal_conductivity", dim::thermal_conductivity,
                                             "a thermal conductivity such as \"2 W/(m*K)\"");
    mat.electrical_resistivity = read_positive(m, "electrical_resistivity", dim::resistivity,
                                               "an electrical resistivity such as \"1e-5 ohm*m\"");
    if (auto melt = m.find("melting")) {
      mat.solidus = melt->quantity("solidus", dim::temperature, "a temperature such as \"1250 degC\"");
      require_absolute_temperature(melt->key_path("solidus"), mat.solidus);
      mat.liquidus = melt->quantity("liquidus", dim::temperature, "a temperature such as \"1300 degC\"");
      mat.latent_heat = melt->quantity("latent_heat", dim::specific_energy, "a latent heat such as \"265 kJ/kg\"");
      if (!(mat.liquidus > mat.solidus)) melt->fail_key("liquidus", "must be above the solidus");
      if (!(mat.latent_heat >= 0.0)) melt->fail_key("latent_heat", "must not be negative");
    }
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (auto n = m.find("youngs_modulus"))
      mat.youngs_modulus = read_law(*n, dim::pressure, "a modulus such as \"100 GPa\"", 0.0, inf, "must be positive");
    if (auto n = m.find("poisson_ratio"))
      mat.poisson_ratio = read_law(*n, dim::none, "a dimensionless ratio such as \"0.3 1\"", -1.0, 0.5,
                                            "must lie strictly between -1 and 0.5 (an isotropic solid)");
    if (auto n = m.find("thermal_expansion"))
      mat.thermal_expansion = read_law(*n, dim::inverse_temperature, "an expansion coefficient such as \"1e-5 1/K\"",
                                                -inf, inf, "must be finite");
    mat.build_enthalpy_table();
    materials_[name] = std::move(mat);
  }
}

void MaterialLibrary::apply_scales(const core::ConfigNode& scales_map) {
  using namespace core;
  if (!scales_map.is_map()) scales_map.fail("a mapping MATERIAL: {PROPERTY: factor}");
  for (const auto& name : scales_map.keys()) {
    ConfigNode entry = scales_map.at(name);
    if (!contains(name)) entry.fail("no material '" + name + "' in the materials library or `materials`");
    if (!entry.is_map()) entry.fail("a mapping PROPERTY: factor, e.g. {thermal_conductivity: \"1.2 1\"}");
    Material& mat = materials_.at(name);
    for (const auto& property : entry.keys()) {
      const double f = entry.quantity(property, dim::none, "a dimensionless factor such as \"1.2 1\"");
      if (!(f > 0.0) || !std::isfinite(f)) entry.fail_key(property, "a scale factor must be positive");
      auto scale_optional = [&](std::optional<PropertyLaw>& law) {
        if (!law) entry.fail_key(property, "material '" + name + "' has no " + property + " to scale");
        law = law->scaled(f);
      };
      if (property == "density") mat.density = mat.density.scaled(f);
      else if (property == "heat_capacity") mat.heat_capacity = mat.heat_capacity.scaled(f);
      else if (property == "thermal_conductivity") mat.thermal_conductivity = mat.thermal_conductivity.scaled(f);
      else if (property == "electrical_resistivity") mat.electrical_resistivity = mat.electrical_resistivity.scaled(f);
      else if (property == "youngs_modulus") scale_optional(mat.youngs_modulus);
      else if (property == "thermal_expansion") scale_optional(mat.thermal_expansion);
      else if (property == "latent_heat") {
        if (!mat.melts()) entry.fail_key(property, "material '" + name + "' does not melt");
        mat.latent_heat *= f;
      } else
        entry.fail_key(property, "cannot be scaled (allowed: density, heat_capacity, thermal_conductivity, "
                                 "electrical_resistivity, youngs_modulus, thermal_expansion, latent_heat)");
    }
    mat.build_enthalpy_table();
  }
}

void Material::build_enthalpy_table() {
  // 200 K to 4000 K in 1 K steps, each integrated with 8 trapezoid sub-steps so that table
  // kinks and the edges of the melting range cost at most 1/16 K of c_app.
  constexpr double T_end = 4000.0;
  constexpr int sub = 8;
  const std::size_t n = std::size_t((T_end - enthalpy_T0) / enthalpy_dT) + 1;
  enthalpy.assign(n, 0.0);
  // Sensible heat by the trapezoid rule; latent heat through the (continuous, piecewise-linear)
  // liquid fraction, so the melting range's edges are integrated exactly.
  auto sensible = [&](double T) { return density(T) * heat_capacity(T); };
  for (std::size_t i = 1; i < n; ++i) {
    double a = enthalpy_T0 + enthalpy_dT * double(i - 1), h = enthalpy_dT / sub, s = 0.0;
    for (int k = 0; k < sub; ++k) {
      const double t0 = a + k * h, t1 = t0 + h;
      s += 0.5 * h * (sensible(t0) + sensible(t1));
      s += density(0.5 * (t0 + t1)) * latent_heat * (liquid_fraction(t1) - liquid_fraction(t0));
    }
    enthalpy[i] = enthalpy[i - 1] + s;
  }
}

std::vector<std::string> MaterialLibrary::names() const {
  std::vector<std::string> out;
  for (const auto& kv : materials_) out.push_back(kv.first);
  return out;
}

}  // namespace hphtsim::materials

// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/materials/material.hpp"
#include "hphtsim/materials/mixing.hpp"

using namespace hphtsim;

namespace {

const char* base_cell = R"YAML(
cell: {size: ["10 mm", "10 mm", "10 mm"]}
assembly:
  - {name: cube, shape: box, material: a, center: ["0 mm", "0 mm", "0 mm"], size: ["10 mm", "10 mm", "10 mm"]}
  - {name: tube, shape: tube, material: b, center: ["0 mm", "0 mm", "0 mm"], outer_radius: "4 mm", inner_radius: "2 mm", height: "6 mm"}
  - {name: core, shape: cylinder, material: c, center: ["0 mm", "0 mm", "0 mm"], radius: "1 mm", height: "2 mm"}
)YAML";

geometry::Assembly assembly_from(const std::string& text) {
  core::Config c = core::Config::load_string(text);
  return geometry::Assembly::from_config(c.root());
}

std::string config_error_key(const std::string& text) {
  try {
    assembly_from(text);
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "<no error>";
}

}  // namespace

TEST(Geometry, PrimitivesContainTheirPoints) {
  auto a = assembly_from(base_cell);
  const auto& tube = a.primitives[1];
  EXPECT_TRUE(tube.contains(3e-3, 0, 0));
  EXPECT_FALSE(tube.contains(1e-3, 0, 0));      // in the bore
  EXPECT_FALSE(tube.contains(3e-3, 0, 3.5e-3));  // beyond its height
  EXPECT_TRUE(a.primitives[2].contains(0, 0.5e-3, 0.9e-3));
}

TEST(Geometry, LaterPrimitivesPaintOverEarlierOnes) {
  auto a = assembly_from(base_cell);
  auto g = core::Grid::uniform(20, 20, 20, 0.01, 0.01, 0.01, -0.005, -0.005, -0.005);
  auto map = geometry::paint(a, g);
  ASSERT_EQ(map.names.size(), 3u);
  EXPECT_EQ(map.names[map.material[g.index(10, 10, 10)]], "c");  // centre: the core
  EXPECT_EQ(map.names[map.material[g.index(16, 10, 10)]], "b");  // x = 3.25 mm: the tube
  EXPECT_EQ(map.names[map.material[g.index(0, 0, 0)]], "a");     // corner: the cube
  // Mirror symmetry of the painted map about x = 0 and y = 0.
  for (int k = 0; k < 20; ++k)
    for (int j = 0; j < 20; ++j)
      for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(map.material[g.index(i, j, k)], map.material[g.index(19 - i, j, k)]);
        ASSERT_EQ(map.material[g.index(i, j, k)], map.material[g.index(j, i, k)]);
      }
}

TEST(Geometry, PrimitiveOutsideTheCellIsAnError) {
  std::string text = std::string(base_cell) +
                     "  - {name: out, shape: disk, material: a, center: [\"0 mm\", \"0 mm\", \"4.5 mm\"], radius: \"1 mm\", height: \"2 mm\"}\n";
  EXPECT_EQ(config_error_key(text), "assembly.3");
}

TEST(Geometry, BadShapeAndRadiiNameTheirKeys) {
  std::string t1 = std::string(base_cell) +
                   "  - {name: x, shape: cone, material: a, center: [\"0 mm\", \"0 mm\", \"0 mm\"]}\n";
  EXPECT_EQ(config_error_key(t1), "assembly.3.shape");
  std::string t2 = std::string(base_cell) +
                   "  - {name: x, shape: tube, material: a, center: [\"0 mm\", \"0 mm\", \"0 mm\"], outer_radius: \"1 mm\", inner_radius: \"2 mm\", height: \"1 mm\"}\n";
  EXPECT_EQ(config_error_key(t2), "assembly.3.inner_radius");
}

TEST(Geometry, OverlappingSeedsAreAnError) {
  std::string text = std::string(base_cell) + R"YAML(seeds:
  - {name: s1, center: ["0 mm", "0 mm", "0 mm"], size: "1 mm"}
  - {name: s2, center: ["0.5 mm", "0 mm", "0 mm"], size: "1 mm"}
)YAML";
  EXPECT_EQ(config_error_key(text), "seeds.1");
}

TEST(Materials, LawsEvaluateAsConfigured) {
  core::Config c = core::Config::load_string(R"YAML(
k_const: "45 W/(m*K)"
k_table: {table: [["300 K", "100 W/(m*K)"], ["500 K", "50 W/(m*K)"]]}
k_poly: {polynomial: ["10 W/(m*K)", "0.02 W/(m*K^2)"]}
)YAML");
  auto r = c.root();
  using materials::PropertyLaw;
  auto kc = PropertyLaw::from_config(r.at("k_const"), core::dim::thermal_conductivity, "k");
  auto kt = PropertyLaw::from_config(r.at("k_table"), core::dim::thermal_conductivity, "k");
  auto kp = PropertyLaw::from_config(r.at("k_poly"), core::dim::thermal_conductivity, "k");
  EXPECT_DOUBLE_EQ(kc(1000), 45.0);
  EXPECT_DOUBLE_EQ(kt(400), 75.0);
  EXPECT_DOUBLE_EQ(kt(200), 100.0);  // held constant beyond the ends
  EXPECT_DOUBLE_EQ(kt(900), 50.0);
  EXPECT_DOUBLE_EQ(kp(500), 20.0);
}

TEST(Materials, NegativeConductivityIsAnError) {
  core::Config c = core::Config::load_string(R"YAML(
materials:
  bad:
    density: "1000 kg/m^3"
    heat_capacity: "500 J/(kg*K)"
    thermal_conductivity: "-2 W/(m*K)"
    electrical_resistivity: "1 ohm*m"
)YAML");
  materials::MaterialLibrary lib;
  try {
    lib.add_from_config(c.root().at("materials"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "materials.bad.thermal_conductivity");
  }
}

TEST(Materials, EnthalpyIncludesLatentHeat) {
  core::Config c = core::Config::load_string(R"YAML(
materials:
  metal:
    density: "8000 kg/m^3"
    heat_capacity: "500 J/(kg*K)"
    thermal_conductivity: "30 W/(m*K)"
    electrical_resistivity: "1e-6 ohm*m"
    melting: {solidus: "1400 K", liquidus: "1450 K", latent_heat: "250 kJ/kg"}
)YAML");
  materials::MaterialLibrary lib;
  lib.add_from_config(c.root().at("materials"));
  const auto& m = lib.get("metal");
  // From 1300 K to 1600 K: sensible rho c dT plus rho L.
  double dh = m.volumetric_enthalpy(1600) - m.volumetric_enthalpy(1300);
  EXPECT_NEAR(dh, 8000.0 * (500.0 * 300.0 + 250e3), 1e-3 * dh);
  EXPECT_DOUBLE_EQ(m.liquid_fraction(1425), 0.5);
}

TEST(Materials, ScaleFactorsMultiplyWholeLawsAndBadOnesNameTheirKey) {
  core::Config c = core::Config::load_string(R"YAML(
materials:
  metal:
    density: "8000 kg/m^3"
    heat_capacity: "500 J/(kg*K)"
    thermal_conductivity: {table: [["300 K", "30 W/(m*K)"], ["1300 K", "20 W/(m*K)"]]}
    electrical_resistivity: {polynomial: ["1e-6 ohm*m", "1e-9 ohm*m/K"]}
    melting: {solidus: "1400 K", liquidus: "1450 K", latent_heat: "250 kJ/kg"}
scales:
  metal: {thermal_conductivity: "1.5 1", electrical_resistivity: "0.5 1", latent_heat: "2 1"}
)YAML");
  materials::MaterialLibrary lib;
  lib.add_from_config(c.root().at("materials"));
  const double k800 = lib.get("metal").thermal_conductivity(800.0);
  lib.apply_scales(c.root().at("scales"));
  const auto& m = lib.get("metal");
  EXPECT_NEAR(m.thermal_conductivity(800.0), 1.5 * k800, 1e-12);
  EXPECT_NEAR(m.electrical_resistivity(1000.0), 0.5 * (1e-6 + 1e-9 * 1000.0), 1e-18);
  EXPECT_DOUBLE_EQ(m.latent_heat, 500e3);
  // the enthalpy table is rebuilt: the melting range now carries the doubled latent heat
  const double dh = m.volumetric_enthalpy(1600) - m.volumetric_enthalpy(1300);
  EXPECT_NEAR(dh, 8000.0 * (500.0 * 300.0 + 500e3), 1e-3 * dh);
  for (const auto& [yaml, key] : std::vector<std::pair<std::string, std::string>>{
           {"s: {metal: {thermal_conductivity: \"-1 1\"}}", "s.metal.thermal_conductivity"},
           {"s: {metal: {thermal_conductivity: \"2 K\"}}", "s.metal.thermal_conductivity"},
           {"s: {metal: {colour: \"2 1\"}}", "s.metal.colour"},
           {"s: {metal: {youngs_modulus: \"2 1\"}}", "s.metal.youngs_modulus"},
           {"s: {steel: {density: \"2 1\"}}", "s.steel"}}) {
    core::Config bad = core::Config::load_string(yaml);
    try {
      lib.apply_scales(bad.root().at("s"));
      ADD_FAILURE() << yaml;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key) << yaml;
    }
  }
}

TEST(Materials, ElasticMixingOfACellsParts) {
  // One material in two parts is that material.
  hphtsim::materials::ElasticMixing same;
  same.add(0.3, 50e9, 20e9, 1e-3);
  same.add(0.7, 50e9, 20e9, 1e-3);
  EXPECT_NEAR(same.bulk(), 50e9, 1e-3);
  EXPECT_NEAR(same.shear(), 20e9, 1e-3);
  EXPECT_NEAR(same.free_strain(), 1e-3, 1e-15);
  // Two solids: the bulk modulus in series, the shear the Hill mean, the free strain the mean
  // strain of the parts under one pressure (weights f / K).
  hphtsim::materials::ElasticMixing two;
  two.add(0.25, 100e9, 60e9, 2e-3);
  two.add(0.75, 25e9, 10e9, -1e-3);
  const double K = 1.0 / (0.25 / 100e9 + 0.75 / 25e9);
  EXPECT_NEAR(two.bulk() / K, 1.0, 1e-12);
  EXPECT_NEAR(two.shear() / (0.5 * (0.25 * 60e9 + 0.75 * 10e9 + 1.0 / (0.25 / 60e9 + 0.75 / 10e9))), 1.0, 1e-12);
  EXPECT_NEAR(two.free_strain(), K * (0.25 * 2e-3 / 100e9 - 0.75 * 1e-3 / 25e9), 1e-15);
  // Between the parts' strains, nearer the soft one that fills most of the cell.
  EXPECT_GT(two.free_strain(), -1e-3);
  EXPECT_LT(two.free_strain(), 0.25 * 2e-3 + 0.75 * -1e-3);
}

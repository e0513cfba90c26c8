// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <stdexcept>

#include "hphtsim/core/units.hpp"

using namespace hphtsim::core;

TEST(Units, ParsesValuesWithUnitsToSI) {
  EXPECT_DOUBLE_EQ(parse_quantity_as("2.5 mm", dim::length, "a length"), 2.5e-3);
  EXPECT_DOUBLE_EQ(parse_quantity_as("1600 degC", dim::temperature, "T"), 1873.15);
  EXPECT_DOUBLE_EQ(parse_quantity_as("300 K", dim::temperature, "T"), 300.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("5.5 GPa", dim::pressure, "p"), 5.5e9);
  EXPECT_DOUBLE_EQ(parse_quantity_as("1.2 kW", dim::power, "P"), 1200.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("14 d", dim::time, "t"), 14 * 86400.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("2 h", dim::time, "t"), 7200.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("30 min", dim::time, "t"), 1800.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("54 kbar", dim::pressure, "p"), 5.4e9);
  EXPECT_DOUBLE_EQ(parse_quantity_as("2 ct", dim::mass, "m"), 4e-4);
}

TEST(Units, CompoundUnits) {
  EXPECT_DOUBLE_EQ(parse_quantity_as("45 W/(m*K)", dim::thermal_conductivity, "k"), 45.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("45 W/m/K", dim::thermal_conductivity, "k"), 45.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("2000 W/(m^2*K)", dim::heat_transfer_coefficient, "h"), 2000.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("1.05e-5 ohm*m", dim::resistivity, "r"), 1.05e-5);
  EXPECT_DOUBLE_EQ(parse_quantity_as("3.515 g/cm^3", dim::density, "rho"), 3515.0);
  EXPECT_DOUBLE_EQ(parse_quantity_as("1e-5 1/K", dim::inverse_temperature, "a"), 1e-5);
  EXPECT_NEAR(parse_quantity_as("1e-5 cm^2/s", dim::diffusivity, "D"), 1e-9, 1e-24);
  EXPECT_DOUBLE_EQ(parse_quantity_as("265 kJ/kg", dim::specific_energy, "L"), 265e3);
  EXPECT_DOUBLE_EQ(parse_quantity_as("900 J/(kg*K)", dim::specific_heat, "c"), 900.0);
}

TEST(Units, MissingUnitIsAnError) {
  try {
    parse_quantity_as("2.5", dim::length, "a length such as \"2.5 mm\"");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("has no unit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("a length such as"), std::string::npos) << e.what();
  }
}

TEST(Units, WrongDimensionNamesWhatWasExpected) {
  try {
    parse_quantity_as("2.5 kW", dim::length, "a length such as \"2.5 mm\"");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("expected a length"), std::string::npos) << m;
    EXPECT_NE(m.find("dimension"), std::string::npos) << m;
  }
}

TEST(Units, RejectsUnknownUnitsAndGarbage) {
  EXPECT_THROW(parse_quantity("3 furlongs"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("mm"), std::invalid_argument);
  EXPECT_THROW(parse_quantity(""), std::invalid_argument);
  EXPECT_THROW(parse_quantity("2 W/(m*K"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("2 degC/s"), std::invalid_argument);  // degC only alone
  EXPECT_THROW(parse_quantity("nan K"), std::invalid_argument);
}

TEST(Units, DimensionText) {
  EXPECT_EQ(dim::thermal_conductivity.to_string(), "m*kg/(s^3*K)");
  EXPECT_EQ(dim::none.to_string(), "1");
}

// Found while hardening the input: values that overflow a double, exponents that overflow the
// integer dimension (UB), and parentheses nested deep enough to exhaust the stack.
TEST(Units, RefusesOutOfRangeValuesAndAbsurdExponents) {
  EXPECT_THROW(parse_quantity("1e300 GPa"), std::invalid_argument);   // 1e309 Pa: inf
  EXPECT_THROW(parse_quantity("1e-320 nm"), std::invalid_argument);   // underflows to 0
  EXPECT_NO_THROW(parse_quantity("0 GPa"));
  EXPECT_THROW(parse_quantity("1 m^13"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("1 m^99999999999"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("1 (((m^12)^12)^12)^12"), std::invalid_argument);
  EXPECT_THROW(parse_quantity("1 " + std::string(5000, '(') + "m" + std::string(5000, ')')), std::invalid_argument);
  EXPECT_DOUBLE_EQ(parse_quantity("2 ((m))").value, 2.0);
  EXPECT_DOUBLE_EQ(parse_quantity("1 m^-3").value, 1.0);
}

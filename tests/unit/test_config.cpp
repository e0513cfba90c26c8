// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <functional>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"

using namespace hphtsim;
using namespace hphtsim::core;

namespace {
std::string error_key(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "<no error>";
}
}  // namespace

TEST(Config, ReadsNestedValuesAndFlagsUnknownKeys) {
  Config c = Config::load_string("heater: {power: \"1 kW\", powr: \"2 kW\"}\n");
  ConfigNode root = c.root();
  EXPECT_DOUBLE_EQ(root.at("heater").quantity("power", dim::power, "a power"), 1000.0);
  try {
    c.check_all_used();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "heater.powr");
    EXPECT_NE(std::string(e.what()).find("unknown key"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("power"), std::string::npos) << "lists the allowed keys";
  }
}

TEST(Config, MissingKeyNamesItsPath) {
  Config c = Config::load_string("heater: {control: power}\n");
  EXPECT_EQ(error_key([&] { c.root().at("heater").quantity("power", dim::power, "a power"); }), "heater.power");
}

TEST(Config, MalformedYamlGivesLineAndColumn) {
  try {
    Config::load_string("a: [1, 2\nb: 3\n");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("malformed YAML"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line"), std::string::npos) << e.what();
  }
}

TEST(Config, MissingFileIsAConfigError) {
  EXPECT_THROW(Config::load_file("/nonexistent/dir/none.yaml"), ConfigError);
}

TEST(Config, OverridesReplaceAndAddKeys) {
  Config c = Config::load_string("heater: {power: \"1 kW\"}\nlist: [{a: \"1 mm\"}, {a: \"2 mm\"}]\n");
  c.apply_override("heater.power=2.5 kW");
  c.apply_override("list.1.a=5 mm");
  ConfigNode root = c.root();
  EXPECT_DOUBLE_EQ(root.at("heater").quantity("power", dim::power, "p"), 2500.0);
  EXPECT_DOUBLE_EQ(root.at("list").items()[1].quantity("a", dim::length, "l"), 5e-3);
  EXPECT_THROW(c.apply_override("noequals"), ConfigError);
  EXPECT_EQ(error_key([&] { c.apply_override("list.7.a=1 mm"); }), "list.7");
}

TEST(Config, NumbersWithoutUnitsAndWrongTypes) {
  Config c = Config::load_string("n: 12\nx: \"3 mm\"\nf: maybe\n");
  ConfigNode r = c.root();
  EXPECT_EQ(r.integer("n"), 12);
  EXPECT_EQ(error_key([&] { r.number("x"); }), "x");
  EXPECT_EQ(error_key([&] { r.boolean_or("f", false); }), "f");
}

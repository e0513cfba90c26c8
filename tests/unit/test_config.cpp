// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
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

namespace {
std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}
}  // namespace

// yaml-cpp keeps both pairs of a duplicated key and lookups see the first: the second value was
// silently ignored. Now the load fails naming the key path and both lines.
TEST(Config, DuplicateKeyIsAnErrorWithItsPathAndLines) {
  EXPECT_EQ(error_key([] { Config::load_string("a: 1\nb: 2\na: 3\n"); }), "a");
  std::string m = error_text([] { Config::load_string("a: 1\nb: 2\na: 3\n"); });
  EXPECT_NE(m.find("duplicate key"), std::string::npos) << m;
  EXPECT_NE(m.find("line 1"), std::string::npos) << m;
  EXPECT_NE(m.find("line 3"), std::string::npos) << m;
  // nested block mapping
  EXPECT_EQ(error_key([] {
              Config::load_string("materials:\n  pyrophyllite:\n    density: \"2.8 g/cm^3\"\n    density: \"3 g/cm^3\"\n");
            }),
            "materials.pyrophyllite.density");
  // flow mapping, and a mapping inside a list
  EXPECT_EQ(error_key([] { Config::load_string("heater: {power: \"1 kW\", power: \"2 kW\"}\n"); }), "heater.power");
  EXPECT_EQ(error_key([] { Config::load_string("assembly:\n  - {name: a, name: b}\n"); }), "assembly.0.name");
  // quoting does not make a different key
  EXPECT_EQ(error_key([] { Config::load_string("\"a\": 1\na: 2\n"); }), "a");
  // equal keys in different mappings are fine
  EXPECT_NO_THROW(Config::load_string("a: {x: 1}\nb: {x: 2}\n"));
}

TEST(Config, DuplicateKeyInAFileNamesTheFile) {
  auto p = std::filesystem::temp_directory_path() / ("hphtsim_dup_" + std::to_string(::getpid()) + ".yaml");
  { std::ofstream(p) << "time:\n  step: \"1 s\"\n  step: \"2 s\"\n"; }
  std::string m = error_text([&] { Config::load_file(p); });
  std::filesystem::remove(p);
  EXPECT_EQ(m.rfind("time.step: duplicate key", 0), 0u) << m;
  EXPECT_NE(m.find(p.filename().string()), std::string::npos) << m;
}

TEST(Config, OverridesReplaceButTheirValuesMayNotRepeatAKey) {
  Config c = Config::load_string("heater: {power: \"1 kW\"}\n");
  c.apply_override("heater.power=2 kW");  // replacing is what an override is for
  c.apply_override("heater={power: \"3 kW\"}");
  EXPECT_DOUBLE_EQ(c.root().at("heater").quantity("power", dim::power, "p"), 3000.0);
  EXPECT_EQ(error_key([&] { c.apply_override("heater={power: \"1 kW\", power: \"2 kW\"}"); }), "heater.power");
}

TEST(Config, KeysMustBePlainNames) {
  // as<std::string>() on such a key threw YAML::TypedBadConversion (not a ConfigError) later.
  EXPECT_EQ(error_key([] { Config::load_string("[a, b]: 1\n"); }), "");
  EXPECT_NE(error_text([] { Config::load_string("cell:\n  ? {a: 1}\n  : 2\n"); }).find("keys must be plain names"),
            std::string::npos);
}

TEST(Config, RecursiveAliasesDeepNestingAndAliasBombsAreRefused) {
  // An alias inside the node it names is a cycle: every walk of the tree recursed forever.
  EXPECT_EQ(error_key([] { Config::load_string("title: &t [1, *t]\n"); }), "title.1");
  EXPECT_EQ(error_key([] { Config::load_string("a: &m {k: *m}\n"); }), "a.k");
  // Plain aliases are fine.
  EXPECT_NO_THROW(Config::load_string("a: &x {k: 1}\nb: *x\n"));
  std::string deep = "a: " + std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_NE(error_text([&] { Config::load_string(deep); }).find("levels deep"), std::string::npos);
  // Nine aliases per level, seven levels: 9^7 = 4.8 million values from a few hundred bytes.
  std::string bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 7; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 9; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  EXPECT_NE(error_text([&] { Config::load_string(bomb); }).find("expands to more than"), std::string::npos);
}

TEST(Config, RangeHelpersNameTheKeyAndTheValue) {
  Config c = Config::load_string("t: \"-300 degC\"\nd: \"-1 kg/m^3\"\n");
  ConfigNode t = c.root().at("t");
  double T = t.as_quantity(dim::temperature, "a temperature");
  std::string m = error_text([&] { require_absolute_temperature(t, T); });
  EXPECT_EQ(m.rfind("t: must be an absolute temperature above 0 K", 0), 0u) << m;
  EXPECT_NE(m.find("-300 degC"), std::string::npos) << m;
  EXPECT_NO_THROW(require_absolute_temperature(t, 1.0));
  m = error_text([] { require_absolute_temperature("time.initial_temperature", -26.85); });
  EXPECT_NE(m.find("-300 degC"), std::string::npos) << m;
  ConfigNode d = c.root().at("d");
  EXPECT_EQ(error_key([&] { require_positive(d, -1.0); }), "d");
  EXPECT_EQ(error_key([&] { require_non_negative(d, -1.0); }), "d");
  EXPECT_NO_THROW(require_non_negative(d, 0.0));
  EXPECT_EQ(error_key([] { require_positive("x.y", 0.0, dim::density); }), "x.y");
  EXPECT_NE(error_text([] { require_positive("x.y", -2.0, dim::density); }).find("-2 kg/m^3"), std::string::npos);
  EXPECT_EQ(error_key([] { require_positive("x.y", std::nan(""), dim::none); }), "x.y");
}

TEST(Config, OnlyRegularFilesOfSaneSizeAreRead) {
  // /dev/zero as a materials library was read until memory ran out.
  std::string m = error_text([] { Config::load_file("/dev/zero"); });
  EXPECT_NE(m.find("not a regular file"), std::string::npos) << m;
  EXPECT_NE(error_text([] { Config::load_file("/tmp"); }).find("not a regular file"), std::string::npos);
  auto p = std::filesystem::temp_directory_path() / ("hphtsim_big_" + std::to_string(::getpid()) + ".yaml");
  { std::ofstream(p) << "a: 1\n"; }
  std::filesystem::resize_file(p, max_config_file_bytes + 1);
  m = error_text([&] { Config::load_file(p); });
  std::filesystem::remove(p);
  EXPECT_NE(m.find("larger than 16 MiB"), std::string::npos) << m;
}

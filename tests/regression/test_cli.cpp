// SPDX-License-Identifier: MIT
// The hphtsim command end to end: bad input exits 2 with a message naming the key and leaves
// no output file; a small run writes a complete result that `info` describes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hphtsim/io/result_reader.hpp"

namespace fs = std::filesystem;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;
const std::string binary = HPHTSIM_BINARY;

struct Result {
  int code;
  std::string output;
};

class Cli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("hphtsim_cli_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  Result run(const std::string& args) {
    fs::path log = dir / "log.txt";
    std::string cmd = "cd '" + dir.string() + "' && OMP_NUM_THREADS=1 '" + binary + "' " + args + " > '" + log.string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
  }
  static std::string slab_text() {
    std::ifstream in(source_dir + "/tests/data/slab.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir / name;
    std::ofstream(p) << text;
    return p;
  }
  static std::string replace(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << "test setup: '" << from << "' not in the config";
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return text;
  }
  // A broken config must exit 2, name `key` and `expected` in its message, write no file.
  void expect_bad_input(const std::string& config_text, const std::string& key, const std::string& expected) {
    fs::path cfg = write("bad.yaml", config_text);
    Result r = run("run bad.yaml -o out.h5 -q");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find(key), std::string::npos) << "message should name " << key << ":\n" << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << "message should say " << expected << ":\n" << r.output;
    EXPECT_FALSE(fs::exists(dir / "out.h5")) << "no output file on bad input";
    EXPECT_FALSE(fs::exists(dir / "out.xmf"));
    Result c = run("check bad.yaml");
    EXPECT_EQ(c.code, 2) << c.output;
    EXPECT_NE(c.output.find(key), std::string::npos) << c.output;
  }
};

}  // namespace

TEST_F(Cli, MalformedYaml) { expect_bad_input("cell: [1, 2\nassembly: 3\n", "malformed YAML", "line"); }

TEST_F(Cli, UnknownKey) {
  expect_bad_input(replace(slab_text(), "  voltage: \"0.2 V\"", "  voltage: \"0.2 V\"\n  voltgae: \"1 V\""),
                   "heater.voltgae", "unknown key");
}

TEST_F(Cli, MissingUnit) {
  expect_bad_input(replace(slab_text(), "voltage: \"0.2 V\"", "voltage: 0.2"), "heater.voltage", "has no unit");
}

TEST_F(Cli, WrongUnitDimension) {
  expect_bad_input(replace(slab_text(), "voltage: \"0.2 V\"", "voltage: \"0.2 kW\""), "heater.voltage",
                   "expected a voltage");
}

TEST_F(Cli, NegativeConductivity) {
  expect_bad_input(replace(slab_text(), "thermal_conductivity: \"20 W/(m*K)\"", "thermal_conductivity: \"-20 W/(m*K)\""),
                   "materials.conductor.thermal_conductivity", "must be positive");
}

TEST_F(Cli, PrimitiveOutsideTheCell) {
  std::string text = slab_text() +
                     "";  // add a second primitive that pokes out of the 20 mm cell
  text = replace(text, "size: [\"4 mm\", \"4 mm\", \"20 mm\"]}",
                 "size: [\"4 mm\", \"4 mm\", \"20 mm\"]}\n  - {name: rod, shape: cylinder, material: conductor, center: [\"0 mm\", \"0 mm\", \"9 mm\"], radius: \"1 mm\", height: \"4 mm\"}");
  expect_bad_input(text, "assembly.1", "outside the cell");
}

TEST_F(Cli, MissingConfigFile) {
  Result r = run("run nowhere.yaml -o out.h5 -q");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot read config file"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
}

TEST_F(Cli, MissingMaterialsLibrary) {
  expect_bad_input(replace(slab_text(), "  cells: [4, 4, 40]", "  cells: [4, 4, 40]\n  materials_library: none.yaml"),
                   "cell.materials_library", "cannot read config file");
}

TEST_F(Cli, BadOverride) {
  write("slab.yaml", slab_text());
  Result r = run("run slab.yaml -o out.h5 -q --set heater.voltage=\"3 mm\"");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("heater.voltage"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
}

TEST_F(Cli, DuplicateKey) {
  expect_bad_input(replace(slab_text(), "  voltage: \"0.2 V\"", "  voltage: \"0.2 V\"\n  voltage: \"0.3 V\""),
                   "heater.voltage", "duplicate key");
}

TEST_F(Cli, TemperatureBelowAbsoluteZeroInAnOverride) {
  write("slab.yaml", slab_text());
  for (const char* cmd : {"check slab.yaml", "run slab.yaml -o out.h5 -q"}) {
    Result r = run(std::string(cmd) + " --set time.initial_temperature=\"-300 degC\"");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("time.initial_temperature"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("above 0 K"), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
}

TEST_F(Cli, GridTooLargeForTheMemory) {
  // 1024^3 cells of the default cell need about 2 TiB: refused with the key, not std::bad_alloc.
  Result r = run("check '" + source_dir + "/configs/tgm_lab_small.yaml' --set cell.cells=1024");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("cell.cells"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("TiB"), std::string::npos) << r.output;
  // The limit can be set for a run (here below what even the small slab needs).
  write("slab.yaml", slab_text());
  ::setenv("HPHTSIM_MEMORY_LIMIT", "1000000", 1);
  Result s = run("run slab.yaml -o out.h5 -q");
  ::unsetenv("HPHTSIM_MEMORY_LIMIT");
  EXPECT_EQ(s.code, 2) << s.output;
  EXPECT_NE(s.output.find("cell.cells"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("HPHTSIM_MEMORY_LIMIT"), std::string::npos) << s.output;
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
}

TEST_F(Cli, RunWritesAResultAndInfoDescribesIt) {
  write("slab.yaml", slab_text());
  Result c = run("check slab.yaml");
  EXPECT_EQ(c.code, 0) << c.output;
  Result r = run("run slab.yaml -o out.h5 --until \"40 s\"");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("t = "), std::string::npos) << "progress line on stderr:\n" << r.output;
  ASSERT_TRUE(fs::exists(dir / "out.h5"));
  EXPECT_TRUE(fs::exists(dir / "out.xmf"));
  // Snapshots at 0, 30 s (interval) and 40 s (the end).
  EXPECT_EQ(hphtsim::io::count_snapshots(dir / "out.h5"), 3);
  double t = -1;
  auto T = hphtsim::io::read_snapshot_field(dir / "out.h5", 2, "T", &t);
  auto phi = hphtsim::io::read_snapshot_field(dir / "out.h5", 2, "phi");
  EXPECT_DOUBLE_EQ(t, 40.0);
  EXPECT_EQ(T.size(), 4u * 4u * 40u);
  EXPECT_EQ(phi.size(), T.size());
  auto time = hphtsim::io::read_series(dir / "out.h5", "time");
  auto power = hphtsim::io::read_series(dir / "out.h5", "heater_power");
  EXPECT_DOUBLE_EQ(time.back(), 40.0);
  EXPECT_NEAR(power.back(), 0.2 * 0.2 / 1.25e-3, 1e-6);

  Result info = run("info out.h5");
  EXPECT_EQ(info.code, 0) << info.output;
  EXPECT_NE(info.output.find("heater_power"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("conductor"), std::string::npos) << info.output;

  // An existing result is never overwritten unless asked.
  auto before = fs::file_size(dir / "out.h5");
  Result again = run("run slab.yaml -o out.h5 -q --until \"10 s\"");
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_NE(again.output.find("--overwrite"), std::string::npos) << again.output;
  EXPECT_EQ(fs::file_size(dir / "out.h5"), before);
  Result forced = run("run slab.yaml -o out.h5 -q --until \"10 s\" --overwrite");
  EXPECT_EQ(forced.code, 0) << forced.output;
  EXPECT_EQ(hphtsim::io::count_snapshots(dir / "out.h5"), 2);
}

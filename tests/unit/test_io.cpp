// SPDX-License-Identifier: MIT
// The HDF5 result file: round trip, refusal to overwrite, XDMF sidecar, survival of SIGKILL,
// and the `hphtsim info` summary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "hphtsim/app/describe_result.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/io/hdf5_handle.hpp"
#include "hphtsim/io/result_reader.hpp"
#include "hphtsim/io/result_writer.hpp"

namespace hphtsim::io {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

class ResultFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hphtsim_io_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Graded along z so that a swapped axis would show.
    grid_ = core::Grid::from_edges({0.0, 1e-3, 2e-3, 3e-3, 4e-3}, {0.0, 2e-3, 4e-3, 6e-3},
                                   {-1e-3, 0.0, 3e-3});
    ids_.resize(grid_.size());
    for (std::size_t c = 0; c < ids_.size(); ++c) ids_[c] = std::int32_t(c % 3 == 0 ? 1 : 0);
    meta_ = {"0.1.0", "abc123def456", "heater:\n  power: \"1.8 kW\"\nrecipe: [a, b]\n"};
    series_ = {{"time", "s", 1}, {"heater_power", "W", 1}, {"T_seed", "K", 3}};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Field values that differ per cell and per snapshot, exact in binary.
  std::vector<double> field(double base) const {
    std::vector<double> v(grid_.size());
    for (std::size_t c = 0; c < v.size(); ++c) v[c] = base + 0.25 * double(c);
    return v;
  }
  std::vector<double> row(int r) const {
    return {10.0 * r, 1800.0 + r, 1500.0 + r, 1501.0 + r, 1502.0 + r};
  }
  ResultWriter make_writer(const fs::path& path, bool overwrite = false) const {
    return ResultWriter(path, grid_, ids_, names_, meta_, series_, overwrite);
  }
  /// Writes snapshots at t = 0, 1.5, 3, ... and `rows` time-series rows, then closes.
  void write_run(const fs::path& path, int snapshots, int rows) const {
    ResultWriter writer = make_writer(path);
    for (int s = 0; s < snapshots; ++s) {
      const auto t = field(300.0 + s);
      const auto phi = field(-1.0 * s);
      EXPECT_EQ(writer.write_snapshot(1.5 * s, {{"T", "K", t.data()}, {"phi", "V", phi.data()}}),
                s);
    }
    for (int r = 0; r < rows; ++r) writer.append_series_row(row(r));
    writer.close();
  }

  fs::path dir_;
  core::Grid grid_;
  std::vector<std::int32_t> ids_;
  std::vector<std::string> names_{"pyrophyllite", "graphite"};
  RunMetadata meta_;
  std::vector<SeriesSpec> series_;
};

TEST_F(ResultFileTest, RoundTripsFieldsSeriesGridAndMetadata) {
  const fs::path path = dir_ / "run.h5";
  write_run(path, 2, 5);

  EXPECT_EQ(count_snapshots(path), 2);
  for (int s = 0; s < 2; ++s) {
    double time = -1.0;
    EXPECT_EQ(read_snapshot_field(path, s, "T", &time), field(300.0 + s));
    EXPECT_EQ(time, 1.5 * s);
    EXPECT_EQ(read_snapshot_field(path, s, "phi"), field(-1.0 * s));
  }
  std::vector<double> time, power, seeds;
  for (int r = 0; r < 5; ++r) {
    const auto v = row(r);
    time.push_back(v[0]);
    power.push_back(v[1]);
    seeds.insert(seeds.end(), v.begin() + 2, v.end());
  }
  EXPECT_EQ(read_series(path, "time"), time);
  EXPECT_EQ(read_series(path, "heater_power"), power);
  EXPECT_EQ(read_series(path, "T_seed"), seeds);  // row-major (time x seed)

  // The layout itself, through the C API as another program would see it.
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  auto units = [&](const std::string& object) {
    hdf5::Dataset d(H5Dopen2(file.get(), object.c_str(), H5P_DEFAULT));
    EXPECT_TRUE(d.valid()) << object;
    return d.valid() ? hdf5::read_string_attribute(d.get(), "units", path) : std::string("?");
  };
  EXPECT_EQ(units("/snapshots/000000/T"), "K");
  EXPECT_EQ(units("/snapshots/000001/T"), "K");
  EXPECT_EQ(units("/snapshots/000000/phi"), "V");
  EXPECT_EQ(units("/snapshots/000001/phi"), "V");
  EXPECT_EQ(units("/timeseries/time"), "s");
  EXPECT_EQ(units("/timeseries/heater_power"), "W");
  EXPECT_EQ(units("/timeseries/T_seed"), "K");
  EXPECT_EQ(units("/grid/x"), "m");
  EXPECT_EQ(units("/grid/z"), "m");

  auto shape = [&](const std::string& object) {
    hdf5::Dataset d(H5Dopen2(file.get(), object.c_str(), H5P_DEFAULT));
    hdf5::Dataspace space(H5Dget_space(d.get()));
    std::vector<hsize_t> dims(std::size_t(H5Sget_simple_extent_ndims(space.get())));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return dims;
  };
  EXPECT_EQ(shape("/snapshots/000001/T"), (std::vector<hsize_t>{2, 3, 4}));  // nz, ny, nx
  EXPECT_EQ(shape("/material"), (std::vector<hsize_t>{2, 3, 4}));
  EXPECT_EQ(shape("/timeseries/T_seed"), (std::vector<hsize_t>{5, 3}));
  EXPECT_EQ(shape("/timeseries/time"), (std::vector<hsize_t>{5}));

  {
    hdf5::Dataset z(H5Dopen2(file.get(), "/grid/z", H5P_DEFAULT));
    std::vector<double> edges(3);
    ASSERT_GE(H5Dread(z.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, edges.data()), 0);
    EXPECT_EQ(edges, grid_.z);
    hdf5::Dataset material(H5Dopen2(file.get(), "/material", H5P_DEFAULT));
    std::vector<std::int32_t> ids(grid_.size());
    ASSERT_GE(H5Dread(material.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids.data()),
              0);
    EXPECT_EQ(ids, ids_);
  }
  {
    hdf5::Group snapshot(H5Gopen2(file.get(), "/snapshots/000001", H5P_DEFAULT));
    EXPECT_EQ(hdf5::read_string_attribute(snapshot.get(), "time_units", path), "s");
    hdf5::Group meta(H5Gopen2(file.get(), "/meta", H5P_DEFAULT));
    EXPECT_EQ(hdf5::read_string_attribute(meta.get(), "version", path), "0.1.0");
    EXPECT_EQ(hdf5::read_string_attribute(meta.get(), "git_revision", path), "abc123def456");
    const std::string created = hdf5::read_string_attribute(meta.get(), "created", path);
    EXPECT_EQ(created.size(), 20u) << created;  // 2026-11-28T12:34:56Z
    EXPECT_EQ(created.back(), 'Z');
  }
}

TEST_F(ResultFileTest, StoresLongConfigAndManyRows) {
  // A config beyond the 64 kB attribute limit, and rows across several chunks.
  meta_.config_yaml = std::string(200000, 'x') + "\nend: 1\n";
  const fs::path path = dir_ / "long.h5";
  write_run(path, 1, 700);
  EXPECT_EQ(read_series(path, "time").size(), 700u);
  EXPECT_EQ(read_series(path, "T_seed").back(), row(699).back());
  EXPECT_NE(app::describe_result(path).find("end: 1"), std::string::npos);
}

TEST_F(ResultFileTest, RefusesToOverwriteUnlessAsked) {
  const fs::path path = dir_ / "run.h5";
  write_run(path, 1, 2);
  const std::string before = slurp(path);
  try {
    make_writer(path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("--overwrite"), std::string::npos) << message;
  }
  EXPECT_EQ(slurp(path), before);
  EXPECT_EQ(count_snapshots(path), 1);

  make_writer(path, /*overwrite=*/true).close();
  EXPECT_EQ(count_snapshots(path), 0);
  EXPECT_TRUE(read_series(path, "time").empty());

  // The file is built under a private name and moved into place: nothing else is left.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"run.h5", "run.xmf"}));
}

TEST_F(ResultFileTest, MissingDirectoryIsAnIoErrorNamingThePath) {
  const fs::path path = dir_ / "no_such_dir" / "run.h5";
  try {
    make_writer(path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "no_such_dir").string()), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "no_such_dir"));
}

TEST_F(ResultFileTest, RejectsNamesWithSlashesAndReportsMissingData) {
  series_.push_back({"bad/name", "K", 1});
  EXPECT_THROW(make_writer(dir_ / "bad.h5"), IoError);
  EXPECT_FALSE(fs::exists(dir_ / "bad.h5"));
  series_.pop_back();

  const fs::path path = dir_ / "run.h5";
  {
    ResultWriter writer = make_writer(path);
    const auto t = field(1.0);
    EXPECT_THROW(writer.write_snapshot(0.0, {{"a/b", "K", t.data()}}), IoError);
    EXPECT_THROW(writer.write_snapshot(0.0, {{"T", "K", t.data()}, {"T", "K", t.data()}}), IoError);
    EXPECT_THROW(writer.append_series_row({1.0, 2.0}), std::logic_error);  // needs 5 values
    EXPECT_THROW(writer.set_meta_attribute("version", 1.0, ""), IoError);
    EXPECT_EQ(writer.write_snapshot(0.0, {{"T", "K", t.data()}}), 0);  // nothing half-written
  }
  EXPECT_EQ(count_snapshots(path), 1);
  EXPECT_THROW(read_snapshot_field(path, 1, "T"), IoError);
  EXPECT_THROW(read_snapshot_field(path, 0, "p"), IoError);
  EXPECT_THROW(read_series(path, "no_such_series"), IoError);
  EXPECT_THROW(count_snapshots(dir_ / "missing.h5"), IoError);
  try {
    read_snapshot_field(path, 0, "p");
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("it has: T"), std::string::npos) << e.what();
  }
}

TEST_F(ResultFileTest, WritesXdmfSidecarForParaView) {
  const fs::path path = dir_ / "run.h5";
  write_run(path, 2, 0);
  const fs::path xmf = dir_ / "run.xmf";
  ASSERT_TRUE(fs::exists(xmf));
  EXPECT_FALSE(fs::exists(dir_ / "run.xmf.tmp"));
  const std::string text = slurp(xmf);
  EXPECT_EQ(text.rfind("<?xml", 0), 0u);
  EXPECT_NE(text.find("CollectionType=\"Temporal\""), std::string::npos);
  EXPECT_EQ(occurrences(text, "GridType=\"Uniform\""), 2u);
  EXPECT_EQ(occurrences(text, "<Grid "), 3u);  // the collection and its two grids
  EXPECT_EQ(occurrences(text, "</Grid>"), 3u);
  EXPECT_NE(text.find("<Time Value=\"0\"/>"), std::string::npos);
  EXPECT_NE(text.find("<Time Value=\"1.5\"/>"), std::string::npos);
  EXPECT_NE(text.find("TopologyType=\"3DRectMesh\" Dimensions=\"3 4 5\""), std::string::npos);
  EXPECT_NE(text.find("GeometryType=\"VXVYVZ\""), std::string::npos);
  EXPECT_NE(text.find(">run.h5:/grid/x<"), std::string::npos);
  EXPECT_NE(text.find(">run.h5:/grid/z<"), std::string::npos);
  EXPECT_NE(text.find(">run.h5:/snapshots/000000/T<"), std::string::npos);
  EXPECT_NE(text.find(">run.h5:/snapshots/000001/phi<"), std::string::npos);
  EXPECT_NE(text.find(">run.h5:/material<"), std::string::npos);
  EXPECT_EQ(occurrences(text, "Center=\"Cell\""), 2u * 3u);  // material, T, phi per snapshot
  EXPECT_EQ(text.find(dir_.string()), std::string::npos);    // relative reference only
  EXPECT_NE(text.rfind("</Xdmf>"), std::string::npos);
}

TEST_F(ResultFileTest, SigkilledWriterLeavesEveryFlushedSnapshot) {
  const fs::path path = dir_ / "killed.h5";
  const pid_t child = ::fork();
  if (child < 0) GTEST_SKIP() << "fork is not available";
  if (child == 0) {
    // No gtest assertions here: report through the exit status, and die without closing.
    try {
      ResultWriter writer = make_writer(path);
      for (int s = 0; s < 3; ++s) {
        const auto t = field(300.0 + s);
        writer.write_snapshot(10.0 * s, {{"T", "K", t.data()}});
        writer.append_series_row(row(s));
      }
      std::raise(SIGKILL);
    } catch (...) {
    }
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with status " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  ASSERT_EQ(count_snapshots(path), 3);
  for (int s = 0; s < 3; ++s) {
    double time = -1.0;
    EXPECT_EQ(read_snapshot_field(path, s, "T", &time), field(300.0 + s));
    EXPECT_EQ(time, 10.0 * s);
  }
  EXPECT_EQ(read_series(path, "heater_power"), (std::vector<double>{1800.0, 1801.0, 1802.0}));
  const std::string summary = app::describe_result(path);
  EXPECT_NE(summary.find("snapshots: 3"), std::string::npos) << summary;
  EXPECT_EQ(occurrences(slurp(dir_ / "killed.xmf"), "GridType=\"Uniform\""), 3u);
}

TEST_F(ResultFileTest, CanBeReadWhileStillBeingWritten) {
  const fs::path path = dir_ / "live.h5";
  ResultWriter writer = make_writer(path);
  const auto t = field(300.0);
  writer.write_snapshot(0.0, {{"T", "K", t.data()}});
  writer.append_series_row(row(0));
  EXPECT_EQ(count_snapshots(path), 1);
  EXPECT_NE(app::describe_result(path).find("snapshots: 1"), std::string::npos);
  EXPECT_EQ(read_snapshot_field(path, 0, "T"), t);
  // The writer's handles survive the readers' opens and closes of the same file.
  writer.write_snapshot(1.0, {{"T", "K", t.data()}});
  writer.append_series_row(row(1));
  writer.close();
  EXPECT_EQ(count_snapshots(path), 2);
  EXPECT_EQ(read_series(path, "time").size(), 2u);
}

TEST_F(ResultFileTest, DescribesTheKeyFacts) {
  const fs::path path = dir_ / "run.h5";
  {
    ResultWriter writer = make_writer(path);
    const auto t = field(300.0);
    writer.write_snapshot(7200.0, {{"T", "K", t.data()}});
    for (int r = 0; r < 3; ++r) writer.append_series_row(row(r));
    writer.set_meta_attribute("peak_T", 1800.5, "K");
    writer.set_meta_attribute("peak_T", 1850.0, "K");  // replaces
  }                                                    // the destructor closes
  const std::string s = app::describe_result(path);
  for (const std::string expected :
       {"0.1.0", "abc123def456", "4 x 3 x 2 cells", "x: 0 .. 4 mm", "z: -1 .. 3 mm",
        "0: pyrophyllite  16 cells", "1: graphite  8 cells", "snapshots: 1", "t = 7200 s (2 h)",
        "T: 300 .. 305.75 K", "heater_power [W]: 3 rows, last 1802",
        "T_seed [K] x3: 3 rows, last [1502, 1503, 1504]", "peak_T = 1850 K", "  power: \"1.8 kW\"",
        "recipe: [a, b]"}) {
    EXPECT_NE(s.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << s;
  }
  EXPECT_EQ(s.find("peak_T_units"), std::string::npos) << s;
}

}  // namespace
}  // namespace hphtsim::io

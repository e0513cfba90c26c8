// SPDX-License-Identifier: MIT
// Reading a result file back (its layout: result_file.hpp): one field of a snapshot, a time
// series, the number of snapshots, and what `hphtsim info` shows. The readers take no HDF5 file
// lock and open in SWMR-read mode, so they read a result while its run still writes it, and
// what a killed run left (every snapshot that was complete). Missing objects: IoError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hphtsim::io {

/// Reads one field of a snapshot back (tests, regression diffs). Throws IoError if missing.
std::vector<double> read_snapshot_field(const std::filesystem::path& path, int snapshot,
                                        const std::string& field, double* time_s = nullptr);
/// Reads a 1-D (or flattened 2-D) time-series dataset.
std::vector<double> read_series(const std::filesystem::path& path, const std::string& name);
/// Number of snapshots in the file.
int count_snapshots(const std::filesystem::path& path);

/// The facts of a result file, part by part, for a summary (app/describe_result.hpp prints
/// them). A file from a killed run may have one damaged part: that part's `error` then says
/// why it is unreadable, it keeps what was read before the damage, and the other parts are
/// read as usual. `present` is false where the file has no such part.
struct ResultSummary {
  struct KeyFigure {  ///< a float attribute of /meta (set_meta_attribute) with its units
    std::string name;
    double value = 0.0;
    std::string units;
  };
  struct Meta {
    bool present = false;
    std::string version = "?", git_revision = "?", created = "?";  ///< "?": no such attribute
    std::string config;  ///< the YAML text of /meta/config
    std::vector<KeyFigure> figures;
    std::string error;
  };
  struct Grid {
    bool present = false;
    std::vector<double> edges[3];  ///< x, y, z (m); r (m), the angle (rad), z in an axisymmetric file
    bool axisymmetric = false;     ///< /grid's attribute geometry = "axisymmetric"
    std::string error;
  };
  struct Material {
    std::int64_t id = 0;
    std::string name;  ///< empty with !named
    bool named = true;
    std::size_t cells = 0;
  };
  struct Materials {
    bool present = false;
    std::vector<Material> materials;  ///< every named id, then ids in /material without a name
    std::string error;
  };
  struct FieldRange {
    std::string name, units;
    double min = 0.0, max = 0.0;
  };
  struct Snapshots {
    int count = 0;
    std::string last_name;  ///< of the last snapshot, with its time and field ranges
    double last_time = 0.0;
    std::vector<FieldRange> last_fields;
    std::string error;
  };
  struct Series {
    std::string name, units;
    int rank = 1;
    std::uint64_t columns = 1, rows = 0;
    std::vector<double> last;  ///< the last row (empty without rows)
    std::string error;
  };
  struct TimeSeries {
    bool present = false;
    std::vector<Series> series;
    std::string error;
  };

  Meta meta;
  Grid grid;
  Materials materials;
  Snapshots snapshots;
  TimeSeries timeseries;
};

/// Reads the summary of `path`. IoError only if the file cannot be opened at all.
ResultSummary summarize_result(const std::filesystem::path& path);

}  // namespace hphtsim::io

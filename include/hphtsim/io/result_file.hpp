// SPDX-License-Identifier: MIT
// The HDF5 result file of one run (layout in DESIGN.md "Output"):
//   /meta                attributes version, git_revision, created (ISO 8601 UTC); the config
//                        (YAML text) is the scalar string dataset /meta/config (no size limit);
//                        key figures from set_meta_attribute: <name> (float64) + <name>_units
//   /grid/{x,y,z}        cell edges (m)
//   /material            material id per cell (int32, shape nz x ny x nx, C order)
//   /materials           names, a variable-length string dataset indexed by material id
//   /snapshots/NNNNNN/   one dataset per field (float64, nz x ny x nx, attribute units),
//                        group attributes time (s) and time_units = "s"
//   /timeseries/<name>   1-D extendible float64 datasets with attribute units; 2-D (time x n)
//                        for per-seed quantities
// and an XDMF file beside it (same stem, .xmf) that ParaView opens, rewritten after every
// snapshot. The file is flushed after every snapshot and every time-series row, so a run that
// dies (even by SIGKILL) leaves a readable file with every completed snapshot (how, and the
// known windows: src/io/result_file.cpp). String attributes are fixed-length UTF-8 (h5py
// returns bytes), /materials and /meta/config variable-length UTF-8 string datasets. Neither
// the writer nor the readers below take HDF5's file lock, so a running result can be inspected
// (h5py, h5dump, describe_result). Field and series names are plain names (no '/'): else
// IoError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hphtsim/core/grid.hpp"

namespace hphtsim::io {

struct RunMetadata {
  std::string version;
  std::string git_revision;
  std::string config_yaml;  ///< the resolved config
};

/// A named column of the time series. columns == 1: 1-D dataset; > 1: 2-D (time x columns).
struct SeriesSpec {
  std::string name;
  std::string units;
  int columns = 1;
};

/// A field handed to write_snapshot: a view, not a copy (data must hold grid.size() values).
struct FieldView {
  std::string name;
  std::string units;
  const double* data = nullptr;
};

class ResultWriter {
 public:
  /// Creates `path` (fails with IoError if it exists and !overwrite, or cannot be created).
  ResultWriter(const std::filesystem::path& path, const core::Grid& grid,
               const std::vector<std::int32_t>& material_ids,
               const std::vector<std::string>& material_names, const RunMetadata& meta,
               const std::vector<SeriesSpec>& series, bool overwrite = false);
  /// Continues an existing result from a checkpoint at `time_s`: snapshots and time-series rows
  /// after it are removed (the continued run writes them again). IoError if the file or a
  /// series is missing.
  static std::unique_ptr<ResultWriter> reopen(const std::filesystem::path& path, double time_s,
                                              const std::vector<SeriesSpec>& series);
  ~ResultWriter();
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  /// Appends /snapshots/NNNNNN (N = 0, 1, ...) with attribute time, then flushes and rewrites
  /// the XDMF file. Returns the snapshot number.
  int write_snapshot(double time_s, const std::vector<FieldView>& fields);
  /// Appends one row: values in the order of the constructor's specs, `columns` values each.
  void append_series_row(const std::vector<double>& values);
  /// Sets or replaces a scalar double attribute on /meta (key figures: peak T, say).
  void set_meta_attribute(const std::string& name, double value, const std::string& units);
  void flush();
  /// Flushes and closes (the destructor does too, without throwing).
  void close();

  const std::filesystem::path& path() const;

 private:
  ResultWriter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What `hphtsim info` prints: version, revision, grid, materials, snapshots with times and
/// field ranges, time-series names with units and their last values, and the config text.
std::string describe_result(const std::filesystem::path& path);

/// Reads one field of a snapshot back (tests, regression diffs). Throws IoError if missing.
std::vector<double> read_snapshot_field(const std::filesystem::path& path, int snapshot,
                                        const std::string& field, double* time_s = nullptr);
/// Reads a 1-D (or flattened 2-D) time-series dataset.
std::vector<double> read_series(const std::filesystem::path& path, const std::string& name);
/// Number of snapshots in the file.
int count_snapshots(const std::filesystem::path& path);

}  // namespace hphtsim::io

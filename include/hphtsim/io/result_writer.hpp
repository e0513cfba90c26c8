// SPDX-License-Identifier: MIT
// Writing a result file (its layout: result_file.hpp). The file is flushed after every
// snapshot and every time-series row, so a run that dies (even by SIGKILL) leaves a readable
// file with every completed snapshot (how, and the known windows: src/io/result_writer.cpp).
// The writer takes no HDF5 file lock, so a running result can be inspected. Field and series
// names are plain names (no '/'): else IoError.
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

}  // namespace hphtsim::io

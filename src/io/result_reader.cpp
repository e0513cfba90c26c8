// SPDX-License-Identifier: MIT
#include "hphtsim/io/result_reader.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "hphtsim/core/error.hpp"
#include "hphtsim/io/hdf5_handle.hpp"
#include "result_layout.hpp"

namespace hphtsim::io {

namespace {

namespace fs = std::filesystem;
using hdf5::check;
using hdf5::has_link;
using hdf5::link_names;
using hdf5::open_group;
using hdf5::read_double_attribute;
using hdf5::read_doubles;
using layout::open_snapshot;

std::string units_of(hid_t object, const fs::path& path) {
  return hdf5::read_string_attribute_or(object, "units", "", path);
}

hdf5::Dataset open_dataset(hid_t parent, const std::string& name, const std::string& what,
                           const fs::path& path) {
  return hdf5::Dataset(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), what, path));
}

/// The number of complete snapshots: the index's entries less any damaged ones at its end.
int snapshots_in(hid_t file, const fs::path& path) {
  if (!has_link(file, "snapshots", path)) return 0;
  hdf5::Group group = open_group(file, "snapshots", path);
  H5G_info_t info{};
  if (H5Gget_info(group.get(), &info) < 0) {
    throw IoError(
        "the /snapshots index of " + path.string() +
        " is damaged (was the run killed while adding a snapshot?): " + hdf5::take_error_message());
  }
  for (int count = int(info.nlinks); count > 0; --count) {
    if (open_snapshot(group.get(), count - 1).valid()) return count;
  }
  return 0;
}

/// Runs `body`; an IoError it throws becomes the part's `error` (the rest is read anyway).
template <class Body>
void read_part(std::string& error, Body&& body) {
  try {
    body();
  } catch (const IoError& e) {
    error = e.what();
  }
}

void read_meta(hid_t f, const fs::path& path, ResultSummary::Meta& meta) {
  if (!has_link(f, "meta", path)) return;
  hdf5::Group group = open_group(f, "meta", path);
  meta.version = hdf5::read_string_attribute_or(group.get(), "version", "?", path);
  meta.git_revision = hdf5::read_string_attribute_or(group.get(), "git_revision", "?", path);
  meta.created = hdf5::read_string_attribute_or(group.get(), "created", "?", path);
  meta.present = true;
  if (has_link(group.get(), "config", path)) {
    hdf5::Dataset dataset = open_dataset(group.get(), "config", "open /meta/config", path);
    const auto text = hdf5::read_strings(dataset.get(), path);
    if (!text.empty()) meta.config = text.front();
  }
  // Key figures: the float attributes set_meta_attribute wrote, with their *_units partners.
  for (const auto& name : hdf5::attribute_names(group.get(), path)) {
    hdf5::Attribute attr(
        check(H5Aopen(group.get(), name.c_str(), H5P_DEFAULT), "read " + name, path));
    hdf5::Datatype type(check(H5Aget_type(attr.get()), "read " + name, path));
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) continue;
    const double value = read_double_attribute(group.get(), name, path);
    meta.figures.push_back(
        {name, value, hdf5::read_string_attribute_or(group.get(), name + "_units", "", path)});
  }
}

void read_grid(hid_t f, const fs::path& path, ResultSummary::Grid& grid) {
  if (!has_link(f, "grid", path)) return;
  grid.present = true;
  hdf5::Group group = open_group(f, "grid", path);
  grid.axisymmetric = hdf5::read_string_attribute_or(group.get(), "geometry", "cartesian", path) == "axisymmetric";
  const char* axes[3] = {"x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    hdf5::Dataset dataset =
        open_dataset(group.get(), axes[a], std::string("open /grid/") + axes[a], path);
    grid.edges[a] = read_doubles(dataset.get(), path);
  }
}

void read_materials(hid_t f, const fs::path& path, ResultSummary::Materials& out) {
  if (!has_link(f, "materials", path)) return;
  out.present = true;
  hdf5::Dataset names_dataset = open_dataset(f, "materials", "open /materials", path);
  const auto names = hdf5::read_strings(names_dataset.get(), path);
  std::map<std::int64_t, std::size_t> counts;
  if (has_link(f, "material", path)) {
    hdf5::Dataset ids_dataset = open_dataset(f, "material", "open /material", path);
    for (const double id : read_doubles(ids_dataset.get(), path)) ++counts[std::int64_t(id)];
  }
  for (std::size_t id = 0; id < names.size(); ++id) {
    const auto it = counts.find(std::int64_t(id));
    out.materials.push_back(
        {std::int64_t(id), names[id], true, it == counts.end() ? 0 : it->second});
  }
  for (const auto& [id, n] : counts) {
    if (id < 0 || std::size_t(id) >= names.size()) out.materials.push_back({id, "", false, n});
  }
}

void read_snapshots(hid_t f, const fs::path& path, ResultSummary::Snapshots& out) {
  out.count = snapshots_in(f, path);
  if (out.count == 0) return;
  hdf5::Group snapshots = open_group(f, "snapshots", path);
  hdf5::Group last = open_snapshot(snapshots.get(), out.count - 1);
  out.last_name = layout::snapshot_name(out.count - 1);
  out.last_time = read_double_attribute(last.get(), "time", path);
  for (const auto& field : link_names(last.get(), path)) {
    hdf5::Dataset dataset = open_dataset(last.get(), field, "open field " + field, path);
    const auto values = read_doubles(dataset.get(), path);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const double v : values) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    out.last_fields.push_back({field, units_of(dataset.get(), path), lo, hi});
  }
}

/// Shape, units and the last row of one series (read alone: a long run's series need not be
/// read whole).
void read_one_series(hid_t group, const fs::path& path, ResultSummary::Series& s) {
  const std::string& name = s.name;
  hdf5::Dataset dataset = open_dataset(group, name, "open time series " + name, path);
  hdf5::Dataspace space(check(H5Dget_space(dataset.get()), "read " + name, path));
  s.rank = check(H5Sget_simple_extent_ndims(space.get()), "read " + name, path);
  if (s.rank < 1 || s.rank > 2) {
    throw IoError("time series " + name + " has rank " + std::to_string(s.rank));
  }
  hsize_t dims[2] = {0, 1};
  check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), "read " + name, path);
  const hsize_t columns = s.rank == 2 ? dims[1] : 1;
  s.columns = columns;
  s.rows = dims[0];
  s.units = units_of(dataset.get(), path);
  if (dims[0] == 0) return;
  std::vector<double> last(columns);
  const hsize_t start[2] = {dims[0] - 1, 0};
  const hsize_t count[2] = {1, columns};
  check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        "read " + name, path);
  hdf5::Dataspace memory(check(H5Screate_simple(1, &columns, nullptr), "read " + name, path));
  check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT,
                last.data()),
        "read " + name, path);
  s.last = std::move(last);
}

void read_timeseries(hid_t f, const fs::path& path, ResultSummary::TimeSeries& out) {
  if (!has_link(f, "timeseries", path)) return;
  out.present = true;
  hdf5::Group group = open_group(f, "timeseries", path);
  for (const auto& name : link_names(group.get(), path)) {
    ResultSummary::Series& s = out.series.emplace_back();
    s.name = name;
    read_part(s.error, [&] { read_one_series(group.get(), path, s); });
  }
}

}  // namespace

ResultSummary summarize_result(const std::filesystem::path& path) {
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  const hid_t f = file.get();
  ResultSummary summary;
  // Each part on its own: a file from a killed run may have one damaged part, and the summary
  // should still show the rest.
  read_part(summary.meta.error, [&] { read_meta(f, path, summary.meta); });
  read_part(summary.grid.error, [&] { read_grid(f, path, summary.grid); });
  read_part(summary.materials.error, [&] { read_materials(f, path, summary.materials); });
  read_part(summary.snapshots.error, [&] { read_snapshots(f, path, summary.snapshots); });
  read_part(summary.timeseries.error, [&] { read_timeseries(f, path, summary.timeseries); });
  return summary;
}

std::vector<double> read_snapshot_field(const std::filesystem::path& path, int snapshot,
                                        const std::string& field, double* time_s) {
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  const int count = snapshots_in(file.get(), path);
  if (snapshot < 0 || snapshot >= count) {
    throw IoError("snapshot " + std::to_string(snapshot) + " is not in " + path.string() + " (" +
                  std::to_string(count) + " snapshots)");
  }
  hdf5::Group snapshots = open_group(file.get(), "snapshots", path);
  hdf5::Group group = open_snapshot(snapshots.get(), snapshot);
  if (!group) {
    throw IoError("snapshot " + std::to_string(snapshot) + " of " + path.string() +
                  " cannot be opened");
  }
  if (field.find('/') != std::string::npos || !has_link(group.get(), field, path)) {
    std::string available;
    for (const auto& name : link_names(group.get(), path)) {
      available += (available.empty() ? "" : ", ") + name;
    }
    throw IoError("snapshot " + std::to_string(snapshot) + " of " + path.string() +
                  " has no field '" + field + "' (it has: " + available + ")");
  }
  hdf5::Dataset dataset = open_dataset(group.get(), field, "open field " + field, path);
  if (time_s != nullptr) *time_s = read_double_attribute(group.get(), "time", path);
  return read_doubles(dataset.get(), path);
}

std::vector<double> read_series(const std::filesystem::path& path, const std::string& name) {
  hdf5::check_link_name(name, "time-series");
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  if (!has_link(file.get(), "timeseries", path)) {
    throw IoError(path.string() + " has no /timeseries group");
  }
  hdf5::Group group = open_group(file.get(), "timeseries", path);
  if (!has_link(group.get(), name, path)) {
    throw IoError(path.string() + " has no time series '" + name + "'");
  }
  hdf5::Dataset dataset = open_dataset(group.get(), name, "open /timeseries/" + name, path);
  return read_doubles(dataset.get(), path);
}

int count_snapshots(const std::filesystem::path& path) {
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  return snapshots_in(file.get(), path);
}

}  // namespace hphtsim::io

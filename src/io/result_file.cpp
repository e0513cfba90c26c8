// SPDX-License-Identifier: MIT
// The HDF5 result file and its XDMF sidecar (layout in result_file.hpp).
//
// Surviving a kill: HDF5 1.10 without SWMR keeps no journal, so what a killed writer leaves is
// whatever metadata happened to reach the file. We make that exactly the state of the last
// flush: (1) the metadata cache never evicts (a dirty entry is written only by H5Fflush),
// (2) a snapshot is built as an anonymous group and linked into /snapshots only when all its
// fields are written, and (3) the file space strategy is "none", so space freed after a flush
// (a grown local heap, say) is never handed out again before the next flush while the on-disk
// metadata may still point at it. SWMR would not do: in 1.10 a SWMR writer may not create
// objects, and every snapshot is a new group.
#include "hphtsim/io/result_file.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "hphtsim/core/error.hpp"
#include "hphtsim/io/hdf5_handle.hpp"

namespace hphtsim::io {

namespace {

namespace fs = std::filesystem;
using hdf5::check;

constexpr hsize_t kSeriesChunkRows = 256;
/// Snapshot fields are stored uncompressed (see write_field for the measurement).
constexpr bool kCompressFields = false;
/// Time-series rows are flushed at most this often (snapshots and close always flush).
constexpr double kRowFlushInterval_s = 0.0;

/// Names become HDF5 link names: no '/', and not "." or ".." (which HDF5 resolves as paths).
void check_name(const std::string& name, const char* kind) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    throw IoError(std::string("invalid ") + kind + " name '" + name +
                  "': use a plain name without '/'");
  }
}

std::string snapshot_name(int n) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%06d", n);
  return buffer;
}

std::string iso8601_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

/// Shortest text that reads back as the same double (XDMF Time values).
std::string exact(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

/// Object-creation property list without modification times: two runs of the same input then
/// give files that differ only in /meta/created.
hdf5::PropertyList untimed(hid_t plist_class, const fs::path& path) {
  hdf5::PropertyList plist(check(H5Pcreate(plist_class), "create property list", path));
  check(H5Pset_obj_track_times(plist.get(), false), "create property list", path);
  return plist;
}

void write_double_attribute(hid_t object, const std::string& name, double value,
                            const fs::path& path) {
  const std::string what = "write attribute '" + name + "'";
  if (check(H5Aexists(object, name.c_str()), what, path) > 0) {
    check(H5Adelete(object, name.c_str()), what, path);
  }
  hdf5::Dataspace space(check(H5Screate(H5S_SCALAR), what, path));
  hdf5::Attribute attr(check(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(),
                                        H5P_DEFAULT, H5P_DEFAULT),
                             what, path));
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), what, path);
}

double read_double_attribute(hid_t object, const std::string& name, const fs::path& path) {
  const std::string what = "read attribute '" + name + "'";
  hdf5::Attribute attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), what, path));
  double value = 0.0;
  check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value), what, path);
  return value;
}

bool has_link(hid_t group, const std::string& name, const fs::path& path) {
  return check(H5Lexists(group, name.c_str(), H5P_DEFAULT), "look up " + name, path) > 0;
}

/// Writes a 1-D float64 dataset with a units attribute.
void write_vector(hid_t parent, const std::string& name, const std::vector<double>& values,
                  const std::string& units, const fs::path& path) {
  const std::string what = "write dataset '" + name + "'";
  const hsize_t dims[1] = {values.size()};
  hdf5::Dataspace space(check(H5Screate_simple(1, dims, nullptr), what, path));
  hdf5::PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
  hdf5::Dataset dataset(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(),
                                         H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                              what, path));
  check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        what, path);
  hdf5::write_string_attribute(dataset.get(), "units", units, path);
}

/// Scalar or 1-D dataset of variable-length UTF-8 strings.
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values,
                   bool scalar, const fs::path& path) {
  const std::string what = "write dataset '" + name + "'";
  hdf5::Datatype type = hdf5::make_string_type();
  const hsize_t dims[1] = {values.size()};
  hdf5::Dataspace space(check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nullptr),
                              what, path));
  hdf5::PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
  hdf5::Dataset dataset(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(),
                                         H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                              what, path));
  if (values.empty()) return;
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& value : values) pointers.push_back(value.c_str());
  check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), what,
        path);
}

std::vector<std::string> read_strings(hid_t dataset, const fs::path& path) {
  const std::string what = "read strings";
  hdf5::Dataspace space(check(H5Dget_space(dataset), what, path));
  const hssize_t n = check(H5Sget_simple_extent_npoints(space.get()), what, path);
  hdf5::Datatype file_type(check(H5Dget_type(dataset), what, path));
  std::vector<std::string> out;
  if (n == 0) return out;
  if (check(H5Tis_variable_str(file_type.get()), what, path) > 0) {
    hdf5::Datatype mem_type = hdf5::make_string_type();
    std::vector<char*> pointers(static_cast<std::size_t>(n), nullptr);
    check(H5Dread(dataset, mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), what,
          path);
    for (const char* p : pointers) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, pointers.data());
    return out;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  hdf5::Datatype mem_type(check(H5Tcopy(H5T_C_S1), what, path));
  check(H5Tset_size(mem_type.get(), size), what, path);
  std::vector<char> buffer(size * static_cast<std::size_t>(n));
  check(H5Dread(dataset, mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), what, path);
  for (hssize_t i = 0; i < n; ++i) {
    std::string value(buffer.data() + static_cast<std::size_t>(i) * size, size);
    value.erase(value.find_last_not_of(std::string("\0 ", 2)) + 1);
    out.push_back(std::move(value));
  }
  return out;
}

/// Reads a whole numeric dataset as doubles; `dims` gets its shape.
std::vector<double> read_doubles(hid_t dataset, const fs::path& path,
                                 std::vector<hsize_t>* dims = nullptr) {
  const std::string what = "read dataset";
  hdf5::Dataspace space(check(H5Dget_space(dataset), what, path));
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), what, path);
  std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr), what, path);
  const hssize_t n = check(H5Sget_simple_extent_npoints(space.get()), what, path);
  std::vector<double> values(static_cast<std::size_t>(n));
  if (n > 0) {
    check(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), what,
          path);
  }
  if (dims != nullptr) *dims = std::move(shape);
  return values;
}

/// Link names of a group, in creation order where the group tracks it, else by name.
std::vector<std::string> link_names(hid_t group, const fs::path& path) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect, &names) < 0) {
    hdf5::take_error_message();
    names.clear();
    index = 0;
    check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names), "list group",
          path);
  }
  return names;
}

/// Group-creation list whose links remember their creation order (fields and series are then
/// listed in the order the caller gave, not alphabetically).
hdf5::PropertyList ordered_group(const fs::path& path) {
  hdf5::PropertyList gcpl = untimed(H5P_GROUP_CREATE, path);
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "create property list", path);
  return gcpl;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct ResultWriter::Impl {
  struct Series {
    SeriesSpec spec;
    hdf5::Dataset dataset;
  };
  struct SnapshotRecord {
    double time_s = 0.0;
    std::vector<std::pair<std::string, std::string>> fields;  // name, units
  };

  fs::path path;
  fs::path xdmf_path;
  int nx = 0, ny = 0, nz = 0;
  hdf5::File file;
  hdf5::Group meta, snapshots, timeseries;
  std::vector<Series> series;
  std::size_t row_width = 0;
  hsize_t rows = 0;
  std::vector<SnapshotRecord> written;
  std::chrono::steady_clock::time_point last_flush;
  bool closed = false;

  void create(const core::Grid& grid, const std::vector<std::int32_t>& material_ids,
              const std::vector<std::string>& material_names, const RunMetadata& run_meta,
              const std::vector<SeriesSpec>& specs, bool overwrite);
  void write_field(hid_t group, const FieldView& field) const;
  void write_xdmf() const;
  void flush_now();
  void close_handles();
  void require_open(const char* operation) const {
    HPHTSIM_CHECK(!closed, "ResultWriter::" << operation << " after close() of " << path);
  }
};

void ResultWriter::Impl::create(const core::Grid& grid,
                                const std::vector<std::int32_t>& material_ids,
                                const std::vector<std::string>& material_names,
                                const RunMetadata& run_meta,
                                const std::vector<SeriesSpec>& specs, bool overwrite) {
  fs::path parent = path.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw IoError("cannot create result file " + path.string() + ": directory " +
                  parent.string() + " does not exist");
  }
  if (!overwrite && fs::exists(path, ec)) {
    throw IoError("result file " + path.string() +
                  " already exists; pass --overwrite to replace it");
  }

  hdf5::PropertyList fcpl(check(H5Pcreate(H5P_FILE_CREATE), "create file", path));
  check(H5Pset_file_space_strategy(fcpl.get(), H5F_FSPACE_STRATEGY_NONE, false, 1), "create file",
        path);
  hdf5::PropertyList fapl(check(H5Pcreate(H5P_FILE_ACCESS), "create file", path));
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "create file", path);
  // No flock: readers (describe_result, h5py, ParaView) may look at a running result.
  check(H5Pset_file_locking(fapl.get(), false, true), "create file", path);
  H5AC_cache_config_t cache{};
  cache.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.get(), &cache), "create file", path);
  cache.evictions_enabled = false;  // see the top of this file; HDF5 requires resizing off too
  cache.incr_mode = H5C_incr__off;
  cache.flash_incr_mode = H5C_flash_incr__off;
  cache.decr_mode = H5C_decr__off;
  check(H5Pset_mdc_config(fapl.get(), &cache), "create file", path);

  const hid_t id = H5Fcreate(path.string().c_str(), overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL,
                             fcpl.get(), fapl.get());
  if (id < 0 && !overwrite && fs::exists(path, ec)) {  // created by someone else meanwhile
    hdf5::take_error_message();
    throw IoError("result file " + path.string() +
                  " already exists; pass --overwrite to replace it");
  }
  file = hdf5::File(check(id, "create result file", path));

  hdf5::PropertyList gcpl = untimed(H5P_GROUP_CREATE, path);
  meta = hdf5::Group(check(
      H5Gcreate2(file.get(), "meta", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), "create /meta", path));
  hdf5::write_string_attribute(meta.get(), "version", run_meta.version, path);
  hdf5::write_string_attribute(meta.get(), "git_revision", run_meta.git_revision, path);
  hdf5::write_string_attribute(meta.get(), "created", iso8601_utc_now(), path);
  // The config can be any length: a dataset has no 64 kB object-header limit.
  write_strings(meta.get(), "config", {run_meta.config_yaml}, /*scalar=*/true, path);

  {
    hdf5::Group grid_group(check(
        H5Gcreate2(file.get(), "grid", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), "create /grid", path));
    write_vector(grid_group.get(), "x", grid.x, "m", path);
    write_vector(grid_group.get(), "y", grid.y, "m", path);
    write_vector(grid_group.get(), "z", grid.z, "m", path);
  }
  {
    const std::string what = "write /material";
    const hsize_t dims[3] = {hsize_t(nz), hsize_t(ny), hsize_t(nx)};
    hdf5::Dataspace space(check(H5Screate_simple(3, dims, nullptr), what, path));
    hdf5::PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
    hdf5::Dataset dataset(check(H5Dcreate2(file.get(), "material", H5T_STD_I32LE, space.get(),
                                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                what, path));
    check(H5Dwrite(dataset.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                   material_ids.data()),
          what, path);
  }
  write_strings(file.get(), "materials", material_names, /*scalar=*/false, path);

  snapshots = hdf5::Group(check(H5Gcreate2(file.get(), "snapshots", H5P_DEFAULT, gcpl.get(),
                                           H5P_DEFAULT),
                                "create /snapshots", path));
  hdf5::PropertyList ordered = ordered_group(path);
  timeseries = hdf5::Group(check(H5Gcreate2(file.get(), "timeseries", H5P_DEFAULT, ordered.get(),
                                            H5P_DEFAULT),
                                 "create /timeseries", path));
  for (const auto& spec : specs) {
    const std::string what = "create time series '" + spec.name + "'";
    const int rank = spec.columns == 1 ? 1 : 2;
    const hsize_t dims[2] = {0, hsize_t(spec.columns)};
    const hsize_t max_dims[2] = {H5S_UNLIMITED, hsize_t(spec.columns)};
    const hsize_t chunk[2] = {kSeriesChunkRows, hsize_t(spec.columns)};
    hdf5::Dataspace space(check(H5Screate_simple(rank, dims, max_dims), what, path));
    hdf5::PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
    check(H5Pset_chunk(dcpl.get(), rank, chunk), what, path);
    hdf5::Dataset dataset(check(H5Dcreate2(timeseries.get(), spec.name.c_str(), H5T_IEEE_F64LE,
                                           space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                what, path));
    hdf5::write_string_attribute(dataset.get(), "units", spec.units, path);
    series.push_back({spec, std::move(dataset)});
    row_width += std::size_t(spec.columns);
  }
  flush_now();
  write_xdmf();
}

void ResultWriter::Impl::write_field(hid_t group, const FieldView& field) const {
  const std::string what = "write field '" + field.name + "'";
  const hsize_t dims[3] = {hsize_t(nz), hsize_t(ny), hsize_t(nx)};
  hdf5::Dataspace space(check(H5Screate_simple(3, dims, nullptr), what, path));
  hdf5::PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
  if constexpr (kCompressFields) {
    // Whole z-slabs, about 1 MiB a chunk.
    const hsize_t slab = hsize_t(nx) * hsize_t(ny) * sizeof(double);
    const hsize_t chunk[3] = {std::clamp<hsize_t>((1u << 20) / slab, 1, hsize_t(nz)),
                              hsize_t(ny), hsize_t(nx)};
    check(H5Pset_chunk(dcpl.get(), 3, chunk), what, path);
    check(H5Pset_shuffle(dcpl.get()), what, path);
    check(H5Pset_deflate(dcpl.get(), 1), what, path);
  }
  hdf5::Dataset dataset(check(H5Dcreate2(group, field.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                         H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                              what, path));
  check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, field.data), what,
        path);
  hdf5::write_string_attribute(dataset.get(), "units", field.units, path);
}

void ResultWriter::Impl::write_xdmf() const {
  const std::string h5 = xml_escape(path.filename().string());
  const std::string cells = std::to_string(nz) + " " + std::to_string(ny) + " " + std::to_string(nx);
  const std::string nodes =
      std::to_string(nz + 1) + " " + std::to_string(ny + 1) + " " + std::to_string(nx + 1);
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
     << "<Xdmf Version=\"3.0\">\n"
     << "  <Domain>\n"
     << "    <Grid Name=\"hphtsim\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t n = 0; n < written.size(); ++n) {
    const auto& snap = written[n];
    const std::string name = snapshot_name(int(n));
    os << "      <Grid Name=\"" << name << "\" GridType=\"Uniform\">\n"
       << "        <Time Value=\"" << exact(snap.time_s) << "\"/>\n"
       << "        <Topology TopologyType=\"3DRectMesh\" Dimensions=\"" << nodes << "\"/>\n"
       << "        <Geometry GeometryType=\"VXVYVZ\">\n";
    const int edges[3] = {nx + 1, ny + 1, nz + 1};
    const char* axes[3] = {"x", "y", "z"};
    for (int a = 0; a < 3; ++a) {
      os << "          <DataItem Dimensions=\"" << edges[a]
         << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << h5 << ":/grid/"
         << axes[a] << "</DataItem>\n";
    }
    os << "        </Geometry>\n"
       << "        <Attribute Name=\"material\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
       << "          <DataItem Dimensions=\"" << cells
       << "\" NumberType=\"Int\" Precision=\"4\" Format=\"HDF\">" << h5
       << ":/material</DataItem>\n"
       << "        </Attribute>\n";
    for (const auto& [field, units] : snap.fields) {
      const std::string escaped = xml_escape(field);
      os << "        <Attribute Name=\"" << escaped
         << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
         << "          <Information Name=\"units\" Value=\"" << xml_escape(units) << "\"/>\n"
         << "          <DataItem Dimensions=\"" << cells
         << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << h5 << ":/snapshots/"
         << name << "/" << escaped << "</DataItem>\n"
         << "        </Attribute>\n";
    }
    os << "      </Grid>\n";
  }
  os << "    </Grid>\n"
     << "  </Domain>\n"
     << "</Xdmf>\n";

  // Write beside and rename: ParaView (or a killed run) never sees a half-written file.
  fs::path tmp = xdmf_path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << os.str();
    out.close();
    if (!out) throw IoError("cannot write XDMF file " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, xdmf_path, ec);
  if (ec) {
    throw IoError("cannot rename " + tmp.string() + " to " + xdmf_path.string() + ": " +
                  ec.message());
  }
}

void ResultWriter::Impl::flush_now() {
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush", path);
  last_flush = std::chrono::steady_clock::now();
}

void ResultWriter::Impl::close_handles() {
  series.clear();
  timeseries.reset();
  snapshots.reset();
  meta.reset();
  file.reset();
}

// ---------------------------------------------------------------------------------------------

ResultWriter::ResultWriter(const std::filesystem::path& path, const core::Grid& grid,
                           const std::vector<std::int32_t>& material_ids,
                           const std::vector<std::string>& material_names,
                           const RunMetadata& meta, const std::vector<SeriesSpec>& series,
                           bool overwrite)
    : impl_(std::make_unique<Impl>()) {
  HPHTSIM_CHECK(grid.nx > 0 && grid.ny > 0 && grid.nz > 0, "empty grid");
  HPHTSIM_CHECK(grid.x.size() == std::size_t(grid.nx) + 1 &&
                    grid.y.size() == std::size_t(grid.ny) + 1 &&
                    grid.z.size() == std::size_t(grid.nz) + 1,
                "grid edges do not match its cell counts");
  HPHTSIM_CHECK(material_ids.size() == grid.size(),
                "material_ids has " << material_ids.size() << " values for " << grid.size()
                                    << " cells");
  for (const std::int32_t id : material_ids) {
    HPHTSIM_CHECK(id >= 0 && std::size_t(id) < material_names.size(),
                  "material id " << id << " has no name (" << material_names.size()
                                 << " names)");
  }
  std::set<std::string> seen;
  for (const auto& spec : series) {
    check_name(spec.name, "time-series");
    HPHTSIM_CHECK(spec.columns >= 1, "time series '" << spec.name << "' has "
                                                     << spec.columns << " columns");
    if (!seen.insert(spec.name).second) {
      throw IoError("time series '" + spec.name + "' is declared twice");
    }
  }

  Impl& d = *impl_;
  d.path = path;
  d.xdmf_path = fs::path(path).replace_extension(".xmf");
  d.nx = grid.nx;
  d.ny = grid.ny;
  d.nz = grid.nz;
  hdf5::ErrorSilencer silence;
  try {
    d.create(grid, material_ids, material_names, meta, series, overwrite);
  } catch (...) {
    // A half-made file would only block the rerun (it "already exists"): remove what we made.
    const bool made = d.file.valid();
    d.close_handles();
    if (made) {
      std::error_code ec;
      fs::remove(path, ec);
      fs::remove(d.xdmf_path, ec);
    }
    throw;
  }
}

ResultWriter::~ResultWriter() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; call close() to see the error.
  }
}

int ResultWriter::write_snapshot(double time_s, const std::vector<FieldView>& fields) {
  Impl& d = *impl_;
  d.require_open("write_snapshot");
  std::set<std::string> seen;
  for (const auto& field : fields) {
    check_name(field.name, "field");
    HPHTSIM_CHECK(field.data != nullptr, "field '" << field.name << "' has no data");
    if (!seen.insert(field.name).second) {
      throw IoError("field '" + field.name + "' given twice in one snapshot");
    }
  }
  hdf5::ErrorSilencer silence;
  const int number = int(d.written.size());
  const std::string name = snapshot_name(number);
  const std::string what = "write snapshot " + name;

  // Built unlinked, linked when complete: a reader (or a kill) never sees half a snapshot.
  hdf5::PropertyList gcpl = ordered_group(d.path);
  hdf5::Group group(check(H5Gcreate_anon(d.file.get(), gcpl.get(), H5P_DEFAULT), what, d.path));
  Impl::SnapshotRecord record;
  record.time_s = time_s;
  for (const auto& field : fields) {
    d.write_field(group.get(), field);
    record.fields.emplace_back(field.name, field.units);
  }
  write_double_attribute(group.get(), "time", time_s, d.path);
  hdf5::write_string_attribute(group.get(), "time_units", "s", d.path);
  check(H5Olink(group.get(), d.snapshots.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), what,
        d.path);
  group.reset();
  d.written.push_back(std::move(record));
  d.flush_now();
  d.write_xdmf();
  return number;
}

void ResultWriter::append_series_row(const std::vector<double>& values) {
  Impl& d = *impl_;
  d.require_open("append_series_row");
  HPHTSIM_CHECK(values.size() == d.row_width, "a time-series row has " << d.row_width
                                                  << " values, got " << values.size());
  hdf5::ErrorSilencer silence;
  std::size_t offset = 0;
  for (auto& s : d.series) {
    const std::string what = "append to time series '" + s.spec.name + "'";
    const hsize_t columns = hsize_t(s.spec.columns);
    const hsize_t extent[2] = {d.rows + 1, columns};
    check(H5Dset_extent(s.dataset.get(), extent), what, d.path);
    hdf5::Dataspace file_space(check(H5Dget_space(s.dataset.get()), what, d.path));
    const hsize_t start[2] = {d.rows, 0};
    const hsize_t count[2] = {1, columns};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
          what, d.path);
    hdf5::Dataspace memory_space(check(H5Screate_simple(1, &columns, nullptr), what, d.path));
    check(H5Dwrite(s.dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                   H5P_DEFAULT, values.data() + offset),
          what, d.path);
    offset += std::size_t(columns);
  }
  ++d.rows;
  const std::chrono::duration<double> since = std::chrono::steady_clock::now() - d.last_flush;
  if (since.count() >= kRowFlushInterval_s) d.flush_now();
}

void ResultWriter::set_meta_attribute(const std::string& name, double value,
                                      const std::string& units) {
  Impl& d = *impl_;
  d.require_open("set_meta_attribute");
  static const std::set<std::string> reserved = {"version", "git_revision", "created", "config"};
  if (name.empty() || reserved.count(name) > 0 ||
      (name.size() >= 6 && name.compare(name.size() - 6, 6, "_units") == 0)) {
    throw IoError("invalid /meta attribute name '" + name +
                  "' (reserved, empty, or ending in _units)");
  }
  hdf5::ErrorSilencer silence;
  write_double_attribute(d.meta.get(), name, value, d.path);
  hdf5::write_string_attribute(d.meta.get(), name + "_units", units, d.path);
  d.flush_now();
}

void ResultWriter::flush() {
  Impl& d = *impl_;
  d.require_open("flush");
  hdf5::ErrorSilencer silence;
  d.flush_now();
}

void ResultWriter::close() {
  Impl& d = *impl_;
  if (d.closed) return;
  d.closed = true;
  hdf5::ErrorSilencer silence;
  const herr_t flushed = H5Fflush(d.file.get(), H5F_SCOPE_GLOBAL);
  const std::string message = flushed < 0 ? hdf5::take_error_message() : std::string();
  d.series.clear();
  d.timeseries.reset();
  d.snapshots.reset();
  d.meta.reset();
  const herr_t closed = d.file.close();
  if (flushed < 0 || closed < 0) {
    const std::string detail = message.empty() ? hdf5::take_error_message() : message;
    throw IoError("close result file (" + d.path.string() + "): " + detail);
  }
}

const std::filesystem::path& ResultWriter::path() const { return impl_->path; }

// ---------------------------------------------------------------------------------------------

namespace {

std::string format_number(double value) {
  std::ostringstream os;
  os.precision(6);
  os << value;
  return os.str();
}

std::string format_duration(double seconds) {
  std::string out = format_number(seconds) + " s";
  const double a = std::fabs(seconds);
  if (a >= 86400.0) {
    out += " (" + format_number(seconds / 86400.0) + " d)";
  } else if (a >= 3600.0) {
    out += " (" + format_number(seconds / 3600.0) + " h)";
  } else if (a >= 60.0) {
    out += " (" + format_number(seconds / 60.0) + " min)";
  }
  return out;
}

std::string units_of(hid_t object, const fs::path& path) {
  if (check(H5Aexists(object, "units"), "read units", path) <= 0) return "";
  return hdf5::read_string_attribute(object, "units", path);
}

hdf5::Group open_group(hid_t file, const char* name, const fs::path& path) {
  return hdf5::Group(check(H5Gopen2(file, name, H5P_DEFAULT),
                           std::string("open group ") + name, path));
}

int snapshots_in(hid_t file, const fs::path& path) {
  if (!has_link(file, "snapshots", path)) return 0;
  hdf5::Group group = open_group(file, "snapshots", path);
  H5G_info_t info{};
  check(H5Gget_info(group.get(), &info), "read /snapshots", path);
  return int(info.nlinks);
}

std::string optional_string_attribute(hid_t object, const char* name, const fs::path& path) {
  if (check(H5Aexists(object, name), "read attribute", path) <= 0) return "?";
  return hdf5::read_string_attribute(object, name, path);
}

}  // namespace

std::string describe_result(const std::filesystem::path& path) {
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  const hid_t f = file.get();
  std::ostringstream os;
  os << "result file " << path.string() << "\n";

  std::string config;
  std::vector<std::pair<std::string, std::string>> figures;  // name, "value units"
  if (has_link(f, "meta", path)) {
    hdf5::Group meta = open_group(f, "meta", path);
    os << "  version       " << optional_string_attribute(meta.get(), "version", path) << "\n"
       << "  git revision  " << optional_string_attribute(meta.get(), "git_revision", path) << "\n"
       << "  created       " << optional_string_attribute(meta.get(), "created", path) << "\n";
    if (has_link(meta.get(), "config", path)) {
      hdf5::Dataset dataset(
          check(H5Dopen2(meta.get(), "config", H5P_DEFAULT), "open /meta/config", path));
      const auto text = read_strings(dataset.get(), path);
      if (!text.empty()) config = text.front();
    }
    // Key figures: the float attributes set_meta_attribute wrote, with their *_units partners.
    std::vector<std::string> names;
    auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
      static_cast<std::vector<std::string>*>(out)->emplace_back(name);
      return 0;
    };
    hsize_t index = 0;
    check(H5Aiterate2(meta.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names),
          "list /meta attributes", path);
    for (const auto& name : names) {
      hdf5::Attribute attr(check(H5Aopen(meta.get(), name.c_str(), H5P_DEFAULT), "read " + name,
                                 path));
      hdf5::Datatype type(check(H5Aget_type(attr.get()), "read " + name, path));
      const H5T_class_t cls = H5Tget_class(type.get());
      if (cls != H5T_FLOAT && cls != H5T_INTEGER) continue;
      std::string text = format_number(read_double_attribute(meta.get(), name, path));
      const std::string units_name = name + "_units";
      if (check(H5Aexists(meta.get(), units_name.c_str()), "read " + units_name, path) > 0) {
        const std::string units = hdf5::read_string_attribute(meta.get(), units_name, path);
        if (!units.empty()) text += " " + units;
      }
      figures.emplace_back(name, text);
    }
  }

  if (has_link(f, "grid", path)) {
    hdf5::Group grid = open_group(f, "grid", path);
    std::vector<double> edges[3];
    const char* axes[3] = {"x", "y", "z"};
    for (int a = 0; a < 3; ++a) {
      hdf5::Dataset dataset(check(H5Dopen2(grid.get(), axes[a], H5P_DEFAULT),
                                  std::string("open /grid/") + axes[a], path));
      edges[a] = read_doubles(dataset.get(), path);
    }
    os << "grid: " << (edges[0].size() - 1) << " x " << (edges[1].size() - 1) << " x "
       << (edges[2].size() - 1) << " cells (nx x ny x nz)\n";
    for (int a = 0; a < 3; ++a) {
      if (edges[a].size() < 2) continue;
      os << "  " << axes[a] << ": " << format_number(edges[a].front() * 1e3) << " .. "
         << format_number(edges[a].back() * 1e3) << " mm\n";
    }
  }

  if (has_link(f, "materials", path)) {
    hdf5::Dataset names_dataset(
        check(H5Dopen2(f, "materials", H5P_DEFAULT), "open /materials", path));
    const auto names = read_strings(names_dataset.get(), path);
    std::map<std::int64_t, std::size_t> counts;
    if (has_link(f, "material", path)) {
      hdf5::Dataset ids_dataset(
          check(H5Dopen2(f, "material", H5P_DEFAULT), "open /material", path));
      for (const double id : read_doubles(ids_dataset.get(), path)) ++counts[std::int64_t(id)];
    }
    os << "materials:\n";
    for (std::size_t id = 0; id < names.size(); ++id) {
      const auto it = counts.find(std::int64_t(id));
      os << "  " << id << ": " << names[id] << "  " << (it == counts.end() ? 0 : it->second)
         << " cells\n";
    }
    for (const auto& [id, n] : counts) {
      if (id < 0 || std::size_t(id) >= names.size()) {
        os << "  " << id << ": (no name)  " << n << " cells\n";
      }
    }
  }

  if (has_link(f, "snapshots", path)) {
    hdf5::Group snapshots = open_group(f, "snapshots", path);
    const auto names = link_names(snapshots.get(), path);
    os << "snapshots: " << names.size() << "\n";
    if (!names.empty()) {
      hdf5::Group last(check(H5Gopen2(snapshots.get(), names.back().c_str(), H5P_DEFAULT),
                             "open snapshot " + names.back(), path));
      os << "  last: " << names.back() << " at t = "
         << format_duration(read_double_attribute(last.get(), "time", path)) << "\n";
      for (const auto& field : link_names(last.get(), path)) {
        hdf5::Dataset dataset(check(H5Dopen2(last.get(), field.c_str(), H5P_DEFAULT),
                                    "open field " + field, path));
        const auto values = read_doubles(dataset.get(), path);
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (const double v : values) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
        os << "    " << field << ": " << format_number(lo) << " .. " << format_number(hi);
        const std::string units = units_of(dataset.get(), path);
        if (!units.empty()) os << " " << units;
        os << "\n";
      }
    }
  }

  if (has_link(f, "timeseries", path)) {
    hdf5::Group timeseries = open_group(f, "timeseries", path);
    const auto names = link_names(timeseries.get(), path);
    os << "time series: " << names.size() << "\n";
    for (const auto& name : names) {
      hdf5::Dataset dataset(check(H5Dopen2(timeseries.get(), name.c_str(), H5P_DEFAULT),
                                  "open time series " + name, path));
      hdf5::Dataspace space(check(H5Dget_space(dataset.get()), "read " + name, path));
      const int rank = check(H5Sget_simple_extent_ndims(space.get()), "read " + name, path);
      hsize_t dims[2] = {0, 1};
      check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), "read " + name, path);
      const hsize_t columns = rank == 2 ? dims[1] : 1;
      const std::string units = units_of(dataset.get(), path);
      os << "  " << name << " [" << (units.empty() ? "-" : units) << "]";
      if (rank == 2) os << " x" << columns;
      os << ": " << dims[0] << " rows";
      if (dims[0] > 0 && rank >= 1 && rank <= 2) {
        // Only the last row: a long run's series need not be read whole.
        std::vector<double> last(columns);
        const hsize_t start[2] = {dims[0] - 1, 0};
        const hsize_t count[2] = {1, columns};
        check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
              "read " + name, path);
        hdf5::Dataspace memory(check(H5Screate_simple(1, &columns, nullptr), "read " + name, path));
        check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT,
                      last.data()),
              "read " + name, path);
        os << ", last ";
        if (rank == 2) os << "[";
        for (std::size_t c = 0; c < last.size(); ++c) {
          os << (c > 0 ? ", " : "") << format_number(last[c]);
        }
        if (rank == 2) os << "]";
      }
      os << "\n";
    }
  }

  if (!figures.empty()) {
    os << "key figures:\n";
    for (const auto& [name, text] : figures) os << "  " << name << " = " << text << "\n";
  }
  os << "config:\n";
  std::istringstream lines(config);
  for (std::string line; std::getline(lines, line);) os << "  " << line << "\n";
  return os.str();
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
  const std::string group_path = "/snapshots/" + snapshot_name(snapshot);
  hdf5::Group group(
      check(H5Gopen2(file.get(), group_path.c_str(), H5P_DEFAULT), "open " + group_path, path));
  if (field.find('/') != std::string::npos || !has_link(group.get(), field, path)) {
    std::string available;
    for (const auto& name : link_names(group.get(), path)) {
      available += (available.empty() ? "" : ", ") + name;
    }
    throw IoError("snapshot " + std::to_string(snapshot) + " of " + path.string() +
                  " has no field '" + field + "' (it has: " + available + ")");
  }
  hdf5::Dataset dataset(
      check(H5Dopen2(group.get(), field.c_str(), H5P_DEFAULT), "open field " + field, path));
  if (time_s != nullptr) *time_s = read_double_attribute(group.get(), "time", path);
  return read_doubles(dataset.get(), path);
}

std::vector<double> read_series(const std::filesystem::path& path, const std::string& name) {
  check_name(name, "time-series");
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  const std::string dataset_path = "/timeseries/" + name;
  if (!has_link(file.get(), "timeseries", path)) {
    throw IoError(path.string() + " has no /timeseries group");
  }
  hdf5::Group group = open_group(file.get(), "timeseries", path);
  if (!has_link(group.get(), name, path)) {
    throw IoError(path.string() + " has no time series '" + name + "'");
  }
  hdf5::Dataset dataset(
      check(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), "open " + dataset_path, path));
  return read_doubles(dataset.get(), path);
}

int count_snapshots(const std::filesystem::path& path) {
  hdf5::ErrorSilencer silence;
  hdf5::File file = hdf5::open_for_reading(path);
  return snapshots_in(file.get(), path);
}

}  // namespace hphtsim::io

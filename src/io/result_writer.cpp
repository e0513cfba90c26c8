// SPDX-License-Identifier: MIT
// Writing the HDF5 result file and its XDMF sidecar (layout in result_file.hpp).
//
// Surviving a kill. HDF5 1.10 keeps no journal: what a killed writer leaves is whatever reached
// the file, and SIGKILL can even stop a write() between two pages. SWMR writing does not help
// (in 1.10 a SWMR writer may not create objects, and every snapshot is a new group). So the
// writer arranges that every write it makes after a flush either goes to new space nothing on
// disk points at yet, or changes an existing structure in place in a way that old readers of
// it still understand:
//  - the file is built under a private name and renamed into place once initialised;
//  - the metadata cache never evicts to make room, so existing objects (the /snapshots index,
//    the time series' extents) change on disk only in H5Fflush; objects we close are written
//    and dropped then (evict-on-close), which keeps memory flat over thousands of snapshots;
//  - a snapshot is an anonymous group, flushed whole before it is linked into /snapshots and
//    flushed again, so the index never names a snapshot that is not on disk, and the
//    superblock's end of allocation already covers it;
//  - /snapshots is a symbol table whose one leaf holds kSnapshotsPerLeaf names and whose name
//    heap is sized for them, so adding a snapshot appends to both in place; a torn append
//    leaves at worst a garbage last entry, which readers skip (they open snapshots by position
//    and check the name);
//  - each time series gets its chunk index at creation, and /meta's header is made with room
//    for key figures, so later rows and figures change these in place;
//  - string attributes are fixed-length, so nothing rewrites a shared global heap;
//  - the file space strategy is "none": space freed after a flush is never reused while the
//    on-disk metadata may still point at it;
//  - readers open in SWMR-read mode, which tolerates a superblock that lags its objects.
// tests/unit/test_io_crash.cpp kills a writer at each of its writes (whole or torn) and checks
// that every completed snapshot is read back. Known windows: the write that creates the index
// leaf for the very first snapshot (nothing is complete yet; count_snapshots then reports the
// index as damaged), a leaf split after kSnapshotsPerLeaf snapshots, a time series' index split
// after about 16000 rows, and more key figures than /meta's header has room for (about 16).
#include "hphtsim/io/result_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <set>
#include <utility>

#include "hphtsim/core/error.hpp"
#include "hphtsim/io/atomic_file.hpp"
#include "hphtsim/io/hdf5_handle.hpp"
#include "hphtsim/io/xdmf.hpp"
#include "result_layout.hpp"

namespace hphtsim::io {

namespace {

namespace fs = std::filesystem;
using hdf5::check;
using hdf5::ordered_group;
using hdf5::untimed;
using layout::open_snapshot;
using layout::snapshot_name;

constexpr hsize_t kSeriesChunkRows = 256;
/// Snapshots whose index entries fit in one symbol-table leaf (see the file creation).
constexpr unsigned kSnapshotsPerLeaf = 1024;
/// Snapshot fields are stored chunked with shuffle + gzip 1. Measured on a 64^3 snapshot with
/// 5 fields (2 cores): 0.7-0.9 ms a field uncompressed, 10-18 ms compressed, a factor of 1.6 on
/// a temperature field with round-off noise and far more on mostly-zero fields (carbon, crystal,
/// q outside the heater). Over the whole default cycle (27 snapshots of 6 fields) the file
/// shrinks from 341 MB to 70 MB (h5repack with the same filters) for about 3 s of a 4 min run.
constexpr bool kCompressFields = true;
/// Time-series rows are flushed at most this often (snapshots and close always flush). Zero:
/// every row. Measured with 15 series: 0.15 ms a row with a flush, 0.05 ms without, small
/// beside a time step, and a kill then loses no row.
constexpr double kRowFlushInterval_s = 0.0;

std::string iso8601_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

/// Writes a 1-D float64 dataset with a units attribute.
void write_vector(hid_t parent, const std::string& name, const std::vector<double>& values,
                  const std::string& units, const fs::path& path) {
  hdf5::Dataset dataset = hdf5::write_doubles(parent, name, values, path);
  hdf5::write_string_attribute(dataset.get(), "units", units, path);
}

/// File access of a writer (a new file, or one reopened to continue a run).
hdf5::PropertyList writer_access(const fs::path& path) {
  hdf5::PropertyList fapl(check(H5Pcreate(H5P_FILE_ACCESS), "open file for writing", path));
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "open file for writing", path);
  // With evictions off, a closed snapshot's metadata would stay cached for the whole run
  // (measured: 37 kB per snapshot); evict-on-close writes a closed object's own entries, new
  // and not yet linked from anything on disk, and drops them.
  check(H5Pset_evict_on_close(fapl.get(), true), "open file for writing", path);
  // No flock: readers (describe_result, h5py, ParaView) may look at a running result.
  check(H5Pset_file_locking(fapl.get(), false, true), "open file for writing", path);
  H5AC_cache_config_t cache{};
  cache.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.get(), &cache), "open file for writing", path);
  cache.evictions_enabled = false;  // see the top of this file; HDF5 requires resizing off too
  cache.incr_mode = H5C_incr__off;
  cache.flash_incr_mode = H5C_flash_incr__off;
  cache.decr_mode = H5C_decr__off;
  check(H5Pset_mdc_config(fapl.get(), &cache), "open file for writing", path);

  return fapl;
}

}  // namespace

struct ResultWriter::Impl {
  struct Series {
    SeriesSpec spec;
    hdf5::Dataset dataset;
  };
  fs::path path;
  fs::path xdmf_path;
  fs::path partial_path;  ///< where the file is built before it appears at `path`
  bool published = false;
  int nx = 0, ny = 0, nz = 0;
  bool axisymmetric = false;
  hdf5::File file;
  hdf5::Group meta, snapshots, timeseries;
  std::vector<Series> series;
  std::size_t row_width = 0;
  hsize_t rows = 0;
  int snapshot_count = 0;
  std::string xdmf_grids;  ///< the XML of every snapshot written, appended once each
  std::chrono::steady_clock::time_point last_flush;
  bool closed = false;

  void create(const core::Grid& grid, const std::vector<std::int32_t>& material_ids,
              const std::vector<std::string>& material_names, const RunMetadata& run_meta,
              const std::vector<SeriesSpec>& specs, bool overwrite);
  void publish(bool overwrite);
  void reopen(double time_s, const std::vector<SeriesSpec>& specs);
  void write_field(hid_t group, const FieldView& field) const;
  void append_xdmf_grid(double time_s, const std::vector<FieldView>& fields);
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
                                const RunMetadata& run_meta, const std::vector<SeriesSpec>& specs,
                                bool overwrite) {
  fs::path parent = path.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw IoError("cannot create result file " + path.string() + ": directory " + parent.string() +
                  " does not exist");
  }
  if (!overwrite && fs::exists(path, ec)) {
    throw IoError("result file " + path.string() +
                  " already exists; pass --overwrite to replace it");
  }

  hdf5::PropertyList fcpl(check(H5Pcreate(H5P_FILE_CREATE), "create file", path));
  check(H5Pset_file_space_strategy(fcpl.get(), H5F_FSPACE_STRATEGY_NONE, false, 1), "create file",
        path);
  // /snapshots is the one old-style group (a symbol table): its leaf holds 2 x 512 names, so
  // the first 1024 snapshots are appended to one node in place and never split it (a split
  // writes a new node that the old one points to: a kill in between loses the index). All
  // other groups, the root included, are new-style (creation order tracked).
  check(H5Pset_sym_k(fcpl.get(), 16, kSnapshotsPerLeaf / 2), "create file", path);
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "create file", path);
  hdf5::PropertyList fapl = writer_access(path);

  // Built under a private name and published when complete and flushed (below): the result
  // path never holds a half-initialised file, even if the process dies right now.
  file = hdf5::File(
      check(H5Fcreate(partial_path.string().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
            "create result file", partial_path));

  hdf5::PropertyList gcpl = ordered_group(path);
  {
    // Sized for 64 links though it holds one (config): the spare room in its first header
    // chunk takes the attributes set_meta_attribute adds later, in place. Without it HDF5 adds
    // a header chunk, and a kill between writing the pointer and the chunk loses /meta.
    hdf5::PropertyList meta_gcpl = ordered_group(path);
    check(H5Pset_est_link_info(meta_gcpl.get(), 64, 16), "create /meta", path);
    meta =
        hdf5::Group(check(H5Gcreate2(file.get(), "meta", H5P_DEFAULT, meta_gcpl.get(), H5P_DEFAULT),
                          "create /meta", path));
  }
  hdf5::write_string_attribute(meta.get(), "version", run_meta.version, path);
  hdf5::write_string_attribute(meta.get(), "git_revision", run_meta.git_revision, path);
  hdf5::write_string_attribute(meta.get(), "created", iso8601_utc_now(), path);
  // The config can be any length: a dataset has no 64 kB object-header limit.
  hdf5::write_strings(meta.get(), "config", {run_meta.config_yaml}, /*scalar=*/true, path);

  {
    hdf5::Group grid_group(
        check(H5Gcreate2(file.get(), "grid", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), "create /grid",
              path));
    // geometry "cartesian" (x, y, z in m) or "axisymmetric" (x: r in m from the axis, y: the
    // angle in rad over one cell, the whole revolution; z in m).
    const bool ring = grid.is_cylindrical();
    hdf5::write_string_attribute(grid_group.get(), "geometry", ring ? "axisymmetric" : "cartesian", path);
    write_vector(grid_group.get(), "x", grid.x, "m", path);
    write_vector(grid_group.get(), "y", grid.y, ring ? "rad" : "m", path);
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
  hdf5::write_strings(file.get(), "materials", material_names, /*scalar=*/false, path);

  {
    // Room for the leaf's names ("000000" takes 8 bytes) in the first heap: adding a snapshot
    // then writes into the heap in place instead of moving it.
    hdf5::PropertyList index_gcpl = untimed(H5P_GROUP_CREATE, path);
    check(H5Pset_local_heap_size_hint(index_gcpl.get(), kSnapshotsPerLeaf * 8 + 64),
          "create /snapshots", path);
    snapshots = hdf5::Group(
        check(H5Gcreate2(file.get(), "snapshots", H5P_DEFAULT, index_gcpl.get(), H5P_DEFAULT),
              "create /snapshots", path));
  }
  hdf5::PropertyList ordered = ordered_group(path);
  timeseries = hdf5::Group(
      check(H5Gcreate2(file.get(), "timeseries", H5P_DEFAULT, ordered.get(), H5P_DEFAULT),
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
    // HDF5 creates a chunked dataset's index with its first chunk, and the first row's flush
    // would then write the header pointing at the index before the index itself. Make the
    // index now, with one row that is dropped again; later rows only add to it in place.
    {
      const hsize_t one_row[2] = {1, hsize_t(spec.columns)};
      const hsize_t no_rows[2] = {0, hsize_t(spec.columns)};
      const std::vector<double> fill(std::size_t(spec.columns), 0.0);
      check(H5Dset_extent(dataset.get(), one_row), what, path);
      check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, fill.data()),
            what, path);
      check(H5Dset_extent(dataset.get(), no_rows), what, path);
    }
    series.push_back({spec, std::move(dataset)});
    row_width += std::size_t(spec.columns);
  }
  flush_now();
  publish(overwrite);
  write_xdmf();
}

void ResultWriter::Impl::publish(bool overwrite) {
  // Synced, then renamed over an old result (atomic: it stays whole until now) or linked to a
  // free name (no window in which another run's file is replaced).
  if (!commit_file(partial_path, path, overwrite ? Replace::kAllowed : Replace::kNever)) {
    throw IoError("result file " + path.string() +
                  " already exists; pass --overwrite to replace it");
  }
  published = true;
}

void ResultWriter::Impl::write_field(hid_t group, const FieldView& field) const {
  const std::string what = "write field '" + field.name + "'";
  const hsize_t dims[3] = {hsize_t(nz), hsize_t(ny), hsize_t(nx)};
  hdf5::Dataspace space(check(H5Screate_simple(3, dims, nullptr), what, path));
  hdf5::PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
  if constexpr (kCompressFields) {
    // Whole z-slabs, about 1 MiB a chunk.
    const hsize_t slab = hsize_t(nx) * hsize_t(ny) * sizeof(double);
    const hsize_t chunk[3] = {std::clamp<hsize_t>((1u << 20) / slab, 1, hsize_t(nz)), hsize_t(ny),
                              hsize_t(nx)};
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

void ResultWriter::Impl::append_xdmf_grid(double time_s, const std::vector<FieldView>& fields) {
  std::vector<xdmf::Attribute> attributes;
  attributes.reserve(fields.size());
  for (const auto& field : fields) attributes.push_back({field.name, field.units});
  xdmf_grids += xdmf::snapshot_grid(path.filename().string(), nx, ny, nz,
                                    snapshot_name(snapshot_count), time_s, attributes, axisymmetric);
}

void ResultWriter::Impl::write_xdmf() const {
  // Written beside and renamed: ParaView (or a killed run) never sees a half-written file.
  replace_file_contents(xdmf_path, xdmf::document(xdmf_grids));
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
                           const std::vector<std::string>& material_names, const RunMetadata& meta,
                           const std::vector<SeriesSpec>& series, bool overwrite)
    : impl_(std::make_unique<Impl>()) {
  HPHTSIM_CHECK(grid.nx > 0 && grid.ny > 0 && grid.nz > 0, "empty grid");
  HPHTSIM_CHECK(grid.x.size() == std::size_t(grid.nx) + 1 &&
                    grid.y.size() == std::size_t(grid.ny) + 1 &&
                    grid.z.size() == std::size_t(grid.nz) + 1,
                "grid edges do not match its cell counts");
  HPHTSIM_CHECK(material_ids.size() == grid.size(), "material_ids has " << material_ids.size()
                                                                        << " values for "
                                                                        << grid.size() << " cells");
  for (const std::int32_t id : material_ids) {
    HPHTSIM_CHECK(id >= 0 && std::size_t(id) < material_names.size(),
                  "material id " << id << " has no name (" << material_names.size() << " names)");
  }
  std::set<std::string> seen;
  for (const auto& spec : series) {
    hdf5::check_link_name(spec.name, "time-series");
    HPHTSIM_CHECK(spec.columns >= 1,
                  "time series '" << spec.name << "' has " << spec.columns << " columns");
    if (!seen.insert(spec.name).second) {
      throw IoError("time series '" + spec.name + "' is declared twice");
    }
  }

  Impl& d = *impl_;
  d.path = path;
  d.xdmf_path = fs::path(path).replace_extension(".xmf");
  d.partial_path = fs::path(path).concat(".partial-" + std::to_string(::getpid()));
  d.nx = grid.nx;
  d.ny = grid.ny;
  d.nz = grid.nz;
  d.axisymmetric = grid.is_cylindrical();
  hdf5::ErrorSilencer silence;
  try {
    d.create(grid, material_ids, material_names, meta, series, overwrite);
  } catch (...) {
    // Leave no trace: a half-made file would only block the rerun (it "already exists"). An
    // existing result we were asked to overwrite is only replaced once the new one is ready.
    d.close_handles();
    std::error_code ec;
    fs::remove(d.partial_path, ec);
    if (d.published) {
      fs::remove(path, ec);
      fs::remove(d.xdmf_path, ec);
    }
    throw;
  }
}

void ResultWriter::Impl::reopen(double time_s, const std::vector<SeriesSpec>& specs) {
  const std::string what = "reopen result file to continue";
  if (!fs::exists(path)) throw IoError("no result file " + path.string() + " to continue");
  hdf5::PropertyList fapl = writer_access(path);
  file = hdf5::File(check(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), what, path));
  published = true;
  meta = hdf5::Group(check(H5Gopen2(file.get(), "meta", H5P_DEFAULT), what, path));
  snapshots = hdf5::Group(check(H5Gopen2(file.get(), "snapshots", H5P_DEFAULT), what, path));
  timeseries = hdf5::Group(check(H5Gopen2(file.get(), "timeseries", H5P_DEFAULT), what, path));
  {
    hdf5::Dataset material(check(H5Dopen2(file.get(), "material", H5P_DEFAULT), what, path));
    hdf5::Dataspace space(check(H5Dget_space(material.get()), what, path));
    hsize_t dims[3] = {0, 0, 0};
    if (H5Sget_simple_extent_ndims(space.get()) != 3)
      throw IoError(what + ": /material is not 3-D in " + path.string());
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    nz = int(dims[0]);
    ny = int(dims[1]);
    nx = int(dims[2]);
  }
  // Snapshots after the checkpoint are the rerun's to write again: drop them (in order, so
  // the names stay consecutive), and rebuild the XDMF index from those that stay.
  const double tol = 1e-9 * std::max(1.0, std::abs(time_s));
  H5G_info_t index{};
  check(H5Gget_info(snapshots.get(), &index), what + " (the /snapshots index)", path);
  std::vector<std::string> names;
  for (hsize_t n = 0; n < index.nlinks; ++n) {
    // By position, as the readers do: a kill while a snapshot was being added can leave a
    // garbage last entry, which HDF5 could not remove by name; adding after it would then
    // corrupt the index. Refuse rather than continue on it.
    if (!open_snapshot(snapshots.get(), int(n))) {
      throw IoError(what + ": entry " + std::to_string(n) + " of /snapshots in " + path.string() +
                    " is damaged (the run was killed while adding that snapshot); start the run "
                    "again with --overwrite");
    }
    names.push_back(snapshot_name(int(n)));
  }
  snapshot_count = 0;
  xdmf_grids.clear();
  for (const auto& name : names) {
    hdf5::Group g(check(H5Gopen2(snapshots.get(), name.c_str(), H5P_DEFAULT), what, path));
    const double t = hdf5::read_double_attribute(g.get(), "time", path);
    if (t > time_s + tol) {
      g.reset();
      check(H5Ldelete(snapshots.get(), name.c_str(), H5P_DEFAULT), what, path);
      continue;
    }
    std::vector<FieldView> fields;
    for (const auto& field : hdf5::link_names(g.get(), path)) {
      hdf5::Dataset d(check(H5Dopen2(g.get(), field.c_str(), H5P_DEFAULT), what, path));
      fields.push_back({field, hdf5::read_string_attribute(d.get(), "units", path), nullptr});
    }
    append_xdmf_grid(t, fields);
    ++snapshot_count;
  }
  // Time-series rows after the checkpoint go too.
  series.clear();
  row_width = 0;
  rows = 0;
  std::vector<double> times;
  for (const auto& spec : specs) {
    Series sr{spec, hdf5::Dataset(H5Dopen2(timeseries.get(), spec.name.c_str(), H5P_DEFAULT))};
    if (!sr.dataset)
      throw IoError(what + ": time series '" + spec.name + "' is missing in " + path.string() +
                    " (a different config?)");
    hdf5::Dataspace space(check(H5Dget_space(sr.dataset.get()), what, path));
    hsize_t dims[2] = {0, 1};
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    if (spec.name == "time") times = hdf5::read_doubles(sr.dataset.get(), path, nullptr);
    series.push_back(std::move(sr));
    row_width += std::size_t(spec.columns);
  }
  while (rows < times.size() && times[rows] <= time_s + tol) ++rows;
  for (auto& sr : series) {
    const hsize_t extent[2] = {rows, hsize_t(sr.spec.columns)};
    check(H5Dset_extent(sr.dataset.get(), extent), what + " (truncate '" + sr.spec.name + "')",
          path);
  }
  last_flush = std::chrono::steady_clock::now();
  flush_now();
  write_xdmf();
}

std::unique_ptr<ResultWriter> ResultWriter::reopen(const std::filesystem::path& path, double time_s,
                                                   const std::vector<SeriesSpec>& series) {
  std::unique_ptr<ResultWriter> w(new ResultWriter());
  Impl& d = *w->impl_;
  d.path = path;
  d.xdmf_path = fs::path(path).replace_extension(".xmf");
  hdf5::ErrorSilencer silence;
  d.reopen(time_s, series);
  return w;
}

ResultWriter::ResultWriter() : impl_(std::make_unique<Impl>()) {}

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
    hdf5::check_link_name(field.name, "field");
    HPHTSIM_CHECK(field.data != nullptr, "field '" << field.name << "' has no data");
    if (!seen.insert(field.name).second) {
      throw IoError("field '" + field.name + "' given twice in one snapshot");
    }
  }
  hdf5::ErrorSilencer silence;
  const int number = d.snapshot_count;
  const std::string name = snapshot_name(number);
  const std::string what = "write snapshot " + name;

  // Built unlinked, linked when complete: a reader (or a kill) never sees half a snapshot.
  hdf5::PropertyList gcpl = ordered_group(d.path);
  hdf5::Group group(check(H5Gcreate_anon(d.file.get(), gcpl.get(), H5P_DEFAULT), what, d.path));
  for (const auto& field : fields) d.write_field(group.get(), field);
  hdf5::write_double_attribute(group.get(), "time", time_s, d.path);
  hdf5::write_string_attribute(group.get(), "time_units", "s", d.path);
  // Two flushes: the first puts the whole snapshot on disk and moves the superblock's end of
  // allocation past it (HDF5 writes the superblock last in a flush); the second then only
  // changes the /snapshots index in place. A kill during either leaves the old index or the
  // new one, both pointing at complete snapshots.
  d.flush_now();
  check(H5Olink(group.get(), d.snapshots.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), what,
        d.path);
  group.reset();
  d.append_xdmf_grid(time_s, fields);
  ++d.snapshot_count;
  d.flush_now();
  d.write_xdmf();
  return number;
}

void ResultWriter::append_series_row(const std::vector<double>& values) {
  Impl& d = *impl_;
  d.require_open("append_series_row");
  HPHTSIM_CHECK(values.size() == d.row_width,
                "a time-series row has " << d.row_width << " values, got " << values.size());
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
  hdf5::write_double_attribute(d.meta.get(), name, value, d.path);
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

}  // namespace hphtsim::io

// SPDX-License-Identifier: MIT
#include "hphtsim/io/hdf5_handle.hpp"

#include <string>
#include <vector>

#include "hphtsim/core/error.hpp"

namespace hphtsim::io::hdf5 {

ErrorSilencer::ErrorSilencer() noexcept {
  if (H5Eget_auto2(H5E_DEFAULT, &func_, &data_) < 0) {
    func_ = nullptr;
    data_ = nullptr;
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

ErrorSilencer::~ErrorSilencer() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

namespace {

herr_t innermost_message(unsigned n, const H5E_error2_t* error, void* out) {
  // H5E_WALK_UPWARD starts at the function that detected the problem: the first entry is the
  // specific one ("unable to open file: ... errno = 2"), the outer ones only repeat context.
  if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
  return 0;
}

}  // namespace

std::string take_error_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_message, &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

hid_t check(hid_t status, std::string_view what, const std::filesystem::path& path) {
  if (status >= 0) return status;
  std::string message = std::string(what) + " (" + path.string() + ")";
  const std::string detail = take_error_message();
  if (!detail.empty()) message += ": " + detail;
  throw IoError(message);
}

Datatype make_string_type() {
  Datatype type(H5Tcopy(H5T_C_S1));
  if (!type || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0) {
    throw IoError("HDF5: cannot make a string type: " + take_error_message());
  }
  return type;
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::filesystem::path& path) {
  const std::string what = "write attribute '" + name + "'";
  if (check(H5Aexists(object, name.c_str()), what, path) > 0) {
    check(H5Adelete(object, name.c_str()), what, path);
  }
  // Fixed length, stored in the attribute itself: a variable-length string would go into a
  // global heap collection shared with other strings and rewritten in place, and a writer
  // killed inside that write leaves a collection on which HDF5 1.10 reads loop forever.
  Datatype type(check(H5Tcopy(H5T_C_S1), what, path));
  check(H5Tset_size(type.get(), value.size() + 1), what, path);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what, path);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), what, path);
  Dataspace space(check(H5Screate(H5S_SCALAR), what, path));
  Attribute attr(
      check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
            what, path));
  check(H5Awrite(attr.get(), type.get(), value.c_str()), what, path);
}

std::string read_string_attribute(hid_t object, const std::string& name,
                                  const std::filesystem::path& path) {
  const std::string what = "read attribute '" + name + "'";
  Attribute attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), what, path));
  Datatype file_type(check(H5Aget_type(attr.get()), what, path));
  if (H5Tget_class(file_type.get()) != H5T_STRING) {
    throw IoError(what + " (" + path.string() + "): not a string");
  }
  if (check(H5Tis_variable_str(file_type.get()), what, path) > 0) {
    Datatype mem_type = make_string_type();
    Dataspace space(check(H5Aget_space(attr.get()), what, path));
    char* data = nullptr;
    check(H5Aread(attr.get(), mem_type.get(), &data), what, path);
    std::string value = data != nullptr ? data : "";
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, &data);
    return value;
  }
  // Fixed-length (what write_string_attribute writes): read the bytes, drop the padding.
  const std::size_t size = H5Tget_size(file_type.get());
  std::vector<char> buffer(size + 1, '\0');
  // The file's own type (HDF5 converts between ASCII and UTF-8 in neither direction).
  check(H5Aread(attr.get(), file_type.get(), buffer.data()), what, path);
  std::string value(buffer.data(), size);
  value.erase(value.find_last_not_of(std::string("\0 ", 2)) + 1);
  return value;
}

void check_link_name(const std::string& name, const char* kind) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    throw IoError(std::string("invalid ") + kind + " name '" + name +
                  "': use a plain name without '/'");
  }
}

PropertyList untimed(hid_t plist_class, const std::filesystem::path& path) {
  PropertyList plist(check(H5Pcreate(plist_class), "create property list", path));
  check(H5Pset_obj_track_times(plist.get(), false), "create property list", path);
  return plist;
}

PropertyList ordered_group(const std::filesystem::path& path) {
  PropertyList gcpl = untimed(H5P_GROUP_CREATE, path);
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "create property list", path);
  return gcpl;
}

bool has_link(hid_t group, const std::string& name, const std::filesystem::path& path) {
  return check(H5Lexists(group, name.c_str(), H5P_DEFAULT), "look up " + name, path) > 0;
}

Group open_group(hid_t parent, const std::string& name, const std::filesystem::path& path) {
  return Group(check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "open group " + name, path));
}

std::vector<std::string> link_names(hid_t group, const std::filesystem::path& path) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect, &names) < 0) {
    take_error_message();
    names.clear();
    index = 0;
    check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names), "list group",
          path);
  }
  return names;
}

std::vector<std::string> attribute_names(hid_t object, const std::filesystem::path& path) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names), "list attributes",
        path);
  return names;
}

void write_double_attribute(hid_t object, const std::string& name, double value,
                            const std::filesystem::path& path) {
  const std::string what = "write attribute '" + name + "'";
  if (check(H5Aexists(object, name.c_str()), what, path) > 0) {
    check(H5Adelete(object, name.c_str()), what, path);
  }
  Dataspace space(check(H5Screate(H5S_SCALAR), what, path));
  Attribute attr(
      check(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            what, path));
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), what, path);
}

double read_double_attribute(hid_t object, const std::string& name,
                             const std::filesystem::path& path) {
  const std::string what = "read attribute '" + name + "'";
  Attribute attr(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), what, path));
  double value = 0.0;
  check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value), what, path);
  return value;
}

std::string read_string_attribute_or(hid_t object, const std::string& name,
                                     const std::string& fallback,
                                     const std::filesystem::path& path) {
  if (check(H5Aexists(object, name.c_str()), "read attribute '" + name + "'", path) <= 0) {
    return fallback;
  }
  return read_string_attribute(object, name, path);
}

Dataset write_doubles(hid_t parent, const std::string& name, const std::vector<double>& values,
                      const std::filesystem::path& path) {
  const std::string what = "write dataset '" + name + "'";
  const hsize_t dims[1] = {values.size()};
  Dataspace space(check(H5Screate_simple(1, dims, nullptr), what, path));
  PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
  Dataset dataset(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                   dcpl.get(), H5P_DEFAULT),
                        what, path));
  if (!values.empty()) {
    check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          what, path);
  }
  return dataset;
}

std::vector<double> read_doubles(hid_t dataset, const std::filesystem::path& path,
                                 std::vector<hsize_t>* dims) {
  const std::string what = "read dataset";
  Dataspace space(check(H5Dget_space(dataset), what, path));
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

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values,
                   bool scalar, const std::filesystem::path& path) {
  const std::string what = "write dataset '" + name + "'";
  Datatype type = make_string_type();
  const hsize_t dims[1] = {values.size()};
  Dataspace space(
      check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nullptr), what, path));
  PropertyList dcpl = untimed(H5P_DATASET_CREATE, path);
  Dataset dataset(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                   dcpl.get(), H5P_DEFAULT),
                        what, path));
  if (values.empty()) return;
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& value : values) pointers.push_back(value.c_str());
  check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), what,
        path);
}

std::vector<std::string> read_strings(hid_t dataset, const std::filesystem::path& path) {
  const std::string what = "read strings";
  Dataspace space(check(H5Dget_space(dataset), what, path));
  const hssize_t n = check(H5Sget_simple_extent_npoints(space.get()), what, path);
  Datatype file_type(check(H5Dget_type(dataset), what, path));
  std::vector<std::string> out;
  if (n == 0) return out;
  if (check(H5Tis_variable_str(file_type.get()), what, path) > 0) {
    Datatype mem_type = make_string_type();
    std::vector<char*> pointers(static_cast<std::size_t>(n), nullptr);
    check(H5Dread(dataset, mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), what,
          path);
    for (const char* p : pointers) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, pointers.data());
    return out;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  std::vector<char> buffer(size * static_cast<std::size_t>(n));
  check(H5Dread(dataset, file_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), what,
        path);
  for (hssize_t i = 0; i < n; ++i) {
    std::string value(buffer.data() + static_cast<std::size_t>(i) * size, size);
    value.erase(value.find_last_not_of(std::string("\0 ", 2)) + 1);
    out.push_back(std::move(value));
  }
  return out;
}

File open_for_reading(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw IoError("cannot read result file " + path.string() + ": no such file");
  }
  // Tried in order. SWMR-read mode lets us read objects past the end of allocation that the
  // superblock records: a writer killed inside a flush may have written objects but not yet
  // the superblock (HDF5 writes it last). Within one process HDF5 shares an open file and
  // refuses a second open whose access properties differ: our ResultWriter evicts on close,
  // another library (h5py) does not.
  struct Attempt {
    unsigned flags;
    bool evict_on_close;
  };
  const Attempt attempts[] = {
      {H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, true}, {H5F_ACC_RDONLY, true}, {H5F_ACC_RDONLY, false}};
  const std::string name = path.string();
  std::string first_error;
  for (const Attempt& attempt : attempts) {
    PropertyList fapl(check(H5Pcreate(H5P_FILE_ACCESS), "open file", path));
    // No flock: a writer in another process holds the file for hours, and HDF5 1.10 would
    // refuse us; the writer keeps the on-disk state consistent at each flush. The close
    // degree is the writer's (and h5py's).
    check(H5Pset_file_locking(fapl.get(), false, true), "open file", path);
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "open file", path);
    check(H5Pset_evict_on_close(fapl.get(), attempt.evict_on_close), "open file", path);
    // SWMR readers retry a metadata read whose checksum fails up to 100 times, sleeping in
    // between; in a killed writer's file a bad checksum is damage, not a race: fail at once.
    check(H5Pset_metadata_read_attempts(fapl.get(), 1), "open file", path);
    const hid_t id = H5Fopen(name.c_str(), attempt.flags, fapl.get());
    if (id >= 0) return File(id);
    const std::string message = take_error_message();
    if (first_error.empty()) first_error = message;
  }
  throw IoError("open result file (" + name + "): " + first_error);
}

}  // namespace hphtsim::io::hdf5

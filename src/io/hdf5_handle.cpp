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

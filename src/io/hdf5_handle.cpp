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
  Datatype type = make_string_type();
  Dataspace space(check(H5Screate(H5S_SCALAR), what, path));
  Attribute attr(
      check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
            what, path));
  const char* data = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &data), what, path);
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
  // Fixed-length (as other tools may write): read the bytes and drop the padding.
  const std::size_t size = H5Tget_size(file_type.get());
  std::vector<char> buffer(size + 1, '\0');
  Datatype mem_type(check(H5Tcopy(H5T_C_S1), what, path));
  check(H5Tset_size(mem_type.get(), size), what, path);
  check(H5Aread(attr.get(), mem_type.get(), buffer.data()), what, path);
  std::string value(buffer.data(), size);
  value.erase(value.find_last_not_of(std::string("\0 ", 2)) + 1);
  return value;
}

File open_for_reading(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw IoError("cannot read result file " + path.string() + ": no such file");
  }
  PropertyList fapl(check(H5Pcreate(H5P_FILE_ACCESS), "open file", path));
  // A writer in another process keeps the file open for hours; HDF5 1.10's default flock
  // would refuse us. We only read, and the writer keeps the on-disk state consistent at each
  // flush. Same close degree as the writer (and h5py): HDF5 refuses a second open of the same
  // file within a process if the degrees differ.
  check(H5Pset_file_locking(fapl.get(), false, true), "open file", path);
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "open file", path);
  return File(check(H5Fopen(path.string().c_str(), H5F_ACC_RDONLY, fapl.get()),
                    "open result file", path));
}

}  // namespace hphtsim::io::hdf5

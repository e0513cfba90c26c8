// SPDX-License-Identifier: MIT
// The thin RAII layer over HDF5's C API that io/ is built on: a move-only owner of one hid_t
// per kind of identifier (each closed with its own H5?close), a guard that keeps HDF5 from
// printing its error stack to stderr, and checks that turn a failed call into an IoError that
// names the file, the operation and HDF5's own innermost message. Below them the generic
// reads and writes every io/ file shares (attributes, 1-D datasets, strings, group listings);
// what a result or checkpoint file holds is decided by their writers, not here. Only io/ (and
// its tests) include this header: it pulls in <hdf5.h>.
#pragma once

#include <hdf5.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hphtsim::io::hdf5 {

/// Owns one HDF5 identifier and closes it with `Close` (H5Fclose, H5Dclose, ...).
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) noexcept : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  /// Closes now and reports HDF5's status (the destructor ignores it).
  herr_t close() noexcept {
    herr_t status = 0;
    if (id_ >= 0) status = Close(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }
  void reset(hid_t id = H5I_INVALID_HID) noexcept {
    if (id_ >= 0) Close(id_);
    id_ = id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Attribute = Handle<H5Aclose>;
using Datatype = Handle<H5Tclose>;
using PropertyList = Handle<H5Pclose>;

/// While alive, HDF5 prints nothing on failure (we report through IoError instead); restores
/// the previous handler afterwards so that other HDF5 users in the process (h5py) keep theirs.
class ErrorSilencer {
 public:
  ErrorSilencer() noexcept;
  ~ErrorSilencer();
  ErrorSilencer(const ErrorSilencer&) = delete;
  ErrorSilencer& operator=(const ErrorSilencer&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// The innermost (most specific) description on HDF5's error stack, then clears the stack.
std::string take_error_message();

/// Throws IoError("<what> (<path>): <HDF5 message>") if `status` < 0, else returns it.
hid_t check(hid_t status, std::string_view what, const std::filesystem::path& path);

/// A variable-length UTF-8 string type (what h5py reads back as `str`).
Datatype make_string_type();

/// Creates (or replaces) a scalar fixed-length UTF-8 string attribute on `object`.
void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::filesystem::path& path);
/// Reads a scalar string attribute, variable- or fixed-length.
std::string read_string_attribute(hid_t object, const std::string& name,
                                  const std::filesystem::path& path);

/// Throws IoError unless `name` can be an HDF5 link name as it is: not empty, no '/', not "."
/// or ".." (which HDF5 resolves as paths). `kind` says what it names ("field", "time-series").
void check_link_name(const std::string& name, const char* kind);

/// Object-creation property list (`plist_class` H5P_DATASET_CREATE or H5P_GROUP_CREATE)
/// without modification times: two runs of the same input then give the same objects.
PropertyList untimed(hid_t plist_class, const std::filesystem::path& path);
/// Untimed group-creation list whose links remember their creation order (link_names then
/// lists them in the order they were made, not alphabetically).
PropertyList ordered_group(const std::filesystem::path& path);

bool has_link(hid_t group, const std::string& name, const std::filesystem::path& path);
Group open_group(hid_t parent, const std::string& name, const std::filesystem::path& path);
/// Link names of a group, in creation order where the group tracks it, else by name.
std::vector<std::string> link_names(hid_t group, const std::filesystem::path& path);
/// Attribute names of an object, by name.
std::vector<std::string> attribute_names(hid_t object, const std::filesystem::path& path);

/// Creates (or replaces) a scalar float64 attribute.
void write_double_attribute(hid_t object, const std::string& name, double value,
                            const std::filesystem::path& path);
/// Reads a scalar numeric attribute as a double.
double read_double_attribute(hid_t object, const std::string& name,
                             const std::filesystem::path& path);
/// The string attribute `name`, or `fallback` if the object has none.
std::string read_string_attribute_or(hid_t object, const std::string& name,
                                     const std::string& fallback,
                                     const std::filesystem::path& path);

/// Creates an untimed 1-D float64 dataset holding `values` and returns it (open, for the
/// caller's attributes).
Dataset write_doubles(hid_t parent, const std::string& name, const std::vector<double>& values,
                      const std::filesystem::path& path);
/// Reads a whole numeric dataset as doubles; `dims` gets its shape.
std::vector<double> read_doubles(hid_t dataset, const std::filesystem::path& path,
                                 std::vector<hsize_t>* dims = nullptr);
/// Creates an untimed scalar (`scalar`, one value) or 1-D dataset of variable-length UTF-8
/// strings.
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values,
                   bool scalar, const std::filesystem::path& path);
/// Reads a string dataset (variable- or fixed-length, scalar or 1-D).
std::vector<std::string> read_strings(hid_t dataset, const std::filesystem::path& path);

/// Opens an existing file read-only without taking HDF5's file lock, so that a file a running
/// writer holds (or one a killed writer left) can be read.
File open_for_reading(const std::filesystem::path& path);

}  // namespace hphtsim::io::hdf5

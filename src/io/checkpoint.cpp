// SPDX-License-Identifier: MIT
#include "hphtsim/io/checkpoint.hpp"

#include "hphtsim/core/error.hpp"
#include "hphtsim/io/atomic_file.hpp"
#include "hphtsim/io/hdf5_handle.hpp"

namespace hphtsim::io {

namespace fs = std::filesystem;
using hdf5::check;

fs::path checkpoint_path_for(const fs::path& result) {
  fs::path p = result;
  p.replace_extension(".checkpoint.h5");
  return p;
}

void write_checkpoint(const fs::path& path, const CheckpointData& data) {
  hdf5::ErrorSilencer quiet;
  // Built under path + ".tmp", synced and renamed over the previous checkpoint.
  replace_file(path, [&](const fs::path& tmp) {
    hdf5::File file(check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                          "create checkpoint", tmp));
    hdf5::write_string_attribute(file.get(), "config", data.config_yaml, tmp);
    hdf5::Group scalars(
        check(H5Gcreate2(file.get(), "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "write checkpoint", tmp));
    for (const auto& [name, value] : data.scalars) {
      hdf5::write_double_attribute(scalars.get(), name, value, tmp);
    }
    hdf5::Group arrays(
        check(H5Gcreate2(file.get(), "arrays", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "write checkpoint", tmp));
    for (const auto& [name, values] : data.arrays) {
      hdf5::write_doubles(arrays.get(), name, values, tmp);
    }
    scalars.reset();
    arrays.reset();
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush checkpoint", tmp);
    if (file.close() < 0) throw IoError("cannot close checkpoint " + tmp.string());
  });
}

CheckpointData read_checkpoint(const fs::path& path) {
  hdf5::ErrorSilencer quiet;
  if (!fs::exists(path))
    throw IoError("no checkpoint at " + path.string() + " (nothing to restart from)");
  hdf5::File file = hdf5::open_for_reading(path);
  CheckpointData data;
  data.config_yaml = hdf5::read_string_attribute(file.get(), "config", path);
  hdf5::Group scalars = hdf5::open_group(file.get(), "scalars", path);
  for (const auto& name : hdf5::attribute_names(scalars.get(), path)) {
    data.scalars[name] = hdf5::read_double_attribute(scalars.get(), name, path);
  }
  hdf5::Group arrays = hdf5::open_group(file.get(), "arrays", path);
  for (const auto& name : hdf5::link_names(arrays.get(), path)) {
    hdf5::Dataset d(check(H5Dopen2(arrays.get(), name.c_str(), H5P_DEFAULT),
                          "read checkpoint array " + name, path));
    data.arrays[name] = hdf5::read_doubles(d.get(), path);
  }
  return data;
}

}  // namespace hphtsim::io

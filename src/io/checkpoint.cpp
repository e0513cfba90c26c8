// SPDX-License-Identifier: MIT
#include "hphtsim/io/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "hphtsim/core/error.hpp"
#include "hphtsim/io/hdf5_handle.hpp"

namespace hphtsim::io {

namespace fs = std::filesystem;
using hdf5::check;

fs::path checkpoint_path_for(const fs::path& result) {
  fs::path p = result;
  p.replace_extension(".checkpoint.h5");
  return p;
}

namespace {

void fsync_path(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_checkpoint(const fs::path& path, const CheckpointData& data) {
  hdf5::ErrorSilencer quiet;
  const fs::path tmp = path.string() + ".tmp";
  {
    hdf5::File file(check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                          "create checkpoint", tmp));
    hdf5::write_string_attribute(file.get(), "config", data.config_yaml, tmp);
    hdf5::Group scalars(
        check(H5Gcreate2(file.get(), "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "write checkpoint", tmp));
    hdf5::Dataspace scalar_space(check(H5Screate(H5S_SCALAR), "write checkpoint", tmp));
    for (const auto& [name, value] : data.scalars) {
      hdf5::Attribute a(check(H5Acreate2(scalars.get(), name.c_str(), H5T_IEEE_F64LE,
                                         scalar_space.get(), H5P_DEFAULT, H5P_DEFAULT),
                              "write checkpoint scalar " + name, tmp));
      check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value), "write checkpoint scalar " + name, tmp);
    }
    hdf5::Group arrays(
        check(H5Gcreate2(file.get(), "arrays", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "write checkpoint", tmp));
    for (const auto& [name, values] : data.arrays) {
      const hsize_t n = values.size();
      hdf5::Dataspace space(
          check(H5Screate_simple(1, &n, nullptr), "write checkpoint array " + name, tmp));
      hdf5::Dataset d(check(H5Dcreate2(arrays.get(), name.c_str(), H5T_IEEE_F64LE, space.get(),
                                       H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            "write checkpoint array " + name, tmp));
      if (n > 0)
        check(H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              "write checkpoint array " + name, tmp);
    }
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush checkpoint", tmp);
    if (file.close() < 0) throw IoError("cannot close checkpoint " + tmp.string());
  }
  // Data on disk before the rename makes it visible; then the directory entry itself.
  fsync_path(tmp);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    throw IoError("cannot move checkpoint into place at " + path.string() + ": " + ec.message());
  fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

CheckpointData read_checkpoint(const fs::path& path) {
  hdf5::ErrorSilencer quiet;
  if (!fs::exists(path))
    throw IoError("no checkpoint at " + path.string() + " (nothing to restart from)");
  hdf5::File file = hdf5::open_for_reading(path);
  CheckpointData data;
  data.config_yaml = hdf5::read_string_attribute(file.get(), "config", path);
  hdf5::Group scalars(check(H5Gopen2(file.get(), "scalars", H5P_DEFAULT), "read checkpoint", path));
  H5O_info_t info;
  check(H5Oget_info(scalars.get(), &info), "read checkpoint", path);
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    hdf5::Attribute a(check(
        H5Aopen_by_idx(scalars.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
        "read checkpoint", path));
    char name[256];
    H5Aget_name(a.get(), sizeof name, name);
    double v = 0.0;
    check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), "read checkpoint scalar", path);
    data.scalars[name] = v;
  }
  hdf5::Group arrays(check(H5Gopen2(file.get(), "arrays", H5P_DEFAULT), "read checkpoint", path));
  H5G_info_t ginfo;
  check(H5Gget_info(arrays.get(), &ginfo), "read checkpoint", path);
  for (hsize_t i = 0; i < ginfo.nlinks; ++i) {
    char name[256];
    H5Lget_name_by_idx(arrays.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                       H5P_DEFAULT);
    hdf5::Dataset d(
        check(H5Dopen2(arrays.get(), name, H5P_DEFAULT), "read checkpoint array", path));
    hdf5::Dataspace space(check(H5Dget_space(d.get()), "read checkpoint array", path));
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    std::vector<double> v(std::size_t(std::max<hssize_t>(n, 0)));
    if (n > 0)
      check(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
            "read checkpoint array", path);
    data.arrays[name] = std::move(v);
  }
  return data;
}

}  // namespace hphtsim::io

// SPDX-License-Identifier: MIT
#include "result_layout.hpp"

#include <cstdio>

namespace hphtsim::io::layout {

std::string snapshot_name(int n) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%06d", n);
  return buffer;
}

hdf5::Group open_snapshot(hid_t snapshots, int n) {
  const std::string expected = snapshot_name(n);
  char name[32] = {};
  if (H5Lget_name_by_idx(snapshots, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(n), name, sizeof name,
                         H5P_DEFAULT) < 0 ||
      expected != name) {
    hdf5::take_error_message();
    return {};
  }
  const hid_t id =
      H5Oopen_by_idx(snapshots, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(n), H5P_DEFAULT);
  if (id < 0) {
    hdf5::take_error_message();
    return {};
  }
  if (H5Iget_type(id) != H5I_GROUP) {
    H5Oclose(id);
    return {};
  }
  hdf5::Group group(id);
  if (H5Aexists(group.get(), "time") <= 0) {
    hdf5::take_error_message();
    return {};
  }
  return group;
}

}  // namespace hphtsim::io::layout

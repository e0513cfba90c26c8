// SPDX-License-Identifier: MIT
#include "hphtsim/io/xdmf.hpp"

#include <charconv>
#include <sstream>

namespace hphtsim::io::xdmf {

std::string exact(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string snapshot_grid(std::string_view h5_file, int nx, int ny, int nz,
                          std::string_view snapshot, double time_s,
                          const std::vector<Attribute>& fields, bool axisymmetric) {
  const std::string h5 = escape(h5_file);
  const std::string cells =
      std::to_string(nz) + " " + std::to_string(ny) + " " + std::to_string(nx);
  const std::string nodes =
      std::to_string(nz + 1) + " " + std::to_string(ny + 1) + " " + std::to_string(nx + 1);
  std::ostringstream os;
  os << "      <Grid Name=\"" << snapshot << "\" GridType=\"Uniform\">\n"
     << "        <Time Value=\"" << exact(time_s) << "\"/>\n"
     ;
  // The cell data keep their file shape (nz, ny, nx): on the 2-D mesh ny = 1 and the counts agree.
  if (axisymmetric)
    os << "        <Topology TopologyType=\"2DRectMesh\" Dimensions=\"" << nz + 1 << " " << nx + 1 << "\"/>\n"
       << "        <Geometry GeometryType=\"VXVY\">\n";
  else
    os << "        <Topology TopologyType=\"3DRectMesh\" Dimensions=\"" << nodes << "\"/>\n"
       << "        <Geometry GeometryType=\"VXVYVZ\">\n";
  const int edges[3] = {nx + 1, ny + 1, nz + 1};
  const char* axes[3] = {"x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    if (axisymmetric && a == 1) continue;  // the angle is not a coordinate of the half-plane
    os << "          <DataItem Dimensions=\"" << edges[a]
       << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << h5 << ":/grid/" << axes[a]
       << "</DataItem>\n";
  }
  os << "        </Geometry>\n"
     << "        <Attribute Name=\"material\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
     << "          <DataItem Dimensions=\"" << cells
     << "\" NumberType=\"Int\" Precision=\"4\" Format=\"HDF\">" << h5 << ":/material</DataItem>\n"
     << "        </Attribute>\n";
  for (const auto& field : fields) {
    const std::string escaped = escape(field.name);
    os << "        <Attribute Name=\"" << escaped
       << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
       << "          <Information Name=\"units\" Value=\"" << escape(field.units) << "\"/>\n"
       << "          <DataItem Dimensions=\"" << cells
       << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" << h5 << ":/snapshots/"
       << snapshot << "/" << escaped << "</DataItem>\n"
       << "        </Attribute>\n";
  }
  os << "      </Grid>\n";
  return os.str();
}

std::string document(std::string_view grids) {
  std::string text =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Xdmf Version=\"3.0\">\n"
      "  <Domain>\n"
      "    <Grid Name=\"hphtsim\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  text += grids;
  text +=
      "    </Grid>\n"
      "  </Domain>\n"
      "</Xdmf>\n";
  return text;
}

}  // namespace hphtsim::io::xdmf

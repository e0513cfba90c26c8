// SPDX-License-Identifier: MIT
// io/xdmf: the ParaView sidecar's text, without any HDF5 file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "hphtsim/io/xdmf.hpp"

namespace hphtsim::io::xdmf {
namespace {

TEST(Xdmf, OneSnapshotGridPointsAtTheMeshMaterialsAndFields) {
  // Cells 3 (x) x 2 (y) x 1 (z): XDMF wants the slowest axis first, nodes one more per axis.
  const std::string grid =
      snapshot_grid("run.h5", 3, 2, 1, "000007", 1200.0, {{"T", "K"}, {"q", "W/m^3"}});
  const std::string expected =
      "      <Grid Name=\"000007\" GridType=\"Uniform\">\n"
      "        <Time Value=\"1200\"/>\n"
      "        <Topology TopologyType=\"3DRectMesh\" Dimensions=\"2 3 4\"/>\n"
      "        <Geometry GeometryType=\"VXVYVZ\">\n"
      "          <DataItem Dimensions=\"4\" NumberType=\"Float\" Precision=\"8\" "
      "Format=\"HDF\">run.h5:/grid/x</DataItem>\n"
      "          <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
      "Format=\"HDF\">run.h5:/grid/y</DataItem>\n"
      "          <DataItem Dimensions=\"2\" NumberType=\"Float\" Precision=\"8\" "
      "Format=\"HDF\">run.h5:/grid/z</DataItem>\n"
      "        </Geometry>\n"
      "        <Attribute Name=\"material\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      "          <DataItem Dimensions=\"1 2 3\" NumberType=\"Int\" Precision=\"4\" "
      "Format=\"HDF\">run.h5:/material</DataItem>\n"
      "        </Attribute>\n"
      "        <Attribute Name=\"T\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      "          <Information Name=\"units\" Value=\"K\"/>\n"
      "          <DataItem Dimensions=\"1 2 3\" NumberType=\"Float\" Precision=\"8\" "
      "Format=\"HDF\">run.h5:/snapshots/000007/T</DataItem>\n"
      "        </Attribute>\n"
      "        <Attribute Name=\"q\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
      "          <Information Name=\"units\" Value=\"W/m^3\"/>\n"
      "          <DataItem Dimensions=\"1 2 3\" NumberType=\"Float\" Precision=\"8\" "
      "Format=\"HDF\">run.h5:/snapshots/000007/q</DataItem>\n"
      "        </Attribute>\n"
      "      </Grid>\n";
  EXPECT_EQ(grid, expected);
}

TEST(Xdmf, TheDocumentIsATemporalCollectionOfTheGrids) {
  const std::string head =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Xdmf Version=\"3.0\">\n"
      "  <Domain>\n"
      "    <Grid Name=\"hphtsim\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  const std::string tail = "    </Grid>\n  </Domain>\n</Xdmf>\n";
  EXPECT_EQ(document(""), head + tail);  // before the first snapshot: valid, and empty
  const std::string grids = snapshot_grid("a.h5", 1, 1, 1, "000000", 0.0, {}) +
                            snapshot_grid("a.h5", 1, 1, 1, "000001", 60.0, {});
  EXPECT_EQ(document(grids), head + grids + tail);
}

TEST(Xdmf, NamesAreEscapedAndTimesReadBackExactly) {
  EXPECT_EQ(escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  const std::string grid = snapshot_grid("R&D <1>.h5", 1, 1, 1, "000000", 0.1, {{"T<x>", "\"K\""}});
  EXPECT_NE(grid.find(">R&amp;D &lt;1&gt;.h5:/material<"), std::string::npos) << grid;
  EXPECT_NE(grid.find("Attribute Name=\"T&lt;x&gt;\""), std::string::npos) << grid;
  EXPECT_NE(grid.find("Value=\"&quot;K&quot;\""), std::string::npos) << grid;
  EXPECT_NE(grid.find("/snapshots/000000/T&lt;x&gt;<"), std::string::npos) << grid;
  EXPECT_EQ(grid.find("<x>"), std::string::npos) << grid;

  for (const double t : {0.0, 0.1, 1.0 / 3.0, 1814400.0, 123456.789e-3, 5e-324}) {
    EXPECT_EQ(std::strtod(exact(t).c_str(), nullptr), t) << exact(t);
  }
  EXPECT_EQ(exact(0.1), "0.1");
  EXPECT_EQ(exact(7200.0), "7200");
}

}  // namespace
}  // namespace hphtsim::io::xdmf

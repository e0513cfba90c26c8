// SPDX-License-Identifier: MIT
#include "hphtsim/geometry/assembly.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "hphtsim/core/error.hpp"

namespace hphtsim::geometry {
namespace {

constexpr const char* length_what = "a length such as \"2.5 mm\"";
// Tolerance for "inside the cell": round-off of mm values converted to m.
constexpr double geometric_tolerance = 1e-9;

void radial_axial(const Primitive& p, double x, double y, double z, double& r2, double& a) {
  double d[3] = {x - p.center[0], y - p.center[1], z - p.center[2]};
  a = d[p.axis];
  r2 = 0.0;
  for (int c = 0; c < 3; ++c)
    if (c != p.axis) r2 += d[c] * d[c];
}

}  // namespace

bool Primitive::contains(double x, double y, double z) const {
  switch (shape) {
    case Shape::box:
      return std::abs(x - center[0]) <= 0.5 * size[0] && std::abs(y - center[1]) <= 0.5 * size[1] &&
             std::abs(z - center[2]) <= 0.5 * size[2];
    case Shape::cylinder:
    case Shape::disk: {
      double r2, a;
      radial_axial(*this, x, y, z, r2, a);
      return r2 <= radius * radius && std::abs(a) <= 0.5 * height;
    }
    case Shape::tube: {
      double r2, a;
      radial_axial(*this, x, y, z, r2, a);
      return r2 <= radius * radius && r2 >= inner_radius * inner_radius && std::abs(a) <= 0.5 * height;
    }
    case Shape::sphere: {
      double dx = x - center[0], dy = y - center[1], dz = z - center[2];
      return dx * dx + dy * dy + dz * dz <= radius * radius;
    }
  }
  return false;
}

std::array<double, 6> Primitive::bounds() const {
  std::array<double, 3> half{};
  switch (shape) {
    case Shape::box:
      half = {0.5 * size[0], 0.5 * size[1], 0.5 * size[2]};
      break;
    case Shape::sphere:
      half = {radius, radius, radius};
      break;
    default:
      half = {radius, radius, radius};
      half[axis] = 0.5 * height;
  }
  return {center[0] - half[0], center[1] - half[1], center[2] - half[2],
          center[0] + half[0], center[1] + half[1], center[2] + half[2]};
}

std::array<double, 6> Seed::bounds() const {
  const double h = 0.5 * size, r = revolved ? revolved_radius() : h;
  return {center[0] - r, center[1] - r, center[2] - h, center[0] + r, center[1] + r, center[2] + h};
}

bool Seed::contains(double x, double y, double z) const {
  const auto b = bounds();
  if (revolved) {
    const double dx = x - center[0], dy = y - center[1], r = revolved_radius();
    return dx * dx + dy * dy <= r * r && z >= b[2] && z <= b[5];
  }
  return x >= b[0] && x <= b[3] && y >= b[1] && y <= b[4] && z >= b[2] && z <= b[5];
}

int Assembly::find_primitive(const std::string& name) const {
  for (std::size_t i = 0; i < primitives.size(); ++i)
    if (primitives[i].name == name) return int(i);
  return -1;
}

Assembly Assembly::from_config(const core::ConfigNode& root) {
  using namespace core;
  Assembly a;
  ConfigNode cell = root.at("cell");
  auto size = cell.quantities("size", 3, dim::length, length_what);
  for (int c = 0; c < 3; ++c)
    if (!(size[c] >= 1e-6 && size[c] <= 100.0)) cell.fail_key("size", "cell edges must lie between 1 um and 100 m");
  a.cell_size = {size[0], size[1], size[2]};

  auto inside_cell = [&](const std::array<double, 6>& b) {
    for (int c = 0; c < 3; ++c)
      if (b[c] < -0.5 * a.cell_size[c] - geometric_tolerance || b[c + 3] > 0.5 * a.cell_size[c] + geometric_tolerance)
        return false;
    return true;
  };

  ConfigNode list = root.at("assembly");
  std::map<std::string, int> seen;
  for (const auto& item : list.items()) {
    Primitive p;
    p.name = item.string("name");
    if (seen.count(p.name)) item.fail_key("name", "'" + p.name + "' is used twice; primitive names must be unique");
    seen[p.name] = 1;
    p.material = item.string("material");
    std::string shape = item.string("shape");
    auto c = item.quantities("center", 3, dim::length, length_what);
    p.center = {c[0], c[1], c[2]};
    std::string axis = item.string_or("axis", "z");
    if (axis == "x") p.axis = 0;
    else if (axis == "y") p.axis = 1;
    else if (axis == "z") p.axis = 2;
    else item.fail_key("axis", "expected x, y or z");
    auto positive = [&](const char* key) {
      double v = item.quantity(key, dim::length, length_what);
      if (!(v > 0.0)) item.fail_key(key, "must be positive");
      return v;
    };
    if (shape == "box") {
      p.shape = Shape::box;
      auto s = item.quantities("size", 3, dim::length, length_what);
      for (int k = 0; k < 3; ++k)
        if (!(s[k] > 0.0)) item.fail_key("size", "box edges must be positive");
      p.size = {s[0], s[1], s[2]};
    } else if (shape == "cylinder" || shape == "disk") {
      p.shape = shape == "disk" ? Shape::disk : Shape::cylinder;
      p.radius = positive("radius");
      p.height = positive("height");
    } else if (shape == "tube") {
      p.shape = Shape::tube;
      p.radius = positive("outer_radius");
      p.inner_radius = positive("inner_radius");
      p.height = positive("height");
      if (!(p.inner_radius < p.radius)) item.fail_key("inner_radius", "must be smaller than outer_radius");
    } else if (shape == "sphere") {
      p.shape = Shape::sphere;
      p.radius = positive("radius");
    } else {
      item.fail_key("shape", "'" + shape + "' is not a shape; expected box, cylinder, disk, tube or sphere");
    }
    if (!inside_cell(p.bounds()))
      item.fail("primitive '" + p.name + "' extends outside the cell (cell.size)");
    a.primitives.push_back(std::move(p));
  }
  if (a.primitives.empty()) list.fail("the assembly needs at least one primitive");

  if (auto seeds = root.find("seeds")) {
    for (const auto& item : seeds->items()) {
      Seed s;
      s.name = item.string("name");
      auto c = item.quantities("center", 3, dim::length, length_what);
      s.center = {c[0], c[1], c[2]};
      s.size = item.quantity("size", dim::length, length_what);
      if (!(s.size > 0.0)) item.fail_key("size", "must be positive");
      std::string o = item.string_or("orientation", "100");
      if (o == "100") s.orientation = SeedOrientation::face100;
      else if (o == "111") s.orientation = SeedOrientation::face111;
      else item.fail_key("orientation", "expected \"100\" or \"111\" (the face that points up)");
      s.material = item.string_or("material", "diamond");
      if (!inside_cell(s.bounds())) item.fail("seed '" + s.name + "' lies outside the cell");
      for (const auto& other : a.seeds) {
        auto b1 = s.bounds(), b2 = other.bounds();
        bool overlap = true;
        for (int k = 0; k < 3; ++k) overlap = overlap && b1[k] < b2[k + 3] && b2[k] < b1[k + 3];
        if (overlap) item.fail("seed '" + s.name + "' overlaps seed '" + other.name + "'");
        if (other.name == s.name) item.fail_key("name", "'" + s.name + "' is used twice");
      }
      a.seeds.push_back(std::move(s));
    }
  }
  return a;
}

MaterialMap paint(const Assembly& assembly, const core::Grid& grid) {
  MaterialMap map;
  const std::size_t n = grid.size();
  map.region.assign(n, -1);
  map.material.assign(n, -1);
  const int np = int(assembly.primitives.size());

#pragma omp parallel for schedule(static)
  for (int k = 0; k < grid.nz; ++k)
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) {
        const double x = grid.xc(i), y = grid.yc(j), z = grid.zc(k);
        int owner = -1;
        for (int p = 0; p < np; ++p)
          if (assembly.primitives[p].contains(x, y, z)) owner = p;
        for (std::size_t s = 0; s < assembly.seeds.size(); ++s)
          if (assembly.seeds[s].contains(x, y, z)) owner = np + int(s);
        map.region[grid.index(i, j, k)] = owner;
      }
  // Cells that a surface crosses belong to their largest part.
  map.mixed = mixed_cells(assembly, grid);
  map.mixed_index.assign(n, -1);
  for (std::size_t m = 0; m < map.mixed.size(); ++m) {
    map.mixed_index[map.mixed[m].cell] = std::int32_t(m);
    map.region[map.mixed[m].cell] = map.mixed[m].parts[0].region;
  }

  // A seed smaller than a cell owns none by its largest part: it gets the cell that holds most
  // of it (the crystal grows from a grid cell; its mass starts from the seed's own volume).
  for (std::size_t s = 0; s < assembly.seeds.size(); ++s) {
    const int r = np + int(s);
    if (std::find(map.region.begin(), map.region.end(), r) != map.region.end()) continue;
    double best = 0.0;
    std::size_t at = n;
    for (const auto& mc : map.mixed)
      for (const auto& p : mc.parts)
        if (p.region == r && p.fraction > best + 1e-12) {
          best = p.fraction;
          at = mc.cell;
        }
    if (at < n) map.region[at] = r;
  }

  std::vector<std::size_t> count(np + assembly.seeds.size(), 0);
  for (std::size_t c = 0; c < n; ++c) {
    if (map.region[c] < 0) throw ConfigError("assembly", "part of the cell is covered by no primitive; start with a box that fills cell.size");
    ++count[map.region[c]];
  }
  for (int p = 0; p < np; ++p)
    if (count[p] == 0)
      throw ConfigError("assembly." + std::to_string(p),
                        "primitive '" + assembly.primitives[p].name + "' covers no grid cell (too thin for the grid, or hidden by later primitives); refine cell.cells");
  for (std::size_t s = 0; s < assembly.seeds.size(); ++s)
    if (count[np + s] == 0)
      throw ConfigError("seeds." + std::to_string(s), "seed '" + assembly.seeds[s].name + "' covers no grid cell; refine cell.cells");

  // Material ids in order of first appearance in the primitive list (seeds last).
  std::map<std::string, int> id;
  auto material_of_region = [&](int r) -> const std::string& {
    return r < np ? assembly.primitives[r].material : assembly.seeds[r - np].material;
  };
  std::vector<int> region_material(np + assembly.seeds.size());
  for (std::size_t r = 0; r < region_material.size(); ++r) {
    const std::string& m = material_of_region(int(r));
    auto it = id.find(m);
    if (it == id.end()) {
      it = id.emplace(m, int(map.names.size())).first;
      map.names.push_back(m);
    }
    region_material[r] = it->second;
  }
  for (std::size_t c = 0; c < n; ++c) map.material[c] = region_material[map.region[c]];
  map.region_material.assign(region_material.begin(), region_material.end());
  return map;
}

void MaterialMap::reassign(std::size_t c, std::int32_t new_region) {
  const std::int32_t m = mixed_index.empty() ? -1 : mixed_index[c];
  if (m >= 0)
    for (auto& p : mixed[std::size_t(m)].parts)
      if (p.region == region[c]) p.region = new_region;
  region[c] = new_region;
  material[c] = region_material[std::size_t(new_region)];
}

}  // namespace hphtsim::geometry

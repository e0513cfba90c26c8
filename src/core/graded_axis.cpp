// SPDX-License-Identifier: MIT
#include "hphtsim/core/graded_axis.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hphtsim::core {
namespace {

/// h(x) = min(h0, min_j s_j + g d_j(x)): a cell grows by at most a factor 1 + g per cell away
/// from every source of small spacing.
struct SpacingFunction {
  std::vector<SpacingRegion> sources;
  double growth = 0.2;  // g
  double at(double x, double h0) const {
    double h = h0;
    for (const auto& r : sources) {
      const double d = x < r.lo ? r.lo - x : (x > r.hi ? x - r.hi : 0.0);
      h = std::min(h, r.spacing + growth * d);
    }
    return h;
  }
};

/// The cells of one interval between interfaces for a given base spacing.
struct Interval {
  double a = 0.0, b = 0.0;
  std::vector<double> x, phi;  // tabulated cumulative integral of dx/h
  int cells = 1;

  void tabulate(const SpacingFunction& h, double h0, double finest) {
    const int m = int(std::clamp(std::ceil(4.0 * (b - a) / finest), 32.0, 4000.0));
    x.resize(std::size_t(m) + 1);
    phi.resize(std::size_t(m) + 1);
    double prev = 1.0 / h.at(a, h0);
    x[0] = a;
    phi[0] = 0.0;
    for (int i = 1; i <= m; ++i) {
      x[std::size_t(i)] = a + (b - a) * double(i) / double(m);
      const double cur = 1.0 / h.at(x[std::size_t(i)], h0);
      phi[std::size_t(i)] = phi[std::size_t(i) - 1] + 0.5 * (prev + cur) * (x[std::size_t(i)] - x[std::size_t(i) - 1]);
      prev = cur;
    }
    cells = std::max(1, int(std::lround(phi.back())));
  }
  /// Interior edges by equidistribution of the integral over `cells` cells.
  void edges(std::vector<double>& out) const {
    out.push_back(a);
    std::size_t i = 1;
    for (int k = 1; k < cells; ++k) {
      const double target = phi.back() * double(k) / double(cells);
      while (i + 1 < phi.size() && phi[i] < target) ++i;
      const double w = (target - phi[i - 1]) / std::max(phi[i] - phi[i - 1], 1e-300);
      out.push_back(x[i - 1] + w * (x[i] - x[i - 1]));
    }
  }
};

struct Layout {
  std::vector<double> edges;
  int count() const { return int(edges.size()) - 1; }
};

/// Makes neighbouring cells differ by at most max_ratio while every interval keeps its length
/// and count: alternating projections in log-size space, onto each violated pair constraint
/// (both sizes moved towards each other by half the excess) and onto the interval lengths (all
/// sizes of an interval scaled alike). Returns false when they did not converge (too few cells).
bool limit_ratio(std::vector<double>& size, const std::vector<int>& owner, const std::vector<Interval>& intervals,
                 double max_ratio) {
  const double bound = std::log(max_ratio);
  std::vector<double> y(size.size()), sum(intervals.size());
  for (std::size_t c = 0; c < size.size(); ++c) y[c] = std::log(size[c]);
  auto worst_excess = [&] {
    double w = 0.0;
    for (std::size_t c = 0; c + 1 < y.size(); ++c) w = std::max(w, std::abs(y[c] - y[c + 1]) - bound);
    return w;
  };
  double last_check = worst_excess();
  for (int it = 0; it < 2000 && worst_excess() > 0.0; ++it) {
    if (it % 25 == 24) {  // stalled: too few cells for the bound
      const double w = worst_excess();
      if (w > 0.99 * last_check) return false;
      last_check = w;
    }
    // Sweeps alternate in direction, so that the result does not lean to one side.
    const bool forward = it % 2 == 0;
    for (std::size_t n = 0; n + 1 < y.size(); ++n) {
      const std::size_t c = forward ? n : y.size() - 2 - n;
      const double d = y[c] - y[c + 1];
      const double excess = std::abs(d) - 0.97 * bound;  // aim a little inside the bound
      if (excess <= 0.0) continue;
      const double shift = 0.5 * excess * (d > 0.0 ? 1.0 : -1.0);
      y[c] -= shift;
      y[c + 1] += shift;
    }
    std::fill(sum.begin(), sum.end(), 0.0);
    for (std::size_t c = 0; c < y.size(); ++c) sum[std::size_t(owner[c])] += std::exp(y[c]);
    for (std::size_t c = 0; c < y.size(); ++c) {
      const Interval& iv = intervals[std::size_t(owner[c])];
      y[c] += std::log((iv.b - iv.a) / sum[std::size_t(owner[c])]);
    }
  }
  for (std::size_t c = 0; c < y.size(); ++c) size[c] = std::exp(y[c]);
  return worst_excess() <= 0.0;
}

Layout lay_out(std::vector<Interval>& intervals, const SpacingFunction& h, double h0, double finest,
               double max_ratio, bool mirrored) {
  for (auto& iv : intervals) iv.tabulate(h, h0, finest);
  const std::size_t K = intervals.size();
  if (mirrored)  // the same counts on both sides (round-off may have split them)
    for (std::size_t v = 0; v < K; ++v) intervals[v].cells = std::max(intervals[v].cells, intervals[K - 1 - v].cells);
  Layout L;
  for (int pass = 0; pass < 200; ++pass) {
    std::vector<double> edges;
    std::vector<int> owner;  // interval of each cell
    for (std::size_t v = 0; v < intervals.size(); ++v) {
      const std::size_t before = edges.size();
      intervals[v].edges(edges);
      owner.insert(owner.end(), edges.size() - before, int(v));
    }
    edges.push_back(intervals.back().b);
    std::vector<double> size(owner.size());
    for (std::size_t c = 0; c < size.size(); ++c) size[c] = edges[c + 1] - edges[c];
    // Rounding each interval's count up leaves its cells smaller than h by up to a factor 2
    // and so two neighbours across an interface up to 2 apart: redistribute within the
    // intervals, and where that cannot work give the interval with the larger cells one more.
    const bool ok = limit_ratio(size, owner, intervals, max_ratio);
    // A mirror-symmetric axis gets mirror-symmetric cells: the mean of the two sides keeps
    // every interval's length (mirrored intervals are equal) and the ratio bound.
    if (mirrored)
      for (std::size_t c = 0; c < size.size() / 2; ++c) size[c] = size[size.size() - 1 - c] = 0.5 * (size[c] + size[size.size() - 1 - c]);
    L.edges.assign(1, intervals.front().a);
    for (std::size_t c = 0; c < size.size(); ++c) {
      const bool last_of_interval = c + 1 == size.size() || owner[c + 1] != owner[c];
      // Interface edges exactly where they belong (no accumulated round-off).
      L.edges.push_back(last_of_interval ? intervals[std::size_t(owner[c])].b : L.edges.back() + size[c]);
    }
    if (mirrored) {  // exactly mirrored edges (the sums above leave round-off at the middle)
      const std::size_t n = L.edges.size() - 1;
      const double mid = 0.5 * (L.edges.front() + L.edges.back());
      for (std::size_t e = 0; e < (n + 1) / 2; ++e) L.edges[n - e] = 2.0 * mid - L.edges[e];
      if (n % 2 == 0) L.edges[n / 2] = mid;
    }
    if (ok) break;
    std::vector<char> grow(intervals.size(), 0);
    for (std::size_t c = 0; c + 1 < size.size(); ++c) {
      if (size[c] > max_ratio * size[c + 1]) grow[std::size_t(owner[c])] = 1;
      if (size[c + 1] > max_ratio * size[c]) grow[std::size_t(owner[c + 1])] = 1;
    }
    for (std::size_t v = 0; v < K; ++v) intervals[v].cells += grow[v] || (mirrored && grow[K - 1 - v]);
  }
  return L;
}

}  // namespace

double GradedAxis::largest_ratio() const {
  double r = 1.0;
  for (std::size_t i = 2; i < edges.size(); ++i) {
    const double a = edges[i - 1] - edges[i - 2], b = edges[i] - edges[i - 1];
    r = std::max(r, std::max(a / b, b / a));
  }
  return r;
}

GradedAxis graded_axis(const GradedAxisSpec& spec) {
  const double length = spec.hi - spec.lo;
  if (!(length > 0.0)) throw std::invalid_argument("graded axis: empty extent");
  if (spec.budget < 1) throw std::invalid_argument("graded axis: the cell budget must be at least 1");
  if (!(spec.max_ratio > 1.0 && spec.max_ratio <= 4.0))
    throw std::invalid_argument("graded axis: the neighbour ratio must lie in (1, 4]");
  GradedAxis out;

  // Interfaces inside the extent, sorted, a sliver apart merged.
  const double merge = 0.1 * length / spec.budget;
  std::vector<double> in;
  for (double p : spec.interfaces)
    if (p > spec.lo && p < spec.hi) in.push_back(p);
  std::sort(in.begin(), in.end());
  std::vector<double> points{spec.lo};
  for (double p : in) {
    if (p - points.back() < merge) {
      out.largest_merge = std::max(out.largest_merge, p - points.back());
      continue;
    }
    points.push_back(p);
  }
  if (spec.hi - points.back() < merge && points.size() > 1) {
    out.largest_merge = std::max(out.largest_merge, spec.hi - points.back());
    points.back() = spec.hi;
  } else {
    points.push_back(spec.hi);
  }

  // The spacing function's sources: refinement, and each interval at its own length; its
  // growth rate keeps neighbours a little inside the bound (the discrete cells follow h only
  // approximately).
  SpacingFunction h;
  h.growth = 0.75 * (spec.max_ratio - 1.0);
  double finest = length;
  std::vector<Interval> intervals;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    Interval iv;
    iv.a = points[i];
    iv.b = points[i + 1];
    intervals.push_back(iv);
    h.sources.push_back({iv.a, iv.b, iv.b - iv.a});
    finest = std::min(finest, iv.b - iv.a);
  }
  for (const auto& r : spec.refine) {
    if (!(r.spacing > 0.0)) throw std::invalid_argument("graded axis: a refinement spacing must be positive");
    const double lo = std::max(r.lo, spec.lo), hi = std::min(r.hi, spec.hi);
    if (hi < lo) continue;  // outside the extent
    h.sources.push_back({lo, hi, r.spacing});
    finest = std::min(finest, r.spacing);
  }

  // Mirror symmetry about the middle, kept exactly: every spacing source (the intervals between
  // interfaces among them, so the interfaces too) has a twin of equal spacing on the other side.
  const double mid = 0.5 * (spec.lo + spec.hi), tol = 1e-9 * length;
  const bool mirrored = std::all_of(h.sources.begin(), h.sources.end(), [&](const SpacingRegion& r) {
    return std::any_of(h.sources.begin(), h.sources.end(), [&](const SpacingRegion& q) {
      return std::abs(q.lo - (2 * mid - r.hi)) <= tol && std::abs(q.hi - (2 * mid - r.lo)) <= tol &&
             std::abs(q.spacing - r.spacing) <= 1e-9 * r.spacing;
    });
  });

  auto count_at = [&](double h0, Layout* keep) {
    Layout L = lay_out(intervals, h, h0, std::min(finest, h0), spec.max_ratio, mirrored);
    const int n = L.count();
    if (keep) *keep = std::move(L);
    return n;
  };
  // The base spacing: the finest within the budget, else the one of the fewest cells. A scan, then bisection next to the best point: the count falls as h0
  // grows but not strictly (the ratio repair adds cells), so plain bisection can stall.
  const double h_min = length / (4.0 * spec.budget);
  constexpr int scan = 48;
  std::vector<double> h0s(scan + 1);
  std::vector<int> counts(scan + 1);
  int best = -1, fewest = 0;
  for (int i = 0; i <= scan; ++i) {
    h0s[std::size_t(i)] = h_min * std::pow(length / h_min, double(i) / scan);
    counts[std::size_t(i)] = count_at(h0s[std::size_t(i)], nullptr);
    if (counts[std::size_t(i)] <= spec.budget && best < 0) best = i;
    if (counts[std::size_t(i)] < counts[std::size_t(fewest)]) fewest = i;
  }
  double h_hi = h0s[std::size_t(fewest)];
  if (best < 0) {
    out.within_budget = false;
  } else {
    h_hi = h0s[std::size_t(best)];
    if (best > 0 && counts[std::size_t(best - 1)] > spec.budget) {
      double h_lo = h0s[std::size_t(best - 1)];
      for (int it = 0; it < 30; ++it) {
        const double mid = std::sqrt(h_lo * h_hi);
        (count_at(mid, nullptr) <= spec.budget ? h_hi : h_lo) = mid;
      }
    }
  }
  Layout L;
  count_at(h_hi, &L);
  out.edges = std::move(L.edges);
  out.base_spacing = h_hi;
  return out;
}

}  // namespace hphtsim::core

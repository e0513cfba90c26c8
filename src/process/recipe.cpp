// SPDX-License-Identifier: MIT
#include "hphtsim/process/recipe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hphtsim/core/error.hpp"

namespace hphtsim::process {

Schedule::Schedule(double initial, std::vector<Segment> segments) : initial_(initial), segments_(std::move(segments)) {
  double t = 0.0, v = initial_;
  for (const auto& s : segments_) {
    starts_.push_back(v);
    t += s.duration;
    ends_.push_back(t);
    if (s.kind == Segment::Kind::ramp) v = s.target;
  }
}

Schedule Schedule::from_config(const core::ConfigNode& node, const core::Dimension& dim, const std::string& what,
                               double default_start, const ValueCheck& check) {
  double start = default_start;
  if (auto s = node.find("start")) {
    start = s->as_quantity(dim, what);
    if (check) check(*s, start);
  }
  else if (std::isnan(default_start)) node.fail_key("start", "missing required key");
  std::vector<Segment> segs;
  for (const auto& item : node.at("segments").items()) {
    Segment seg;
    const bool ramp = item.has("ramp_to"), hold = item.has("hold");
    if (ramp == hold) item.fail("a segment is either {ramp_to: VALUE, duration: TIME} or {hold: TIME}");
    if (ramp) {
      seg.kind = Segment::Kind::ramp;
      core::ConfigNode target = item.at("ramp_to");
      seg.target = target.as_quantity(dim, what);
      if (check) check(target, seg.target);
      seg.duration = item.quantity("duration", core::dim::time, "a duration such as \"3 h\"");
      if (!(seg.duration > 0.0)) item.fail_key("duration", "must be positive");
    } else {
      seg.kind = Segment::Kind::hold;
      seg.duration = item.quantity("hold", core::dim::time, "a duration such as \"14 d\"");
      if (!(seg.duration > 0.0)) item.fail_key("hold", "must be positive");
    }
    segs.push_back(seg);
  }
  if (segs.empty()) node.fail_key("segments", "needs at least one segment");
  return Schedule(start, std::move(segs));
}

double Schedule::value(double t) const {
  if (segments_.empty() || t <= 0.0) return initial_;
  int i = segment_at(t);
  const Segment& s = segments_[std::size_t(i)];
  if (t >= ends_.back()) return s.kind == Segment::Kind::ramp ? s.target : starts_[std::size_t(i)];
  if (s.kind == Segment::Kind::hold) return starts_[std::size_t(i)];
  const double t0 = ends_[std::size_t(i)] - s.duration;
  const double w = (t - t0) / s.duration;
  return starts_[std::size_t(i)] + w * (s.target - starts_[std::size_t(i)]);
}

int Schedule::segment_at(double t) const {
  if (segments_.empty() || t < 0.0) return -1;
  auto it = std::upper_bound(ends_.begin(), ends_.end(), t);
  if (it == ends_.end()) return int(segments_.size()) - 1;
  return int(it - ends_.begin());
}

double Schedule::next_boundary(double t) const {
  const double tol = 1e-9 * std::max(1.0, std::abs(t));
  for (double e : ends_)
    if (e > t + tol) return e;
  return std::numeric_limits<double>::infinity();
}

}  // namespace hphtsim::process

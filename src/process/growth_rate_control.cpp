// SPDX-License-Identifier: MIT
#include "hphtsim/process/growth_rate_control.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hphtsim::process {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// The log of a rate of zero (a trial that left the growth field, a seed not yet growing) is
// taken at this fraction of the target: the secant then still points the right way.
constexpr double rate_floor = 0.02;
}  // namespace

RateSearch::RateSearch(const GrowthRateSettings& s, double power_now, double target, double sensitivity)
    : s_(s), power_now_(std::clamp(power_now, s.power_min, s.power_max)), target_(target), sensitivity_(sensitivity) {}

double RateSearch::lo() const { return std::max(s_.power_min, power_now_ - s_.max_power_rate * s_.interval); }
double RateSearch::hi() const { return std::min(s_.power_max, power_now_ + s_.max_power_rate * s_.interval); }

double RateSearch::next_power() const {
  if (trials_.empty()) return power_now_;
  if (int(trials_.size()) >= s_.max_trials || !(target_ > 0.0)) return nan;
  const Trial& last = trials_.back();
  if (acceptable(last) && std::abs(last.rate - target_) <= s_.tolerance * target_) return nan;
  const double floor = rate_floor * target_;
  auto log_rate = [&](const Trial& t) { return std::log(std::max(t.rate, floor)); };
  double next;
  if (!acceptable(last)) {
    // Out of the diamond field (too hot): back off halfway to the lowest power allowed.
    next = 0.5 * (last.power + lo());
  } else {
    // Along the guessed slope, or the secant in (ln P, ln r) through the last two trials.
    double slope = sensitivity_;
    if (trials_.size() > 1 && last.power > 0.0) {
      const Trial& prev = trials_[trials_.size() - 2];
      if (acceptable(prev) && prev.power > 0.0 && std::abs(std::log(last.power / prev.power)) > 1e-6) {
        const double secant = (log_rate(last) - log_rate(prev)) / std::log(last.power / prev.power);
        if (secant > 0.0 && std::isfinite(secant)) slope = secant;
      }
    }
    next = last.power * std::exp((std::log(target_) - log_rate(last)) / slope);
  }
  next = std::clamp(next, lo(), hi());
  // A power already tried (the step limit reached) ends the search.
  for (const Trial& t : trials_)
    if (std::abs(t.power - next) <= 1e-9 * std::max(1.0, next)) return nan;
  return next;
}

void RateSearch::add(const Trial& t) {
  trials_.push_back(t);
  if (trials_.size() < 2) return;
  const Trial& a = trials_[trials_.size() - 2];
  const Trial& b = trials_.back();
  const double floor = rate_floor * target_;
  if (!acceptable(a) || !acceptable(b) || a.rate < floor || b.rate < floor || a.power <= 0.0 || b.power <= 0.0) return;
  const double dlnP = std::log(b.power / a.power);
  if (std::abs(dlnP) < 1e-6) return;
  const double slope = std::log(b.rate / a.rate) / dlnP;
  // A slope far outside what transport gives is the inverse response, not the steady law.
  if (std::isfinite(slope) && slope > 0.5 && slope < 200.0) sensitivity_ = slope;
}

double RateSearch::best_power() const {
  double best = nan, distance = std::numeric_limits<double>::infinity();
  for (const Trial& t : trials_) {
    if (!acceptable(t)) continue;
    const double d = std::abs(t.rate - target_);
    if (d < distance) {
      distance = d;
      best = t.power;
    }
  }
  return std::isnan(best) ? lo() : best;
}

}  // namespace hphtsim::process

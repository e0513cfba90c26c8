// SPDX-License-Identifier: MIT
// The hphtsim command (placeholder while the app module is written).
#include <iostream>
int main() {
  std::cerr << "hphtsim: not yet wired\n";
  return 1;
}

#!/usr/bin/python3
"""Independent finite-element solution of an exported hphtsim steady electro-thermal case.

Reads a case in format "hphtsim-case/1" (``hphtsim.export.export_case``) and solves it with
FEniCSx (dolfinx 0.5.2, Debian 12 ``python3-dolfinx``; meshing with gmsh 4.8 OpenCASCADE), for a
code-to-code comparison with hphtsim's finite-volume solution.

Problem (all SI):

* electric: div(sigma grad phi) = 0, sigma = 1/rho_e; phi = 1 V on the top anvil square
  (``boundary_conditions.anvil_face_size``, centred on z_max), 0 on the bottom one (z_min),
  insulated elsewhere. With a specific contact resistance r_c > 0 the electrodes are Robin
  conditions sigma dphi/dn = (V_e - phi)/r_c instead. The conductance G is the total Joule heat at
  1 V (the energy functional; the flux through the electrode is printed as a check).
  The load is the heater power P: V = sqrt(P/G), R = 1/G.
* thermal: -div(k grad T) = q, q = V^2 sigma |grad phi_1|^2; on every cube face the Robin condition
  -k dT/dn = h (T - T_coolant), h a number or per face {x_min, ..., z_max}; the boundary facets of a
  part named in ``heat_paths`` ({primitive, heat_transfer_coefficient}) take that coefficient.
* properties: numbers (constants). Laws in T ({table}/{polynomial}) are evaluated per cell at the
  cell's mean temperature in a Picard loop (until max |dT| < 1e-3 K), and a fragment is an
  insulator by its rho_e at its mean temperature; none in the default case (lightly tested only).

Insulators (modelling choice, the same as hphtsim's circuit cut-off): a region whose rho_e exceeds
``boundary_conditions.insulator_resistivity`` has sigma = 0 exactly, and so has a conducting region
that is not connected (through shared faces of conducting regions) to the top electrode (the
solvent and carbon source inside the salt liner). The electric problem is assembled on the whole
mesh; the degrees of freedom that touch no circuit cell are fixed to 0 (identity rows), so it is
the problem on the circuit alone, with no 1e-12-type conductivity contrast in the matrix.

Geometry: the domain box, the parts and the seeds (axis-aligned cubes) are built as OCC solids
(box; cylinder/disk; tube = cylinder minus cylinder; sphere; axis x/y/z) and fragmented together
with the two electrode squares, so the mesh conforms to every interface and to the electrode
edges. Each fragment takes the material of the last part (painting order, seeds last) containing
it. Region volumes (OCC exact vs. mesh) are printed.

Mesh (linear tetrahedra; every size a multiple of --h-fine, so halving it refines uniformly):
a part of thinnest dimension t_p (tube wall, disc height, box edge) gets the size
s_p = h_fine * clamp(t_p / t_min, 1, 2), t_min the thinnest part's, a seed at least h_fine, and a
part filling the whole domain (the pressure medium) 6 h_fine; the size field is
min_p(s_p + h_fine * d_p / 1.5 mm), d_p the distance to part p, capped at 6 h_fine. Default
h_fine = 0.5 mm: heater wall, liner and Mo discs 0.5 mm, sleeve 0.75 mm, rest of the capsule 1 mm,
3 mm in the medium away from the capsule. T and phi are Lagrange of degree --order (default 2).
Linear solves: PETSc CG with hypre BoomerAMG, rtol 1e-10.

Not among the project's dependencies (scripts/install-deps.sh): install them to regenerate the
shipped answers, ``apt-get install python3-dolfinx python3-gmsh`` (~100 MB, 213 packages). The
answers of the finer run below ship as python/hphtsim/benchmark/cases/tgm_default_constant.FEniCSx.csv,
which the benchmark's code-to-code layer compares with hphtsim's reference (docs/benchmark.md).
The geometry and mesh are in fenicsx_mesh.py beside this file.

Usage (the system interpreter, which has dolfinx):

    /usr/bin/python3 benchmarks/fenicsx_case.py CASE.json -o OTHER.csv [--h-fine 0.5e-3] [--order 2]

Writes a CSV ``quantity,value,units`` with T_probe_<name>, T_max (max over the T dofs),
heater_resistance, heater_voltage and dT_probe_source_seed (if both probes exist).
gmsh meshes on rank 0; `mpirun -n 2` gave the serial values to 1e-9 on a coarse mesh.

Measured on tgm_default_constant.json (2 cores, serial, P2): --h-fine 0.5e-3: 539k tetrahedra,
721k dofs per field, 45 s, 1.3 GB; --h-fine 0.35e-3: 1.44M tetrahedra, 1.92M dofs, 140 s, 3.2 GB.
Between the two, R changes by 1e-5 and the temperature rises above the coolant by 0.04-0.05 %.
"""

import argparse
import csv
import json
import logging
import math
import sys
import time

import numpy as np

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import dolfinx.fem.petsc
import ufl
from dolfinx import fem, geometry
from dolfinx import mesh as dmesh

FACES = ("x_min", "x_max", "y_min", "y_max", "z_min", "z_max")
AXES = {"x": 0, "y": 1, "z": 2}


def log(comm, *a):
    if comm.rank == 0:
        print(*a, flush=True)


# ------------------------------------------------------------------------------------------ laws
def law_eval(law, T):
    """A material law (number, {table}, {polynomial}) at temperatures T (array, K)."""
    T = np.asarray(T, dtype=float)
    if isinstance(law, (int, float)):
        return np.full_like(T, float(law))
    if isinstance(law, dict) and "table" in law:
        tab = np.asarray(law["table"], dtype=float)
        return np.interp(T, tab[:, 0], tab[:, 1])  # constant beyond the ends
    if isinstance(law, dict) and "polynomial" in law:
        out = np.zeros_like(T)
        for i, c in enumerate(law["polynomial"]):
            out += float(c) * T ** i
        return out
    raise ValueError(f"unsupported material law {law!r}")


def is_constant(law):
    return isinstance(law, (int, float))


from fenicsx_mesh import build_mesh  # noqa: E402 (beside this script)




# ---------------------------------------------------------------------------------------- solve
def make_solver(A, comm, rtol, prefix):
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(A)
    ksp.setOptionsPrefix(prefix)
    opts = PETSc.Options()
    opts[prefix + "ksp_type"] = "cg"
    opts[prefix + "ksp_rtol"] = rtol
    opts[prefix + "ksp_atol"] = 0.0
    opts[prefix + "ksp_max_it"] = 2000
    opts[prefix + "pc_type"] = "hypre"
    opts[prefix + "pc_hypre_type"] = "boomeramg"
    opts[prefix + "pc_hypre_boomeramg_strong_threshold"] = 0.7
    opts[prefix + "pc_hypre_boomeramg_coarsen_type"] = "HMIS"
    opts[prefix + "pc_hypre_boomeramg_interp_type"] = "ext+i"
    opts[prefix + "pc_hypre_boomeramg_agg_nl"] = 1
    ksp.setFromOptions()
    return ksp


def solve_linear(a, L, bcs, u, comm, rtol, prefix):
    af, Lf = fem.form(a), fem.form(L)
    A = dolfinx.fem.petsc.assemble_matrix(af, bcs=bcs)
    A.assemble()
    b = dolfinx.fem.petsc.assemble_vector(Lf)
    dolfinx.fem.petsc.apply_lifting(b, [af], bcs=[bcs])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    dolfinx.fem.petsc.set_bc(b, bcs)
    ksp = make_solver(A, comm, rtol, prefix)
    ksp.solve(b, u.vector)
    u.x.scatter_forward()
    reason, its = ksp.getConvergedReason(), ksp.getIterationNumber()
    if reason <= 0:
        raise RuntimeError(f"{prefix}: KSP did not converge (reason {reason}, {its} iterations)")
    ksp.destroy(); A.destroy(); b.destroy()
    return its


def scalar(form, comm):
    return comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", help="hphtsim-case/1 JSON")
    ap.add_argument("-o", "--output", required=True, help="CSV to write (quantity,value,units)")
    ap.add_argument("--h-fine", type=float, default=0.5e-3,
                    help="element size in the thinnest part, m (0.5e-3); every size scales with it")
    ap.add_argument("--mid-ratio", type=float, default=2.0,
                    help="largest size inside the parts, in h_fine (2)")
    ap.add_argument("--coarse-ratio", type=float, default=6.0,
                    help="size in a part that fills the domain (the medium), in h_fine (6)")
    ap.add_argument("--grading-length", type=float, default=1.5e-3,
                    help="m; the size grows by h_fine per this distance away from a part (1.5e-3)")
    ap.add_argument("--order", type=int, default=2, help="Lagrange degree of T and phi (2)")
    ap.add_argument("--order-phi", type=int, default=None, help="Lagrange degree of phi (= --order)")
    ap.add_argument("--rtol", type=float, default=1e-10, help="CG relative tolerance (1e-10)")
    ap.add_argument("--threads", type=int, default=1, help="gmsh meshing threads (1)")
    ap.add_argument("--algorithm3d", type=int, default=1, help="gmsh Mesh.Algorithm3D (1 = Delaunay)")
    ap.add_argument("--picard-tol", type=float, default=1e-3, help="K, for T-dependent laws (1e-3)")
    ap.add_argument("--summary", default=None, help="also write a JSON summary (values, mesh stats, times)")
    args = ap.parse_args(argv)
    logging.disable(logging.INFO)  # silence the JIT's build log
    comm = MPI.COMM_WORLD
    t_start = time.perf_counter()

    with open(args.case) as f:
        spec = json.load(f)
    if spec.get("format") != "hphtsim-case/1":
        raise SystemExit(f"{args.case}: not an hphtsim-case/1 file")
    bc = spec["boundary_conditions"]
    mats = spec["materials"]
    P = float(spec["load"]["heater_power"])
    T_c = float(bc["coolant_temperature"])
    cutoff = float(bc.get("insulator_resistivity", 1.0))
    r_c = float(bc.get("contact_resistance", 0.0) or 0.0)
    htc = bc["heat_transfer_coefficient"]
    h_face = [float(htc)] * 6 if isinstance(htc, (int, float)) else [float(htc[k]) for k in FACES]

    # ---- mesh
    t0 = time.perf_counter()
    msh, ct, frag, regions, (lo, hi), minfo = build_mesh(spec, args, comm)
    t_mesh = time.perf_counter() - t0
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    msh.topology.create_connectivity(tdim, tdim - 1)
    n_cells = comm.allreduce(msh.topology.index_map(tdim).size_local, op=MPI.SUM)
    n_verts = comm.allreduce(msh.topology.index_map(0).size_local, op=MPI.SUM)
    names = [p["name"] for p in regions]
    material_of = [p.get("material", "diamond") for p in regions]
    for m in set(material_of):
        if m not in mats:
            raise SystemExit(f"material '{m}' is not in the case's materials")
    heat_path_h = {}
    for hp in bc.get("heat_paths") or []:
        nm = hp.get("primitive") or hp.get("part") or hp.get("name")
        if nm not in names:
            raise SystemExit(f"heat path names no part: {hp!r}")
        heat_path_h[names.index(nm)] = float(hp["heat_transfer_coefficient"])

    # cell -> fragment -> region
    n_loc = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    cell_frag = np.zeros(n_loc, dtype=np.int32)
    cell_frag[ct.indices] = ct.values
    frag_ids = sorted(frag)
    cell_region = np.array([frag[int(t)]["region"] for t in cell_frag], dtype=np.int32) if n_loc else \
        np.zeros(0, np.int32)

    log(comm, f"mesh: {n_cells} tetrahedra, {n_verts} vertices, meshing {minfo.get('t_mesh', 0):.1f} s "
              f"(total with OCC + distribution {t_mesh:.1f} s)")
    log(comm, "element sizes by part (mm): " + ", ".join(f"{k} {1e3 * v:.3g}" for k, v in minfo["sizes"].items()))
    # region volumes: OCC vs mesh
    V0 = fem.FunctionSpace(msh, ("DG", 0))
    dg0 = V0.dofmap.list.array
    vol_occ = np.zeros(len(regions))
    for t in frag_ids:
        vol_occ[frag[t]["region"]] += frag[t]["volume"]
    v_ = ufl.TestFunction(V0)
    cv = dolfinx.fem.petsc.assemble_vector(fem.form(v_ * ufl.dx))
    cv.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    cv_arr = cv.array.copy()
    n_own = msh.topology.index_map(tdim).size_local
    vol_mesh = np.zeros(len(regions))
    dofs_own = dg0[:n_own]
    np.add.at(vol_mesh, cell_region[:n_own], cv_arr[dofs_own])
    vol_sum = np.empty_like(vol_mesh)
    comm.Allreduce(vol_mesh, vol_sum, op=MPI.SUM)
    vol_mesh = vol_sum
    log(comm, "region volumes (mm^3, OCC exact / mesh):")
    for i, nm in enumerate(names):
        log(comm, f"  {nm:16s} {material_of[i]:16s} {1e9 * vol_occ[i]:10.3f} {1e9 * vol_mesh[i]:10.3f}")

    # ---- facets: electrodes and film coefficients
    bfacets = dmesh.exterior_facet_indices(msh.topology)
    mid = dmesh.compute_midpoints(msh, tdim - 1, bfacets)
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    bcell = np.array([f2c.links(f)[0] for f in bfacets], dtype=np.int32)
    span = hi - lo
    tol = 1e-9 * max(span)
    face_of = np.full(len(bfacets), -1, dtype=np.int32)
    for k in range(3):
        face_of[np.abs(mid[:, k] - lo[k]) < tol] = 2 * k
        face_of[np.abs(mid[:, k] - hi[k]) < tol] = 2 * k + 1
    assert np.all(face_of >= 0), "an exterior facet off the box faces"
    a = bc.get("anvil_face_size")
    dcen = 0.5 * (lo + hi)
    in_sq = np.ones(len(bfacets), bool) if a is None else \
        (np.abs(mid[:, 0] - dcen[0]) <= a / 2 + tol) & (np.abs(mid[:, 1] - dcen[1]) <= a / 2 + tol)
    # fragments with a facet on the top electrode (from the mesh: OCC bounding boxes are padded)
    top_frags = set(int(t) for t in cell_frag[bcell[(face_of == 5) & in_sq]])
    top_frags = set().union(*comm.allgather(top_frags))
    h_of_facet = np.array([h_face[f] for f in face_of], dtype=float)
    for reg, hv in heat_path_h.items():
        h_of_facet[cell_region[bcell] == reg] = hv
    h_vals = sorted(set(h_of_facet.tolist()))
    th_tag = np.array([h_vals.index(v) + 1 for v in h_of_facet], dtype=np.int32)
    order_f = np.argsort(bfacets)
    ft_th = dmesh.meshtags(msh, tdim - 1, bfacets[order_f], th_tag[order_f])

    # ---- spaces
    p_phi = args.order_phi or args.order
    Vp = fem.FunctionSpace(msh, ("CG", p_phi))
    VT = fem.FunctionSpace(msh, ("CG", args.order))
    n_dof_p = Vp.dofmap.index_map.size_global
    n_dof_T = VT.dofmap.index_map.size_global
    log(comm, f"dofs: phi P{p_phi} {n_dof_p}, T P{args.order} {n_dof_T}")

    const = all(is_constant(mats[m]["thermal_conductivity"]) and is_constant(mats[m]["electrical_resistivity"])
                for m in set(material_of))
    T_cell = np.full(n_loc, 1600.0 if not const else T_c)  # start of the Picard loop for T-dependent laws
    T_h = fem.Function(VT)
    T_h.x.array[:] = T_c
    phi = fem.Function(Vp)
    sigma = fem.Function(V0)
    kappa = fem.Function(V0)
    dx = ufl.Measure("dx", domain=msh)
    ds_th = ufl.Measure("ds", domain=msh, subdomain_data=ft_th)
    times = {"electric": 0.0, "thermal": 0.0}
    it_e = it_t = 0
    prev_circuit = None
    for picard in range(100):
        # properties per cell
        k_cell = np.empty(n_loc)
        rho_cell = np.empty(n_loc)
        for r_i, m in enumerate(material_of):
            sel = cell_region == r_i
            if np.any(sel):
                k_cell[sel] = law_eval(mats[m]["thermal_conductivity"], T_cell[sel])
                rho_cell[sel] = law_eval(mats[m]["electrical_resistivity"], T_cell[sel])
        # circuit: conducting fragments (at their mean T) joined to the top electrode by shared faces
        frag_T = {}
        for t in frag_ids:
            sel = cell_frag[:n_own] == t
            w = cv_arr[dg0[:n_own][sel]]
            num = comm.allreduce(float(np.sum(w * T_cell[:n_own][sel])), op=MPI.SUM)
            den = comm.allreduce(float(np.sum(w)), op=MPI.SUM)
            frag_T[t] = num / den if den > 0 else T_c
        conducting = {t for t in frag_ids
                      if law_eval(mats[material_of[frag[t]["region"]]]["electrical_resistivity"], frag_T[t])
                      <= cutoff}
        circuit = {t for t in conducting if t in top_frags}
        stack = list(circuit)
        while stack:
            t = stack.pop()
            for u in frag[t]["adj"]:
                if u in conducting and u not in circuit:
                    circuit.add(u)
                    stack.append(u)
        if not circuit:
            raise SystemExit("no conducting part touches the top electrode")
        in_circ = np.isin(cell_frag, np.array(sorted(circuit), dtype=np.int32))
        sig_cell = np.where(in_circ, 1.0 / rho_cell, 0.0)
        sigma.x.array[dg0] = sig_cell
        kappa.x.array[dg0] = k_cell
        if circuit != prev_circuit:
            circ_regions = sorted({names[frag[t]["region"]] for t in circuit})
            log(comm, "circuit: " + ", ".join(circ_regions))
            iso = sorted({names[frag[t]["region"]] for t in conducting - circuit})
            if iso:
                log(comm, "conducting but not connected (no current): " + ", ".join(iso))
        prev_circuit = circuit

        # ---- electric, V = 1
        t0 = time.perf_counter()
        circ_cells = np.flatnonzero(in_circ).astype(np.int32)
        top_f = bfacets[(face_of == 5) & in_sq & in_circ[bcell]]
        bot_f = bfacets[(face_of == 4) & in_sq & in_circ[bcell]]
        el_tag = np.concatenate([np.full(len(top_f), 1, np.int32), np.full(len(bot_f), 2, np.int32)])
        el_f = np.concatenate([top_f, bot_f])
        o = np.argsort(el_f)
        ft_el = dmesh.meshtags(msh, tdim - 1, el_f[o].astype(np.int32), el_tag[o])
        ds_el = ufl.Measure("ds", domain=msh, subdomain_data=ft_el)
        u, v = ufl.TrialFunction(Vp), ufl.TestFunction(Vp)
        active = fem.locate_dofs_topological(Vp, tdim, circ_cells)
        all_dofs = np.arange(Vp.dofmap.index_map.size_local + Vp.dofmap.index_map.num_ghosts, dtype=np.int32)
        inactive = np.setdiff1d(all_dofs, active).astype(np.int32)
        zero = PETSc.ScalarType(0.0)
        bcs = [fem.dirichletbc(zero, inactive, Vp)]
        a_e = sigma * ufl.inner(ufl.grad(u), ufl.grad(v)) * dx
        L_e = fem.Constant(msh, zero) * v * dx
        if r_c > 0:
            gc = fem.Constant(msh, PETSc.ScalarType(1.0 / r_c))
            a_e += gc * u * v * ds_el(1) + gc * u * v * ds_el(2)
            L_e += gc * 1.0 * v * ds_el(1)
        else:
            top_d = fem.locate_dofs_topological(Vp, tdim - 1, top_f)
            bot_d = fem.locate_dofs_topological(Vp, tdim - 1, bot_f)
            bcs += [fem.dirichletbc(PETSc.ScalarType(1.0), top_d, Vp), fem.dirichletbc(zero, bot_d, Vp)]
        it_e = solve_linear(a_e, L_e, bcs, phi, comm, args.rtol, "el_")
        q1 = sigma * ufl.inner(ufl.grad(phi), ufl.grad(phi))
        G = scalar(q1 * dx, comm)
        if r_c > 0:
            G += scalar(gc * (phi - 1.0) ** 2 * ds_el(1) + gc * phi ** 2 * ds_el(2), comm)
        n = ufl.FacetNormal(msh)
        I_flux_top = scalar(sigma * ufl.dot(ufl.grad(phi), n) * ds_el(1), comm)  # in at the top
        I_flux_bot = scalar(-sigma * ufl.dot(ufl.grad(phi), n) * ds_el(2), comm)  # out at the bottom
        times["electric"] += time.perf_counter() - t0
        Vh = math.sqrt(P / G)
        R = 1.0 / G

        # ---- thermal
        t0 = time.perf_counter()
        T, w = ufl.TrialFunction(VT), ufl.TestFunction(VT)
        Vsq = fem.Constant(msh, PETSc.ScalarType(Vh * Vh))
        a_t = kappa * ufl.inner(ufl.grad(T), ufl.grad(w)) * dx
        L_t = Vsq * q1 * w * dx
        Tcoolant = fem.Constant(msh, PETSc.ScalarType(T_c))
        for j, hv in enumerate(h_vals):
            if hv > 0:
                hc = fem.Constant(msh, PETSc.ScalarType(hv))
                a_t += hc * T * w * ds_th(j + 1)
                L_t += hc * Tcoolant * w * ds_th(j + 1)
        if r_c > 0:  # the contact's dissipation goes to the contact cells
            L_t += Vsq * gc * ((phi - 1.0) ** 2 * w * ds_el(1) + phi ** 2 * w * ds_el(2))
        T_old = T_h.x.array.copy()
        it_t = solve_linear(a_t, L_t, [], T_h, comm, args.rtol, "th_")
        times["thermal"] += time.perf_counter() - t0
        if const:
            break
        dT = comm.allreduce(float(np.max(np.abs(T_h.x.array - T_old))), op=MPI.MAX)
        Tc_f = fem.Function(V0)
        Tc_f.interpolate(T_h)
        T_cell = Tc_f.x.array[dg0].copy()
        log(comm, f"picard {picard}: max |dT| {dT:.3g} K")
        if dT < args.picard_tol:
            break
    else:
        raise SystemExit("Picard iteration did not converge")

    # ---- outputs
    P_joule = Vh * Vh * scalar(q1 * dx, comm)
    P_film = 0.0
    for j, hv in enumerate(h_vals):
        P_film += scalar(hv * (T_h - T_c) * ds_th(j + 1), comm)
    probes = spec.get("probes") or {}
    pts = np.array([probes[k] for k in probes], dtype=float).reshape(-1, 3)
    tree = geometry.BoundingBoxTree(msh, tdim)
    cand = geometry.compute_collisions(tree, pts)
    coll = geometry.compute_colliding_cells(msh, cand, pts)
    vals = np.full(len(pts), -np.inf)
    for i in range(len(pts)):
        links = coll.links(i)
        if len(links):
            vals[i] = T_h.eval(pts[i], links[:1])[0]
    vals_all = np.empty_like(vals)
    comm.Allreduce(vals, vals_all, op=MPI.MAX)
    vals = vals_all
    if np.any(~np.isfinite(vals)):
        raise SystemExit("a probe lies outside the mesh")
    n_T_own = VT.dofmap.index_map.size_local
    T_max = comm.allreduce(float(np.max(T_h.x.array[:n_T_own])), op=MPI.MAX)
    out = {}
    for i, k in enumerate(probes):
        out[f"T_probe_{k}"] = (float(vals[i]), "K")
    out["T_max"] = (T_max, "K")
    out["heater_resistance"] = (R, "ohm")
    out["heater_voltage"] = (Vh, "V")
    if "source" in probes and "seed" in probes:
        out["dT_probe_source_seed"] = (out["T_probe_source"][0] - out["T_probe_seed"][0], "K")
    wall = time.perf_counter() - t_start
    log(comm, f"electric: {it_e} CG iterations, G = {G:.6g} S; flux check I_top {I_flux_top:.6g} A, "
              f"I_bottom {I_flux_bot:.6g} A (at 1 V)")
    log(comm, f"thermal: {it_t} CG iterations; Joule {P_joule:.6g} W, film loss {P_film:.6g} W "
              f"(load {P:.6g} W)")
    log(comm, f"times: mesh {t_mesh:.1f} s, electric {times['electric']:.1f} s, thermal {times['thermal']:.1f} s, "
              f"total {wall:.1f} s")
    if comm.rank == 0:
        with open(args.output, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["quantity", "value", "units"])
            for k, (val, unit) in out.items():
                wr.writerow([k, f"{val:.10g}", unit])
        for k, (val, unit) in out.items():
            print(f"{k},{val:.10g},{unit}")
        if args.summary:
            with open(args.summary, "w") as f:
                json.dump({"values": {k: v for k, (v, _) in out.items()}, "cells": n_cells, "vertices": n_verts,
                           "dofs_phi": n_dof_p, "dofs_T": n_dof_T, "order": args.order, "order_phi": p_phi,
                           "h_fine": args.h_fine, "times": {**times, "mesh": t_mesh, "total": wall},
                           "iterations": {"electric": it_e, "thermal": it_t},
                           "I_flux_top": I_flux_top, "I_flux_bottom": I_flux_bot, "G": G,
                           "P_joule": P_joule, "P_film": P_film}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Geometry and mesh of an exported hphtsim case for benchmarks/fenicsx_case.py: the painted
parts as OpenCASCADE solids, fragmented with the electrode squares, meshed by gmsh with a size
field graded from the thin parts (see fenicsx_case.py's docstring for the sizes)."""

import time

import numpy as np

import gmsh
from dolfinx.io import gmshio

AXES = {"x": 0, "y": 1, "z": 2}


# -------------------------------------------------------------------------------------- geometry
def thickness(p):
    s = p["shape"]
    if s == "box":
        return min(p["size"])
    if s in ("cylinder", "disk"):
        return min(2 * p["radius"], p["height"])
    if s == "tube":
        return min(p["outer_radius"] - p["inner_radius"], p["height"])
    if s == "sphere":
        return 2 * p["radius"]
    if s == "seed":
        return p["size"]
    raise ValueError(f"part '{p.get('name')}': unsupported shape '{s}'")


def occ_solid(p):
    """The OCC volume tag of one part (or seed)."""
    occ = gmsh.model.occ
    c = [float(v) for v in p["center"]]
    s = p["shape"]
    if s in ("box", "seed"):
        sz = p["size"] if s == "box" else [p["size"]] * 3
        return occ.addBox(c[0] - sz[0] / 2, c[1] - sz[1] / 2, c[2] - sz[2] / 2, *sz)
    if s == "sphere":
        return occ.addSphere(*c, p["radius"])
    ax = AXES[p.get("axis", "z")]
    h = p["height"]
    base = list(c)
    base[ax] -= h / 2
    d = [0.0, 0.0, 0.0]
    d[ax] = h
    if s in ("cylinder", "disk"):
        return occ.addCylinder(*base, *d, p["radius"])
    if s == "tube":
        outer = occ.addCylinder(*base, *d, p["outer_radius"])
        if p["inner_radius"] <= 0:
            return outer
        inner = occ.addCylinder(*base, *d, p["inner_radius"])
        out, _ = occ.cut([(3, outer)], [(3, inner)])
        assert len(out) == 1
        return out[0][1]
    raise ValueError(f"part '{p.get('name')}': unsupported shape '{s}'")


def distance_expr(p):
    """gmsh MathEval expression of the distance from (x, y, z) to part p (0 inside)."""
    c = [float(v) for v in p["center"]]
    xyz = ("x", "y", "z")
    rel = [f"({xyz[i]}-({c[i]!r}))" for i in range(3)]
    s = p["shape"]
    if s in ("box", "seed"):
        sz = p["size"] if s == "box" else [p["size"]] * 3
        d = [f"Max(Fabs({rel[i]})-{sz[i] / 2!r},0)" for i in range(3)]
        return f"Sqrt({d[0]}^2+{d[1]}^2+{d[2]}^2)"
    if s == "sphere":
        return f"Max(Sqrt({rel[0]}^2+{rel[1]}^2+{rel[2]}^2)-{p['radius']!r},0)"
    ax = AXES[p.get("axis", "z")]
    perp = [rel[i] for i in range(3) if i != ax]
    r = f"Sqrt({perp[0]}^2+{perp[1]}^2)"
    da = f"Max(Fabs({rel[ax]})-{p['height'] / 2!r},0)"
    if s in ("cylinder", "disk"):
        dr = f"Max({r}-{p['radius']!r},0)"
    else:
        dr = f"Max(Max({r}-{p['outer_radius']!r},{p['inner_radius']!r}-{r}),0)"
    return f"Sqrt({dr}^2+{da}^2)"


def build_mesh(spec, args, comm):
    """Mesh the painted assembly on rank 0; returns mesh, cell tags (= fragment tags) and a dict
    of fragment data (region, OCC volume, fragments sharing a face)."""
    dom = spec["domain"]
    if dom.get("shape", "box") != "box":
        raise ValueError("only a box domain is supported")
    dc = np.array(dom["center"], float)
    ds = np.array(dom["size"], float)
    lo, hi = dc - ds / 2, dc + ds / 2
    regions = [dict(p) for p in spec["parts"]] + [{**s, "shape": "seed"} for s in spec.get("seeds", [])]
    a = spec["boundary_conditions"].get("anvil_face_size")

    h_fine = args.h_fine
    h_coarse = args.coarse_ratio * h_fine
    info = {}
    gmsh.initialize()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", args.threads)
    if comm.rank == 0:
        occ = gmsh.model.occ
        gmsh.model.add("case")
        box = occ.addBox(*lo, *ds)
        tags = [occ_solid(p) for p in regions]
        rects = []
        if a is not None and a < min(ds[0], ds[1]) * (1 - 1e-12):
            x0, x1 = max(dc[0] - a / 2, lo[0]), min(dc[0] + a / 2, hi[0])
            y0, y1 = max(dc[1] - a / 2, lo[1]), min(dc[1] + a / 2, hi[1])
            for z in (hi[2], lo[2]):
                rects.append(occ.addRectangle(x0, y0, z, x1 - x0, y1 - y0))
        inputs = [(3, box)] + [(3, t) for t in tags] + [(2, r) for r in rects]
        _, omap = occ.fragment(inputs, [], removeObject=True, removeTool=True)
        occ.synchronize()
        in_domain = {t for d, t in omap[0] if d == 3}
        owner = {}
        for i in range(len(regions)):
            for d, t in omap[1 + i]:
                if d == 3:
                    owner[t] = i  # later parts overwrite earlier ones
        all_vols = {t for _, t in gmsh.model.getEntities(3)}
        outside = sorted(all_vols - in_domain)
        if outside:
            occ.remove([(3, t) for t in outside], recursive=True)
            occ.synchronize()
        pieces = sorted(in_domain)
        missing = [t for t in pieces if t not in owner]
        if missing:
            raise ValueError("part of the domain is covered by no part")
        # size field: every size a multiple of h_fine, so that h_fine refines the mesh uniformly
        def spans_domain(p):
            if p["shape"] != "box":
                return False
            c, sz = np.array(p["center"], float), np.array(p["size"], float)
            return bool(np.all(c - sz / 2 <= lo + 1e-12) and np.all(c + sz / 2 >= hi - 1e-12))
        thin = [thickness(p) for p in regions if p["shape"] != "seed" and not spans_domain(p)]
        t_min = min(thin) if thin else min(ds)
        fields = []
        for p in regions:
            ratio = args.coarse_ratio if spans_domain(p) else min(max(thickness(p) / t_min, 1.0), args.mid_ratio)
            s = ratio * h_fine
            p["_size"] = s
            f = gmsh.model.mesh.field.add("MathEval")
            gmsh.model.mesh.field.setString(f, "F", f"{s!r}+{h_fine / args.grading_length!r}*{distance_expr(p)}")
            fields.append(f)
        fmin = gmsh.model.mesh.field.add("Min")
        gmsh.model.mesh.field.setNumbers(fmin, "FieldsList", fields)
        gmsh.model.mesh.field.setAsBackgroundMesh(fmin)
        for k, v in (("Mesh.MeshSizeExtendFromBoundary", 0), ("Mesh.MeshSizeFromPoints", 0),
                     ("Mesh.MeshSizeFromCurvature", 0), ("Mesh.MeshSizeMax", h_coarse),
                     ("Mesh.Algorithm", 6), ("Mesh.Algorithm3D", args.algorithm3d)):
            gmsh.option.setNumber(k, v)
        # fragment data: region, OCC volume, the fragments it shares a face with
        surf_of = {t: {s for _, s in gmsh.model.getBoundary([(3, t)], oriented=False, combined=False)}
                   for t in pieces}
        frag = {}
        for t in pieces:
            adj = [u for u in pieces if u != t and surf_of[t] & surf_of[u]]
            frag[t] = {"region": owner[t], "volume": occ.getMass(3, t), "adj": adj}
            gmsh.model.addPhysicalGroup(3, [t], t)
        t0 = time.perf_counter()
        gmsh.model.mesh.generate(3)
        info["t_mesh"] = time.perf_counter() - t0
        info["sizes"] = {p["name"]: p["_size"] for p in regions}
    else:
        frag = None
    msh, ct, _ = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=3)
    gmsh.finalize()
    frag = comm.bcast(frag, root=0)
    info = comm.bcast(info, root=0)
    return msh, ct, frag, regions, (lo, hi), info

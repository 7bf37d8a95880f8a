import MitosisSupport
/// Where every cell of one field goes: the positions are decided before anything is drawn so cells can
/// avoid each other and cytoplasm can be partitioned between tumour cells.
struct CellPlan {
    /// A tumour cell: the site of a nucleus (ordinary, mitotic, pyknotic or apoptotic) and its cytoplasm.
    struct TumourCell {
        var x: Float
        var y: Float
        /// Cytoplasm hematoxylin and eosin amounts.
        var cytoH: Float
        var cytoE: Float
        var kind: Kind
    }

    enum Kind: Equatable {
        case nucleus
        case mitosis(MitoticPhase)
        case pyknotic
        case apoptotic
    }

    var cells: [TumourCell] = []
    /// Mitotic figures with their centres (the ground truth).
    var figures: [MitosisFigure] = []
    /// Lymphocyte centres (stroma, aggregates, and some inside nests).
    var lymphocytes: [(x: Float, y: Float)] = []

    /// - Parameter minimumFigures: mitoses to place even if the patient's rate draws fewer.
    init(layout: TissueLayout, profile: PatientProfile, minimumFigures: Int = 0, rng: inout SplitMix64) {
        let w = Float(layout.width), h = Float(layout.height)
        let areaScale = Double(w * h) / 4_000_000
        var reserved = SpatialIndex(width: layout.width, height: layout.height, cell: 64)

        func findSite(margin: Float, minTumour: Float, clearance: Float, tries: Int) -> (Float, Float)? {
            for _ in 0..<tries {
                let x = Float(rng.uniform(Double(margin), Double(w - margin)))
                let y = Float(rng.uniform(Double(margin), Double(h - margin)))
                if layout.tumour(at: x, y) >= minTumour, layout.hole(at: x, y) < 0.05,
                   reserved.nearest(x, y, within: clearance) == nil { return (x, y) }
            }
            return nil
        }
        func cytoplasm(_ kind: Kind) -> TumourCell {
            TumourCell(x: 0, y: 0, cytoH: Float(rng.uniform(0.26, 0.42)), cytoE: Float(rng.uniform(0.42, 0.62)),
                       kind: kind)
        }

        // Mitoses first: they must not be crowded out, and must stay 24 px inside the image.
        let count = max(minimumFigures, rng.poisson(profile.mitosisRate))
        let totalWeight = profile.phaseWeights.reduce(0, +)
        for _ in 0..<count {
            var r = rng.unit() * totalWeight
            var phase = MitoticPhase.allCases.last!
            for (k, weight) in profile.phaseWeights.enumerated() {
                if r < weight { phase = MitoticPhase.allCases[k]; break }
                r -= weight
            }
            let margin = min(24, min(w, h) / 4)
            guard let (x, y) = findSite(margin: margin, minTumour: 0.8, clearance: 70, tries: 300)
                ?? findSite(margin: margin, minTumour: 0, clearance: 50, tries: 300) else { continue }
            var cell = cytoplasm(.mitosis(phase))
            cell.x = x; cell.y = y
            cells.append(cell)
            reserved.insert(x, y)
            figures.append(MitosisFigure(x: Int(x.rounded()), y: Int(y.rounded()), phase: phase))
        }

        // Dying cells: the classic dark look-alikes of mitoses.
        for kind in [Kind.apoptotic, .pyknotic] {
            for _ in 0..<rng.poisson(profile.apoptosis * areaScale / 2) {
                guard let (x, y) = findSite(margin: 0, minTumour: 0.6, clearance: 40, tries: 50) else { continue }
                var cell = cytoplasm(kind)
                cell.x = x; cell.y = y
                cells.append(cell)
                reserved.insert(x, y)
            }
        }

        // Lymphocytes: aggregates in the stroma, scattered ones, and a few infiltrating the nests.
        func addLymphocyte(_ x: Float, _ y: Float) {
            guard x >= 0, y >= 0, x < w, y < h, layout.hole(at: x, y) < 0.3,
                  reserved.nearest(x, y, within: 24) == nil else { return }
            lymphocytes.append((x, y))
            reserved.insert(x, y)
        }
        for _ in 0..<rng.poisson(1.3 * profile.lymphocytes * areaScale) {
            guard let (cx, cy) = findSite(margin: 0, minTumour: -1, clearance: 0, tries: 1) else { continue }
            let spread = rng.uniform(25, 80)
            for _ in 0..<rng.int(in: 12...70) {
                addLymphocyte(cx + Float(rng.normal() * spread), cy + Float(rng.normal() * spread * 0.7))
            }
        }
        for _ in 0..<rng.poisson(45 * profile.lymphocytes * areaScale) {
            let x = Float(rng.uniform(0, Double(w))), y = Float(rng.uniform(0, Double(h)))
            if layout.tumour(at: x, y) < 0.5 || rng.chance(0.25) { addLymphocyte(x, y) }
        }

        // Ordinary tumour nuclei on a jittered lattice, skipping sites too close to anything placed above.
        let s = profile.nucleusSpacing
        var y: Float = s / 2
        var row = 0
        while y < h + s / 2 {
            var x: Float = row % 2 == 0 ? s / 2 : 0
            while x < w + s / 2 {
                let px = x + Float(rng.uniform(-0.3, 0.3)) * s, py = y + Float(rng.uniform(-0.3, 0.3)) * s
                if layout.tumour(at: px, py) > 0.5, layout.hole(at: px, py) < 0.5,
                   reserved.nearest(px, py, within: s * 0.6) == nil {
                    var cell = cytoplasm(.nucleus)
                    cell.x = px; cell.y = py
                    cells.append(cell)
                }
                x += s
            }
            y += s * 0.87
            row += 1
        }
    }
}

/// A bucket grid of points for "is anything within r of here" queries.
struct SpatialIndex {
    private let cell: Float
    private let columns: Int
    private let rows: Int
    private var buckets: [[Int]]
    private(set) var points: [(x: Float, y: Float)] = []

    init(width: Int, height: Int, cell: Float) {
        self.cell = cell
        columns = Int(Float(width) / cell) + 1
        rows = Int(Float(height) / cell) + 1
        buckets = Array(repeating: [], count: columns * rows)
    }

    private func bucket(_ x: Float, _ y: Float) -> (Int, Int) {
        (clamp(Int(x / cell), 0, columns - 1), clamp(Int(y / cell), 0, rows - 1))
    }

    mutating func insert(_ x: Float, _ y: Float) {
        let (i, j) = bucket(x, y)
        buckets[j * columns + i].append(points.count)
        points.append((x, y))
    }

    /// Index of some point within `r` of (x, y), or nil.
    func nearest(_ x: Float, _ y: Float, within r: Float) -> Int? {
        guard r > 0 else { return nil }
        let reach = Int((r / cell).rounded(.up))
        let (ci, cj) = bucket(x, y)
        for j in max(cj - reach, 0)...min(cj + reach, rows - 1) {
            for i in max(ci - reach, 0)...min(ci + reach, columns - 1) {
                for k in buckets[j * columns + i] {
                    let dx = points[k].x - x, dy = points[k].y - y
                    if dx * dx + dy * dy < r * r { return k }
                }
            }
        }
        return nil
    }

    /// Indices of the points in the buckets overlapping the box [x0, x1] x [y0, y1].
    func candidates(x0: Float, y0: Float, x1: Float, y1: Float) -> [Int] {
        let (i0, j0) = bucket(x0, y0), (i1, j1) = bucket(x1, y1)
        var out: [Int] = []
        for j in j0...j1 { for i in i0...i1 { out += buckets[j * columns + i] } }
        return out
    }
}

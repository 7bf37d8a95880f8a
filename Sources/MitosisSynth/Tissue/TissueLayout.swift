import MitosisSupport
/// The large-scale architecture of one field: tumour nests, stroma between them, lumina and retraction
/// clefts. Nests are the super-level set of a smooth random field, as carcinoma nests in a desmoplastic
/// stroma look at 40x: irregular islands a few hundred micrometres across.
struct TissueLayout {
    let width: Int
    let height: Int
    /// Tumour membership per pixel in [0, 1] (1 = inside a nest).
    let tumour: [Float]
    /// How much of the tissue is missing per pixel in [0, 1] (lumina, clefts, tears): 1 = bare glass.
    let hole: [Float]
    /// Fibre direction field of the stroma (angle = pi * value).
    let flow: NoiseLattice

    init(width: Int, height: Int, profile: PatientProfile, rng: inout SplitMix64) {
        self.width = width
        self.height = height
        let nest = ValueNoise.fractal(width: width, height: height, cell: 460, octaves: 4, gain: 0.5, rng: &rng)
        let gaps = ValueNoise.fractal(width: width, height: height, cell: 110, octaves: 2, gain: 0.5, rng: &rng)
        let clefts = NoiseLattice(width: width, height: height, cell: 140, rng: &rng)
        let tau = profile.tumourThreshold
        let lumenLevel = Float(rng.uniform(0.5, 0.68))
        // Nest membership is made binary first and then softened by a fixed blur, so that nest edges are
        // equally crisp wherever the field crosses the threshold slowly.
        var tumour = nest.map { $0 > tau ? Float(1) : 0 }
        BoxBlur.apply(&tumour, width: width, height: height, radius: 2, passes: 2)
        var hole = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                let t = tumour[i]
                // Retraction cleft: a thin gap along part of the nest border.
                let edge = 4 * t * (1 - t)
                let band = edge * edge * smoothstep(0.1, 0.4, clefts.value(Float(x), Float(y)))
                // Lumina and tears: rare high values of a medium-scale field, mostly inside nests.
                let lumen = smoothstep(lumenLevel, lumenLevel + 0.04, gaps[i]) * (0.15 + 0.85 * t)
                hole[i] = min(1, max(band, lumen))
            }
        }
        self.tumour = tumour
        self.hole = hole
        flow = NoiseLattice(width: width, height: height, cell: 700, rng: &rng)
    }

    @inline(__always) func tumour(at x: Float, _ y: Float) -> Float {
        let xi = clamp(Int(x), 0, width - 1), yi = clamp(Int(y), 0, height - 1)
        return tumour[yi * width + xi]
    }

    @inline(__always) func hole(at x: Float, _ y: Float) -> Float {
        let xi = clamp(Int(x), 0, width - 1), yi = clamp(Int(y), 0, height - 1)
        return hole[yi * width + xi]
    }

    /// Local stromal fibre direction in radians.
    @inline(__always) func fibreAngle(at x: Float, _ y: Float) -> Float { flow.value(x, y) * .pi }

    /// Fraction of the field that is tumour.
    var tumourFraction: Float { tumour.reduce(0, +) / Float(max(tumour.count, 1)) }
}

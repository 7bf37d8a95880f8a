/// Phases of mitosis drawn by the generator, with what each looks like in H&E.
public enum MitoticPhase: String, Sendable, CaseIterable, Codable {
    /// Chromosomes condensed into irregular dark clumps, no nuclear membrane, often a clear halo.
    case prometaphase
    /// Chromosomes aligned on the plate, seen side-on as a dark bar with hairy edges.
    case metaphase
    /// Two parallel dark bars moving apart; annotated at the middle of the gap.
    case anaphase
    /// Two dense compact clumps at the poles of a dividing cell; annotated at the middle.
    case telophase
}

/// One annotated mitotic figure: its centre in image pixels (x = column, y = row, 40x) and its phase.
public struct MitosisFigure: Sendable, Equatable, Hashable, Codable {
    /// Column of the centre (the middle between the two halves in anaphase and telophase).
    public var x: Int
    /// Row of the centre.
    public var y: Int
    /// What was drawn.
    public var phase: MitoticPhase

    public init(x: Int, y: Int, phase: MitoticPhase) {
        self.x = x
        self.y = y
        self.phase = phase
    }
}

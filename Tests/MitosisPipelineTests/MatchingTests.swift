import Testing
@testable import MitosisPipeline

@Suite struct MatchingTests {
    @Test func withinRadiusIsATruePositive() {
        let c = Matching.counts(truth: [Point(x: 0, y: 0)], detections: [Point(x: 30, y: 0)], radius: 30)
        #expect(c == MatchCounts(truePositives: 1, falsePositives: 0, falseNegatives: 0))
        let far = Matching.counts(truth: [Point(x: 0, y: 0)], detections: [Point(x: 21.3, y: 21.3)], radius: 30)
        #expect(far == MatchCounts(truePositives: 0, falsePositives: 1, falseNegatives: 1))
    }

    @Test func severalDetectionsNearOneMitosisGiveOneTruePositive() {
        let truth = [Point(x: 100, y: 100)]
        let dets = [Point(x: 110, y: 100), Point(x: 95, y: 100), Point(x: 100, y: 120)]
        let m = Matching.match(truth: truth, detections: dets)
        #expect(m.count == 1)
        #expect(m[0].detection == 1)  // the nearest (5 px)
        #expect(Matching.counts(truth: truth, detections: dets) == MatchCounts(truePositives: 1, falsePositives: 2, falseNegatives: 0))
    }

    @Test func greedyNearestPairsFirst() {
        // Centre A at 0, B at 40; detection at 25 is 25 from A and 15 from B, detection at -20 is 20 from A.
        let truth = [Point(x: 0, y: 0), Point(x: 40, y: 0)]
        let dets = [Point(x: 25, y: 0), Point(x: -20, y: 0)]
        let m = Matching.match(truth: truth, detections: dets)
        #expect(Set(m.map { "\($0.truth)-\($0.detection)" }) == ["1-0", "0-1"])
    }

    @Test func tiesBreakByLowerIndices() {
        // One detection exactly between two centres: it goes to centre 0.
        let m = Matching.match(truth: [Point(x: 0, y: 0), Point(x: 20, y: 0)], detections: [Point(x: 10, y: 0)])
        #expect(m.count == 1 && m[0].truth == 0)
    }

    @Test func emptyCases() {
        let none = Matching.counts(truth: [], detections: [])
        #expect(none.f1 == nil && none.precision == nil && none.recall == nil)
        let fp = Matching.counts(truth: [], detections: [Point(x: 1, y: 1)])
        #expect(fp.precision == 0 && fp.recall == nil && fp.f1 == 0)
        let fn = Matching.counts(truth: [Point(x: 1, y: 1)], detections: [])
        #expect(fn.recall == 0 && fn.precision == nil && fn.f1 == 0)
    }

    @Test func f1FromCounts() {
        let c = MatchCounts(truePositives: 3, falsePositives: 1, falseNegatives: 2)
        #expect(c.precision == 0.75)
        #expect(c.recall == 0.6)
        #expect(abs(c.f1! - 6.0 / 9.0) < 1e-12)
    }

    @Test func thresholdSweepPicksBestF1() {
        let img = ScoredImage(name: "a", truth: [Point(x: 0, y: 0), Point(x: 100, y: 0)],
                              detections: [(Point(x: 1, y: 0), 0.9), (Point(x: 500, y: 0), 0.8),
                                           (Point(x: 101, y: 0), 0.7), (Point(x: 900, y: 0), 0.2)])
        let best = ThresholdSweep.best([img])
        // t=0.9: 1TP 0FP 1FN f1=.667; t=0.8: 1/1/1 .5; t=0.7: 2/1/0 .8; t=0.2: 2/2/0 .667
        #expect(best.threshold == 0.7)
        #expect(best.counts == MatchCounts(truePositives: 2, falsePositives: 1, falseNegatives: 0))
        #expect(ThresholdSweep.curve([img]).map(\.threshold) == [0.9, 0.8, 0.7, 0.2])
    }

    @Test func plateauMiddleIsTheMidpointOfTheBestF1Scores() {
        // Two images; one truth each, plus false positives scoring 6 and 1.
        let a = ScoredImage(name: "a", truth: [Point(x: 0, y: 0)],
                            detections: [(Point(x: 2, y: 0), 9), (Point(x: 400, y: 0), 6)])
        let b = ScoredImage(name: "b", truth: [Point(x: 50, y: 50)],
                            detections: [(Point(x: 52, y: 50), 8), (Point(x: 300, y: 0), 7.5), (Point(x: 600, y: 0), 1)])
        // t=9: 1/0/1 -> .667; t=8: 2/0/0 -> 1; t=7.5: 2/1/0 -> .8; t=6: 2/2/0 -> .667; t=1: 2/3/0 -> .571.
        #expect(ThresholdSweep.bestPlateauMiddle([a, b]) == 8)
        // Make the 7.5 detection a true positive of a third mitosis.
        var c = b
        c.truth.append(Point(x: 301, y: 0))
        // t=9: 1/0/2 -> .4; t=8: 2/0/1 -> .8; t=7.5: 3/0/0 -> 1; t=6: 3/1/0 -> .857; t=1: 3/2/0 -> .75.
        #expect(ThresholdSweep.bestPlateauMiddle([a, c]) == 7.5)
        let d = ScoredImage(name: "d", truth: [Point(x: 0, y: 0), Point(x: 100, y: 0)],
                            detections: [(Point(x: 0, y: 1), 10), (Point(x: 500, y: 0), 9), (Point(x: 100, y: 1), 4)])
        // t=10: 1/0/1 -> .667; t=9: 1/1/1 -> .5; t=4: 2/1/0 -> .8 -- a single best at 4.
        #expect(ThresholdSweep.bestPlateauMiddle([d]) == 4)
        // Equal best F1 at 10 and at 3 (1/0/1 -> .667 and 2/2/0 -> .667): midpoint 6.5.
        let g = ScoredImage(name: "g", truth: [Point(x: 0, y: 0), Point(x: 100, y: 0)],
                            detections: [(Point(x: 0, y: 1), 10), (Point(x: 700, y: 0), 8), (Point(x: 800, y: 0), 7),
                                         (Point(x: 100, y: 1), 3)])
        // t=8: 1/1/1 -> .5; t=7: 1/2/1 -> .4; t=3: 2/2/0 -> .667.
        #expect(ThresholdSweep.bestPlateauMiddle([g]) == 6.5)
        // Nothing found: the fallback.
        #expect(ThresholdSweep.bestPlateauMiddle([ScoredImage(name: "h", truth: [Point(x: 0, y: 0)], detections: [])], fallback: 0.25) == 0.25)
    }
}

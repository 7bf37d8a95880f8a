import Foundation
import Testing
import MitosisImage

/// Blue ratio, thresholds, morphology, components, drawing and mask conversions.
@Suite struct AnalysisTests {
    /// Hand-computed: (100 * B / (1 + R + G)) * (256 / (1 + R + G + B)).
    @Test func blueRatio() {
        let image = Image(width: 3, height: 1, channels: 4, pixels: [0, 0, 255, 9, 10, 20, 30, 0, 255, 255, 255, 1])
        let br = image.blueRatio().values
        #expect(abs(br[0] - 25500 * 256 / 256) < 0.01)               // 100*255/1 * 256/256
        #expect(abs(br[1] - Float(100.0 * 30 / 31 * 256 / 61)) < 0.01)
        #expect(abs(br[2] - Float(100.0 * 255 / 511 * 256 / 766)) < 0.001)
    }

    /// On an integer plane spanning 0...255 the bins are the integers, so the threshold equals OpenCV's
    /// THRESH_OTSU value stored by the fixture script.
    @Test func otsuMatchesOpenCV() throws {
        let plane = try Fixture.bin("otsu_plane.bin").image
        let floats = FloatPlane(width: plane.width, height: plane.height, values: plane.pixels.map(Float.init))
        #expect(floats.otsuThreshold() == Float(try Fixture.golden("otsu_threshold")))
        // Shifting and scaling the values moves the threshold with them.
        let scaled = FloatPlane(width: plane.width, height: plane.height, values: floats.values.map { $0 * 0.5 + 10 })
        #expect(abs(scaled.otsuThreshold() - (floats.otsuThreshold() * 0.5 + 10)) < 1e-3)
        // Two clusters: the threshold falls between them.
        let twoLevels = FloatPlane(width: 4, height: 1, values: [1, 1, 9, 9])
        let t = twoLevels.otsuThreshold()
        #expect(t >= 1 && t < 9 && twoLevels.mask(above: t).bits == [false, false, true, true])
    }

    /// numpy: np.percentile([1, 2, 3, 4, 10], [0, 25, 50, 90, 100]) = [1, 2, 3, 7.6, 10].
    @Test func percentile() {
        let plane = FloatPlane(width: 5, height: 1, values: [4, 10, 1, 3, 2])
        #expect(plane.percentile(0) == 1 && plane.percentile(25) == 2 && plane.percentile(50) == 3)
        #expect(abs(plane.percentile(90) - 7.6) < 1e-5 && plane.percentile(100) == 10)
    }

    /// The selection-based percentile equals the definition on the sorted values, with many ties and sizes.
    @Test func percentileBySelectionEqualsSorting() {
        var state: UInt64 = 12345
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for n in [1, 2, 3, 7, 64, 1000, 4097] {
            let values = (0..<n).map { _ in Float(next() % 50) / 7 }  // few distinct values: ties everywhere
            let plane = FloatPlane(width: n, height: 1, values: values)
            let sorted = values.sorted()
            for percent in [0.0, 0.5, 10, 25, 50, 73.3, 90, 99.9, 100] {
                let position = percent / 100 * Double(n - 1)
                let lower = Int(position.rounded(.down)), upper = min(lower + 1, n - 1)
                let expected = sorted[lower] + (sorted[upper] - sorted[lower]) * Float(position - Double(lower))
                #expect(plane.percentile(percent) == expected, "n \(n), \(percent) %")
            }
        }
    }

    /// A random sparse mask.
    func randomMask(width: Int, height: Int, density: Int, seed: UInt64) -> Mask {
        let noise = noiseImage(width: width, height: height, channels: 1, seed: seed)
        return Mask(width: width, height: height, bits: noise.pixels.map { Int($0) < density })
    }

    /// Brute-force dilation by a list of offsets: the independent reference.
    func naiveDilate(_ mask: Mask, offsets: [(Int, Int)]) -> Mask {
        var out = Mask(width: mask.width, height: mask.height)
        for y in 0..<mask.height { for x in 0..<mask.width where mask[x, y] {
            for (dx, dy) in offsets {
                let u = x + dx, v = y + dy
                if u >= 0, u < mask.width, v >= 0, v < mask.height { out[u, v] = true }
            }
        } }
        return out
    }

    @Test(arguments: [0, 1, 3, 6, 10])
    func diskDilationMatchesBruteForce(radius: Int) {
        let mask = randomMask(width: 61, height: 47, density: 3, seed: UInt64(radius + 1))
        let disk = (-radius...radius).flatMap { dy in
            (-radius...radius).filter { dx in dx * dx + dy * dy <= radius * radius }.map { dx in (dx, dy) }
        }
        #expect(mask.dilated(disk: radius) == naiveDilate(mask, offsets: disk))
        // Erosion is the dual: outside counts as foreground.
        let inverse = mask.inverted()
        #expect(inverse.eroded(disk: radius) == naiveDilate(mask, offsets: disk).inverted())
    }

    /// strel('disk', 2, 0) has 13 pixels; bwmorph dilate 10 gives a 21x21 square.
    @Test func structuringElementShapes() {
        var dot = Mask(width: 31, height: 31)
        dot[15, 15] = true
        #expect(dot.dilated(disk: 2).count == 13)
        let square = dot.dilated(squareIterations: 10)
        #expect(square.count == 441 && square[5, 5] && square[25, 25] && !square[4, 15])
        let mask = randomMask(width: 40, height: 30, density: 4, seed: 77)
        let offsets = (-2...2).flatMap { dy in (-2...2).map { dx in (dx, dy) } }
        #expect(mask.dilated(squareIterations: 2) == naiveDilate(mask, offsets: offsets))
        #expect(mask.dilated(squareIterations: 1).dilated(squareIterations: 1) == mask.dilated(squareIterations: 2))
    }

    /// Number of lattice points with x^2 + y^2 <= r^2 (Gauss circle problem) for the disk.
    @Test func diskAreaIsExactEuclidean() {
        var dot = Mask(width: 51, height: 51)
        dot[25, 25] = true
        for r in [5, 20] {
            var expected = 0
            for dy in -r...r { for dx in -r...r where dx * dx + dy * dy <= r * r { expected += 1 } }
            #expect(dot.dilated(disk: r).count == expected)
        }
    }

    /// Components of a hand-drawn mask: diagonal touching joins (8-connectivity), statistics by hand.
    @Test func components() {
        let rows = ["##....#",
                    "..#...#",
                    ".......",
                    "###...."]
        let bits = rows.flatMap { $0.map { $0 == "#" } }
        let labelled = ConnectedComponents(Mask(width: 7, height: 4, bits: bits))
        #expect(labelled.components.count == 3)
        let first = labelled.components[0]
        #expect(first.area == 3 && first.minX == 0 && first.maxX == 2 && first.minY == 0 && first.maxY == 1)
        #expect(abs(first.centroidX - 1) < 1e-12 && abs(first.centroidY - 1.0 / 3) < 1e-12)
        #expect(labelled.components[1].area == 2 && labelled.components[1].centroidX == 6)
        #expect(labelled.components[2].area == 3 && labelled.components[2].centroidY == 3)
        #expect(labelled.labels[2 + 7] == 1 && labelled.labels[6 + 7] == 2 && labelled.labels[0 + 21] == 3)
    }

    /// A "U" whose arms merge late still ends up as one component; areas add up to the mask count.
    @Test func componentsMergeAndCount() {
        let rows = ["#.#.#", "#.#.#", "###.#", "#...#", "#####"]
        let mask = Mask(width: 5, height: 5, bits: rows.flatMap { $0.map { $0 == "#" } })
        let labelled = ConnectedComponents(mask)
        #expect(labelled.components.count == 1 && labelled.components[0].area == mask.count)
        let random = randomMask(width: 50, height: 40, density: 90, seed: 5)
        let parts = ConnectedComponents(random)
        #expect(parts.components.map(\.area).reduce(0, +) == random.count)
        #expect(parts.labels.filter { $0 != 0 }.count == random.count)
    }

    @Test func disksAndMaskImages() {
        var mask = Mask(width: 20, height: 20)
        mask.fillDisk(centerX: 10, centerY: 10, radius: 3)
        #expect(mask.count == 29)                        // lattice points with x^2+y^2 <= 9
        mask.fillDisk(centerX: -1, centerY: 0, radius: 1.5)  // clipped at the border
        #expect(mask[0, 0] && mask[0, 1] && !mask[1, 1])
        let image = Image(mask: mask)
        #expect(image.channels == 1 && image[10, 10, 0] == 255 && image[0, 19, 0] == 0)
        #expect(Mask(image: image) == mask)
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [0, 0, 1, 0, 0, 0])
        #expect(Mask(image: rgb).bits == [true, false])
    }

    @Test func channelConversions() {
        let rgba = Image(width: 1, height: 1, channels: 4, pixels: [10, 200, 30, 99])
        #expect(rgba.convertedToChannels(3).pixels == [10, 200, 30])
        // MATLAB rgb2gray: round(0.298936*10 + 0.587043*200 + 0.114021*30) = round(123.8) = 124.
        #expect(rgba.convertedToChannels(1).pixels == [124])
        let gray = Image(width: 1, height: 1, channels: 1, pixels: [7])
        #expect(gray.convertedToChannels(3).pixels == [7, 7, 7] && gray.convertedToChannels(4).pixels == [7, 7, 7, 255])
    }
}

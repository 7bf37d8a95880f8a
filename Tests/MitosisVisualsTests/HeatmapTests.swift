import Foundation
import MitosisImage
import Testing
@testable import MitosisVisuals

@Suite struct VisualsHeatmapTests {
    @Test(arguments: [("inferno", ColorMap.inferno), ("viridis", ColorMap.viridis)])
    func colorMapEndpointsAndMonotoneLuminance(name: String, map: ColorMap) {
        #expect(map.table.count == 256)
        let lum = map.table.map(\.luminance)
        for i in 1..<256 { #expect(lum[i] >= lum[i - 1] - 1e-3, "\(name) luminance drops at \(i)") }
        #expect(lum[255] - lum[0] > 0.5)
        #expect(map.color(0) == map.table[0] && map.color(1) == map.table[255])
        #expect(map.color(-3) == map.table[0] && map.color(7) == map.table[255] && map.color(.nan) == map.table[0])
    }

    @Test func infernoRunsFromBlackToPaleYellow() {
        #expect(ColorMap.inferno.color(0) == RGBColor(0, 0, 4))
        #expect(ColorMap.inferno.color(1) == RGBColor(252, 255, 164))
    }

    @Test func colorizeMapsEachValue() {
        let plane = FloatPlane(width: 2, height: 1, values: [0, 1])
        let image = Heatmap.colorize(plane, map: .viridis)
        #expect(image.channels == 3 && image.width == 2)
        #expect(RGBColor(image[0, 0, 0], image[0, 0, 1], image[0, 0, 2]) == ColorMap.viridis.color(0))
        #expect(RGBColor(image[1, 0, 0], image[1, 0, 1], image[1, 0, 2]) == ColorMap.viridis.color(1))
    }

    @Test func overlayBlendsByOpacityAndResizesThePlane() throws {
        let gray = Image(width: 8, height: 8, channels: 3, fill: 100)
        let ones = FloatPlane(width: 4, height: 4, fill: 1)
        let top = ColorMap.inferno.color(1)
        let full = try Heatmap.overlay(ones, on: gray, opacity: 1, blending: .uniform)
        #expect(full.width == 8 && RGBColor(full[3, 3, 0], full[3, 3, 1], full[3, 3, 2]) == top)
        let half = try Heatmap.overlay(ones, on: gray, opacity: 0.5, blending: .uniform)
        #expect(half[5, 5, 0] == UInt8(((100.0 + Double(top.r)) / 2).rounded()))
        // By value: P = 0 leaves the tissue untouched.
        let none = try Heatmap.overlay(FloatPlane(width: 8, height: 8), on: gray, opacity: 0.8, blending: .byValue)
        #expect(none == gray)
    }
}

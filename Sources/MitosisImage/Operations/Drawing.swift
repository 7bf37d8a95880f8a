// Drawing into masks: the tutorial's `_pc` helper masks hold a filled circle at every mitosis centre.

extension Mask {
    /// Sets every pixel (x, y) with (x - centerX)^2 + (y - centerY)^2 <= radius^2, clipped to the mask.
    /// Centres may be fractional or outside the mask.
    public mutating func fillDisk(centerX: Double, centerY: Double, radius: Double) {
        guard radius >= 0, width > 0, height > 0 else { return }
        let r2 = radius * radius
        let y0 = max(0, Int((centerY - radius).rounded(.up))), y1 = min(height - 1, Int((centerY + radius).rounded(.down)))
        guard y0 <= y1 else { return }
        for y in y0...y1 {
            let dy = Double(y) - centerY
            let half = (r2 - dy * dy).squareRoot()
            let x0 = max(0, Int((centerX - half).rounded(.up))), x1 = min(width - 1, Int((centerX + half).rounded(.down)))
            guard x0 <= x1 else { continue }
            for x in x0...x1 {
                let dx = Double(x) - centerX
                if dx * dx + dy * dy <= r2 { bits[y * width + x] = true }
            }
        }
    }
}

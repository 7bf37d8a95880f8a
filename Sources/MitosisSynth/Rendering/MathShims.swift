import Foundation

// Elementary functions used by the generator, in one place so the rest of the module does not depend on
// which libm overloads Foundation exposes for Float and Double.

@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Foundation.sin(x) }
@inline(__always) func _cosf(_ x: Float) -> Float { Foundation.cos(x) }
@inline(__always) func _sinf(_ x: Float) -> Float { Foundation.sin(x) }
@inline(__always) func _atan2f(_ y: Float, _ x: Float) -> Float { Foundation.atan2(y, x) }
@inline(__always) func _expf(_ x: Float) -> Float { Foundation.exp(x) }

/// Clamps `x` to [lo, hi].
@inline(__always) func clamp<T: Comparable>(_ x: T, _ lo: T, _ hi: T) -> T { min(max(x, lo), hi) }

/// Hermite smooth step from 0 at `e0` to 1 at `e1`.
@inline(__always) func smoothstep(_ e0: Float, _ e1: Float, _ x: Float) -> Float {
    let t = clamp((x - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)
}

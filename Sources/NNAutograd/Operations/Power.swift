import NNCore
import Foundation

/// `y = xᶜ` for a constant exponent `c`. Gradient: `c · xᶜ⁻¹ · gy`.
public final class Power: Function {
    /// The exponent.
    public let exponent: Float
    /// Creates `x ↦ xᶜ`.
    public init(_ exponent: Float) { self.exponent = exponent }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] {
        let c = exponent
        return [x[0].map { Foundation.pow($0, c) }]
    }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        [try pow(inputs[0], exponent - 1) * exponent * gy[0]]
    }
}

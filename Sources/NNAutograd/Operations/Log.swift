import Foundation
import NNCore

/// `y = ln x`. Gradient: `gy / x`.
public final class Log: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].map { Foundation.log($0) }] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try gy[0] / inputs[0]] }
}

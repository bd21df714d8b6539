import Foundation
import NNCore

/// `y = eˣ`. Gradient: `y · gy`.
public final class Exp: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].map { Foundation.exp($0) }] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try output * gy[0]] }
}
